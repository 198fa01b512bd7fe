/**
 * Ohm semantic actions that turn a successful match into the AST of ast.ts. Literal problems the
 * grammar cannot see (bad escapes, impossible dates, integers beyond ±2^53) are reported here.
 */
import type * as ohm from 'ohm-js';
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import type * as A from './ast.ts';
import { flowGrammar } from '../../../lang/grammar.ts';
import { literalDiagnostic, decodeString, parseTimestampLiteral, durationMs } from './literals.ts';

interface Ctx {
  file: string;
  diagnostics: Diagnostic[];
}

let ctx: Ctx = { file: '', diagnostics: [] };
let semantics: ohm.Semantics | undefined;

function span(node: ohm.Node): Span {
  return { file: ctx.file, start: node.source.startIdx, end: node.source.endIdx };
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

function binary(this: ohm.Node, left: ohm.Node, op: ohm.Node, right: ohm.Node): A.Expr {
  const o = op.sourceString as A.BinaryOp;
  return { kind: 'Binary', op: o, left: left.ast(), right: right.ast(), opSpan: span(op), span: span(this) };
}

function keywordSpan(node: ohm.Node, ...parts: ohm.Node[]): Span {
  const last = parts.length ? parts[parts.length - 1]! : node;
  return { file: ctx.file, start: node.source.startIdx, end: last.source.endIdx };
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
    return { kind: 'If', cond: cond.ast(), then: a.ast(), else: b.ast(), span: span(this) };
  },
  OrExpr_or: binary,
  AndExpr_and: binary,
  NotExpr_not(_kw, operand) {
    return { kind: 'Unary', op: 'not', operand: operand.ast(), span: span(this) };
  },
  CmpExpr_cmp: binary,
  CoalExpr_coalesce: binary,
  AddExpr_bin: binary,
  MulExpr_bin: binary,
  UnaryExpr_neg(_minus, operand) {
    const inner = operand.ast() as A.Expr;
    // Fold `-literal` so that -9007199254740991 and -1 are literals, as users read them.
    if (inner.kind === 'Literal' && typeof inner.value === 'number') {
      return { ...inner, value: -inner.value, span: span(this) };
    }
    return { kind: 'Unary', op: '-', operand: inner, span: span(this) };
  },
  PostfixExpr_safeMember(object, _op, field) {
    return { kind: 'Member', object: object.ast(), field: ident(field), safe: true, span: span(this) };
  },
  PostfixExpr_member(object, _op, field) {
    return { kind: 'Member', object: object.ast(), field: ident(field), safe: false, span: span(this) };
  },
  PostfixExpr_call(callee, _o, args, _comma, _c) {
    const c = callee.ast() as A.Expr;
    const name: A.Ident = c.kind === 'Name' ? { name: c.name, span: c.span } : { name: '', span: c.span };
    if (c.kind !== 'Name') {
      ctx.diagnostics.push({
        code: 'F0006', severity: 'error', span: c.span,
        message: 'only a function name can be called',
        help: 'call a builtin, a `fn` or an `extern fn` by its name, like `lower(page)`',
      });
    }
    return { kind: 'Call', callee: name, args: list(args), span: span(this) };
  },
  Primary_paren(_o, e, _c) {
    return e.ast();
  },
  Primary_list(_o, items, _comma, _c) {
    return { kind: 'List', items: list(items), span: span(this) };
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
    return { kind: 'Record', items: list(items), span: span(this) };
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

  durationLit(digits, unit, ) {
    const n = Number(digits.sourceString.replace(/_/g, ''));
    return literal(this, 'duration', durationMs(n, unit.sourceString));
  },
  numberLit_fraction(_a, _dot, _b, _exp) {
    return literal(this, 'float', Number(this.sourceString.replace(/_/g, '')));
  },
  numberLit_exp(_a, _exp) {
    return literal(this, 'float', Number(this.sourceString.replace(/_/g, '')));
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
      const start = this.source.startIdx + 1 + bad.offset;
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

function literal(node: ohm.Node, litType: A.LiteralType, value: number | string | boolean | null): A.Expr {
  return { kind: 'Literal', litType, value, span: span(node) };
}

/** Builds the AST of a successful match; literal diagnostics are appended to `diagnostics`. */
export function buildAst(match: ohm.MatchResult, file: string, diagnostics: Diagnostic[]): A.Decl[] {
  semantics ??= flowGrammar().createSemantics().addOperation('ast', actions);
  const saved = ctx;
  ctx = { file, diagnostics };
  try {
    return semantics(match).ast() as A.Decl[];
  } finally {
    ctx = saved;
  }
}
