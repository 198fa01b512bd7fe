/**
 * `key by F, …`: partitions the stream by the key fields. With one worker the shuffle moves
 * nothing and the keyed operator after it runs inline (the `localShuffle` guard); otherwise it
 * begins a stage entered by call with the fields read downstream and the keys.
 */
import { input } from '../phases/3-plan/nodes.ts';
import { showExpr } from '../phases/3-plan/show.ts';
import { exprReads } from '../phases/4-fuse/optimize/reads.ts';
import type { Operator } from './operator.ts';
import { entryStage, passRows } from './common.ts';

export const keyBy: Operator<'KeyBy'> = {
  kind: 'KeyBy',
  describe: (n) => `⤨ key by ${n.keys.map((k) => showExpr(k.expr)).join(', ')}`,
  entry: 'shuffle',
  shuffle: true,
  sideOutput: false,
  deferred: null,
  mapExprs: (n, f) => {
    const exprs = n.keys.map((k) => f(k.expr));
    return exprs.every((x, i) => x === n.keys[i]!.expr) ? n : { ...n, keys: n.keys.map((k, i) => ({ ...k, expr: exprs[i]! })) };
  },
  demand: (n, cx) => {
    cx.need(input(n), cx.demanded);
    for (const k of n.keys) cx.need(input(n), exprReads(k.expr, cx.scopeOf(n)));
  },
  pruned: () => [],
  pushdown: null,
  layout: () => null,
  fused: {
    // With several workers: the stage the shuffled rows enter.
    declare: entryStage((n) => `Stage: rows shuffled by key at n${n.id}.`),
    row: (e, n, row, exit) => e.consumers(n.id, row, exit),
  },
  unfused: passRows('input'),
};
