/**
 * Phase 3: TypedProgram → LogicalPlan. A DAG of operators with keys, windows and watermarks made
 * explicit; each `let` becomes a shared node, so a stream read twice is computed once.
 */
import type * as A from '../1-parse/ast.ts';
import type { TypedProgram, TypedSink } from '../2-check/check.ts';
import type { ConnectorInfo } from '../2-check/connectors.ts';
import { T, type RecordType, type Type, type WindowInfo, type Qualifier } from '../2-check/types.ts';
import { constValue } from '../2-check/expressions.ts';
import { errorRow } from '../2-check/pipelines.ts';

export type NodeId = number;

interface Base {
  id: NodeId;
  /** The row this operator outputs. */
  row: RecordType;
  /** Qualified names readable downstream (`c.page`, join sides). */
  qualifiers: Qualifier[];
  /** The let this node ends, when it does. */
  letName?: string;
  /** Every let whose rows are this node's rows (`let a = b` names b's node too). */
  lets?: string[];
  /** Aliases its own expressions may read (`clicks as c | where c.page …`): those of its input row. */
  readable?: string[];
  span: A.Span;
}

export type KeySpec = { name: string; type: Type; expr: A.Expr };

export type PlanNode =
  | (Base & { kind: 'Source'; name: string; connector: ConnectorInfo; eventTime?: A.Expr; watermarkMs: number })
  | (Base & { kind: 'Where'; input: NodeId; cond: A.Expr })
  | (Base & { kind: 'Map'; input: NodeId; record: A.RecordExpr; extend: boolean })
  | (Base & { kind: 'Unnest'; input: NodeId; field: string; as: string })
  | (Base & { kind: 'KeyBy'; input: NodeId; keys: KeySpec[] })
  | (Base & { kind: 'WindowAggregate'; input: NodeId; keys: KeySpec[]; window: WindowInfo; aggregates: { name: string; expr: A.Expr }[] })
  | (Base & { kind: 'WindowTop'; input: NodeId; keys: KeySpec[]; window: WindowInfo; n: number; by: A.Expr; descending: boolean; withTies: boolean })
  | (Base & { kind: 'Dedup'; input: NodeId; fields: string[]; withinMs: number })
  | (Base & { kind: 'Join'; left: NodeId; right: NodeId; leftKeys: A.Expr[]; rightKeys: A.Expr[]; withinMs?: number; windowMs?: number; leftAlias: string; rightAlias: string; leftRow: RecordType; rightRow: RecordType; ambiguous: string[] })
  | (Base & { kind: 'Lookup'; input: NodeId; table: string; probe: A.Expr; keepUnmatched: boolean; alias: string; ambiguous: string[] })
  | (Base & { kind: 'Process'; input: NodeId; keys: KeySpec[]; op: A.OpOf<'Process'> })
  | (Base & { kind: 'Union'; inputs: NodeId[] })
  | (Base & { kind: 'Late'; of: NodeId })
  | (Base & { kind: 'Errors'; source: NodeId })
  | (Base & { kind: 'Sink'; input: NodeId; connector: ConnectorInfo; index: number });

export type PlanKind = PlanNode['kind'];

/** A node before it has an id (Omit distributed over the union). */
type NewNode = PlanNode extends infer N ? (N extends PlanNode ? Omit<N, 'id'> : never) : never;

export interface LogicalPlan {
  nodes: PlanNode[];
  job: TypedProgram['job'];
  tables: TypedProgram['tables'];
  /** The .flow texts the spans point into (for line numbers in printouts). */
  files: { file: string; text: string }[];
}

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
      row: s.row, qualifiers: [], span: s.decl.span,
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
        const win = nodes[w]!;
        const input = nodes[(win as { input: NodeId }).input]!;
        return add({ kind: 'Late', of: w, row: input.row, qualifiers: [], span: ref.span });
      }
      case 'Errors':
        return add({ kind: 'Errors', source: sources.get(ref.name.name)!.id, row: errorRow, qualifiers: [], span: ref.span });
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
          cur = add({ kind: 'Where', input: cur.id, cond: op.cond, row: cur.row, qualifiers, span: op.span });
          break;
        case 'Select':
        case 'Extend':
          cur = add({ kind: 'Map', input: cur.id, record: op.record, extend: op.kind === 'Extend', row, qualifiers, span: op.span });
          qualifiers = [];
          if (keys && !op.stream!.keys) keys = undefined;
          break;
        case 'Unnest':
          cur = add({ kind: 'Unnest', input: cur.id, field: op.field.name, as: op.alias?.name ?? op.field.name, row, qualifiers, span: op.span });
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
          cur = add({ kind: 'KeyBy', input: cur.id, keys, row: cur.row, qualifiers, span: op.span });
          break;
        }
        case 'Window':
          window = op.stream!.window!;
          break;
        case 'Aggregate': {
          cur = add({
            kind: 'WindowAggregate', input: cur.id, keys: keys ?? [], window: window!,
            aggregates: op.record.items.flatMap((i) => (i.kind === 'Field' ? [{ name: i.name.name, expr: i.value }] : [])),
            row, qualifiers: [], span: op.span,
          });
          if (letName && !window!.processingTime) windowOfLet.set(letName, cur.id);
          keys = undefined; window = undefined; qualifiers = [];
          break;
        }
        case 'Top': {
          cur = add({
            kind: 'WindowTop', input: cur.id, keys: keys ?? [], window: window!, n: constValue(op.n) as number,
            by: op.by, descending: op.descending, withTies: op.withTies, row, qualifiers: [], span: op.span,
          });
          if (letName && !window!.processingTime) windowOfLet.set(letName, cur.id);
          keys = undefined; window = undefined; qualifiers = [];
          break;
        }
        case 'Dedup':
          cur = add({
            kind: 'Dedup', input: cur.id, fields: (op.fields ?? []).map((f) => f.parts[f.parts.length - 1]!.name),
            withinMs: constValue(op.within) as number, row: cur.row, qualifiers, span: op.span,
          });
          break;
        case 'Join': {
          const right = head(op.right);
          const leftAlias = qualifiers[0]?.alias ?? 'left';
          const rightAlias = op.alias?.name ?? (op.right.kind === 'StreamName' ? op.right.name.name : 'right');
          const { leftKeys, rightKeys } = splitJoinKeys(op.on, rightAlias, right.row, cur.row);
          cur = add({
            kind: 'Join', left: cur.id, right: right.id, leftKeys, rightKeys,
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
            kind: 'Lookup', input: cur.id, table: op.table.name, probe: (op.on as A.ExprOf<'Binary'>).left,
            keepUnmatched: op.keepUnmatched, alias, ambiguous: op.stream!.ambiguous,
            row, qualifiers: op.stream!.qualifiers, span: op.span,
          });
          qualifiers = op.stream!.qualifiers;
          break;
        }
        case 'Process':
          cur = add({ kind: 'Process', input: cur.id, keys: keys!, op, row, qualifiers: [], span: op.span });
          keys = undefined; qualifiers = [];
          break;
      }
      if (cur !== before && readable.length) cur.readable = readable;
    }
    return cur;
  };

  typed.sinks.forEach((s: TypedSink, index) => {
    const input = pipeline(s.decl.pipeline);
    add({ kind: 'Sink', input: input.id, connector: s.connector, index, row: input.row, qualifiers: [], span: s.decl.span });
  });
  // Lets read only by tests still get nodes, so `flowc test` can observe them.
  for (const name of typed.symbols.lets.keys()) streamNode(name);
  return { nodes, job: typed.job, tables: typed.tables, files: typed.files.map((f) => ({ file: f.file, text: f.text })) };
}

/** Splits `a.x == b.y and …` into left and right key expressions by which side each reads. */
function splitJoinKeys(on: A.Expr, rightAlias: string, rightRow: RecordType, _leftRow: RecordType): { leftKeys: A.Expr[]; rightKeys: A.Expr[] } {
  const leftKeys: A.Expr[] = [];
  const rightKeys: A.Expr[] = [];
  const conj = (e: A.Expr): A.Expr[] => (e.kind === 'Binary' && e.op === 'and' ? [...conj(e.left), ...conj(e.right)] : [e]);
  const readsRight = (e: A.Expr): boolean => {
    switch (e.kind) {
      case 'Member': return (e.object.kind === 'Name' && e.object.name === rightAlias) || readsRight(e.object);
      case 'Name': return false;
      case 'Call': return e.args.some((a) => readsRight(a.value));
      case 'Binary': return readsRight(e.left) || readsRight(e.right);
      case 'Unary': return readsRight(e.operand);
      case 'If': return readsRight(e.cond) || readsRight(e.then) || readsRight(e.else);
      default: return false;
    }
  };
  for (const eq of conj(on)) {
    if (eq.kind !== 'Binary') continue;
    if (readsRight(eq.right)) { leftKeys.push(eq.left); rightKeys.push(eq.right); } else { leftKeys.push(eq.right); rightKeys.push(eq.left); }
  }
  void rightRow;
  return { leftKeys, rightKeys };
}

/** Consumers of each node, in plan order. */
export function consumers(p: LogicalPlan): Map<NodeId, NodeId[]> {
  const out = new Map<NodeId, NodeId[]>();
  const link = (from: NodeId, to: NodeId) => { const l = out.get(from) ?? []; l.push(to); out.set(from, l); };
  for (const n of p.nodes) {
    switch (n.kind) {
      case 'Source': case 'Late': case 'Errors': break;
      case 'Join': link(n.left, n.id); link(n.right, n.id); break;
      case 'Union': n.inputs.forEach((i) => link(i, n.id)); break;
      default: link(n.input, n.id);
    }
  }
  return out;
}

export { T };
