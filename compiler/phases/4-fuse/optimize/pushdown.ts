/**
 * Filters before projections: `select {…} | where C` becomes `where C' | select {…}` when C only
 * reads fields the select copies (C' reads them under their input names), and likewise above
 * `extend` and `unnest`. Rows that the filter drops are then never projected (or unnested).
 * Legality is `pushdownGuards` in ../guards.ts.
 */
import type * as A from '../../1-parse/ast.ts';
import { mapExpr } from '../../1-parse/walk.ts';
import { input, type LogicalPlan, type NodeId, type PlanNode, type PlanNodeOf } from '../../3-plan/nodes.ts';
import { operators } from '../../../operators/index.ts';
import type { PushdownFacet } from '../../../operators/operator.ts';
import { failingPushdownGuards, type PushdownFacts } from '../guards.ts';
import { isObserved, renumber } from './graph.ts';

export interface PushdownNote {
  /** The filter and the operator it moved above. */
  where: A.Span;
  above: A.Span;
  aboveKind: 'select' | 'extend' | 'unnest';
}

/** A field copy: a literal, a name or a member chain (evaluating it twice costs nothing). */
export function isCopy(e: A.Expr): boolean {
  return e.kind === 'Literal' || e.kind === 'Name' || (e.kind === 'Member' && isCopy(e.object));
}

/** The condition rewritten over the feeding operator's input, or why it cannot be. */
function rewrite(w: PlanNodeOf<'Where'>, m: PlanNode, subst: Map<string, A.Expr | undefined>, above: PlanNode): { cond?: A.Expr; readsCopies: boolean; shadowed: boolean } {
  const aliases = new Set([...w.qualifiers.map((q) => q.alias), ...(w.readable ?? [])]);
  const inputNames = new Set([...above.row.fields.map((f) => f.name), ...m.qualifiers.map((q) => q.alias)]);
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
        return mapExpr(e, visit);
      }
      case 'Call': case 'Unary': case 'Binary': case 'If': case 'Record': case 'List':
        return mapExpr(e, visit);
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
    // late(L) reads L's window and its input (whose rows it carries): a reader of both.
    for (const n of current.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
    let moved = false;
    for (const w of current.nodes) {
      if (w.kind !== 'Where') continue;
      const m = nodes.get(input(w))!;
      const pushdown = operators[m.kind].pushdown as PushdownFacet<PlanNode> | null;
      if (!pushdown) continue;
      const above = nodes.get(input(m))!;
      const r = rewrite(w, m, pushdown.substitutions(m), above);
      const facts: PushdownFacts = {
        consumers: readers.get(m.id) ?? 0,
        observed: isObserved(m, observe),
        readsCopies: r.readsCopies,
        shadowed: r.shadowed,
      };
      if (failingPushdownGuards(facts).length || !r.cond) continue;
      // where' takes the filter's place above m; m takes the filter's id, so readers of the
      // filter now read m (ids are renumbered below).
      const filter: PlanNode = { ...w, id: m.id, inputs: [above.id], cond: r.cond, row: above.row, qualifiers: m.qualifiers, readable: m.readable, letName: undefined, lets: undefined };
      const projection = { ...m, id: w.id, inputs: [m.id], letName: w.letName, lets: w.lets } as PlanNode;
      nodes.set(m.id, filter);
      nodes.set(w.id, projection);
      notes.push({ where: w.span, above: m.span, aboveKind: pushdown.label(m) });
      current = renumber(current, nodes);
      moved = true;
      break;
    }
    if (!moved) break;
  }
  return { plan: current, notes };
}
