/**
 * The diagnostic catalogue (lang/diagnostics.ts) is complete and true: every code the compiler
 * can emit is in it, every entry's example gives that code, and a check-errors fixture covers
 * every code.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { diagnosticCatalogue } from '../../lang/diagnostics.ts';
import { analyze, type CompilerHost } from '../../compiler/index.ts';
import { fixturesRoot, cases } from './harness.ts';

const repo = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Codes written in the compiler's sources: `'F1204'` literals and `(F9001)` in messages. */
function codesInSources(): Map<string, string> {
  const codes = new Map<string, string>();
  const dirs = ['compiler', 'lang', 'vscode-extension/src'].map((d) => join(repo, d)).filter(existsSync);
  for (const file of dirs.flatMap(sourceFiles)) {
    if (file.endsWith(join('lang', 'diagnostics.ts'))) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/['"`(]([FW]\d{4})['"`)]/g)) if (!codes.has(m[1]!)) codes.set(m[1]!, file.slice(repo.length + 1));
  }
  return codes;
}

const catalogued = new Set(diagnosticCatalogue.map((d) => d.code));

describe('the diagnostic catalogue', () => {
  it('has one well-formed entry per code', () => {
    expect(diagnosticCatalogue.length).toBe(catalogued.size);
    for (const d of diagnosticCatalogue) {
      expect(d.code).toMatch(/^(F[0-9]|W)\d{3,4}$/);
      expect(d.title.length, d.code).toBeGreaterThan(3);
      expect(d.explanation.length, d.code).toBeGreaterThan(20);
      // An example of F0014 would be 100,000 characters long; the F9 codes are bugs.
      if (!d.code.startsWith('F9') && d.code !== 'F0014') expect(d.example, d.code).toBeDefined();
    }
  });

  it('lists every code the compiler emits', () => {
    const missing = [...codesInSources()].filter(([code]) => !catalogued.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it('lists no code that nothing emits', () => {
    const used = codesInSources();
    expect([...catalogued].filter((c) => !used.has(c))).toEqual([]);
  });

  it('has a check-errors fixture for every code but the internal ones', () => {
    const seen = new Set<string>();
    for (const name of cases('check-errors')) {
      const snap = join(fixturesRoot, 'check-errors', name, 'diagnostics.snap');
      if (!existsSync(snap)) continue;
      for (const m of readFileSync(snap, 'utf8').matchAll(/^(?:error|warning)\[([FW]\d{4})\]/gm)) seen.add(m[1]!);
    }
    expect([...catalogued].filter((c) => !c.startsWith('F9') && !seen.has(c))).toEqual([]);
    expect([...seen].filter((c) => !catalogued.has(c))).toEqual([]);
  });

  for (const entry of diagnosticCatalogue.filter((d) => d.example)) {
    it(`the example of ${entry.code} gives ${entry.code}`, () => {
      const files = new Map(Object.entries(entry.files ?? {}).map(([n, t]) => [`/example/${n}`, t]));
      const host: CompilerHost = {
        readFile: (p) => files.get(p),
        resolve: (from, spec) => posix.normalize(posix.join(posix.dirname(from), spec)),
      };
      const a = analyze(entry.example!, '/example/example.flow', host);
      expect(a.diagnostics.map((d) => d.code)).toContain(entry.code);
    });
  }
});
