/**
 * The logical plan's nodes: one discriminated union, each node carrying its edges explicitly in
 * `inputs`. What each kind means and does in every later phase is in its file under
 * compiler/operators/ (the table in compiler/operators/index.ts is typed over `PlanKind`, so a
 * new kind here makes `tsc` list every facet it still lacks).
 */
import type * as A from '../1-parse/ast.ts';
import type { ConnectorInfo } from '../2-check/connectors.ts';
import type { TypedProgram } from '../2-check/check.ts';
import type { RecordType, Type, WindowInfo, Qualifier } from '../../../lang/types.ts';

export type NodeId = number;

interface Base {
  id: NodeId;
  /**
   * The nodes this one reads rows from, in order: a join's left then right side, a union's
   * branches in the order written. `late(L)` reads L's window, then the window's input (whose
   * rows the late rows are); `errors(S)` reads the source S. Their rows arrive by a side call
   * from the window or source (see `sideOutput` in compiler/operators/operator.ts), not down a
   * stage's chain.
   */
  inputs: NodeId[];
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
  | (Base & { kind: 'Where'; cond: A.Expr })
  | (Base & { kind: 'Map'; record: A.RecordExpr; extend: boolean })
  | (Base & { kind: 'Unnest'; field: string; as: string })
  | (Base & { kind: 'KeyBy'; keys: KeySpec[] })
  | (Base & { kind: 'WindowAggregate'; keys: KeySpec[]; window: WindowInfo; aggregates: { name: string; expr: A.Expr }[] })
  | (Base & { kind: 'WindowTop'; keys: KeySpec[]; window: WindowInfo; n: number; by: A.Expr; descending: boolean; withTies: boolean })
  | (Base & { kind: 'Dedup'; fields: string[]; withinMs: number })
  | (Base & { kind: 'Join'; leftKeys: A.Expr[]; rightKeys: A.Expr[]; withinMs?: number; windowMs?: number; leftAlias: string; rightAlias: string; leftRow: RecordType; rightRow: RecordType; ambiguous: string[] })
  | (Base & { kind: 'Lookup'; table: string; probe: A.Expr; keepUnmatched: boolean; alias: string; ambiguous: string[] })
  | (Base & { kind: 'Process'; keys: KeySpec[]; op: A.OpOf<'Process'> })
  | (Base & { kind: 'Union' })
  | (Base & { kind: 'Late' })
  | (Base & { kind: 'Errors' })
  | (Base & { kind: 'Sink'; connector: ConnectorInfo; index: number });

export type PlanKind = PlanNode['kind'];
export type PlanNodeOf<K extends PlanKind> = Extract<PlanNode, { kind: K }>;

/** The first (for most kinds: the only) input of a node. */
export function input(n: PlanNode): NodeId {
  const i = n.inputs[0];
  if (i === undefined) throw new Error(`internal: ${n.kind} n${n.id} has no input`);
  return i;
}

export interface LogicalPlan {
  nodes: PlanNode[];
  job: TypedProgram['job'];
  tables: TypedProgram['tables'];
  /** The .flow texts the spans point into (for line numbers in printouts). */
  files: { file: string; text: string }[];
}
