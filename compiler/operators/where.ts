/** `where COND`: keeps the rows for which the condition is true (inline: an `if` that leaves the row). */
import { showExpr } from '../phases/3-plan/show.ts';
import { input } from '../phases/3-plan/nodes.ts';
import { compileExpr } from '../phases/5-emit/expr.ts';
import { paren } from '../phases/5-emit/code.ts';
import { exprReads } from '../phases/4-fuse/optimize/reads.ts';
import type { Operator } from './operator.ts';

export const where: Operator<'Where'> = {
  kind: 'Where',
  describe: (n) => `where ${showExpr(n.cond)}`,
  entry: 'operator',
  shuffle: false,
  sideOutput: false,
  deferred: null,
  mapExprs: (n, f) => {
    const cond = f(n.cond);
    return cond === n.cond ? n : { ...n, cond };
  },
  demand: (n, cx) => {
    cx.need(input(n), cx.demanded);
    cx.need(input(n), exprReads(n.cond, cx.scopeOf(n)));
  },
  pruned: () => [],
  // Filters do not move above filters (nothing to gain).
  pushdown: null,
  layout: () => null,
  fused: {
    declare: null,
    row: (e, n, row, exit) => [
      `if (!${paren(compileExpr(n.cond, row.scope, e.cx))}) ${exit};`,
      ...e.consumers(n.id, row, exit),
    ],
  },
  unfused: {
    declare: null,
    build: (e, n, next) => {
      const s = e.rowScope(n, e.nodes[input(n)]!);
      e.add(n, `new unfused.Where((r: any) => ${compileExpr(n.cond, s, e.cx)}, ${next()})`);
    },
    qualifiedRows: 'input',
    port: null,
  },
};
