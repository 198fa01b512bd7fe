/**
 * Phase 1 on its own: operator precedence, literal values, spans on every node, and recovery
 * at declaration boundaries.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../compiler/phases/1-parse/parse.ts';
import type * as A from '../../compiler/phases/1-parse/ast.ts';
import { cases, fixturesRoot } from '../check/harness.ts';

/** Parses `e` as the condition of a `where` and returns its tree, fully parenthesised. */
function tree(e: string): string {
  const r = parse(`let x = s | where ${e}\n`, 'x.flow');
  expect(r.diagnostics.filter((d) => d.severity === 'error'), e).toEqual([]);
  const decl = r.program.decls[0] as A.DeclOf<'Let'>;
  return show((decl.pipeline.ops[0] as A.OpOf<'Where'>).cond);
}

function show(e: A.Expr): string {
  switch (e.kind) {
    case 'Literal': return e.litType === 'string' ? JSON.stringify(e.value) : String(e.value);
    case 'Name': return e.name;
    case 'Member': return `${show(e.object)}${e.safe ? '?.' : '.'}${e.field.name}`;
    case 'Call': return `${e.callee.name}(${e.args.map((a) => show(a.value)).join(', ')})`;
    case 'Unary': return `(${e.op === 'not' ? 'not ' : '-'}${show(e.operand)})`;
    case 'Binary': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'If': return `(if ${show(e.cond)} then ${show(e.then)} else ${show(e.else)})`;
    case 'Record': return `{${e.items.map((i) => (i.kind === 'Field' ? `${i.name.name}: ${show(i.value)}` : `...${show(i.expr)}`)).join(', ')}}`;
    case 'List': return `[${e.items.map(show).join(', ')}]`;
  }
}

describe('operator precedence (lang/operators.ts)', () => {
  const cases: [string, string][] = [
    ['a or b and c', '(a or (b and c))'],
    ['a and b or c', '((a and b) or c)'],
    ['not a and b', '((not a) and b)'],
    ['not a == b', '(not (a == b))'],
    ['a == b and c != d', '((a == b) and (c != d))'],
    ['a ?? 0 > 5', '((a ?? 0) > 5)'],
    ['a ?? b ?? c', '(a ?? (b ?? c))'],
    ['a ?? 1 + 2', '(a ?? (1 + 2))'],
    ['1 + 2 * 3 - 4 / 2', '((1 + (2 * 3)) - (4 / 2))'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b * c % d', '(((a / b) * c) % d)'],
    ['-a * b', '((-a) * b)'],
    ['-(a * b)', '(-(a * b))'],
    ['- -a', '(-(-a))'],
    ['-3 + 1', '(-3 + 1)'],
    ['a.b.c + f(x).y', '(a.b.c + f(x).y)'],
    ['r?.f ?? 0', '(r?.f ?? 0)'],
    ['if a then b else c or d', '(if a then b else (c or d))'],
    ['if a then b else if c then d else e', '(if a then b else (if c then d else e))'],
    ['not not a', '(not (not a))'],
    ['a < b and not c >= d', '((a < b) and (not (c >= d)))'],
    ['(a or b) and c', '((a or b) and c)'],
  ];
  for (const [input, expected] of cases) it(input, () => expect(tree(input)).toBe(expected));

  it('refuses chained comparisons (F0013) and reads them as a conjunction', () => {
    const r = parse('let x = s | where a < b < c\n', 'x.flow');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['F0013']);
    expect(show(((r.program.decls[0] as A.DeclOf<'Let'>).pipeline.ops[0] as A.OpOf<'Where'>).cond)).toBe('((a < b) and (b < c))');
  });
});

describe('literals', () => {
  const value = (lit: string) => {
    const r = parse(`let x = s | select { v: ${lit} }\n`, 'x.flow');
    const rec = ((r.program.decls[0] as A.DeclOf<'Let'>).pipeline.ops[0] as A.OpOf<'Select'>).record;
    return { value: ((rec.items[0] as { value: A.Expr }).value as A.ExprOf<'Literal'>), codes: r.diagnostics.map((d) => d.code) };
  };
  const cases: [string, string, number | string | boolean | null][] = [
    ['42', 'int', 42], ['1_000_000', 'int', 1_000_000], ['-9007199254740991', 'int', -9007199254740991],
    ['3.5', 'float', 3.5], ['1e6', 'float', 1e6], ['2.5E-3', 'float', 0.0025], ['1_000.25', 'float', 1000.25],
    ['250ms', 'duration', 250], ['5s', 'duration', 5000], ['10m', 'duration', 600_000], ['2h', 'duration', 7_200_000], ['1d', 'duration', 86_400_000],
    ['@2024-05-01T10:00:00Z', 'timestamp', Date.UTC(2024, 4, 1, 10)],
    ['@2024-05-01T10:00:00.123Z', 'timestamp', Date.UTC(2024, 4, 1, 10, 0, 0, 123)],
    ['@2024-05-01T12:00:00+02:00', 'timestamp', Date.UTC(2024, 4, 1, 10)],
    ['@2024-05-01T08:30:00-0130', 'timestamp', Date.UTC(2024, 4, 1, 10)],
    ['@2024-05-01', 'timestamp', Date.UTC(2024, 4, 1)],
    ['@0050-01-01', 'timestamp', -60589296000000],
    ['"a\\"b\\\\c\\n\\t\\r\\u{1F600}"', 'string', 'a"b\\c\n\t\r😀'],
    ['true', 'bool', true], ['null', 'null', null],
  ];
  for (const [text, litType, v] of cases) {
    it(text, () => {
      const r = value(text);
      expect(r.codes).toEqual([]);
      expect(r.value.litType).toBe(litType);
      expect(r.value.value).toBe(v);
    });
  }
  const bad: [string, string][] = [
    ['9007199254740992', 'F0005'], ['1e400', 'F0009'], ['999999999999999d', 'F0009'], ['@2023-02-29', 'F0004'],
    ['@2024-05-01T24:00:00Z', 'F0004'], ['"\\q"', 'F0003'], ['"\\u{110000}"', 'F0003'],
  ];
  for (const [text, code] of bad) it(`${text} is ${code}`, () => expect(value(text).codes).toEqual([code]));
});

describe('spans', () => {
  it('every node of every check-ok fixture has a span inside its file', () => {
    let nodes = 0;
    for (const name of cases('check-ok')) {
      const text = readFileSync(join(fixturesRoot, 'check-ok', name, 'input.flow'), 'utf8');
      const r = parse(text, 'input.flow');
      expect(r.diagnostics).toEqual([]);
      const visit = (x: unknown, path: string): void => {
        if (Array.isArray(x)) { x.forEach((y, i) => visit(y, `${path}[${i}]`)); return; }
        if (!x || typeof x !== 'object') return;
        const o = x as Record<string, unknown>;
        if ('kind' in o || 'name' in o) {
          const s = o.span as A.Span | undefined;
          expect(s, `${name}: ${path} has no span`).toBeDefined();
          expect(s!.start >= 0 && s!.start <= s!.end && s!.end <= text.length, `${name}: ${path}`).toBe(true);
          nodes++;
        }
        for (const [k, v] of Object.entries(o)) if (k !== 'span' && k !== 'keywordSpan' && k !== 'opSpan') visit(v, `${path}.${k}`);
      };
      visit(r.program.decls, 'decls');
    }
    expect(nodes).toBeGreaterThan(1000);
  });

  it('an expression span covers exactly its text', () => {
    const text = 'let x = s | where  lower(page) != "/"  and ms > 1_000\n';
    const cond = ((parse(text, 'x.flow').program.decls[0] as A.DeclOf<'Let'>).pipeline.ops[0] as A.OpOf<'Where'>).cond as A.ExprOf<'Binary'>;
    expect(text.slice(cond.span.start, cond.span.end)).toBe('lower(page) != "/"  and ms > 1_000');
    expect(text.slice(cond.left.span.start, cond.left.span.end)).toBe('lower(page) != "/"');
    expect(text.slice(cond.opSpan.start, cond.opSpan.end)).toBe('and');
  });
});

describe('recovery', () => {
  it('reports one error per broken declaration and keeps the others', () => {
    const text = [
      'type T = { a: int, at: timestamp }',
      'source s: T = file("s.jsonl") event time at',
      'let a = s | wher a > 1',
      'let b = s | where a > 1',
      'let c = s | select { a b }',
      'sink b -> stdout()',
      'lett d = s',
    ].join('\n');
    const r = parse(text, 'x.flow');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['F0002', 'F0002', 'F0001']);
    expect(r.program.decls.map((d) => d.kind)).toEqual(['TypeDecl', 'Source', 'Let', 'Sink']);
    expect(r.program.unparsed?.map((u) => u.name)).toEqual(['a', 'c']);
  });

  it('does not cut a declaration at a keyword line inside a block comment', () => {
    const text = 'type T = { a: int }\n/*\nlet x = broken |||\n*/\nsource s: T = stdin()\n';
    const r = parse(text, 'x.flow');
    expect(r.diagnostics).toEqual([]);
    expect(r.program.decls.map((d) => d.kind)).toEqual(['TypeDecl', 'Source']);
  });

  it('reads a field named like a declaration keyword at the start of a line', () => {
    const text = 'type T = {\ntype: string,\nlet: int,\n}\nsource s: T = stdin()\n';
    const r = parse(text, 'x.flow');
    expect(r.diagnostics).toEqual([]);
    expect((r.program.decls[0] as A.DeclOf<'TypeDecl'>).type).toMatchObject({ kind: 'RecordType', fields: [{ name: { name: 'type' } }, { name: { name: 'let' } }] });
  });
});
