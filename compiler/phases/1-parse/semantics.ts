/**
 * The semantic actions of the grammar: they turn a successful match into the AST of ast.ts.
 * Literal problems the grammar cannot see (bad escapes, impossible dates, numbers out of range)
 * are reported here, and the precedence of binary operators is applied (lang/operators.ts).
 *
 * The actions walk ohm's concrete syntax tree directly (`MatchResult._cst`: nodes with
 * `ctorName`, `children`, `childOffsets` and `matchLength`) rather than through an ohm
 * `Semantics`, which wraps every node in two objects: building the AST this way is several
 * times faster, and parsing is what an editor re-runs on every keystroke. The shape of the
 * tree is ohm's (ohm-js 17): a node of rule `R = A B C` has the children A, B, C (spaces are
 * skipped, not kept); `X*` and `X?` give one iteration node per element of `X`; a rule of
 * alternatives has one child, the alternative that matched. Each function below is named after
 * the rule it reads and lists the children it expects.
 */
import type { MatchResult } from 'ohm-js';
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import type * as A from './ast.ts';
import { literalDiagnostic, decodeString, parseTimestampLiteral, durationMs } from './literals.ts';
import { binaryPrecedence, isComparison, isRightAssociative, negPrecedence, notPrecedence } from '../../../lang/operators.ts';

/** A node of ohm's concrete syntax tree (ohm-js 17 internals). */
interface Cst {
  readonly ctorName: string;
  readonly matchLength: number;
  readonly children?: Cst[];
  readonly childOffsets?: number[];
}

interface Ctx {
  file: string;
  /** The matched text (one chunk of the file). */
  src: string;
  /** Where the matched text starts in the file (the parser matches one declaration chunk at a time). */
  offset: number;
  diagnostics: Diagnostic[];
  /** Set when an expression was too deep (F0008): the chunk's declarations are then dropped. */
  tooDeep?: boolean;
}

let ctx: Ctx = { file: '', src: '', offset: 0, diagnostics: [] };

/**
 * Builds the AST of a successful match of `text`; literal diagnostics are appended to
 * `diagnostics`. `offset` is where `text` starts in the file, so that spans are offsets into it.
 */
export function buildAst(match: MatchResult, file: string, diagnostics: Diagnostic[], offset = 0, text?: string): A.Decl[] {
  const m = match as unknown as { _cst: Cst; _cstOffset: number; input: string };
  const saved = ctx;
  ctx = { file, src: text ?? m.input, offset, diagnostics };
  try {
    const decls = program(m._cst, m._cstOffset);
    return ctx.tooDeep ? [] : decls;
  } finally {
    ctx = saved;
  }
}

// ---------------------------------------------------------------- tree access

/** The `i`-th child. */
function kid(n: Cst, i: number): Cst {
  return n.children![i]!;
}

/** Where the `i`-th child starts, given where `n` starts. */
function at(n: Cst, s: number, i: number): number {
  return s + n.childOffsets![i]!;
}

function text(n: Cst, s: number): string {
  return ctx.src.slice(s, s + n.matchLength);
}

function span(n: Cst, s: number): Span {
  return { file: ctx.file, start: s + ctx.offset, end: s + n.matchLength + ctx.offset };
}

function spanOf(start: number, end: number): Span {
  return { file: ctx.file, start: start + ctx.offset, end: end + ctx.offset };
}

function ident(n: Cst, s: number): A.Ident {
  return { name: text(n, s), span: span(n, s) };
}

/**
 * The elements of the iteration (`X*`, `X?`) that is child `i` of `n`, each with where it starts.
 * An iteration node's children are placed relative to the start of the node that contains the
 * iteration, not to the iteration itself.
 */
function items(n: Cst, s: number, i: number): [Cst, number][] {
  const it = kid(n, i);
  const out: [Cst, number][] = [];
  for (let j = 0; j < (it.children?.length ?? 0); j++) out.push([it.children![j]!, s + it.childOffsets![j]!]);
  return out;
}

/** The element of the optional (`X?`) that is child `i` of `n`, if present. */
function optional(n: Cst, s: number, i: number): [Cst, number] | undefined {
  const it = kid(n, i);
  return it.children?.length ? [it.children[0]!, s + it.childOffsets![0]!] : undefined;
}

/** Is the optional (`X?`) that is child `i` of `n` present? */
function present(n: Cst, i: number): boolean {
  return (kid(n, i).children?.length ?? 0) > 0;
}

/** The elements of `ListOf<X, sep>` or `NonemptyListOf<X, sep>`. */
function listOf(n: Cst, s: number): [Cst, number][] {
  if (n.ctorName === 'ListOf') return listOf(kid(n, 0), at(n, s, 0));
  if (n.ctorName === 'EmptyListOf') return [];
  // NonemptyListOf: first, (sep)*, (X)*
  return [[kid(n, 0), at(n, s, 0)], ...items(n, s, 2)];
}

/** The child of a rule of alternatives, with where it starts. */
function alt(n: Cst, s: number): [Cst, number] {
  return [kid(n, 0), at(n, s, 0)];
}

// ---------------------------------------------------------------- declarations

function program(n: Cst, s: number): A.Decl[] {
  // Program: Decl*
  return items(n, s, 0).map(([d, ds]) => decl(...alt(d, ds)));
}

function decl(n: Cst, s: number): A.Decl {
  const c = (i: number): [Cst, number] => [kid(n, i), at(n, s, i)];
  const sp = span(n, s);
  switch (n.ctorName) {
    case 'JobDecl': // kw name "{" ListOf<Setting> ","? "}"
      return {
        kind: 'Job', name: ident(...c(1)), span: sp,
        settings: listOf(...c(3)).map(([st, ss]) => ({
          name: ident(kid(st, 0), at(st, ss, 0)), value: expr(kid(st, 2), at(st, ss, 2)), span: span(st, ss),
        })),
      };
    case 'ImportDecl': { // kw stringLit
      const path = c(1);
      return { kind: 'Import', path: stringValue(...path), pathSpan: span(...path), span: sp };
    }
    case 'ParamDecl': { // kw name ":" Type ("=" Expr)?
      const def = optional(n, s, 5);
      return { kind: 'Param', name: ident(...c(1)), type: type(...c(3)), default: def ? expr(...def) : undefined, span: sp };
    }
    case 'TypeDecl': // kw name "=" Type
      return { kind: 'TypeDecl', name: ident(...c(1)), type: type(...c(3)), span: sp };
    case 'SourceDecl': { // kw name ":" Type "=" ConnectorCall EventTime?
      const et = optional(n, s, 6);
      let eventTime: A.Expr | undefined;
      let watermark: A.Expr | undefined;
      if (et) { // kw_event kw_time Expr (kw_watermark Expr)?
        const [e, es] = et;
        eventTime = expr(kid(e, 2), at(e, es, 2));
        const wm = optional(e, es, 4);
        watermark = wm ? expr(...wm) : undefined;
      }
      return { kind: 'Source', name: ident(...c(1)), type: type(...c(3)), connector: connector(...c(5)), eventTime, watermark, span: sp };
    }
    case 'TableDecl': // kw name ":" Type "=" ConnectorCall kw_key fieldName
      return { kind: 'Table', name: ident(...c(1)), type: type(...c(3)), connector: connector(...c(5)), key: ident(...c(7)), span: sp };
    case 'LetDecl': // kw name "=" Pipeline
      return { kind: 'Let', name: ident(...c(1)), pipeline: pipeline(...c(3)), span: sp };
    case 'SinkDecl': // kw Pipeline "->" ConnectorCall
      return { kind: 'Sink', pipeline: pipeline(...c(1)), connector: connector(...c(3)), span: sp };
    case 'FnDecl': // kw name "(" ListOf<ParamDef> ","? ")" ":" Type "=" Expr
      return { kind: 'Fn', name: ident(...c(1)), params: listOf(...c(3)).map(([p, ps]) => paramDef(p, ps)), returnType: type(...c(7)), body: expr(...c(9)), span: sp };
    case 'ExternFnDecl': { // kw_extern kw_fn name "(" ListOf<ParamDef> ","? ")" ":" Type kw_from stringLit
      const from = c(10);
      return {
        kind: 'ExternFn', name: ident(...c(2)), params: listOf(...c(4)).map(([p, ps]) => paramDef(p, ps)), returnType: type(...c(8)),
        from: stringValue(...from), fromSpan: span(...from), span: sp,
      };
    }
    case 'TestDecl': { // kw stringLit "{" TestStep* "}"
      const name = c(1);
      return { kind: 'Test', name: stringValue(...name), nameSpan: span(...name), steps: items(n, s, 3).map(([t, ts]) => testStep(...alt(t, ts))), span: sp };
    }
    default:
      throw new Error(`no AST for declaration ${n.ctorName}`);
  }
}

function paramDef(n: Cst, s: number): A.ParamDef {
  // declName ":" Type
  return { name: ident(kid(n, 0), at(n, s, 0)), type: type(kid(n, 2), at(n, s, 2)), span: span(n, s) };
}

function testStep(n: Cst, s: number): A.TestStep {
  const c = (i: number): [Cst, number] => [kid(n, i), at(n, s, i)];
  switch (n.ctorName) {
    case 'TestStep_given': // kw name "=" Expr
      return { kind: 'Given', source: ident(...c(1)), rows: expr(...c(3)), span: span(n, s) };
    case 'TestStep_expect': // kw name InOrder? "==" Expr
      return { kind: 'Expect', stream: ident(...c(1)), inOrder: present(n, 2), rows: expr(...c(4)), span: span(n, s) };
    default: // TestStep_advance: kw kw kw Expr
      return { kind: 'Advance', to: expr(...c(3)), span: span(n, s) };
  }
}

function connector(n: Cst, s: number): A.ConnectorCall {
  // name "(" ListOf<Arg> ","? ")"
  return { name: ident(kid(n, 0), at(n, s, 0)), args: listOf(kid(n, 2), at(n, s, 2)).map(([a, as]) => arg(a, as)), span: span(n, s) };
}

// ---------------------------------------------------------------- types

function type(n: Cst, s: number): A.TypeExpr {
  const [t, ts] = alt(n, s);
  const c = (i: number): [Cst, number] => [kid(t, i), at(t, ts, i)];
  switch (t.ctorName) {
    case 'Type_nullable': // Type "?"
      return { kind: 'NullableType', inner: type(...c(0)), span: span(t, ts) };
    case 'Type_list': // "[" Type "]"
      return { kind: 'ListType', element: type(...c(1)), span: span(t, ts) };
    case 'Type_record': // "{" ListOf<FieldType> ","? "}"
      return {
        kind: 'RecordType', span: span(t, ts),
        fields: listOf(...c(1)).map(([f, fs]) => ({ name: ident(kid(f, 0), at(f, fs, 0)), type: type(kid(f, 2), at(f, fs, 2)), span: span(f, fs) })),
      };
    default: // Type_name: name
      return { kind: 'NamedType', name: text(t, ts), span: span(t, ts) };
  }
}

// ---------------------------------------------------------------- pipelines

function pipeline(n: Cst, s: number): A.Pipeline {
  // PipeHead ("|" Op)*;  PipeHead: StreamRef (kw_as name)?
  const [head, hs] = [kid(n, 0), at(n, s, 0)];
  const alias = optional(head, hs, 2);
  return {
    kind: 'Pipeline', head: streamRef(kid(head, 0), at(head, hs, 0)), alias: alias ? ident(...alias) : undefined,
    ops: items(n, s, 2).map(([o, os]) => op(...alt(o, os))), span: span(n, s),
  };
}

function streamRef(n: Cst, s: number): A.StreamRef {
  const [r, rs] = alt(n, s);
  const sp = span(r, rs);
  switch (r.ctorName) {
    case 'StreamRef_union': // kw "(" NonemptyListOf<Pipeline> ")"
      return { kind: 'Union', inputs: listOf(kid(r, 2), at(r, rs, 2)).map(([p, ps]) => pipeline(p, ps)), span: sp };
    case 'StreamRef_late': // kw "(" name ")"
      return { kind: 'Late', name: ident(kid(r, 2), at(r, rs, 2)), span: sp };
    case 'StreamRef_errors':
      return { kind: 'Errors', name: ident(kid(r, 2), at(r, rs, 2)), span: sp };
    default: // StreamRef_name: name
      return { kind: 'StreamName', name: ident(kid(r, 0), at(r, rs, 0)), span: sp };
  }
}

function op(n: Cst, s: number): A.Op {
  const c = (i: number): [Cst, number] => [kid(n, i), at(n, s, i)];
  const base = { span: span(n, s), keywordSpan: span(...c(0)) };
  const alias = (i: number): A.Ident | undefined => {
    const a = optional(n, s, i);
    return a ? ident(...a) : undefined;
  };
  switch (n.ctorName) {
    case 'Op_where': return { kind: 'Where', cond: expr(...c(1)), ...base };
    case 'Op_select': return { kind: 'Select', record: recordLit(...c(1)), ...base };
    case 'Op_extend': return { kind: 'Extend', record: recordLit(...c(1)), ...base };
    case 'Op_aggregate': return { kind: 'Aggregate', record: recordLit(...c(1)), ...base };
    case 'Op_unnest': // kw fieldName (kw_as fieldName)?
      return { kind: 'Unnest', field: ident(...c(1)), alias: alias(3), ...base };
    case 'Op_keyBy': // kw_key kw_by NonemptyListOf<FieldPath>
      return { kind: 'KeyBy', fields: listOf(...c(2)).map(([f, fs]) => fieldPath(f, fs)), ...base, keywordSpan: spanOf(s, at(n, s, 1) + kid(n, 1).matchLength) };
    case 'Op_window': // kw WindowSpec ProcTime?
      return { kind: 'Window', spec: windowSpec(...c(1)), processingTime: present(n, 2), ...base };
    case 'Op_top': { // kw Expr kw_by Expr SortDir? WithTies?
      const dir = optional(n, s, 4);
      return {
        kind: 'Top', n: expr(...c(1)), by: expr(...c(3)), descending: dir !== undefined && text(...dir) === 'desc',
        withTies: present(n, 5), ...base,
      };
    }
    case 'Op_dedup': { // kw (kw_by NonemptyListOf<FieldPath>)? kw_within Expr
      const fields = optional(n, s, 2);
      return { kind: 'Dedup', fields: fields ? listOf(...fields).map(([f, fs]) => fieldPath(f, fs)) : undefined, within: expr(...c(4)), ...base };
    }
    case 'Op_join': { // kw StreamRef (kw_as name)? kw_on Expr JoinBound
      const [b, bs] = alt(...c(6));
      const bound: A.OpOf<'Join'>['bound'] = b.ctorName === 'JoinBound_within'
        ? { kind: 'within', within: expr(kid(b, 1), at(b, bs, 1)), span: span(b, bs) }
        : { kind: 'window', spec: windowSpec(kid(b, 1), at(b, bs, 1)), span: span(b, bs) };
      return { kind: 'Join', right: streamRef(...c(1)), alias: alias(3), on: expr(...c(5)), bound, ...base };
    }
    case 'Op_lookup': // kw name (kw_as name)? kw_on Expr KeepUnmatched?
      return {
        kind: 'Lookup', table: ident(...c(1)), alias: alias(3), on: expr(...c(5)),
        keepUnmatched: present(n, 6), ...base,
      };
    case 'Op_process': // kw "{" ProcessItem* "}"
      return processOp(n, s, base);
    default:
      throw new Error(`no AST for operator ${n.ctorName}`);
  }
}

function windowSpec(n: Cst, s: number): A.WindowSpec {
  const [w, ws] = alt(n, s);
  const c = (i: number): [Cst, number] => [kid(w, i), at(w, ws, i)];
  switch (w.ctorName) {
    case 'WindowSpec_tumbling': return { kind: 'tumbling', size: expr(...c(1)), span: span(w, ws) };
    case 'WindowSpec_sliding': return { kind: 'sliding', size: expr(...c(1)), every: expr(...c(3)), span: span(w, ws) };
    default: return { kind: 'session', gap: expr(...c(1)), span: span(w, ws) };
  }
}

function fieldPath(n: Cst, s: number): A.FieldPath {
  // name ("." fieldName)*
  return { parts: [ident(kid(n, 0), at(n, s, 0)), ...items(n, s, 2).map(([f, fs]) => ident(f, fs))], span: span(n, s) };
}

function processOp(n: Cst, s: number, base: { span: Span; keywordSpan: Span }): A.OpOf<'Process'> {
  const states: A.StateDecl[] = [];
  let onRecord: A.Stmt[] | undefined;
  let onTimer: A.Stmt[] | undefined;
  const blocks: Span[] = [];
  const handlers: { on: 'record' | 'timer'; span: Span }[] = [];
  for (const [item, is] of items(n, s, 2)) {
    const [p, ps] = alt(item, is);
    if (p.ctorName === 'ProcessItem_state') { // kw declName ":" Type "=" Expr
      states.push({ name: ident(kid(p, 1), at(p, ps, 1)), type: type(kid(p, 3), at(p, ps, 3)), init: expr(kid(p, 5), at(p, ps, 5)), span: span(p, ps) });
      continue;
    }
    // kw_on kw_record|kw_timer Block
    const body = block(kid(p, 2), at(p, ps, 2));
    const on = p.ctorName === 'ProcessItem_onRecord' ? 'record' : 'timer';
    if (on === 'record') onRecord = onRecord ? [...onRecord, ...body] : body;
    else onTimer = onTimer ? [...onTimer, ...body] : body;
    blocks.push(span(p, ps));
    handlers.push({ on, span: spanOf(ps, at(p, ps, 1) + kid(p, 1).matchLength) });
  }
  return { kind: 'Process', states, onRecord, onTimer, blocks, handlers, ...base };
}

function block(n: Cst, s: number): A.Stmt[] {
  // "{" Stmt* "}"
  return items(n, s, 1).map(([st, ss]) => stmt(...alt(st, ss)));
}

function stmt(n: Cst, s: number): A.Stmt {
  const c = (i: number): [Cst, number] => [kid(n, i), at(n, s, i)];
  const sp = span(n, s);
  switch (n.ctorName) {
    case 'Stmt_if': { // kw Expr Block ElseClause?
      const e = optional(n, s, 3);
      let otherwise: A.Stmt[] | undefined;
      if (e) {
        const [el, els] = alt(...e); // ElseClause_block: kw Block | ElseClause_if: kw Stmt_if
        otherwise = el.ctorName === 'ElseClause_block' ? block(kid(el, 1), at(el, els, 1)) : [stmt(kid(el, 1), at(el, els, 1))];
      }
      return { kind: 'If', cond: expr(...c(1)), then: block(...c(2)), else: otherwise, span: sp };
    }
    case 'Stmt_emit': return { kind: 'Emit', record: recordLit(...c(1)), span: sp };
    case 'Stmt_timer': return { kind: 'Timer', at: expr(...c(1)), span: sp };
    case 'Stmt_clear': return { kind: 'Clear', span: sp };
    case 'Stmt_let': return { kind: 'LetStmt', name: ident(...c(1)), value: expr(...c(3)), span: sp };
    default: // Stmt_assign: name "=" Expr
      return { kind: 'Assign', target: ident(...c(0)), value: expr(...c(2)), span: sp };
  }
}

// ---------------------------------------------------------------- expressions

/**
 * Expressions nested deeper than this are refused: the checker and the code generator walk
 * expressions recursively, and a chain of a hundred thousand `+` or `.f` has no bracket for the
 * nesting check of parse.ts to count.
 */
export const maxExpressionDepth = 1000;

const depths = new WeakMap<A.Expr, number>();

/** Records the depth of a composite expression; reports F0008 once per chunk when it is too deep. */
function nested<E extends A.Expr>(e: E, ...children: A.Expr[]): E {
  let d = 0;
  for (const c of children) d = Math.max(d, depths.get(c) ?? 1);
  depths.set(e, d + 1);
  if (d + 1 > maxExpressionDepth && !ctx.tooDeep) {
    ctx.tooDeep = true;
    ctx.diagnostics.push({
      code: 'F0008', severity: 'error', span: e.span,
      message: `this expression is nested more than ${maxExpressionDepth} levels deep`,
      help: 'split it with `fn` declarations, `let` in a process block, or intermediate `extend` steps',
    });
  }
  return e;
}

function expr(n: Cst, s: number): A.Expr {
  // Expr: Expr_if | BinExpr
  const [e, es] = alt(n, s);
  if (e.ctorName === 'Expr_if') { // kw Expr kw Expr kw Expr
    const x: A.Expr = {
      kind: 'If', cond: expr(kid(e, 1), at(e, es, 1)), then: expr(kid(e, 3), at(e, es, 3)), else: expr(kid(e, 5), at(e, es, 5)),
      span: span(e, es),
    };
    return nested(x, x.cond, x.then, x.else);
  }
  // BinExpr: Operand (binOp Operand)*
  const first = operand(kid(e, 0), at(e, es, 0));
  if (!present(e, 1)) return applyPrefixes(first);
  const rest = items(e, es, 2);
  const operators = items(e, es, 1).map(([o, os]) => ({ op: text(o, os) as A.BinaryOp, span: span(o, os) }));
  return new Precedence([first, ...rest.map(([r, rs]) => operand(r, rs))], operators).expr();
}

/** An operand with its prefix operators (`not`, unary `-`), outermost first. */
interface Operand {
  prefixes: { op: 'not' | '-'; start: number }[];
  atom: A.Expr;
}

function operand(n: Cst, s: number): Operand {
  // Operand: Operand_not (kw Operand) | Operand_neg ("-" Operand) | Operand_atom (PostfixExpr)
  const prefixes: Operand['prefixes'] = [];
  let [o, os] = alt(n, s);
  while (o.ctorName !== 'Operand_atom') {
    prefixes.push({ op: o.ctorName === 'Operand_not' ? 'not' : '-', start: os + ctx.offset });
    [o, os] = alt(kid(o, 1), at(o, os, 1));
  }
  return { prefixes, atom: postfixExpr(kid(o, 0), at(o, os, 0)) };
}

function applyPrefixes(o: Operand): A.Expr {
  let e = o.atom;
  for (let i = o.prefixes.length - 1; i >= 0; i--) e = unary(o.prefixes[i]!.op, o.prefixes[i]!.start, e);
  return e;
}

function unary(op: 'not' | '-', start: number, operand: A.Expr): A.Expr {
  const sp: Span = { file: ctx.file, start, end: operand.span.end };
  // Fold `-literal` so that -9007199254740991 and -1 are literals, as users read them.
  if (op === '-' && operand.kind === 'Literal' && typeof operand.value === 'number' && operand.span.start === start + 1) {
    return { ...operand, value: -operand.value, span: sp };
  }
  return nested({ kind: 'Unary', op, operand, span: sp }, operand);
}

function binaryOf(op: A.BinaryOp, left: A.Expr, right: A.Expr, opSpan: Span): A.Expr {
  return nested({ kind: 'Binary', op, left, right, opSpan, span: { file: ctx.file, start: left.span.start, end: right.span.end } }, left, right);
}

/**
 * Builds the tree of a flat `operand (op operand)*` sequence by precedence climbing over the
 * table of lang/operators.ts. Prefix operators are part of the climb: `not` takes everything
 * down to its own level as its operand (`not a == b` is `not (a == b)`).
 */
class Precedence {
  private operand = 0;
  private prefix = 0;
  private op = 0;

  constructor(private readonly operands: Operand[], private readonly ops: { op: A.BinaryOp; span: Span }[]) {}

  expr(): A.Expr {
    return this.climb(0);
  }

  private climb(min: number): A.Expr {
    let left = this.unaryOrAtom();
    let comparedAt: Span | undefined;
    while (this.op < this.ops.length) {
      const { op, span: opSpan } = this.ops[this.op]!;
      const level = binaryPrecedence[op];
      if (level < min) break;
      this.op++;
      const right = this.climb(isRightAssociative(op) ? level : level + 1);
      const wasCompared = comparedAt;
      if (isComparison(op)) {
        if (comparedAt) {
          ctx.diagnostics.push({
            code: 'F0013', severity: 'error', span: opSpan,
            message: `comparisons cannot be chained: \`${op}\` follows another comparison`,
            help: 'write `a < b and b < c`, or put the first comparison in parentheses',
            labels: [{ span: comparedAt, message: 'the first comparison' }],
          });
        }
        comparedAt = opSpan;
      }
      const chained = isComparison(op) && wasCompared !== undefined && left.kind === 'Binary' && isComparison(left.op);
      left = chained
        // Read `a < b < c` as the `a < b and b < c` it surely means, so that checking it gives no
        // follow-on type errors (F0013 already fails the build).
        ? binaryOf('and', left, binaryOf(op, (left as A.ExprOf<'Binary'>).right, right, opSpan), opSpan)
        : binaryOf(op, left, right, opSpan);
    }
    return left;
  }

  private unaryOrAtom(): A.Expr {
    const o = this.operands[this.operand]!;
    if (this.prefix < o.prefixes.length) {
      const p = o.prefixes[this.prefix++]!;
      const operand = this.climb(p.op === 'not' ? notPrecedence : negPrecedence);
      return unary(p.op, p.start, operand);
    }
    this.operand++;
    this.prefix = 0;
    return o.atom;
  }
}

function postfixExpr(n: Cst, s: number): A.Expr {
  // Primary PostfixOp*
  let e = primary(kid(n, 0), at(n, s, 0));
  for (const [p, ps] of items(n, s, 1)) e = postfix(e, ...alt(p, ps));
  return e;
}

function postfix(object: A.Expr, n: Cst, s: number): A.Expr {
  const sp = spanOf(object.span.start - ctx.offset, s + n.matchLength);
  switch (n.ctorName) {
    case 'PostfixOp_safeMember': // "?." fieldName
      return nested({ kind: 'Member', object, field: ident(kid(n, 1), at(n, s, 1)), safe: true, span: sp }, object);
    case 'PostfixOp_member': // "." fieldName
      return nested({ kind: 'Member', object, field: ident(kid(n, 1), at(n, s, 1)), safe: false, span: sp }, object);
    default: { // PostfixOp_call: "(" ListOf<Arg> ","? ")"
      const name: A.Ident = object.kind === 'Name' ? { name: object.name, span: object.span } : { name: '', span: object.span };
      if (object.kind !== 'Name') {
        const method = object.kind === 'Member' ? object : undefined;
        ctx.diagnostics.push({
          code: 'F0006', severity: 'error', span: object.span,
          message: method ? `\`.${method.field.name}(…)\`: values have no methods in Flow` : 'only a function name can be called',
          help: method
            ? `call a function with the value as its first argument, like \`lower(${method.object.kind === 'Name' ? method.object.name : 'x'})\``
            : 'call a builtin, a `fn` or an `extern fn` by its name, like `lower(page)`',
        });
      }
      const args = listOf(kid(n, 1), at(n, s, 1)).map(([a, as]) => arg(a, as));
      return nested({ kind: 'Call', callee: name, args, span: sp }, ...args.map((a) => a.value));
    }
  }
}

function primary(n: Cst, s: number): A.Expr {
  const [p, ps] = alt(n, s);
  switch (p.ctorName) {
    case 'Primary_paren': // "(" Expr ")"
      return expr(kid(p, 1), at(p, ps, 1));
    case 'RecordLit':
      return recordLit(p, ps);
    case 'Primary_list': { // "[" ListOf<Expr> ","? "]"
      const elements = listOf(kid(p, 1), at(p, ps, 1)).map(([e, es]) => expr(e, es));
      return nested({ kind: 'List', items: elements, span: span(p, ps) }, ...elements);
    }
    case 'Primary_name':
      return { kind: 'Name', name: text(p, ps), span: span(p, ps) };
    default: // literal
      return literal(...alt(p, ps));
  }
}

function arg(n: Cst, s: number): A.Arg {
  const [a, as] = alt(n, s);
  if (a.ctorName === 'Arg_named') { // fieldName ":" Expr
    return { name: ident(kid(a, 0), at(a, as, 0)), value: expr(kid(a, 2), at(a, as, 2)), span: span(a, as) };
  }
  return { value: expr(kid(a, 0), at(a, as, 0)), span: span(a, as) };
}

function recordLit(n: Cst, s: number): A.RecordExpr {
  // "{" ListOf<RecordItem> ","? "}"
  const fields = listOf(kid(n, 1), at(n, s, 1)).map(([i, is]) => recordItem(...alt(i, is)));
  return nested({ kind: 'Record', items: fields, span: span(n, s) }, ...fields.map((f) => (f.kind === 'Field' ? f.value : f.expr)));
}

function recordItem(n: Cst, s: number): A.RecordItem {
  const sp = span(n, s);
  switch (n.ctorName) {
    case 'RecordItem_spread': // "..." Expr
      return { kind: 'Spread', expr: expr(kid(n, 1), at(n, s, 1)), span: sp };
    case 'RecordItem_field': // fieldName ":" Expr
      return { kind: 'Field', name: ident(kid(n, 0), at(n, s, 0)), value: expr(kid(n, 2), at(n, s, 2)), shorthand: false, span: sp };
    default: { // RecordItem_short: PostfixExpr
      const value = postfixExpr(kid(n, 0), at(n, s, 0));
      if (value.kind === 'Name') return { kind: 'Field', name: { name: value.name, span: sp }, value, shorthand: true, span: sp };
      if (value.kind === 'Member') return { kind: 'Field', name: value.field, value, shorthand: true, span: sp };
      ctx.diagnostics.push({
        code: 'F0007', severity: 'error', span: sp,
        message: 'a record field needs a name',
        help: `write \`name: ${text(n, s)}\`; only a field or \`x.field\` can stand alone`,
      });
      return { kind: 'Field', name: { name: '', span: sp }, value, shorthand: true, span: sp };
    }
  }
}

// ---------------------------------------------------------------- literals

function literal(n: Cst, s: number): A.Expr {
  const src = text(n, s);
  const sp = span(n, s);
  const lit = (litType: A.LiteralType, value: number | string | boolean | null): A.Expr => ({ kind: 'Literal', litType, value, span: sp });
  switch (n.ctorName) {
    case 'durationLit': { // digits durationUnit
      const unit = /(ms|s|m|h|d)$/.exec(src)![1]!;
      const ms = durationMs(Number(src.slice(0, src.length - unit.length).replace(/_/g, '')), unit);
      if (!Number.isSafeInteger(ms)) ctx.diagnostics.push(literalDiagnostic('F0009', sp, src));
      return lit('duration', Number.isSafeInteger(ms) ? ms : 0);
    }
    case 'numberLit': {
      const value = Number(src.replace(/_/g, ''));
      if (kid(n, 0).ctorName === 'numberLit_int') {
        if (!Number.isSafeInteger(value)) ctx.diagnostics.push(literalDiagnostic('F0005', sp, src));
        return lit('int', value);
      }
      if (!Number.isFinite(value)) ctx.diagnostics.push(literalDiagnostic('F0009', sp, src));
      return lit('float', Number.isFinite(value) ? value : 0);
    }
    case 'timestampLit': {
      const ms = parseTimestampLiteral(src.slice(1));
      if (ms === undefined) ctx.diagnostics.push(literalDiagnostic('F0004', sp, src));
      return lit('timestamp', ms ?? 0);
    }
    case 'stringLit':
      return lit('string', stringValue(n, s));
    case 'boolLit':
      return lit('bool', src === 'true');
    default: // nullLit
      return lit('null', null);
  }
}

/** The value of a string literal; bad escapes are reported (F0003). */
function stringValue(n: Cst, s: number): string {
  const decoded = decodeString(ctx.src.slice(s + 1, s + n.matchLength - 1));
  for (const bad of decoded.errors) {
    const start = s + ctx.offset + 1 + bad.offset;
    ctx.diagnostics.push(literalDiagnostic('F0003', { file: ctx.file, start, end: start + bad.length }, bad.text));
  }
  return decoded.value;
}
