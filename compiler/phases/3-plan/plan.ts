/**
 * Phase 3: TypedProgram → LogicalPlan. A DAG of operators with keys, windows and watermarks made
 * explicit; each `let` becomes a shared node, so a stream read twice is computed once.
 */
import type * as A from '../1-parse/ast.ts';
import type { TypedProgram, TypedSink } from '../2-check/check.ts';
import type { WindowInfo, Qualifier } from '../../../lang/types.ts';
import { constValue } from '../2-check/expressions.ts';
import { errorRow } from '../2-check/pipelines.ts';
import { someExpr } from '../1-parse/walk.ts';
import type { KeySpec, LogicalPlan, NodeId, PlanNode } from './nodes.ts';
import { unreachable } from '../../unreachable.ts';

export type { KeySpec, LogicalPlan, NodeId, PlanKind, PlanNode, PlanNodeOf } from './nodes.ts';

/** A node before it has an id (Omit distributed over the union). */
type NewNode = PlanNode extends infer N ? (N extends PlanNode ? Omit<N, 'id'> : never) : never;

export function plan(typed: TypedProgram): LogicalPlan {
  const nodes: PlanNode[] = [];
  const add = (n: NewNode): PlanNode => {
    const node = { ...n, id: nodes.length } as PlanNode;
    nodes.push(node);
    return node;
  };
  const sources = new Map<string, PlanNode>();
  const lets = new Map<string, PlanNode>();
  /** The window node of each let (for `late(L)`). */
  const windowOfLet = new Map<string, NodeId>();

  for (const s of typed.sources) {
    sources.set(s.decl.name.name, add({
      kind: 'Source', name: s.decl.name.name, connector: s.connector, eventTime: s.decl.eventTime,
      watermarkMs: s.decl.watermark ? (constValue(s.decl.watermark) as number) : 0,
      inputs: [], row: s.row, qualifiers: [], span: s.decl.span,
    }));
  }

  const streamNode = (name: string): PlanNode => {
    const src = sources.get(name);
    if (src) return src;
    const existing = lets.get(name);
    if (existing) return existing;
    const sym = typed.symbols.lets.get(name)!;
    const n = pipeline(sym.decl.pipeline, name);
    n.letName = name;
    (n.lets ??= []).push(name);
    lets.set(name, n);
    return n;
  };

  const head = (ref: A.StreamRef): PlanNode => {
    switch (ref.kind) {
      case 'StreamName':
        return streamNode(ref.name.name);
      case 'Union': {
        const inputs = ref.inputs.map((p) => pipeline(p));
        return add({ kind: 'Union', inputs: inputs.map((i) => i.id), row: inputs[0]!.row, qualifiers: [], span: ref.span });
      }
      case 'Late': {
        streamNode(ref.name.name);
        const w = windowOfLet.get(ref.name.name)!;
        // Late rows are rows of the window's input, sent by the window's input side.
        const input = nodes[nodes[w]!.inputs[0]!]!;
        return add({ kind: 'Late', inputs: [w, input.id], row: input.row, qualifiers: [], span: ref.span });
      }
      case 'Errors':
        return add({ kind: 'Errors', inputs: [sources.get(ref.name.name)!.id], row: errorRow, qualifiers: [], span: ref.span });
    }
  };

  const pipeline = (p: A.Pipeline, letName?: string): PlanNode => {
    let cur = head(p.head);
    const alias = p.alias?.name ?? (p.head.kind === 'StreamName' ? p.head.name.name : undefined);
    let qualifiers: Qualifier[] = alias ? [{ alias, row: cur.row }] : [];
    let keys: KeySpec[] | undefined;
    let window: WindowInfo | undefined;
    for (const op of p.ops) {
      const row = op.stream!.row;
      const before = cur;
      const readable = qualifiers.map((q) => q.alias);
      switch (op.kind) {
        case 'Where':
          cur = add({ kind: 'Where', inputs: [cur.id], cond: op.cond, row: cur.row, qualifiers, span: op.span });
          break;
        case 'Select':
        case 'Extend':
          cur = add({ kind: 'Map', inputs: [cur.id], record: op.record, extend: op.kind === 'Extend', row, qualifiers, span: op.span });
          qualifiers = [];
          if (keys && !op.stream!.keys) keys = undefined;
          break;
        case 'Unnest':
          cur = add({ kind: 'Unnest', inputs: [cur.id], field: op.field.name, as: op.alias?.name ?? op.field.name, row, qualifiers, span: op.span });
          qualifiers = [];
          break;
        case 'KeyBy': {
          keys = op.fields.map((f) => ({
            name: f.parts[f.parts.length - 1]!.name,
            type: op.stream!.keys!.find((k) => k.name === f.parts[f.parts.length - 1]!.name)!.type,
            expr: f.parts.slice(1).reduce<A.Expr>(
              (obj, part) => ({ kind: 'Member', object: obj, field: part, safe: false, span: f.span }),
              { kind: 'Name', name: f.parts[0]!.name, span: f.parts[0]!.span },
            ),
          }));
          cur = add({ kind: 'KeyBy', inputs: [cur.id], keys, row: cur.row, qualifiers, span: op.span });
          break;
        }
        case 'Window':
          window = op.stream!.window!;
          break;
        case 'Aggregate': {
          cur = add({
            kind: 'WindowAggregate', inputs: [cur.id], keys: keys ?? [], window: window!,
            aggregates: op.record.items.flatMap((i) => (i.kind === 'Field' ? [{ name: i.name.name, expr: i.value }] : [])),
            row, qualifiers: [], span: op.span,
          });
          if (letName && !window!.processingTime) windowOfLet.set(letName, cur.id);
          keys = undefined; window = undefined; qualifiers = [];
          break;
        }
        case 'Top': {
          cur = add({
            kind: 'WindowTop', inputs: [cur.id], keys: keys ?? [], window: window!, n: constValue(op.n) as number,
            by: op.by, descending: op.descending, withTies: op.withTies, row, qualifiers: [], span: op.span,
          });
          if (letName && !window!.processingTime) windowOfLet.set(letName, cur.id);
          keys = undefined; window = undefined; qualifiers = [];
          break;
        }
        case 'Dedup':
          cur = add({
            kind: 'Dedup', inputs: [cur.id], fields: (op.fields ?? []).map((f) => f.parts[f.parts.length - 1]!.name),
            withinMs: constValue(op.within) as number, row: cur.row, qualifiers, span: op.span,
          });
          break;
        case 'Join': {
          const right = head(op.right);
          const leftAlias = qualifiers[0]?.alias ?? 'left';
          const rightAlias = op.alias?.name ?? (op.right.kind === 'StreamName' ? op.right.name.name : 'right');
          const { leftKeys, rightKeys } = splitJoinKeys(op.on, rightAlias);
          cur = add({
            kind: 'Join', inputs: [cur.id, right.id], leftKeys, rightKeys,
            withinMs: op.bound.kind === 'within' ? (constValue(op.bound.within) as number) : undefined,
            windowMs: op.bound.kind === 'window' && op.bound.spec.kind === 'tumbling' ? (constValue(op.bound.spec.size) as number) : undefined,
            leftAlias, rightAlias, leftRow: cur.row, rightRow: right.row, ambiguous: op.stream!.ambiguous,
            row, qualifiers: op.stream!.qualifiers, span: op.span,
          });
          qualifiers = op.stream!.qualifiers;
          keys = undefined;
          break;
        }
        case 'Lookup': {
          const alias = op.alias?.name ?? op.table.name;
          cur = add({
            kind: 'Lookup', inputs: [cur.id], table: op.table.name, probe: (op.on as A.ExprOf<'Binary'>).left,
            keepUnmatched: op.keepUnmatched, alias, ambiguous: op.stream!.ambiguous,
            row, qualifiers: op.stream!.qualifiers, span: op.span,
          });
          qualifiers = op.stream!.qualifiers;
          break;
        }
        case 'Process':
          cur = add({ kind: 'Process', inputs: [cur.id], keys: keys!, op, row, qualifiers: [], span: op.span });
          keys = undefined; qualifiers = [];
          break;
        default:
          unreachable(op, 'pipeline step');
      }
      if (cur !== before && readable.length) cur.readable = readable;
    }
    return cur;
  };

  typed.sinks.forEach((s: TypedSink, index) => {
    const input = pipeline(s.decl.pipeline);
    add({ kind: 'Sink', inputs: [input.id], connector: s.connector, index, row: input.row, qualifiers: [], span: s.decl.span });
  });
  // Lets read only by tests still get nodes, so `flowc test` can observe them.
  for (const name of typed.symbols.lets.keys()) streamNode(name);
  return { nodes, job: typed.job, tables: typed.tables, files: typed.files.map((f) => ({ file: f.file, text: f.text })) };
}

/** Splits `a.x == b.y and …` into left and right key expressions by which side each reads. */
function splitJoinKeys(on: A.Expr, rightAlias: string): { leftKeys: A.Expr[]; rightKeys: A.Expr[] } {
  const leftKeys: A.Expr[] = [];
  const rightKeys: A.Expr[] = [];
  const conj = (e: A.Expr): A.Expr[] => (e.kind === 'Binary' && e.op === 'and' ? [...conj(e.left), ...conj(e.right)] : [e]);
  const readsRight = (e: A.Expr): boolean =>
    someExpr(e, (x) => x.kind === 'Member' && x.object.kind === 'Name' && x.object.name === rightAlias);
  for (const eq of conj(on)) {
    if (eq.kind !== 'Binary') continue;
    if (readsRight(eq.right)) { leftKeys.push(eq.left); rightKeys.push(eq.right); } else { leftKeys.push(eq.right); rightKeys.push(eq.left); }
  }
  return { leftKeys, rightKeys };
}
