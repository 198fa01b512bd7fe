/**
 * The Flow AST: one discriminated union per syntactic category, a `span` on every node.
 * The checker fills the optional `ty` slots (expressions) and `stream` slots (pipeline steps)
 * instead of building a second tree.
 */
import type { Span } from '../../diagnostics/diagnostic.ts';
import type { Type, StreamInfo } from '../../../lang/types.ts';

export type { Span };

export interface Ident {
  name: string;
  span: Span;
}

// ---------------------------------------------------------------- type expressions

export type TypeExpr =
  | { kind: 'NamedType'; name: string; span: Span }
  | { kind: 'NullableType'; inner: TypeExpr; span: Span }
  | { kind: 'ListType'; element: TypeExpr; span: Span }
  | { kind: 'RecordType'; fields: FieldTypeExpr[]; span: Span };

export interface FieldTypeExpr {
  name: Ident;
  type: TypeExpr;
  span: Span;
}

// ---------------------------------------------------------------- expressions

export type LiteralType = 'int' | 'float' | 'string' | 'bool' | 'null' | 'duration' | 'timestamp';

export type BinaryOp =
  | 'or' | 'and' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '??' | '+' | '-' | '*' | '/' | '%';

interface ExprBase {
  span: Span;
  /** Filled by the checker. */
  ty?: Type;
}

export type Expr =
  | (ExprBase & { kind: 'Literal'; litType: LiteralType; value: number | string | boolean | null })
  | (ExprBase & { kind: 'Name'; name: string })
  | (ExprBase & { kind: 'Member'; object: Expr; field: Ident; safe: boolean })
  | (ExprBase & { kind: 'Call'; callee: Ident; args: Arg[] })
  | (ExprBase & { kind: 'Unary'; op: '-' | 'not'; operand: Expr })
  | (ExprBase & { kind: 'Binary'; op: BinaryOp; left: Expr; right: Expr; opSpan: Span })
  | (ExprBase & { kind: 'If'; cond: Expr; then: Expr; else: Expr })
  | (ExprBase & { kind: 'Record'; items: RecordItem[] })
  | (ExprBase & { kind: 'List'; items: Expr[] });

export type ExprKind = Expr['kind'];
export type ExprOf<K extends ExprKind> = Extract<Expr, { kind: K }>;

export type RecordItem =
  | { kind: 'Field'; name: Ident; value: Expr; shorthand: boolean; span: Span }
  | { kind: 'Spread'; expr: Expr; span: Span };

export type RecordExpr = ExprOf<'Record'>;

export interface Arg {
  name?: Ident;
  value: Expr;
  span: Span;
}

// ---------------------------------------------------------------- pipelines

export interface FieldPath {
  parts: Ident[];
  span: Span;
}

export type StreamRef =
  | { kind: 'StreamName'; name: Ident; span: Span }
  | { kind: 'Union'; inputs: Pipeline[]; span: Span }
  | { kind: 'Late'; name: Ident; span: Span }
  | { kind: 'Errors'; name: Ident; span: Span };

export type WindowSpec =
  | { kind: 'tumbling'; size: Expr; span: Span }
  | { kind: 'sliding'; size: Expr; every: Expr; span: Span }
  | { kind: 'session'; gap: Expr; span: Span };

export interface StateDecl {
  name: Ident;
  type: TypeExpr;
  init: Expr;
  span: Span;
}

export type Stmt =
  | { kind: 'If'; cond: Expr; then: Stmt[]; else?: Stmt[]; span: Span }
  | { kind: 'Emit'; record: RecordExpr; span: Span }
  | { kind: 'Timer'; at: Expr; span: Span }
  | { kind: 'Clear'; span: Span }
  | { kind: 'LetStmt'; name: Ident; value: Expr; span: Span }
  | { kind: 'Assign'; target: Ident; value: Expr; span: Span };

interface OpBase {
  span: Span;
  /** Span of the operator keyword(s), for diagnostics that point at the operator itself. */
  keywordSpan: Span;
  /** Filled by the checker: the stream after this operator. */
  stream?: StreamInfo;
}

export type Op =
  | (OpBase & { kind: 'Where'; cond: Expr })
  | (OpBase & { kind: 'Select'; record: RecordExpr })
  | (OpBase & { kind: 'Extend'; record: RecordExpr })
  | (OpBase & { kind: 'Unnest'; field: Ident; alias?: Ident })
  | (OpBase & { kind: 'KeyBy'; fields: FieldPath[] })
  | (OpBase & { kind: 'Window'; spec: WindowSpec; processingTime: boolean })
  | (OpBase & { kind: 'Aggregate'; record: RecordExpr })
  | (OpBase & { kind: 'Top'; n: Expr; by: Expr; descending: boolean; withTies: boolean })
  | (OpBase & { kind: 'Dedup'; fields?: FieldPath[]; within: Expr })
  | (OpBase & {
      kind: 'Join';
      right: StreamRef;
      alias?: Ident;
      on: Expr;
      bound: { kind: 'within'; within: Expr; span?: Span } | { kind: 'window'; spec: WindowSpec; span?: Span };
    })
  | (OpBase & { kind: 'Lookup'; table: Ident; alias?: Ident; on: Expr; keepUnmatched: boolean })
  | (OpBase & {
      kind: 'Process';
      states: StateDecl[];
      onRecord?: Stmt[];
      onTimer?: Stmt[];
      /** The span of each `on …` block, in order. */
      blocks: Span[];
      /** Each `on record` / `on timer` header as written (a second one of a kind is an error). */
      handlers?: { on: 'record' | 'timer'; span: Span }[];
    });

export type OpKind = Op['kind'];
export type OpOf<K extends OpKind> = Extract<Op, { kind: K }>;

export interface Pipeline {
  kind: 'Pipeline';
  head: StreamRef;
  alias?: Ident;
  ops: Op[];
  span: Span;
  /** Filled by the checker: the stream at the head, before any operator. */
  stream?: StreamInfo;
}

// ---------------------------------------------------------------- declarations

export interface ConnectorCall {
  name: Ident;
  args: Arg[];
  span: Span;
}

export interface ParamDef {
  name: Ident;
  type: TypeExpr;
  span: Span;
}

export type TestStep =
  | { kind: 'Given'; source: Ident; rows: Expr; span: Span }
  | { kind: 'Expect'; stream: Ident; inOrder: boolean; rows: Expr; span: Span }
  | { kind: 'Advance'; to: Expr; span: Span };

export type Decl =
  | { kind: 'Job'; name: Ident; settings: { name: Ident; value: Expr; span: Span }[]; span: Span }
  | { kind: 'Import'; path: string; pathSpan: Span; span: Span }
  | { kind: 'Param'; name: Ident; type: TypeExpr; default?: Expr; span: Span }
  | { kind: 'TypeDecl'; name: Ident; type: TypeExpr; span: Span }
  | {
      kind: 'Source';
      name: Ident;
      type: TypeExpr;
      connector: ConnectorCall;
      eventTime?: Expr;
      watermark?: Expr;
      span: Span;
    }
  | { kind: 'Table'; name: Ident; type: TypeExpr; connector: ConnectorCall; key: Ident; span: Span }
  | { kind: 'Let'; name: Ident; pipeline: Pipeline; span: Span }
  | { kind: 'Sink'; pipeline: Pipeline; connector: ConnectorCall; span: Span }
  | { kind: 'Fn'; name: Ident; params: ParamDef[]; returnType: TypeExpr; body: Expr; span: Span }
  | { kind: 'ExternFn'; name: Ident; params: ParamDef[]; returnType: TypeExpr; from: string; fromSpan: Span; span: Span }
  | { kind: 'Test'; name: string; nameSpan: Span; steps: TestStep[]; span: Span };

export type DeclKind = Decl['kind'];
export type DeclOf<K extends DeclKind> = Extract<Decl, { kind: K }>;

export interface Program {
  kind: 'Program';
  file: string;
  text: string;
  decls: Decl[];
  span: Span;
  /**
   * Names of declarations that did not parse (`let views = …` with a syntax error in it): the
   * checker knows them, so that their uses give no follow-on "unknown name" errors.
   */
  unparsed?: UnparsedDecl[];
}

export interface UnparsedDecl {
  /** The declaration keyword: `let`, `type`, `fn`, … */
  keyword: string;
  name: string;
}
