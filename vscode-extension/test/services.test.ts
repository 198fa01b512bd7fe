/**
 * compiler/services as pure functions over `analyze()`: hover, completion, definition, references
 * and the outline, on the token fixture (which imports lib.flow and has an extern fn).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { analyze, type Analysis } from '../../compiler/index.ts';
import { hover, completions, definition, references, documentSymbols, cursorContext } from '../../compiler/services/index.ts';
import { extensionRoot } from './tokenize.ts';

const file = join(extensionRoot, 'test/fixtures/tokens.flow');
const text = readFileSync(file, 'utf8');
const host = {
  readFile: (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } },
  resolve: (from: string, spec: string) => resolve(dirname(from), spec),
};
let a: Analysis;

/** Offset of the `nth` occurrence of `needle`, plus `delta`. */
function at(needle: string, nth = 0, delta = 0, source = text): number {
  let o = -1;
  for (let i = 0; i <= nth; i++) {
    o = source.indexOf(needle, o + 1);
    if (o < 0) throw new Error(`"${needle}" occurs fewer than ${nth + 1} times`);
  }
  return o + delta;
}
const slice = (s: { start: number; end: number }, source = text) => source.slice(s.start, s.end);
const labels = (offset: number, analysis: Parameters<typeof completions>[0] = a) => completions(analysis, offset).map((c) => c.label);

describe('services over the token fixture', () => {
  beforeAll(() => {
    a = analyze(text, file, host);
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  describe('hover', () => {
    it('builtins, aggregates and the min/max overloads', () => {
      expect(hover(a, at('abs(', 0, 1))!.markdown).toContain('abs(x: int|float): int|float');
      const agg = hover(a, at('avg(secs)', 0, 1))!;
      expect(agg.markdown).toContain('(aggregate) Mean of the non-null values');
      expect(slice(agg.span)).toBe('avg');
      // `max(secs)` inside aggregate is the aggregate; its scalar form is mentioned too.
      const max = hover(a, at('max(secs)', 0, 1))!.markdown;
      expect(max).toMatch(/^```flow\nmax\(x: T\): T/);
      expect(max).toContain('Also a scalar function: `max(a: T, b: T): T`');
    });

    it('declarations: a type with its fields, a source with its row, a typed let, a param, a fn', () => {
      const type = hover(a, at('Click = {', 0, 1))!.markdown;
      expect(type).toContain('type Click = {\n  user: string,\n  page: string,');
      const source = hover(a, at('clicks', 3, 1))!.markdown; // `= clicks as c`
      expect(source).toContain('source clicks: Click');
      expect(source).toContain('referrer: string?,');
      const let_ = hover(a, at('per_page', 1, 1))!.markdown; // a use of per_page
      expect(let_).toContain('let per_page: { page: string, window_start: timestamp, window_end: timestamp, views: int, users: int, avg_secs: float }');
      expect(hover(a, at('limit * 2', 0, 1))!.markdown).toContain('param limit: int');
      expect(hover(a, at('secs(duration_ms)', 0, 1))!.markdown).toContain('fn secs(ms: int): float');
    });

    it('fields of the row, typed by the checker', () => {
      const h = hover(a, at('duration_ms > 0', 0, 1))!;
      expect(h.markdown).toContain('duration_ms: int');
      expect(slice(h.span)).toBe('duration_ms');
    });

    it('connectors and their arguments', () => {
      const h = hover(a, at('file(', 0, 1))!.markdown;
      expect(h).toContain('file(path: string, format: string = …, follow: bool = …)');
      expect(h).toContain('Usable as source, table, sink');
      expect(hover(a, at('follow:', 0, 1))!.markdown).toContain('argument of `file`');
    });

    it('operator keywords: what they do and the rows after them', () => {
      const h = hover(a, at('aggregate {', 0, 2))!.markdown;
      expect(h).toContain('one row per key and window');
      expect(h).toContain('Rows after `aggregate`');
      expect(h).toContain('window_start: timestamp');
    });

    it('nothing on punctuation or in comments', () => {
      expect(hover(a, at('Token fixture', 0, 2))).toBeUndefined();
      // `keyword` in a comment is not the keyword.
      expect(hover(a, at('where the grammar expects', 0, 1))).toBeUndefined();
      expect(hover(a, at('= {', 0, 0))).toBeUndefined();
    });
  });

  describe('definition and references', () => {
    const defOf = (offset: number) => definition(a, offset).map((s) => [s.file.replace(/^.*\//, ''), slice(s, readFileSync(s.file, 'utf8')), s.start] as const);

    it('lets, sources, tables, types, params and fns', () => {
      expect(defOf(at('per_page', 2, 1))).toEqual([['tokens.flow', 'per_page', at('per_page')]]);
      expect(defOf(at('clicks', 3, 1))).toEqual([['tokens.flow', 'clicks', at('clicks: Click')]]);
      expect(defOf(at('pages as p', 0, 1))).toEqual([['tokens.flow', 'pages', at('pages: Page')]]);
      expect(defOf(at('Reading = file', 0, 1))).toEqual([['tokens.flow', 'Reading', at('Reading = {')]]);
      expect(defOf(at('limit * 2', 0, 1))).toEqual([['tokens.flow', 'limit', at('limit: int')]]);
      expect(defOf(at('secs(duration_ms)', 0, 1))).toEqual([['tokens.flow', 'secs', at('secs(ms')]]);
    });

    it('an imported type, in the imported file', () => {
      expect(defOf(at('Page =', 0, 1))).toEqual([['lib.flow', 'Page', readFileSync(join(dirname(file), 'lib.flow'), 'utf8').indexOf('Page')]]);
    });

    it('locals: fn parameters, state, process lets, aliases, event-time fields', () => {
      expect(defOf(at('ms / 1000', 0, 1))).toEqual([['tokens.flow', 'ms', at('(ms', 0, 1)]]);
      expect(defOf(at('seen + 1', 0, 1))).toEqual([['tokens.flow', 'seen', at('seen: int')]]);
      expect(defOf(at('last = temp', 0, 1))).toEqual([['tokens.flow', 'last', at('last: float')]]);
      expect(defOf(at('c.duration_ms', 0, 0))).toEqual([['tokens.flow', 'c', at('as c', 0, 3)]]);
      expect(defOf(at('r.sensor', 0, 0))).toEqual([['tokens.flow', 'r', at('as r', 0, 3)]]);
      // `event time at`: the field `at` of the source's type.
      expect(defOf(at('event time at', 0, 11))).toEqual([['tokens.flow', 'at', at('at: timestamp')]]);
    });

    it('references: declaration and uses, in text order', () => {
      const refs = references(a, at('views = clicks', 0, 1));
      expect(refs.map((s) => slice(s))).toEqual(Array(refs.length).fill('views'));
      expect(refs[0]!.start).toBe(at('views = clicks'));
      // views: declared once, used by per_page, sliding_counts, sessions, enriched (and `views.page` there, the
      // head's name qualifying a field), pairs and union(views, views) twice.
      expect(refs.length).toBe(9);
      expect(references(a, at('views = clicks', 0, 1), false).length).toBe(8);
      expect(refs.some((s) => s.start === at('views.page'))).toBe(true);
      // A field name in a record is not the stream `views`.
      expect(refs.some((s) => s.start === at('views: count'))).toBe(false);
    });

    it('nothing for builtins and unknown names', () => {
      expect(definition(a, at('abs(', 0, 1))).toEqual([]);
      expect(references(a, at('abs(', 0, 1))).toEqual([]);
    });
  });

  describe('completion', () => {
    it('after `|`: the operators only', () => {
      const src = 'let x = clicks\n  | ';
      const ls = labels(src.length, analyze(src, '/tmp/c.flow'));
      expect(ls).toEqual(expect.arrayContaining(['where', 'select', 'key', 'window', 'aggregate', 'process']));
      expect(ls).not.toContain('lower');
      expect(ls).not.toContain('if');
    });

    it('at the start of a line: declarations', () => {
      const ls = labels(at('let views', 0, 2));
      expect(ls).toEqual(['job', 'import', 'param', 'type', 'source', 'table', 'let', 'sink', 'fn', 'extern', 'test']);
    });

    it('in a type position: primitive and declared types', () => {
      const src = `${text}\nparam extra: `;
      const ls = labels(src.length, analyze(src, file, host));
      expect(ls).toEqual(expect.arrayContaining(['int', 'timestamp', 'Click', 'Reading', 'Page']));
      expect(ls).not.toContain('views');
    });

    it('stream, table and connector positions', () => {
      const a2 = analyze(`${text}\nlet more = `, file, host);
      expect(labels(a2.program.text.length, a2)).toEqual(expect.arrayContaining(['clicks', 'views', 'union', 'late', 'errors']));
      expect(labels(a2.program.text.length, a2)).not.toContain('pages');
      expect(labels(at('pages as p'))).toEqual(['pages']);
      expect(labels(at('file("out/hot'))).toEqual(['file', 'stdout', 'stderr']);
      expect(labels(at('file("data/clicks'))).toEqual(['file', 'stdin', 'nexmark']);
    });

    it('in an expression: fields of the row, params, functions, keywords, with signatures', () => {
      const items = completions(a, at('c.duration_ms', 0, 0));
      const ls = items.map((i) => i.label);
      // Typed: the fields of clicks' row come first, then params, then functions.
      expect(ls.slice(0, 2)).toEqual(['user', 'page']);
      for (const l of ['c', 'page', 'duration_ms', 'limit', 'secs', 'lower', 'count', 'if', 'not', 'null', 'where', 'clicks']) expect(ls, l).toContain(l);
      expect(items.find((i) => i.label === 'lower')).toMatchObject({ kind: 'function', detail: 'lower(s: string): string' });
      expect(items.find((i) => i.label === 'duration_ms')).toMatchObject({ kind: 'field', detail: 'int' });
      const sorted = [...items].sort((x, y) => (x.sortText < y.sortText ? -1 : 1)).map((i) => i.label);
      expect(sorted.indexOf('duration_ms')).toBeLessThan(sorted.indexOf('limit'));
      expect(sorted.indexOf('limit')).toBeLessThan(sorted.indexOf('lower'));
    });

    it('after `alias.`: the fields of that row', () => {
      const ls = labels(at('c.duration_ms', 0, 2));
      expect(ls).toEqual(['user', 'page', 'duration_ms', 'referrer', 'tags', 'at']);
    });

    it('inside process: state, locals, key, and timer_time only in on timer', () => {
      const ls = labels(at('last = temp', 0, 0));
      expect(ls).toEqual(expect.arrayContaining(['last', 'seen', 'key', 'temp', 'sensor']));
      expect(ls).not.toContain('timer_time');
      // `let delta` is local to its else block.
      expect(ls).not.toContain('delta');
      expect(labels(at('lower(sensor)', 0, 0))).not.toContain('delta');
      const src = 'type R = { k: string, v: int, at: timestamp }\nsource s: R = file("r.jsonl") event time at\n'
        + 'let p = s\n  | key by k\n  | process {\n      on record {\n        let twice = v * 2\n        emit { k, v: twice, at }\n      }\n    }\nsink p -> stdout()\n';
      const pa = analyze(src, '/tmp/p.flow');
      expect(pa.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(labels(at('twice, at', 0, 0, src), pa)).toContain('twice');
      expect(definition(pa, at('twice, at', 0, 1, src)).map((d) => d.start)).toEqual([at('twice =', 0, 0, src)]);
      const timer = labels(at('clear\n', 0, 0));
      expect(timer).toEqual(expect.arrayContaining(['last', 'seen', 'key', 'timer_time']));
      // No row in on timer.
      expect(timer).not.toContain('temp');
    });

    it('inside aggregate: aggregates before scalar functions', () => {
      const items = completions(a, at('count_distinct(user)', 0, 0));
      const sorted = [...items].sort((x, y) => (x.sortText < y.sortText ? -1 : x.sortText > y.sortText ? 1 : 0));
      const max = items.find((i) => i.label === 'max')!;
      expect(max.kind).toBe('aggregate');
      expect(sorted.findIndex((i) => i.label === 'sum')).toBeLessThan(sorted.findIndex((i) => i.label === 'if'));
    });

    it('nothing inside strings and comments', () => {
      expect(completions(a, at('data/clicks', 0, 2))).toEqual([]);
      expect(completions(a, at('Token fixture', 0, 2))).toEqual([]);
    });

    it('works on text that does not parse (while typing)', () => {
      const src = 'type T = { a: int }\nsource s: T = file("x.jsonl")\nlet y = s\n  | where a > \n  | select { a, b: lo';
      const ls = labels(src.length, analyze(src, '/tmp/typing.flow'));
      expect(ls).toContain('lower');
      expect(ls).toContain('s');
    });
  });

  describe('cursor context', () => {
    it('recognises the positions', () => {
      const kind = (src: string) => cursorContext(src, src.length).position.kind;
      expect(kind('let x = a\n  | ')).toBe('operator');
      expect(kind('let x = a\n  | wh')).toBe('operator');
      expect(kind('let x = a || ')).not.toBe('operator');
      expect(kind('param p: ')).toBe('type');
      expect(kind('fn f(a: ')).toBe('type');
      expect(kind('fn f(a: int): ')).toBe('type');
      expect(kind('fn f(a: int): int = ')).toBe('expression');
      expect(kind('type T = { a: [')).toBe('type');
      expect(kind('sink x -> ')).toBe('connector');
      expect(kind('source s: T = ')).toBe('connector');
      expect(kind('sink ')).toBe('stream');
      expect(kind('let x = a\n  | join ')).toBe('stream');
      expect(kind('let x = a\n  | lookup ')).toBe('table');
      expect(kind('let x = a\n  | where r.')).toBe('member');
      expect(kind('')).toBe('declaration');
      expect(kind('// a comment ')).toBe('none');
      expect(kind('param p: string = "ab')).toBe('none');
    });
  });

  describe('outline', () => {
    it('lists the declarations with their children', () => {
      const symbols = documentSymbols(a);
      expect(symbols.map((s) => `${s.kind} ${s.name}`)).toEqual([
        'import lib.flow', 'job tokens', 'param limit', 'param ratio', 'param big', 'param debug', 'param label',
        'type Click', 'type Reading', 'source clicks', 'source readings', 'table pages', 'fn secs', 'fn ref_host', 'fn score',
        'let views', 'let tagged', 'let per_page', 'let sliding_counts', 'let sessions', 'let hot', 'let cold', 'let first_clicks',
        'let enriched', 'let pairs', 'let jumps', 'sink hot', 'sink late(per_page)', 'sink errors(clicks)', 'sink union(views, views)',
        'test counts views per page and minute',
      ]);
      const click = symbols.find((s) => s.name === 'Click')!;
      expect(click.children.map((c) => `${c.name}: ${c.detail}`)).toEqual([
        'user: string', 'page: string', 'duration_ms: int', 'referrer: string?', 'tags: [string]', 'at: timestamp',
      ]);
      expect(symbols.find((s) => s.name === 'jumps')!.children.map((c) => c.name)).toEqual(['last', 'seen']);
      expect(symbols.find((s) => s.name === 'secs')!.children.map((c) => c.name)).toEqual(['ms']);
      expect(symbols.find((s) => s.name === 'views')!.detail).toContain('user: string');
      for (const s of symbols) {
        expect(s.selectionSpan.start).toBeGreaterThanOrEqual(s.span.start);
        expect(s.selectionSpan.end).toBeLessThanOrEqual(s.span.end);
      }
    });
  });
});
