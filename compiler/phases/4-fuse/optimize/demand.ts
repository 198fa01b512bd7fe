/**
 * Projection pruning: which output fields of each node someone downstream reads. The code
 * generator computes a `select` field, maintains an aggregate's accumulator, or stores a field in
 * a `top` or join buffer only when it is demanded. The analysis runs from the sinks back to the
 * sources; a demand set holds field names, `alias.field` for qualified reads, and `*` for "every
 * field". Over-approximating is always safe: a demanded field that is not read costs only time.
 */
import type { LogicalPlan, NodeId, PlanNode } from '../../3-plan/plan.ts';
import { exprReads, WHOLE_ROW, type ReadScope } from './reads.ts';
import { isObserved } from './graph.ts';

export type Demand = ReadonlySet<string>;

export function demands(d: Demand | undefined, field: string): boolean {
  return d === undefined || d.has(WHOLE_ROW) || d.has(field);
}

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
    if (n.kind === 'Sink') for (const f of n.row.fields) d.add(f.name);
    if (isObserved(n, observe)) d.add(WHOLE_ROW);
    const all = d.has(WHOLE_ROW);
    const has = (f: string) => all || d.has(f);
    switch (n.kind) {
      case 'Source': case 'Errors': break;
      case 'Sink': case 'Union': case 'Late': {
        const inputs = n.kind === 'Sink' ? [n.input] : n.kind === 'Union' ? n.inputs : [(nodes[n.of] as { input: NodeId }).input];
        for (const i of inputs) need(i, d);
        break;
      }
      case 'Where': {
        need(n.input, d);
        need(n.input, exprReads(n.cond, scopeOf(n)));
        break;
      }
      case 'KeyBy': {
        need(n.input, d);
        for (const k of n.keys) need(n.input, exprReads(k.expr, scopeOf(n)));
        break;
      }
      case 'Dedup':
        need(n.input, n.fields.length ? [...d, ...n.fields] : [WHOLE_ROW]);
        break;
      case 'Map': {
        const input = nodes[n.input]!;
        const scope = scopeOf(input, n);
        const reads = new Set<string>();
        const produced = new Set<string>();
        for (const item of n.record.items) {
          if (item.kind === 'Spread') {
            const fields = item.expr.ty?.kind === 'record' ? item.expr.ty.fields.map((f) => f.name) : [];
            for (const f of fields) produced.add(f);
            if (all || fields.some(has)) exprReads(item.expr, scope, reads);
          } else {
            produced.add(item.name.name);
            if (has(item.name.name)) exprReads(item.value, scope, reads);
          }
        }
        if (n.extend) for (const f of input.row.fields) if (!produced.has(f.name) && has(f.name)) reads.add(f.name);
        need(n.input, reads);
        break;
      }
      case 'Unnest':
        need(n.input, all ? [WHOLE_ROW] : [...d].filter((f) => f !== n.as).concat(n.field));
        break;
      case 'WindowAggregate': {
        const input = nodes[n.input]!;
        const reads = new Set<string>();
        for (const k of n.keys) exprReads(k.expr, scopeOf(input, n), reads);
        for (const a of n.aggregates) if (has(a.name)) exprReads(a.expr, scopeOf(input, n), reads);
        need(n.input, reads);
        break;
      }
      case 'WindowTop': {
        const input = nodes[n.input]!;
        const reads = new Set<string>(all ? [WHOLE_ROW] : [...d].filter((f) => f !== 'rank'));
        for (const k of n.keys) exprReads(k.expr, scopeOf(input, n), reads);
        exprReads(n.by, scopeOf(input, n), reads);
        need(n.input, reads);
        break;
      }
      case 'Process':
        need(n.input, [WHOLE_ROW]);
        break;
      case 'Lookup': {
        const input = nodes[n.input]!;
        const inputFields = new Set(input.row.fields.map((f) => f.name));
        const reads = new Set<string>();
        for (const item of d) {
          if (item === WHOLE_ROW) reads.add(WHOLE_ROW);
          else if (item.startsWith(`${n.alias}.`)) continue;
          else if (item.includes('.') || (inputFields.has(item) && !n.ambiguous.includes(item))) reads.add(item);
        }
        const scope: ReadScope = { fields: inputFields, qualifiers: new Set(input.qualifiers.map((q) => q.alias).concat(n.qualifiers.filter((q) => q.alias !== n.alias).map((q) => q.alias))) };
        exprReads(n.probe, scope, reads);
        need(n.input, reads);
        break;
      }
      case 'Join': {
        const left = new Set<string>();
        const right = new Set<string>();
        const leftFields = new Set(n.leftRow.fields.map((f) => f.name));
        const rightFields = new Set(n.rightRow.fields.map((f) => f.name));
        for (const item of d) {
          if (item === WHOLE_ROW) { left.add(WHOLE_ROW); right.add(WHOLE_ROW); continue; }
          const dot = item.indexOf('.');
          if (dot > 0) {
            if (item.slice(0, dot) === n.rightAlias) right.add(item.slice(dot + 1));
            else left.add(item);
            continue;
          }
          if (n.ambiguous.includes(item)) continue;
          if (leftFields.has(item)) left.add(item);
          else if (rightFields.has(item)) right.add(item);
        }
        const leftAliases = new Set(n.qualifiers.filter((q) => q.alias !== n.rightAlias).map((q) => q.alias));
        for (const k of n.leftKeys) exprReads(k, { fields: leftFields, qualifiers: leftAliases }, left);
        for (const k of n.rightKeys) {
          for (const item of exprReads(k, { fields: rightFields, qualifiers: new Set([n.rightAlias]) })) {
            right.add(item.startsWith(`${n.rightAlias}.`) ? item.slice(n.rightAlias.length + 1) : item);
          }
        }
        need(n.left, left);
        need(n.right, right);
        break;
      }
    }
  }
  return demand;
}
