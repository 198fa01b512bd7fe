/**
 * No input breaks the front end: thousands of seeded mutations of every sample and fixture
 * (tokens deleted, duplicated, swapped or replaced, truncations, random bytes) and hand-made
 * extremes (100k open brackets, 100k prefix operators, 1 MB lines) each give diagnostics or
 * check clean, within a time bound, without an exception, a stack overflow or an F9 code.
 *
 *   FLOWC_FUZZ_ITERATIONS=50000 FLOWC_FUZZ_SEED=7 npx vitest run test/check/robustness.test.ts
 */
import { describe, it } from 'vitest';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, posix } from 'node:path';
import { analyze, type CompilerHost } from '../../compiler/index.ts';
import { renderDiagnostic } from '../../compiler/diagnostics/render.ts';
import { diagnosticCatalogue } from '../../lang/diagnostics.ts';
import { allKeywords } from '../../lang/keywords.ts';
import { flowFiles } from '../support/files.ts';

const repo = join(import.meta.dirname, '..', '..');
const iterations = Number(process.env.FLOWC_FUZZ_ITERATIONS ?? 2000);
const seed = Number(process.env.FLOWC_FUZZ_SEED ?? 20240501);
/** One analysis may take this long at most (generous: CI machines are slow and shared). */
const perInputMs = Number(process.env.FLOWC_FUZZ_MAX_MS ?? 5000);
const codes = new Set(diagnosticCatalogue.map((d) => d.code));


/** Every .flow file of the samples and of the checker's fixtures, by path relative to the repo. */
const seeds = new Map<string, string>(
  [...flowFiles(join(repo, 'samples')), ...flowFiles(join(repo, 'test/fixtures/check-ok')), ...flowFiles(join(repo, 'test/fixtures/check-errors'))]
    .map((p) => [`/${relative(repo, p).split('\\').join('/')}`, readFileSync(p, 'utf8')]),
);

/** The seed files themselves (and the .ts modules next to them) answer imports and extern fns. */
const host: CompilerHost = {
  readFile(path: string): string | undefined {
    if (seeds.has(path)) return seeds.get(path);
    if (!/\.(ts|mjs)$/.test(path)) return undefined;
    const file = join(repo, path);
    return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
  },
  resolve: (from, spec) => posix.normalize(posix.join(posix.dirname(from), spec)),
};

/** mulberry32: a small, fast, seeded PRNG. */
function random(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tokenPattern = /\s+|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|@[\dT:.+\-Z]+|\d[\w.]*|[A-Za-z_]\w*|->|\?\?|\?\.|==|!=|<=|>=|\.\.\.|[^\s]/g;
const punctuation = ['{', '}', '(', ')', '[', ']', '|', ',', ':', '=', '->', '?', '?.', '??', '.', '...', '"', '@', '/*', '-', '+', '==', '<'];
const oddText = ['\u0000', '\uFFFF', '\uD800', '😀', '\r', '\t', '\u2028', 'é', '\\', '\'', '#', '$', '`', '~', '/*', '*/', '"\\u{110000}"', '@9999-99-99', '1e999', '99999999999999999999'];

function mutate(text: string, rnd: () => number): { text: string; how: string } {
  const tokens = text.match(tokenPattern) ?? [''];
  const pick = (xs: readonly string[]) => xs[Math.floor(rnd() * xs.length)]!;
  const at = () => Math.floor(rnd() * tokens.length);
  const kind = Math.floor(rnd() * 8);
  const out = [...tokens];
  let how: string;
  switch (kind) {
    case 0: { const i = at(); out.splice(i, 1); how = `delete token ${i}`; break; }
    case 1: { const i = at(); out.splice(i, 0, tokens[i]!); how = `duplicate token ${i}`; break; }
    case 2: { const i = at(); const j = at(); [out[i], out[j]] = [out[j]!, out[i]!]; how = `swap tokens ${i} and ${j}`; break; }
    case 3: { const cut = Math.floor(rnd() * text.length); return { text: text.slice(0, cut), how: `truncate at ${cut}` }; }
    case 4: {
      const bytes = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => String.fromCharCode(Math.floor(rnd() * 0x3000))).join('');
      const pos = Math.floor(rnd() * text.length);
      return { text: text.slice(0, pos) + bytes + text.slice(pos), how: `insert random characters at ${pos}` };
    }
    case 5: { const i = at(); out[i] = pick(allKeywords); how = `replace token ${i} with a keyword`; break; }
    case 6: { const i = at(); out[i] = pick(punctuation); how = `replace token ${i} with punctuation`; break; }
    default: { const i = at(); out.splice(i, 0, pick(oddText)); how = `insert odd text at token ${i}`; break; }
  }
  return { text: out.join(''), how };
}

/** Analyses one input; fails with the input's story when anything is wrong. */
function survive(text: string, file: string, story: string, withHost: boolean): number {
  const t0 = performance.now();
  let diagnostics;
  try {
    diagnostics = analyze(text, file, withHost ? host : undefined).diagnostics;
  } catch (e) {
    throw new Error(`${story}: analyze threw ${(e as Error)?.stack ?? e}`);
  }
  const ms = performance.now() - t0;
  if (ms > perInputMs) throw new Error(`${story}: took ${ms.toFixed(0)} ms`);
  const sources = (f: string) => (f === file ? { file, text } : host.readFile(f) !== undefined ? { file: f, text: host.readFile(f)! } : undefined);
  for (const d of diagnostics) {
    if (!codes.has(d.code) || d.code.startsWith('F9')) throw new Error(`${story}: unexpected code ${d.code}: ${d.message}`);
    if (!d.message) throw new Error(`${story}: ${d.code} without a message`);
    if (d.span.file === file && !(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length)) {
      throw new Error(`${story}: ${d.code} has the span ${d.span.start}..${d.span.end} in a text of ${text.length}`);
    }
    try {
      renderDiagnostic(d, sources);
    } catch (e) {
      throw new Error(`${story}: rendering ${d.code} threw ${(e as Error)?.stack ?? e}`);
    }
  }
  return ms;
}

describe('robustness of parse + check', () => {
  it(`survives ${iterations} seeded mutations of ${seeds.size} files (seed ${seed})`, () => {
    console.log(`robustness: seed ${seed}, ${iterations} mutations of ${seeds.size} files (FLOWC_FUZZ_SEED, FLOWC_FUZZ_ITERATIONS)`);
    const rnd = random(seed);
    const files = [...seeds];
    let slowest = 0;
    for (let n = 0; n < iterations; n++) {
      const [file, text] = files[n % files.length]!;
      // Mutations pile up now and then, so that inputs drift far from the seed.
      let m = mutate(text, rnd);
      const stories = [m.how];
      while (rnd() < 0.3) { m = mutate(m.text, rnd); stories.push(m.how); }
      // One in twenty reads imports and extern modules (ts-morph is slow to start).
      slowest = Math.max(slowest, survive(m.text, file, `mutation ${n} of ${file} (${stories.join(', ')})`, n % 20 === 0));
    }
    console.log(`robustness: slowest analysis ${slowest.toFixed(0)} ms`);
  }, 600_000);

  const head = 'type C = { a: int, s: string, xs: [int], at: timestamp }\nsource clicks: C = file("c.jsonl") event time at\n';
  const mb = 1_000_000;
  const extremes: [string, string][] = [
    ['100k open parentheses', `${head}let x = clicks | where ${'('.repeat(100_000)}`],
    ['100k open brackets in a record', `${head}let x = clicks | select { v: ${'[{'.repeat(50_000)} }`],
    ['300 nested parentheses, closed', `${head}let x = clicks | where ${'('.repeat(300)}true${')'.repeat(300)}`],
    ['20k unary minus', `${head}let x = clicks | select { v: ${'-'.repeat(20_000)}1 }`],
    ['10k not', `${head}let x = clicks | where ${'not '.repeat(10_000)}true`],
    ['5k nested if', `${head}let x = clicks | select { v: ${'if true then '.repeat(5_000)}1${' else 2'.repeat(5_000)} }`],
    ['20k members', `${head}let x = clicks | select { v: a${'.b'.repeat(20_000)} }`],
    ['10k additions', `${head}let x = clicks | select { v: a${' + a'.repeat(10_000)} }`],
    ['10k ?? (right-nested)', `${head}let x = clicks | select { v: a${' ?? a'.repeat(10_000)} }`],
    ['5k and', `${head}let x = clicks | where ${Array.from({ length: 5_000 }, () => 'a > 0').join(' and ')}`],
    ['a 1 MB string', `${head}let x = clicks | select { v: "${'x'.repeat(mb)}" }\nsink x -> stdout()\n`],
    ['a 1 MB comment', `${head}// ${'x'.repeat(mb)}\nsink clicks -> stdout()\n`],
    ['a 1 MB name', `${head}let x = clicks | where ${'a'.repeat(mb)} > 0`],
    ['a 1 MB line of fields', `${head}let x = clicks | select { ${Array.from({ length: 90_000 }, (_, i) => `f${i}: a`).join(', ')} }`],
    ['1 MB of random characters', Array.from({ length: mb }, (_, i) => String.fromCharCode((i * 7919 + 13) % 0x3000)).join('')],
    ['2000 declarations using an unknown stream', Array.from({ length: 2000 }, (_, i) => `let x${i} = nothing | where a > ${i}`).join('\n')],
    ['5000 fields in one record type', `type T = { ${Array.from({ length: 5000 }, (_, i) => `f${i}: int`).join(', ')} }\nsource s: T = stdin()\nsink s | select { ${Array.from({ length: 5000 }, (_, i) => `f${i}`).join(', ')} } -> stdout()`],
    ['an unterminated block comment', `/*${'\nlet x = clicks'.repeat(1000)}`],
    ['only a BOM and NULs', `\uFEFF${'\u0000'.repeat(1000)}`],
    ['CRLF line ends', `${head}let x = clicks\r\n  | where a > 0\r\n  | select { a }\r\nsink x -> stdout()\r\n`.replace(/\n/g, '\r\n')],
    ['the empty file', ''],
  ];
  for (const [name, text] of extremes) {
    it(`survives ${name}`, () => {
      survive(text, '/extreme.flow', name, false);
    }, 60_000);
  }
});
