/** `union(a, b, …)`: the rows of every branch, each branch's loop entering one stage by call. */
import type { Operator } from './operator.ts';
import { entryStage, passRows } from './common.ts';

export const union: Operator<'Union'> = {
  kind: 'Union',
  describe: () => 'union',
  entry: 'union',
  shuffle: false,
  sideOutput: false,
  deferred: null,
  mapExprs: (n) => n,
  demand: (n, cx) => {
    for (const i of n.inputs) cx.need(i, cx.demanded);
  },
  pruned: () => [],
  pushdown: null,
  layout: () => null,
  fused: {
    declare: entryStage((n) => `Stage: rows of union n${n.id}.`),
    // With several branches rows arrive by a call to the union's stage (JobEmitter.node); a
    // union of one branch fuses and passes its rows on.
    row: (e, n, row, exit) => e.consumers(n.id, row, exit),
  },
  unfused: passRows('none'),
};
