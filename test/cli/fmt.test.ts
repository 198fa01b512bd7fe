/**
 * `flowc fmt`: one canonical layout, comments kept, idempotent, and never a different AST —
 * checked over every sample and fixture of the repository.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatText, astShape } from '../../compiler/fmt/format.ts';
import { scanComments } from '../../compiler/fmt/comments.ts';
import { parse } from '../../compiler/phases/1-parse/parse.ts';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.ts';
import { flowc, fixtures, repo, tempDir } from './helpers.ts';
import { flowFiles } from '../support/files.ts';


const corpus = ['samples', 'test', 'vscode-extension/test'].flatMap((d) => flowFiles(join(repo, d))).sort();

function fmt(text: string): string {
  const r = formatText(text, 'x.flow');
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.text;
}

describe('flowc fmt over every sample and fixture', () => {
  it('finds the corpus', () => {
    expect(corpus.length).toBeGreaterThan(5);
  });
  for (const file of corpus) {
    it(`${relative(repo, file)}: idempotent, same AST, same comments`, () => {
      const text = readFileSync(file, 'utf8');
      const before = parse(text, file);
      if (hasErrors(before.diagnostics)) return; // a fixture that does not parse on purpose
      const once = fmt(text);
      expect(fmt(once)).toBe(once);
      const after = parse(once, file);
      expect(after.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(astShape(after.program)).toEqual(astShape(before.program));
      expect(scanComments(once).map((c) => c.text)).toEqual(scanComments(text).map((c) => c.text));
      expect(once.split('\n').every((l) => !/\s$/.test(l))).toBe(true);
    });
  }
});

describe('the canonical layout', () => {
  it('formats a messy file (snapshot)', async () => {
    const text = readFileSync(join(fixtures, 'fmt/messy.flow'), 'utf8');
    await expect(fmt(text)).toMatchFileSnapshot('__snapshots__/messy.formatted.flow.txt');
  });

  it('puts pipeline operators one per line, records on one line when they fit', () => {
    expect(fmt('let v = s | where a > 1 | select {a, b: a * 2}\n')).toBe('let v = s\n  | where a > 1\n  | select { a, b: a * 2 }\n');
  });

  it('breaks a record that does not fit into one field per line, with a trailing comma', () => {
    const long = `let v = s | select { ${Array.from({ length: 12 }, (_, i) => `field_${i}: value_${i}`).join(', ')} }\n`;
    expect(fmt(long)).toBe(`let v = s\n  | select {\n${Array.from({ length: 12 }, (_, i) => `      field_${i}: value_${i},\n`).join('')}    }\n`);
  });

  it('keeps the fewest parentheses that keep the meaning, and a few that help reading', () => {
    expect(fmt('fn f(a: int, b: int): int = ((a + b)) * (a - (b - 1)) + (a * b)\n')).toBe('fn f(a: int, b: int): int = (a + b) * (a - (b - 1)) + a * b\n');
    expect(fmt('fn g(a: bool, b: bool, c: bool): bool = a and b or not (a == c)\n')).toBe('fn g(a: bool, b: bool, c: bool): bool = (a and b) or not (a == c)\n');
    expect(fmt('fn h(a: int?): int = (a ?? 0) + 1\n')).toBe('fn h(a: int?): int = (a ?? 0) + 1\n');
  });

  it('keeps comments where they were: own line, end of line, and a blank line before', () => {
    const text = [
      '// about the job',
      '',
      'let v = s // the input',
      '  // keep the big ones',
      '  | where a > 1 /* strict */',
      '',
      '',
      'sink v -> stdout() // done',
      '',
    ].join('\n');
    expect(fmt(text)).toBe([
      '// about the job',
      '',
      'let v = s // the input',
      '  // keep the big ones',
      '  | where a > 1 /* strict */',
      '',
      'sink v -> stdout() // done',
      '',
    ].join('\n'));
  });

  it('keeps literals as written and does not touch strings that look like comments', () => {
    const text = 'param url: string = "http://x.y/*z*/"\nparam n: int = 1_000_000\nparam d: duration = 90s\n';
    expect(fmt(text)).toBe(text);
  });

  it('refuses a file that does not parse', () => {
    const r = formatText('let = \n', 'bad.flow');
    expect(r.ok).toBe(false);
  });
});

describe('flowc fmt on the command line', () => {
  it('--check exits 1 naming unformatted files; fmt rewrites them; then --check passes', () => {
    const d = tempDir();
    copyFileSync(join(fixtures, 'fmt/messy.flow'), join(d, 'messy.flow'));
    writeFileSync(join(d, 'clean.flow'), 'let v = s\n  | where a > 1\n');
    const check = flowc(['fmt', '--check', '.'], d);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/messy\.flow/);
    expect(check.stderr).not.toMatch(/clean\.flow/);
    const write = flowc(['fmt', 'messy.flow', 'clean.flow'], d);
    expect(write.status).toBe(0);
    expect(write.stdout).toBe('messy.flow\n');
    const formatted = readFileSync(join(d, 'messy.flow'), 'utf8');
    expect(fmt(formatted)).toBe(formatted);
  });
});
