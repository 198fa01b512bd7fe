/**
 * Projection pruning: which output fields of each node someone downstream reads. The code
 * generator computes a `select` field, maintains an aggregate's accumulator, or stores a field in
 * a `top` or join buffer only when it is demanded. The analysis runs from the sinks back to the
 * sources; each operator says what it needs of its inputs (the `demand` facet of its file under
 * compiler/operators/). A demand set holds field names, `alias.field` for qualified reads, and
 * `*` for "every field". Over-approximating is always safe: a demanded field that is not read
 * costs only time.
 */
import type { LogicalPlan, NodeId, PlanNode } from '../../3-plan/nodes.ts';
import { WHOLE_ROW, type Demand, type ReadScope } from './reads.ts';
import { isObserved } from './graph.ts';
import { operators } from '../../../operators/index.ts';
import type { DemandContext } from '../../../operators/operator.ts';

export { demands, type Demand } from './reads.ts';

/** What the expressions of `reader` see of `row`'s node: its fields, and the aliases readable there. */
function scopeOf(row: PlanNode, reader: PlanNode = row): ReadScope {
  return { fields: new Set(row.row.fields.map((f) => f.name)), qualifiers: new Set([...reader.qualifiers.map((q) => q.alias), ...(reader.readable ?? [])]) };
}

/**
 * Demanded output fields of every live node. `observe` names lets and sources whose whole rows
 * tests read.
 */
export function demandAnalysis(plan: LogicalPlan, live: ReadonlySet<NodeId>, observe?: ReadonlySet<string>): Map<NodeId, Demand> {
  const demand = new Map<NodeId, Set<string>>();
  const get = (id: NodeId) => {
    let d = demand.get(id);
    if (!d) { d = new Set(); demand.set(id, d); }
    return d;
  };
  /** Adds items to an input's demand; `q.f` is added as `f` too (q may name that input's own row). */
  const need = (id: NodeId, items: Iterable<string>) => {
    const d = get(id);
    for (const item of items) {
      d.add(item);
      const dot = item.indexOf('.');
      if (dot > 0) d.add(item.slice(dot + 1));
    }
  };
  const nodes = plan.nodes;
  for (let id = nodes.length - 1; id >= 0; id--) {
    const n = nodes[id]!;
    if (!live.has(id)) continue;
    const d = get(id);
    if (isObserved(n, observe)) d.add(WHOLE_ROW);
    const all = d.has(WHOLE_ROW);
    const cx: DemandContext = {
      demanded: d, all,
      has: (f) => all || d.has(f),
      need, node: (i) => nodes[i]!, scopeOf,
    };
    (operators[n.kind].demand as (n: PlanNode, cx: DemandContext) => void)(n, cx);
  }
  return demand;
}
