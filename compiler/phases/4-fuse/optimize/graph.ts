/**
 * Plan-graph helpers shared by the optimizer passes: the inputs of a node, rewiring them, and
 * renumbering a rewritten plan so that ids are again positions in topological order.
 */
import type { LogicalPlan, NodeId, PlanNode } from '../../3-plan/plan.ts';

/** The nodes a node reads rows from (for `late(L)`: the window, whose input side sends them). */
export function inputsOf(n: PlanNode): NodeId[] {
  switch (n.kind) {
    case 'Source': return [];
    case 'Late': return [n.of];
    case 'Errors': return [n.source];
    case 'Join': return [n.left, n.right];
    case 'Union': return n.inputs;
    default: return [n.input];
  }
}

/** A copy of `n` with every input reference passed through `f`. */
export function mapInputs(n: PlanNode, f: (id: NodeId) => NodeId): PlanNode {
  switch (n.kind) {
    case 'Source': return { ...n };
    case 'Late': return { ...n, of: f(n.of) };
    case 'Errors': return { ...n, source: f(n.source) };
    case 'Join': return { ...n, left: f(n.left), right: f(n.right) };
    case 'Union': return { ...n, inputs: n.inputs.map(f) };
    default: return { ...n, input: f(n.input) } as PlanNode;
  }
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
    for (const i of inputsOf(n)) visit(i);
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
