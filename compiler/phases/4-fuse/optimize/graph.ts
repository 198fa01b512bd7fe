/**
 * Plan-graph helpers shared by the optimizer passes: rewiring a node's inputs, and renumbering a
 * rewritten plan so that ids are again positions in topological order.
 */
import type { LogicalPlan, NodeId, PlanNode } from '../../3-plan/nodes.ts';

/** A copy of `n` with every input reference passed through `f`. */
export function mapInputs(n: PlanNode, f: (id: NodeId) => NodeId): PlanNode {
  return { ...n, inputs: n.inputs.map(f) };
}

/**
 * Rebuilds a plan from nodes whose ids may have holes (removed nodes) or whose order is no longer
 * topological (swapped nodes): ids become positions again, inputs first, otherwise in the
 * original order, so that printouts stay stable.
 */
export function renumber(plan: LogicalPlan, nodes: Map<NodeId, PlanNode>): LogicalPlan {
  const order: PlanNode[] = [];
  const seen = new Set<NodeId>();
  const visit = (id: NodeId) => {
    if (seen.has(id)) return;
    seen.add(id);
    const n = nodes.get(id)!;
    for (const i of n.inputs) visit(i);
    order.push(n);
  };
  for (const id of [...nodes.keys()].sort((a, b) => a - b)) visit(id);
  const newId = new Map(order.map((n, i) => [n.id, i]));
  const out = order.map((n) => ({ ...mapInputs(n, (i) => newId.get(i)!), id: newId.get(n.id)! }) as PlanNode);
  return { ...plan, nodes: out };
}

/** Do tests observe this node's rows (as a let, a let naming the same rows, or a source)? */
export function isObserved(n: PlanNode, observe?: ReadonlySet<string>): boolean {
  if (!observe?.size) return false;
  return (n.letName !== undefined && observe.has(n.letName)) || (n.lets ?? []).some((l) => observe.has(l))
    || (n.kind === 'Source' && observe.has(n.name));
}
