/**
 * Filters before projections: `select {…} | where C` becomes `where C' | select {…}` when C only
 * reads fields the select copies (C' reads them under their input names), and likewise above
 * `extend` and `unnest`. Rows that the filter drops are then never projected (or unnested).
 * Legality is `pushdownGuards` in ../guards.ts.
 */
import type * as A from '../../1-parse/ast.ts';
import type { LogicalPlan, NodeId, PlanNode } from '../../3-plan/plan.ts';
import { failingPushdownGuards, type PushdownFacts } from '../guards.ts';
import { inputsOf, isObserved, renumber } from './graph.ts';

export interface PushdownNote {
  /** The filter and the operator it moved above. */
  where: A.Span;
  above: A.Span;
  aboveKind: 'select' | 'extend' | 'unnest';
}

/** A field copy: a literal, a name or a member chain (evaluating it twice costs nothing). */
function isCopy(e: A.Expr): boolean {
  return e.kind === 'Literal' || e.kind === 'Name' || (e.kind === 'Member' && isCopy(e.object));
}

/** Output field → the expression computing it over the feeding operator's input; undefined when not a copy. */
function substitutions(m: PlanNode & { kind: 'Map' | 'Unnest' }): Map<string, A.Expr | undefined> {
  const out = new Map<string, A.Expr | undefined>();
  if (m.kind === 'Unnest') {
    for (const f of m.row.fields) out.set(f.name, f.name === m.as ? undefined : { kind: 'Name', name: f.name, span: m.span, ty: f.type });
    return out;
  }
  if (m.extend) for (const f of m.row.fields) out.set(f.name, { kind: 'Name', name: f.name, span: m.span, ty: f.type });
  for (const item of m.record.items) {
    if (item.kind === 'Spread') {
      const t = item.expr.ty;
      if (t?.kind === 'record') for (const f of t.fields) out.set(f.name, undefined);
      continue;
    }
    out.set(item.name.name, isCopy(item.value) ? item.value : undefined);
  }
  return out;
}

/** The condition rewritten over the feeding operator's input, or why it cannot be. */
function rewrite(w: PlanNode & { kind: 'Where' }, m: PlanNode & { kind: 'Map' | 'Unnest' }, input: PlanNode): { cond?: A.Expr; readsCopies: boolean; shadowed: boolean } {
  const subst = substitutions(m);
  const aliases = new Set([...w.qualifiers.map((q) => q.alias), ...(w.readable ?? [])]);
  const inputNames = new Set([...input.row.fields.map((f) => f.name), ...m.qualifiers.map((q) => q.alias)]);
  let readsCopies = true;
  let shadowed = false;
  const visit = (e: A.Expr): A.Expr => {
    switch (e.kind) {
      case 'Literal': return e;
      case 'Name': {
        if (subst.has(e.name)) {
          const s = subst.get(e.name);
          if (!s) { readsCopies = false; return e; }
          return s;
        }
        // Not a field of the row: a param (or a qualifier used whole, which is not rewritten).
        if (aliases.has(e.name)) readsCopies = false;
        if (inputNames.has(e.name)) shadowed = true;
        return e;
      }
      case 'Member': {
        if (e.object.kind === 'Name' && !subst.has(e.object.name) && aliases.has(e.object.name)) {
          const s = subst.get(e.field.name);
          if (!subst.has(e.field.name) || !s) { readsCopies = false; return e; }
          return s;
        }
        const object = visit(e.object);
        return object === e.object ? e : { ...e, object };
      }
      case 'Call': {
        const args = e.args.map((a) => ({ ...a, value: visit(a.value) }));
        return { ...e, args };
      }
      case 'Unary': return { ...e, operand: visit(e.operand) };
      case 'Binary': return { ...e, left: visit(e.left), right: visit(e.right) };
      case 'If': return { ...e, cond: visit(e.cond), then: visit(e.then), else: visit(e.else) };
      case 'Record': return { ...e, items: e.items.map((i) => (i.kind === 'Field' ? { ...i, value: visit(i.value) } : { ...i, expr: visit(i.expr) })) };
      case 'List': return { ...e, items: e.items.map(visit) };
    }
  };
  const cond = visit(w.cond);
  return { cond: readsCopies && !shadowed ? cond : undefined, readsCopies, shadowed };
}

/** Moves every movable filter above the projections feeding it, until none moves. */
export function pushFiltersUp(plan: LogicalPlan, observe?: Set<string>): { plan: LogicalPlan; notes: PushdownNote[] } {
  const notes: PushdownNote[] = [];
  let current = plan;
  for (let round = 0; round < 100; round++) {
    const nodes = new Map(current.nodes.map((n) => [n.id, n]));
    const readers = new Map<NodeId, number>();
    for (const n of current.nodes) for (const i of inputsOf(n)) readers.set(i, (readers.get(i) ?? 0) + 1);
    // late(L) reads the input of L's window: count it as a reader of that input.
    for (const n of current.nodes) {
      if (n.kind === 'Late') {
        const w = nodes.get(n.of) as { input: NodeId };
        readers.set(w.input, (readers.get(w.input) ?? 0) + 1);
      }
    }
    let moved = false;
    for (const w of current.nodes) {
      if (w.kind !== 'Where') continue;
      const m = nodes.get(w.input)!;
      if (m.kind !== 'Map' && m.kind !== 'Unnest') continue;
      const input = nodes.get(m.input)!;
      const r = rewrite(w, m, input);
      const facts: PushdownFacts = {
        consumers: readers.get(m.id) ?? 0,
        observed: isObserved(m, observe),
        readsCopies: r.readsCopies,
        shadowed: r.shadowed,
      };
      if (failingPushdownGuards(facts).length || !r.cond) continue;
      // where' takes the filter's place above m; m takes the filter's id, so readers of the
      // filter now read m (ids are renumbered below).
      const filter: PlanNode = { ...w, id: m.id, input: m.input, cond: r.cond, row: input.row, qualifiers: m.qualifiers, readable: m.readable, letName: undefined, lets: undefined };
      const projection = { ...m, id: w.id, input: m.id, letName: w.letName, lets: w.lets } as PlanNode;
      nodes.set(m.id, filter);
      nodes.set(w.id, projection);
      notes.push({ where: w.span, above: m.span, aboveKind: m.kind === 'Unnest' ? 'unnest' : m.extend ? 'extend' : 'select' });
      current = renumber(current, nodes);
      moved = true;
      break;
    }
    if (!moved) break;
  }
  return { plan: current, notes };
}
