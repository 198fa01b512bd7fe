/**
 * The optimizer: sound rewrites of the logical plan before fusion, one pass per file.
 *   fold.ts      constant folding (and `where true` removed)
 *   pushdown.ts  filters moved above the projections feeding them
 *   demand.ts    projection pruning (which fields each node must produce), used by the emitter
 */
import type * as A from '../../1-parse/ast.ts';
import { input, type LogicalPlan, type NodeId, type PlanNode } from '../../3-plan/nodes.ts';
import { foldNode } from './fold.ts';
import { pushFiltersUp, type PushdownNote } from './pushdown.ts';
import { isObserved, mapInputs, renumber } from './graph.ts';

export interface OptimizerNotes {
  /** Operators whose expressions had constants folded. */
  folded: { kind: string; span: A.Span }[];
  /** `where true` filters removed. */
  removed: A.Span[];
  pushdowns: PushdownNote[];
}

export function optimize(plan: LogicalPlan, observe?: Set<string>): { plan: LogicalPlan; notes: OptimizerNotes } {
  const notes: OptimizerNotes = { folded: [], removed: [], pushdowns: [] };
  // 1. Constant folding.
  const nodes = new Map<NodeId, PlanNode>();
  for (const n of plan.nodes) {
    const f = foldNode(n);
    if (f !== n) notes.folded.push({ kind: n.kind, span: n.span });
    nodes.set(n.id, f);
  }
  // 2. `where true` passes every row: its readers read its input instead.
  const redirect = new Map<NodeId, NodeId>();
  for (const n of nodes.values()) {
    if (n.kind === 'Where' && n.cond.kind === 'Literal' && n.cond.value === true && !isObserved(n, observe)) {
      redirect.set(n.id, input(n));
      notes.removed.push(n.span);
    }
  }
  let folded = plan;
  if (redirect.size) {
    const target = (id: NodeId): NodeId => (redirect.has(id) ? target(redirect.get(id)!) : id);
    const kept = new Map<NodeId, PlanNode>();
    for (const n of nodes.values()) {
      if (redirect.has(n.id)) continue;
      kept.set(n.id, mapInputs(n, target));
    }
    // A let that ended in the removed filter now ends at its input (for names in printouts).
    for (const [from] of redirect) {
      const name = nodes.get(from)!.letName;
      const to = kept.get(target(from))!;
      if (name && !to.letName) kept.set(to.id, { ...to, letName: name });
    }
    folded = renumber(plan, kept);
  } else {
    folded = { ...plan, nodes: [...nodes.values()] };
  }
  // 3. Filters before projections.
  const pushed = pushFiltersUp(folded, observe);
  notes.pushdowns = pushed.notes;
  return { plan: pushed.plan, notes };
}
