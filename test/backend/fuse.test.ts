/**
 * Phase 4 in isolation: fusion guards on hand-built plans, stage formation, and the optimizer
 * passes (constant folding, filter pushdown, projection pruning).
 */
import { describe, it, expect } from 'vitest';
import type * as A from '../../compiler/phases/1-parse/ast.ts';
import type { LogicalPlan, PlanNode } from '../../compiler/phases/3-plan/plan.ts';
import { T, type RecordType } from '../../lang/types.ts';
import { failingGuards, failingPushdownGuards, hasDeferredOutput } from '../../compiler/phases/4-fuse/guards.ts';
import { fuse } from '../../compiler/phases/4-fuse/fuse.ts';
import { foldExpr } from '../../compiler/phases/4-fuse/optimize/fold.ts';
import { printPhysicalPlan } from '../../compiler/phases/3-plan/print.ts';
import { showExpr } from '../../compiler/phases/3-plan/show.ts';
import { compileText } from './helpers.ts';

const span: A.Span = { file: 'hand.flow', start: 0, end: 0 };
const row: RecordType = T.record([{ name: 'k', type: T.string }, { name: 'v', type: T.int }]);
const name = (n: string, ty = T.int): A.Expr => ({ kind: 'Name', name: n, span, ty });
const int = (v: number): A.Expr => ({ kind: 'Literal', litType: 'int', value: v, span, ty: T.int });
const bin = (op: A.BinaryOp, left: A.Expr, right: A.Expr, ty = T.int): A.Expr => ({ kind: 'Binary', op, left, right, opSpan: span, span, ty });
const base = { row, qualifiers: [], span };
const connector = { name: 'stdin', args: {}, format: 'jsonl' as const, span };

/** source → where → key by → window aggregate → sink, and a union of two filtered branches. */
function handPlan(parallelism: number): LogicalPlan {
  const nodes: PlanNode[] = [
    { ...base, id: 0, kind: 'Source', inputs: [], name: 's', connector, eventTime: name('v'), watermarkMs: 0 },
    { ...base, id: 1, kind: 'Where', inputs: [0], cond: bin('>', name('v'), int(1), T.bool) },
    { ...base, id: 2, kind: 'KeyBy', inputs: [1], keys: [{ name: 'k', type: T.string, expr: name('k', T.string) }] },
    {
      ...base, id: 3, kind: 'WindowAggregate', inputs: [2], keys: [{ name: 'k', type: T.string, expr: name('k', T.string) }],
      window: { kind: 'tumbling', size: 60_000, processingTime: false }, aggregates: [],
    },
    { ...base, id: 4, kind: 'Sink', inputs: [3], connector: { ...connector, name: 'stdout' }, index: 0 },
    { ...base, id: 5, kind: 'Where', inputs: [0], cond: bin('<', name('v'), int(5), T.bool) },
    { ...base, id: 6, kind: 'Where', inputs: [0], cond: bin('>', name('v'), int(9), T.bool) },
    { ...base, id: 7, kind: 'Union', inputs: [5, 6] },
    { ...base, id: 8, kind: 'Sink', inputs: [7], connector: { ...connector, name: 'stdout' }, index: 1 },
  ];
  return { nodes, job: { name: 'hand', parallelism }, tables: [], files: [] };
}

describe('fusion guards', () => {
  const ctx = (parallelism: number) => ({ parallelism, consumersOf: () => [] });
  it('a shuffle fuses only with one worker (localShuffle)', () => {
    const keyBy = handPlan(1).nodes[2]!;
    expect(failingGuards(keyBy, ctx(1))).toEqual([]);
    expect(failingGuards(keyBy, ctx(4))).toEqual(['localShuffle']);
  });
  it('a union is entered from several loops (singleInput)', () => {
    expect(failingGuards(handPlan(1).nodes[7]!, ctx(1))).toEqual(['singleInput']);
  });
  it('sources and side outputs start stages (notSideOutput)', () => {
    expect(failingGuards(handPlan(1).nodes[0]!, ctx(1))).toEqual(['notSideOutput']);
  });
  it('windows have a deferred output side', () => {
    expect(hasDeferredOutput(handPlan(1).nodes[3]!)).toBe(true);
    expect(hasDeferredOutput(handPlan(1).nodes[1]!)).toBe(false);
  });
  it('pushdown guards name what fails', () => {
    expect(failingPushdownGuards({ consumers: 2, observed: false, readsCopies: true, shadowed: false })).toEqual(['singleConsumer']);
    expect(failingPushdownGuards({ consumers: 1, observed: true, readsCopies: false, shadowed: true })).toEqual(['notObserved', 'readsCopies', 'noShadowing']);
  });
});

describe('stages', () => {
  it('fuses everything between a source and a window, and enters unions by call', () => {
    const p = fuse(handPlan(1));
    expect(p.stages.map((s) => `${s.kind}:${s.steps.map((x) => `${x.node}${x.part === 'run' ? '' : x.part[0]}`).join(',')}`)).toEqual([
      'source:0,1,2,3i,5,7c,6,7c',
      'fire:3o,4',
      'union:7,8',
    ]);
  });
  it('with several workers a shuffle starts a stage', () => {
    const p = fuse(handPlan(4));
    expect(p.stages.map((s) => s.kind)).toEqual(['source', 'shuffle', 'fire', 'union']);
    expect(p.stages[0]!.steps.find((x) => x.node === 2)).toEqual({ node: 2, part: 'call', stage: 1 });
  });
  it('--no-fuse gives every operator its own stage', () => {
    const p = fuse(handPlan(1), { fuse: false });
    expect(p.fused).toBe(false);
    expect(p.stages.length).toBe(10);
  });
  it('prints shuffles, accumulate and fire sides', () => {
    const c = compileText(`type C = { user: string, page: string, ms: int, at: timestamp }
source clicks: C = stdin() event time at
let per = clicks | where ms > 0 | key by page | window tumbling 1m | aggregate { n: count() }
sink per -> stdout()
`, '/tmp/print.flow');
    expect(printPhysicalPlan(c.physical!)).toBe(`fused: 2 stages, parallelism 1
stage 0: source clicks
  n0   source clicks stdin() jsonl, event time at watermark 0s
  n1   where ms > 0
  n2   ⤨ key by page   (shuffle fused: localShuffle, one worker)
  n3   ▸ window tumbling 1m by page aggregate { n: count() }: accumulate
stage 1: ◂ n3 fires
  n3   ◂ window results { page: string, window_start: timestamp, window_end: timestamp, n: int }   -- let per
  n4   sink -> stdout() jsonl
`);
  });
});

describe('optimizer', () => {
  it('folds constants with the generated code semantics', () => {
    const cases: [A.Expr, string][] = [
      [bin('+', int(1), bin('*', int(2), int(3))), '7'],
      [bin('/', int(1), int(4), T.float), '0.25'],
      [bin('and', { kind: 'Literal', litType: 'bool', value: true, span, ty: T.bool }, bin('>', name('v'), int(1), T.bool), T.bool), 'v > 1'],
      [bin('or', bin('>', name('v'), int(1), T.bool), { kind: 'Literal', litType: 'bool', value: true, span, ty: T.bool }, T.bool), 'true'],
      [bin('??', { kind: 'Literal', litType: 'null', value: null, span, ty: T.null }, name('v')), 'v'],
      [bin('+', name('v'), bin('-', int(10), int(4))), 'v + 6'],
    ];
    for (const [e, want] of cases) expect(showExpr(foldExpr(e))).toBe(want);
    // An operand that calls something is not dropped (it could throw).
    const call: A.Expr = { kind: 'Call', callee: { name: 'regex_match', span }, args: [], span, ty: T.bool };
    expect(showExpr(foldExpr(bin('and', call, { kind: 'Literal', litType: 'bool', value: false, span, ty: T.bool }, T.bool)))).toBe('regex_match() and false');
  });

  it('moves filters above projections, prunes unread fields and removes `where true`', () => {
    const c = compileText(`type C = { user: string, page: string, ms: int, at: timestamp }
source clicks: C = stdin() event time at
let v = clicks | where 1 < 2 | select { user, page, secs: ms / 1000, at } | where page != "/" and secs > 1.0
let per = v | key by page | window tumbling 1m | aggregate { n: count(), never: count_distinct(user) }
sink per | select { page, n } -> stdout()
`, '/tmp/opt.flow');
    const text = printPhysicalPlan(c.physical!);
    expect(text).toContain('where page != "/"');
    expect(text).toMatch(/select \{ user, page, secs: ms \/ 1000, at \}.*\(pruned: user, at\)/);
    expect(text).toContain('accumulate   (pruned: never)');
    expect(text).toContain('`where` always true removed (line 3)');
    expect(text).not.toContain('moved above');
    // `secs > 1.0` reads a computed field: the filter stays below the select.
    const ts = c.ts!;
    expect(ts).not.toContain('new Set');
    expect(ts).not.toMatch(/\.add\(/);
  });

  it('moves a filter that reads only copied fields', () => {
    const c = compileText(`type C = { user: string, page: string, ms: int, at: timestamp }
source clicks: C = stdin() event time at
let v = clicks as c | select { who: c.user, page, secs: ms / 1000 }
sink v | where who != "bot" -> stdout()
`, '/tmp/push.flow');
    const text = printPhysicalPlan(c.physical!);
    expect(text).toContain('where c.user != "bot"');
    expect(text).toContain('where (line 4) moved above select (line 3)');
    expect(text.indexOf('where c.user')).toBeLessThan(text.indexOf('select {'));
  });
});
