/**
 * Ohm semantic actions that turn a successful match into the AST of ast.ts. Literal problems the
 * grammar cannot see (bad escapes, impossible dates, integers beyond ±2^53) are reported here.
 */
import type * as ohm from 'ohm-js';
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import type * as A from './ast.ts';
import { flowGrammar } from '../../../lang/grammar.ts';
import { literalDiagnostic, decodeString, parseTimestampLiteral, durationMs } from './literals.ts';
import { binaryPrecedence, isComparison, isRightAssociative, negPrecedence, notPrecedence } from '../../../lang/operators.ts';

interface Ctx {
  file: string;
  diagnostics: Diagnostic[];
  /** Where the matched text starts in the file (the parser matches one declaration chunk at a time). */
  offset: number;
  /** Set when an expression was too deep (F0008): the chunk's declarations are then dropped. */
  tooDeep?: boolean;
}

let ctx: Ctx = { file: '', diagnostics: [], offset: 0 };
let semantics: ohm.Semantics | undefined;

function span(node: ohm.Node): Span {
  return { file: ctx.file, start: node.source.startIdx + ctx.offset, end: node.source.endIdx + ctx.offset };
}

function ident(node: ohm.Node): A.Ident {
  return { name: node.sourceString, span: span(node) };
}

function opt<T>(node: ohm.Node): T | undefined {
  return node.numChildren > 0 ? (node.child(0).ast() as T) : undefined;
}

function list<T>(node: ohm.Node): T[] {
  return node.asIteration().children.map((c: ohm.Node) => c.ast() as T);
}

function many<T>(node: ohm.Node): T[] {
  return node.children.map((c: ohm.Node) => c.ast() as T);
}

function keywordSpan(node: ohm.Node, ...parts: ohm.Node[]): Span {
  const last = parts.length ? parts[parts.length - 1]! : node;
  return { file: ctx.file, start: node.source.startIdx + ctx.offset, end: last.source.endIdx + ctx.offset };
}

const actions: ohm.ActionDict<unknown> = {
  Program(decls) {
    return many<A.Decl>(decls);
  },
  JobDecl(_kw, name, _o, settings, _c, _cl) {
    return { kind: 'Job', name: ident(name), settings: list(settings), span: span(this) };
  },
  Setting(name, _c, value) {
    return { name: ident(name), value: value.ast(), span: span(this) };
  },
  ImportDecl(_kw, path) {
    const lit = path.ast() as A.Expr & { value: string };
    return { kind: 'Import', path: lit.value, pathSpan: span(path), span: span(this) };
  },
  ParamDecl(_kw, name, _c, type, _eq, def) {
    return { kind: 'Param', name: ident(name), type: type.ast(), default: opt(def), span: span(this) };
  },
  TypeDecl(_kw, name, _eq, type) {
    return { kind: 'TypeDecl', name: ident(name), type: type.ast(), span: span(this) };
  },
  SourceDecl(_kw, name, _c, type, _eq, conn, et) {
    const eventTime = opt<{ time: A.Expr; watermark?: A.Expr }>(et);
    return {
      kind: 'Source', name: ident(name), type: type.ast(), connector: conn.ast(),
      eventTime: eventTime?.time, watermark: eventTime?.watermark, span: span(this),
    };
  },
  EventTime(_e, _t, time, _w, wm) {
    return { time: time.ast(), watermark: opt(wm) };
  },
  TableDecl(_kw, name, _c, type, _eq, conn, _key, key) {
    return { kind: 'Table', name: ident(name), type: type.ast(), connector: conn.ast(), key: ident(key), span: span(this) };
  },
  LetDecl(_kw, name, _eq, pipeline) {
    return { kind: 'Let', name: ident(name), pipeline: pipeline.ast(), span: span(this) };
  },
  SinkDecl(_kw, pipeline, _arrow, conn) {
    return { kind: 'Sink', pipeline: pipeline.ast(), connector: conn.ast(), span: span(this) };
  },
  FnDecl(_kw, name, _o, params, _comma, _c, _colon, ret, _eq, body) {
    return { kind: 'Fn', name: ident(name), params: list(params), returnType: ret.ast(), body: body.ast(), span: span(this) };
  },
  ExternFnDecl(_ex, _kw, name, _o, params, _comma, _c, _colon, ret, _from, from) {
    const lit = from.ast() as A.Expr & { value: string };
    return {
      kind: 'ExternFn', name: ident(name), params: list(params), returnType: ret.ast(),
      from: lit.value, fromSpan: span(from), span: span(this),
    };
  },
  ParamDef(name, _c, type) {
    return { name: ident(name), type: type.ast(), span: span(this) };
  },
  TestDecl(_kw, name, _o, steps, _c) {
    const lit = name.ast() as A.Expr & { value: string };
    return { kind: 'Test', name: lit.value, nameSpan: span(name), steps: many(steps), span: span(this) };
  },
  TestStep_given(_kw, source, _eq, rows) {
    return { kind: 'Given', source: ident(source), rows: rows.ast(), span: span(this) };
  },
  TestStep_expect(_kw, stream, inOrder, _eq, rows) {
    return { kind: 'Expect', stream: ident(stream), inOrder: inOrder.numChildren > 0, rows: rows.ast(), span: span(this) };
  },
  TestStep_advance(_a, _w, _t, to) {
    return { kind: 'Advance', to: to.ast(), span: span(this) };
  },
  ConnectorCall(name, _o, args, _comma, _c) {
    return { name: ident(name), args: list(args), span: span(this) };
  },

  Type_nullable(inner, _q) {
    return { kind: 'NullableType', inner: inner.ast(), span: span(this) };
  },
  Type_list(_o, element, _c) {
    return { kind: 'ListType', element: element.ast(), span: span(this) };
  },
  Type_record(_o, fields, _comma, _c) {
    return { kind: 'RecordType', fields: list(fields), span: span(this) };
  },
  Type_name(name) {
    return { kind: 'NamedType', name: name.sourceString, span: span(this) };
  },
  FieldType(name, _c, type) {
    return { name: ident(name), type: type.ast(), span: span(this) };
  },

  Pipeline(head, _bars, ops) {
    const h = head.ast() as { ref: A.StreamRef; alias?: A.Ident };
    return { kind: 'Pipeline', head: h.ref, alias: h.alias, ops: many(ops), span: span(this) };
  },
  PipeHead(ref, _as, alias) {
    return { ref: ref.ast(), alias: alias.numChildren ? ident(alias.child(0)) : undefined };
  },
  StreamRef_union(_kw, _o, inputs, _c) {
    return { kind: 'Union', inputs: list(inputs), span: span(this) };
  },
  StreamRef_late(_kw, _o, name, _c) {
    return { kind: 'Late', name: ident(name), span: span(this) };
  },
  StreamRef_errors(_kw, _o, name, _c) {
    return { kind: 'Errors', name: ident(name), span: span(this) };
  },
  StreamRef_name(name) {
    return { kind: 'StreamName', name: ident(name), span: span(this) };
  },

  Op_where(kw, cond) {
    return { kind: 'Where', cond: cond.ast(), span: span(this), keywordSpan: span(kw) };
  },
  Op_select(kw, record) {
    return { kind: 'Select', record: record.ast(), span: span(this), keywordSpan: span(kw) };
  },
  Op_extend(kw, record) {
    return { kind: 'Extend', record: record.ast(), span: span(this), keywordSpan: span(kw) };
  },
  Op_unnest(kw, field, _as, alias) {
    return {
      kind: 'Unnest', field: ident(field), alias: alias.numChildren ? ident(alias.child(0)) : undefined,
      span: span(this), keywordSpan: span(kw),
    };
  },
  Op_keyBy(kw, by, fields) {
    return { kind: 'KeyBy', fields: list(fields), span: span(this), keywordSpan: keywordSpan(kw, by) };
  },
  Op_window(kw, spec, proc) {
    return { kind: 'Window', spec: spec.ast(), processingTime: proc.numChildren > 0, span: span(this), keywordSpan: span(kw) };
  },
  Op_aggregate(kw, record) {
    return { kind: 'Aggregate', record: record.ast(), span: span(this), keywordSpan: span(kw) };
  },
  Op_top(kw, n, _by, by, dir, ties) {
    return {
      kind: 'Top', n: n.ast(), by: by.ast(), descending: dir.numChildren > 0 && dir.sourceString === 'desc',
      withTies: ties.numChildren > 0, span: span(this), keywordSpan: span(kw),
    };
  },
  Op_dedup(kw, _by, fields, _within, within) {
    return {
      kind: 'Dedup', fields: fields.numChildren ? list(fields.child(0)) : undefined, within: within.ast(),
      span: span(this), keywordSpan: span(kw),
    };
  },
  Op_join(kw, right, _as, alias, _on, on, bound) {
    return {
      kind: 'Join', right: right.ast(), alias: alias.numChildren ? ident(alias.child(0)) : undefined,
      on: on.ast(), bound: bound.ast(), span: span(this), keywordSpan: span(kw),
    };
  },
  Op_lookup(kw, table, _as, alias, _on, on, keep) {
    return {
      kind: 'Lookup', table: ident(table), alias: alias.numChildren ? ident(alias.child(0)) : undefined,
      on: on.ast(), keepUnmatched: keep.numChildren > 0, span: span(this), keywordSpan: span(kw),
    };
  },
  Op_process(kw, _o, items, _c) {
    const states: A.StateDecl[] = [];
    let onRecord: A.Stmt[] | undefined;
    let onTimer: A.Stmt[] | undefined;
    const blocks: Span[] = [];
    for (const item of many<{ state?: A.StateDecl; onRecord?: A.Stmt[]; onTimer?: A.Stmt[]; span: Span }>(items)) {
      if (item.state) states.push(item.state);
      if (item.onRecord) { onRecord = onRecord ? [...onRecord, ...item.onRecord] : item.onRecord; blocks.push(item.span); }
      if (item.onTimer) { onTimer = onTimer ? [...onTimer, ...item.onTimer] : item.onTimer; blocks.push(item.span); }
    }
    return { kind: 'Process', states, onRecord, onTimer, blocks, span: span(this), keywordSpan: span(kw) };
  },
  WindowSpec_tumbling(_kw, size) {
    return { kind: 'tumbling', size: size.ast(), span: span(this) };
  },
  WindowSpec_sliding(_kw, size, _every, every) {
    return { kind: 'sliding', size: size.ast(), every: every.ast(), span: span(this) };
  },
  WindowSpec_session(_kw, gap) {
    return { kind: 'session', gap: gap.ast(), span: span(this) };
  },
  JoinBound_within(_kw, d) {
    return { kind: 'within', within: d.ast() };
  },
  JoinBound_window(_kw, spec) {
    return { kind: 'window', spec: spec.ast() };
  },
  FieldPath(first, _dots, rest) {
    return { parts: [ident(first), ...rest.children.map(ident)], span: span(this) };
  },
  ProcessItem_state(_kw, name, _c, type, _eq, init) {
    return { state: { name: ident(name), type: type.ast(), init: init.ast(), span: span(this) }, span: span(this) };
  },
  ProcessItem_onRecord(_on, _r, block) {
    return { onRecord: block.ast(), span: span(this) };
  },
  ProcessItem_onTimer(_on, _t, block) {
    return { onTimer: block.ast(), span: span(this) };
  },
  Block(_o, stmts, _c) {
    return many(stmts);
  },
  Stmt_if(_kw, cond, block, elseClause) {
    return { kind: 'If', cond: cond.ast(), then: block.ast(), else: opt(elseClause), span: span(this) };
  },
  ElseClause_block(_kw, block) {
    return block.ast();
  },
  ElseClause_if(_kw, stmt) {
    return [stmt.ast()];
  },
  Stmt_emit(_kw, record) {
    return { kind: 'Emit', record: record.ast(), span: span(this) };
  },
  Stmt_timer(_kw, at) {
    return { kind: 'Timer', at: at.ast(), span: span(this) };
  },
  Stmt_clear(_kw) {
    return { kind: 'Clear', span: span(this) };
  },
  Stmt_let(_kw, name, _eq, value) {
    return { kind: 'LetStmt', name: ident(name), value: value.ast(), span: span(this) };
  },
  Stmt_assign(name, _eq, value) {
    return { kind: 'Assign', target: ident(name), value: value.ast(), span: span(this) };
  },

  Expr_if(_if, cond, _then, a, _else, b) {
    const e: A.Expr = { kind: 'If', cond: cond.ast(), then: a.ast(), else: b.ast(), span: span(this) };
    return nested(e, e.cond, e.then, e.else);
  },
  BinExpr(first, ops, rest) {
    const operands = [first.ast() as Operand];
    if (ops.numChildren === 0) return applyPrefixes(operands[0]!);
    const operators: { op: A.BinaryOp; span: Span }[] = [];
    for (let i = 0; i < ops.numChildren; i++) {
      const o = ops.child(i);
      operators.push({ op: o.sourceString as A.BinaryOp, span: span(o) });
      operands.push(rest.child(i).ast() as Operand);
    }
    return new Precedence(operands, operators).expr();
  },
  Operand_not(kw, operand) {
    const o = operand.ast() as Operand;
    return { prefixes: [{ op: 'not', start: kw.source.startIdx + ctx.offset }, ...o.prefixes], atom: o.atom };
  },
  Operand_neg(minus, operand) {
    const o = operand.ast() as Operand;
    return { prefixes: [{ op: '-', start: minus.source.startIdx + ctx.offset }, ...o.prefixes], atom: o.atom };
  },
  Operand_atom(e) {
    return { prefixes: [], atom: e.ast() };
  },
  PostfixExpr(primary, ops) {
    let e = primary.ast() as A.Expr;
    for (let i = 0; i < ops.numChildren; i++) e = postfix(e, ops.child(i));
    return e;
  },
  Primary_paren(_o, e, _c) {
    return e.ast();
  },
  Primary_list(_o, items, _comma, _c) {
    const elements = list<A.Expr>(items);
    return nested({ kind: 'List', items: elements, span: span(this) }, ...elements);
  },
  Primary_name(name) {
    return { kind: 'Name', name: name.sourceString, span: span(this) };
  },
  Arg_named(name, _c, value) {
    return { name: ident(name), value: value.ast(), span: span(this) };
  },
  Arg_positional(value) {
    return { value: value.ast(), span: span(this) };
  },
  RecordLit(_o, items, _comma, _c) {
    const fields = list<A.RecordItem>(items);
    return nested({ kind: 'Record', items: fields, span: span(this) }, ...fields.map((f) => (f.kind === 'Field' ? f.value : f.expr)));
  },
  RecordItem_spread(_dots, e) {
    return { kind: 'Spread', expr: e.ast(), span: span(this) };
  },
  RecordItem_field(name, _c, value) {
    return { kind: 'Field', name: ident(name), value: value.ast(), shorthand: false, span: span(this) };
  },
  RecordItem_short(e) {
    const value = e.ast() as A.Expr;
    const sp = span(this);
    if (value.kind === 'Name') return { kind: 'Field', name: { name: value.name, span: sp }, value, shorthand: true, span: sp };
    if (value.kind === 'Member') return { kind: 'Field', name: value.field, value, shorthand: true, span: sp };
    ctx.diagnostics.push({
      code: 'F0007', severity: 'error', span: sp,
      message: 'a record field needs a name',
      help: `write \`name: ${e.sourceString}\`; only a field or \`x.field\` can stand alone`,
    });
    return { kind: 'Field', name: { name: '', span: sp }, value, shorthand: true, span: sp };
  },

  durationLit(digits, unit) {
    const ms = durationMs(Number(digits.sourceString.replace(/_/g, '')), unit.sourceString);
    if (!Number.isSafeInteger(ms)) ctx.diagnostics.push(literalDiagnostic('F0009', span(this), this.sourceString));
    return literal(this, 'duration', Number.isSafeInteger(ms) ? ms : 0);
  },
  numberLit_fraction(_a, _dot, _b, _exp) {
    return float(this);
  },
  numberLit_exp(_a, _exp) {
    return float(this);
  },
  numberLit_int(_digits) {
    const value = Number(this.sourceString.replace(/_/g, ''));
    if (!Number.isSafeInteger(value)) ctx.diagnostics.push(literalDiagnostic('F0005', span(this), this.sourceString));
    return literal(this, 'int', value);
  },
  timestampLit(_at, _date, _t, _time) {
    const ms = parseTimestampLiteral(this.sourceString.slice(1));
    if (ms === undefined) ctx.diagnostics.push(literalDiagnostic('F0004', span(this), this.sourceString));
    return literal(this, 'timestamp', ms ?? 0);
  },
  stringLit(_o, _chars, _c) {
    const decoded = decodeString(this.sourceString.slice(1, -1));
    for (const bad of decoded.errors) {
      const start = this.source.startIdx + ctx.offset + 1 + bad.offset;
      ctx.diagnostics.push(literalDiagnostic('F0003', { file: ctx.file, start, end: start + bad.length }, bad.text));
    }
    return literal(this, 'string', decoded.value);
  },
  boolLit(_kw) {
    return literal(this, 'bool', this.sourceString === 'true');
  },
  nullLit(_kw) {
    return literal(this, 'null', null);
  },
  _iter(...children) {
    return children.map((c) => c.ast());
  },
};

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

/** An operand with its prefix operators (`not`, unary `-`), outermost first. */
interface Operand {
  prefixes: { op: 'not' | '-'; start: number }[];
  atom: A.Expr;
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
      const span = { file: ctx.file, start: left.span.start, end: right.span.end };
      left = chained
        // Read `a < b < c` as the `a < b and b < c` it surely means, so that checking it gives no
        // follow-on type errors (F0013 already fails the build).
        ? nested({ kind: 'Binary', op: 'and', left, right: binaryOf(op, (left as A.ExprOf<'Binary'>).right, right, opSpan), opSpan, span }, left, right)
        : nested({ kind: 'Binary', op, left, right, opSpan, span }, left, right);
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

function binaryOf(op: A.BinaryOp, left: A.Expr, right: A.Expr, opSpan: Span): A.Expr {
  return nested({ kind: 'Binary', op, left, right, opSpan, span: { file: ctx.file, start: left.span.start, end: right.span.end } }, left, right);
}

function postfix(object: A.Expr, op: ohm.Node): A.Expr {
  const sp: Span = { file: ctx.file, start: object.span.start, end: op.source.endIdx + ctx.offset };
  const alt = op.child(0);
  switch (alt.ctorName) {
    case 'PostfixOp_safeMember':
      return nested({ kind: 'Member', object, field: ident(alt.child(1)), safe: true, span: sp }, object);
    case 'PostfixOp_member':
      return nested({ kind: 'Member', object, field: ident(alt.child(1)), safe: false, span: sp }, object);
    default: {
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
      const args = list<A.Arg>(alt.child(1));
      return nested({ kind: 'Call', callee: name, args, span: sp }, ...args.map((a) => a.value));
    }
  }
}

function float(node: ohm.Node): A.Expr {
  const value = Number(node.sourceString.replace(/_/g, ''));
  if (!Number.isFinite(value)) ctx.diagnostics.push(literalDiagnostic('F0009', span(node), node.sourceString));
  return literal(node, 'float', Number.isFinite(value) ? value : 0);
}

function literal(node: ohm.Node, litType: A.LiteralType, value: number | string | boolean | null): A.Expr {
  return { kind: 'Literal', litType, value, span: span(node) };
}

/**
 * Builds the AST of a successful match; literal diagnostics are appended to `diagnostics`.
 * `offset` is where the matched text starts in the file, so that spans are offsets into the file.
 */
export function buildAst(match: ohm.MatchResult, file: string, diagnostics: Diagnostic[], offset = 0): A.Decl[] {
  semantics ??= flowGrammar().createSemantics().addOperation('ast', actions);
  const saved = ctx;
  ctx = { file, diagnostics, offset };
  try {
    const decls = semantics(match).ast() as A.Decl[];
    return ctx.tooDeep ? [] : decls;
  } finally {
    ctx = saved;
  }
}
