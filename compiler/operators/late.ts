/**
 * `late(L)`: the rows that arrived after every window of L holding them had fired. Its inputs
 * are L's window (which sends each late row, from its input side, by calling this stage's entry)
 * and that window's input (whose rows these are).
 */
import type { PlanNodeOf } from '../phases/3-plan/nodes.ts';
import type { Operator } from './operator.ts';
import { entryStage, passRows } from './common.ts';

type Late = PlanNodeOf<'Late'>;

/** The window whose late rows these are. */
export const lateWindow = (n: Late) => n.inputs[0]!;
/** The node whose rows the late rows are: the window's input. */
export const lateRows = (n: Late) => n.inputs[1]!;

export const late: Operator<'Late'> = {
  kind: 'Late',
  describe: () => 'late',
  entry: 'late',
  shuffle: false,
  sideOutput: true,
  deferred: null,
  mapExprs: (n) => n,
  demand: (n, cx) => cx.need(lateRows(n), cx.demanded),
  pruned: () => [],
  pushdown: null,
  layout: () => null,
  fused: {
    declare: entryStage((n) => `Stage: late rows of ${n.letName ?? `n${lateWindow(n)}`}.`),
    row: null,
  },
  unfused: passRows('none'),
};
