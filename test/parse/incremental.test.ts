/**
 * The incremental parser of the language server gives exactly what `parse()` gives: seeded random
 * edits of every sample and fixture (typing and deleting near the last edit, as a person does,
 * and elsewhere; lines duplicated, moved and deleted; declaration lines, comment and string
 * openers, bad literals and chained comparisons pasted in; undo), each version parsed both ways
 * and compared whole: AST, spans, diagnostics, `unparsed`, and which nodes are shared.
 *
 *   FLOWC_INCREMENTAL_EDITS=200 FLOWC_INCREMENTAL_SEED=7 npx vitest run test/parse/incremental.test.ts
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, type ParseResult } from '../../compiler/phases/1-parse/parse.ts';
import { IncrementalParser } from '../../compiler/phases/1-parse/incremental.ts';
import { check } from '../../compiler/phases/2-check/check.ts';
import { analyze } from '../../compiler/index.ts';
import type * as A from '../../compiler/phases/1-parse/ast.ts';
import { folderHost } from '../check/harness.ts';
import { flowFiles } from '../support/files.ts';

const repo = join(import.meta.dirname, '..', '..');
/** Edits per seed file. */
const edits = Number(process.env.FLOWC_INCREMENTAL_EDITS ?? 8);
const seed = Number(process.env.FLOWC_INCREMENTAL_SEED ?? 20240501);


const seeds = [...flowFiles(join(repo, 'samples')), ...flowFiles(join(repo, 'test/fixtures'))]
  .map((p) => [relative(repo, p).split('\\').join('/'), readFileSync(p, 'utf8')] as const);

/** mulberry32: a small, fast, seeded PRNG. */
function random(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const typed = [...'abcxyz_019 .,:=|(){}[]"\\/*-+<>?@\n\n  '];
const pasted = [
  '\nlet extra = clicks | where a < b < c\n', '\ntype T = { a: int, b: string? }\n', '\nsink x -> stdout()\n', '\nlett oops = 1\n',
  '/*', '*/', '"', '"bad \\q escape"', '@2024-13-45T99:00:00Z', '99999999999999999999', '1e999', '{ a.b, c, 1 + 2 }',
  '| where ', '| select { a, b: 1 }\n', 'x.f(1)', '-', 'not ', ' and ', '\n  ', '(', ')', '[[', 'process { on record { emit { a } } }',
  '\nfn f(a: int): int = a + 1\n', '\ntest "t" { given s = [{ a: 1 }] expect x == [] }\n', '\n// comment\n', '\n/* block\nlet inside = 1\n*/\n',
];

interface Edit { text: string; how: string }

/** One random edit of `text`, often next to `near` (where the last edit was). */
function edit(text: string, near: number, rnd: () => number): Edit & { at: number } {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const local = rnd() < 0.6;
  const at = Math.max(0, Math.min(text.length, local ? near + Math.floor(rnd() * 9) - 4 : Math.floor(rnd() * (text.length + 1))));
  const lines = text.split('\n');
  switch (Math.floor(rnd() * 9)) {
    case 0: case 1: { const s = pick(typed); return { text: text.slice(0, at) + s + text.slice(at), how: `type ${JSON.stringify(s)} at ${at}`, at: at + 1 }; }
    case 2: case 3: {
      const n = 1 + Math.floor(rnd() * (rnd() < 0.8 ? 3 : 40));
      return { text: text.slice(0, at) + text.slice(at + n), how: `delete ${n} at ${at}`, at };
    }
    case 4: { const s = pick(pasted); return { text: text.slice(0, at) + s + text.slice(at), how: `paste ${JSON.stringify(s)} at ${at}`, at: at + s.length }; }
    case 5: { // replace a word
      const m = /[A-Za-z_]\w*|\d+/.exec(text.slice(at));
      if (!m) return { text: text + 'x', how: 'append x', at: text.length };
      const s = pick(['where', 'let', 'x', '1.5', 'select', 'type', 'state', 'source', 'by']);
      const from = at + m.index;
      return { text: text.slice(0, from) + s + text.slice(from + m[0].length), how: `replace ${m[0]} at ${from} by ${s}`, at: from + s.length };
    }
    case 6: { // duplicate or delete a line
      const i = Math.floor(rnd() * lines.length);
      const copy = rnd() < 0.5;
      const out = copy ? [...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)] : [...lines.slice(0, i), ...lines.slice(i + 1)];
      return { text: out.join('\n'), how: `${copy ? 'duplicate' : 'delete'} line ${i + 1}`, at: lines.slice(0, i).join('\n').length };
    }
    case 7: { // move a block of lines
      const i = Math.floor(rnd() * lines.length);
      const n = 1 + Math.floor(rnd() * 6);
      const block = lines.slice(i, i + n);
      const rest = [...lines.slice(0, i), ...lines.slice(i + n)];
      const j = Math.floor(rnd() * (rest.length + 1));
      return { text: [...rest.slice(0, j), ...block, ...rest.slice(j)].join('\n'), how: `move lines ${i + 1}-${i + n} to ${j + 1}`, at: rest.slice(0, j).join('\n').length };
    }
    default: { // indent or dedent a line (a declaration line moving in or out of column 0)
      const i = Math.floor(rnd() * lines.length);
      const line = lines[i]!;
      lines[i] = line.startsWith(' ') ? line.trimStart() : `  ${line}`;
      return { text: lines.join('\n'), how: `re-indent line ${i + 1}`, at: lines.slice(0, i).join('\n').length };
    }
  }
}

/**
 * The value with object identity made visible: every object is listed once, and met again as
 * `#n`, so that two results compare equal only if the same nodes are shared in both.
 */
function sharing(value: unknown): string {
  const ids = new Map<object, number>();
  const walk = (v: unknown): string => {
    if (typeof v !== 'object' || v === null) return JSON.stringify(v) ?? 'undefined';
    const id = ids.get(v);
    if (id !== undefined) return `#${id}`;
    ids.set(v, ids.size);
    if (Array.isArray(v)) return `[${v.map(walk).join(',')}]`;
    return `{${Object.entries(v).map(([k, x]) => `${k}:${walk(x)}`).join(',')}}`;
  };
  return walk(value);
}

function same(incremental: ParseResult, fresh: ParseResult, what: string): void {
  expect(incremental, what).toStrictEqual(fresh);
  expect(sharing(incremental), what).toBe(sharing(fresh));
}

describe('IncrementalParser gives what parse() gives', () => {
  it(`${seeds.length} samples and fixtures, ${edits} random edits each (seed ${seed})`, () => {
    const rnd = random(seed);
    let ranges = 0;
    let matched = 0;
    let edited = 0;
    let rematched = 0;
    for (const [file, original] of seeds) {
      const parser = new IncrementalParser(file);
      same(parser.parse(original), parse(original, file), `${file} as it is`);
      const history = [original];
      let text = original;
      let near = Math.floor(rnd() * text.length);
      const hows: string[] = [];
      for (let i = 0; i < edits; i++) {
        if (rnd() < 0.08 && history.length > 1) {
          text = history[Math.floor(rnd() * history.length)]!;
          hows.push('undo');
        } else {
          const e = edit(text, near, rnd);
          text = e.text;
          near = e.at;
          hows.push(e.how);
        }
        history.push(text);
        const got = parser.parse(text);
        ranges += parser.stats.ranges;
        matched += parser.stats.matched;
        edited += parser.stats.edited;
        rematched += parser.stats.rematched;
        same(got, parse(text, file), `${file} after ${hows.join(', ')}`);
        // The checker writes types into the AST it checks: the cache must not see them.
        check(got.program, [], {});
      }
    }
    // Most ranges come from the cache; both ways through ohm's incremental matcher were taken.
    expect(matched).toBeLessThan(ranges / 3);
    expect(edited).toBeGreaterThan(0);
    expect(rematched).toBeGreaterThan(0);
  });

  it('retyping words character by character (most versions parse, through ohm\'s incremental matcher)', () => {
    const rnd = random(seed + 1);
    let edited = 0;
    for (const [file, original] of seeds) {
      if (original.length > 20_000) continue;
      const parser = new IncrementalParser(file);
      parser.parse(original);
      const words = [...original.matchAll(/[A-Za-z_]\w*|\d[\w.]*/g)];
      let text = original;
      for (let n = 0; n < Math.max(1, edits / 8) && words.length; n++) {
        const w = words[Math.floor(rnd() * words.length)]!;
        const from = w.index! + text.length - original.length;
        if (text.slice(from, from + w[0].length) !== w[0]) continue;
        const by = rnd() < 0.5 ? w[0] : /^\d/.test(w[0]) ? String(Math.floor(rnd() * 1000)) : `${w[0]}x`;
        const steps: string[] = [];
        for (let k = w[0].length - 1; k >= 0; k--) steps.push(text.slice(0, from) + w[0].slice(0, k) + text.slice(from + w[0].length));
        for (let k = 1; k <= by.length; k++) steps.push(text.slice(0, from) + by.slice(0, k) + text.slice(from + w[0].length));
        for (const [i, step] of steps.entries()) {
          same(parser.parse(step), parse(step, file), `${file}: retyping \`${w[0]}\` at ${from} as \`${by}\`, step ${i + 1}`);
          edited += parser.stats.edited;
        }
        text = steps[steps.length - 1]!;
      }
    }
    expect(edited).toBeGreaterThan(seeds.length);
  });

  it('matches only the chunk that changed, and moves the spans of the others', () => {
    const text = generate(60);
    const parser = new IncrementalParser('g.flow');
    parser.parse(text);
    expect(parser.stats.matched).toBe(parser.stats.ranges);
    // One character typed in the middle, then another: one chunk matched each time, the second
    // time by editing the input of ohm's matcher.
    const at = text.indexOf('| where score > ', text.length / 2) + '| where score > '.length;
    const first = text.slice(0, at) + '7' + text.slice(at);
    same(parser.parse(first), parse(first, 'g.flow'), 'one character typed');
    expect(parser.stats).toMatchObject({ matched: 1, edited: 0 });
    const one = text.slice(0, at) + '70' + text.slice(at);
    same(parser.parse(one), parse(one, 'g.flow'), 'another character typed');
    expect(parser.stats).toMatchObject({ matched: 1, edited: 1 });
    // A line inserted at the top: every span moves, nothing is matched but the first chunk.
    const moved = `// a comment line\n${one}`;
    same(parser.parse(moved), parse(moved, 'g.flow'), 'line inserted at the top');
    expect(parser.stats.matched).toBe(1);
    // Back to a text seen two versions ago: the chunk is matched again (only the last parse is kept).
    same(parser.parse(text), parse(text, 'g.flow'), 'undo');
    expect(parser.stats.matched).toBe(2);
  });

  it('keeps syntax errors, literal diagnostics and shared nodes right when they move', () => {
    const body = [
      'let a = s | where x < y < z',
      'let b = s | select { r.f, g, v: "bad \\q" }',
      'let c = s | where',
      'let d = s | select { n: 99999999999999999999, t: @2024-02-30T00:00:00Z }',
      'lett e = 1',
      'let f = s | select { x: (((1 + 2) }',
      '',
    ].join('\n');
    const parser = new IncrementalParser('e.flow');
    for (const prefix of ['', '\n', '// moved\n\n', 'type T = { a: int }\n', '']) {
      const text = prefix + body;
      const got = parser.parse(text);
      same(got, parse(text, 'e.flow'), JSON.stringify(prefix));
      expect(got.diagnostics.map((d) => d.code).sort()).toEqual(['F0001', 'F0002', 'F0002', 'F0003', 'F0004', 'F0005', 'F0013']);
      const chained = ((got.program.decls.find((d) => d.kind === 'Let' && d.name.name === 'a') as A.DeclOf<'Let'>).pipeline.ops[0] as A.OpOf<'Where'>).cond as A.ExprOf<'Binary'>;
      expect((chained.left as A.ExprOf<'Binary'>).right).toBe((chained.right as A.ExprOf<'Binary'>).left);
    }
  });

  it('lets analyze() use the parser', () => {
    const text = generate(40);
    const parser = new IncrementalParser('/a.flow');
    const first = analyze(text, '/a.flow', undefined, { parser });
    const edited = text.replace('| key by name', '| key by nam');
    const second = analyze(edited, '/a.flow', undefined, { parser });
    expect(parser.stats.matched).toBe(1);
    expect(second.diagnostics).toStrictEqual(analyze(edited, '/a.flow').diagnostics);
    expect(second.diagnostics.map((d) => d.code)).toContain('F1204');
    expect(first.ok).toBe(true);
    expect(() => analyze(text, '/b.flow', undefined, { parser })).toThrow(/parser is for/);
  });

  it('lets analyze() parse imported files with parsers of their own', () => {
    for (const name of ['check-ok/imports', 'check-errors/f1019-import-cycle', 'check-errors/import-errors-reported-in-their-file']) {
      const dir = join(repo, 'test/fixtures', name);
      if (!existsSync(join(dir, 'input.flow'))) continue;
      const host = folderHost(dir);
      const text = readFileSync(join(dir, 'input.flow'), 'utf8');
      const parsers = new Map<string, IncrementalParser>();
      const parseImport = (t: string, file: string) => {
        if (!parsers.has(file)) parsers.set(file, new IncrementalParser(file));
        return parsers.get(file)!.parse(t);
      };
      const parser = new IncrementalParser('/case/input.flow');
      for (let i = 0; i < 2; i++) {
        const got = analyze(text, '/case/input.flow', host, { parser, parseImport });
        const fresh = analyze(text, '/case/input.flow', host);
        expect(got.diagnostics, name).toStrictEqual(fresh.diagnostics);
        expect(got.imports, name).toStrictEqual(fresh.imports);
        expect(got.imports.length, name).toBeGreaterThan(0);
      }
      expect([...parsers.values()].every((p) => p.stats.matched === 0), name).toBe(true);
    }
  });
});

/** The language server benchmark's file (vscode-extension/scripts/bench-diagnostics.mjs), shorter. */
function generate(lines: number): string {
  const out = ['// Generated.', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `type Row${i} = { id: int, name: string, score: float, tags: [string], at: timestamp }`,
      `source src${i}: Row${i} = file("data/${i}.jsonl", format: "jsonl")`,
      '  event time at watermark 5s',
      `let clean${i} = src${i}`,
      `  | where score > ${i}.5 and name != "" and length(tags) > 0`,
      '  | select { id, name: lower(name), score: round(score * 100.0) / 100.0, at }',
      `let agg${i} = clean${i}`,
      '  | key by name',
      '  | window tumbling 1m',
      '  | aggregate { n: count(), avg_score: avg(score), best: max(score) }',
      `sink agg${i} -> file("out/${i}.jsonl")`,
      '',
    );
  }
  return out.slice(0, lines).join('\n') + '\n';
}
