/**
 * Typing of expressions (lang/reference.md §3): numeric widening, time arithmetic, null safety,
 * names resolved against the current row, locals, qualifiers and params.
 */
import type * as A from '../1-parse/ast.ts';
import type { Checker } from './context.ts';
import {
  T, type Type, type RecordType, type Qualifier, assignable, field, isNullable, isNumeric, nonNull, showType, unify,
} from '../../../lang/types.ts';
import { builtinByName, aggregateByName, isAggregateName } from '../../../lang/builtins.ts';
import { unknownNameHelp, closest } from '../../diagnostics/suggest.ts';

export interface AggregateContext {
  /** Names readable outside aggregate calls (key fields, window_start, window_end). */
  allowed: Set<string>;
  /** Set while checking the arguments of an aggregate call. */
  inCall?: string;
}

/** What names mean where an expression is checked. */
export interface Env {
  row?: RecordType;
  qualifiers: Qualifier[];
  ambiguous: string[];
  locals: Map<string, Type>;
  aggregate?: AggregateContext;
  /** The row type of the stream where there is no current row (`on timer`), for a better message. */
  noRow?: RecordType;
  /** Called with the qualifier (or '' for the bare row) each name resolves through; joins use it. */
  onRowAccess?: (qualifier: string, fieldName: string) => void;
}

export function emptyEnv(locals = new Map<string, Type>()): Env {
  return { qualifiers: [], ambiguous: [], locals };
}

export function rowEnv(row: RecordType, qualifiers: Qualifier[] = [], ambiguous: string[] = []): Env {
  return { row, qualifiers, ambiguous, locals: new Map() };
}

const orderable = (t: Type) => ['int', 'float', 'string', 'timestamp', 'duration', 'error'].includes(t.kind);

export function checkExpr(c: Checker, e: A.Expr, env: Env): Type {
  const t = infer(c, e, env);
  e.ty = t;
  return t;
}

/** Checks `e` and that it fits `expected`; reports F1101 otherwise. */
export function expectType(c: Checker, e: A.Expr, env: Env, expected: Type, what: string): Type {
  const t = checkExpr(c, e, env);
  if (!assignable(t, expected)) {
    const nullHelp = isNullable(t) && assignable(nonNull(t), expected)
      ? `the value may be null: give a default with \`?? ${defaultFor(expected)}\``
      : undefined;
    c.error('F1101', e.span, `${what} must be \`${showType(expected)}\`, found \`${showType(t)}\``, nullHelp);
  }
  return t;
}

/** Checks a condition (`where`, `if`, `and`…): `bool`, not `bool?`. */
export function expectBool(c: Checker, e: A.Expr, env: Env, what: string): void {
  const t = checkExpr(c, e, env);
  if (t.kind === 'bool' || t.kind === 'error') return;
  if (t.kind === 'nullable' && t.inner.kind === 'bool') {
    const text = c.text(e.span);
    const fix = text.length > 60 ? '(…) ?? false' : e.kind === 'Binary' || e.kind === 'Unary' || e.kind === 'If' ? `(${text}) ?? false` : `${text} ?? false`;
    c.error('F1102', e.span, `${what} must be \`bool\`, found \`bool?\` (it may be null)`,
      `decide what null means: \`${fix}\` counts null as false`);
    return;
  }
  c.error('F1101', e.span, `${what} must be \`bool\`, found \`${showType(t)}\``);
}

function defaultFor(t: Type): string {
  switch (t.kind) {
    case 'bool': return 'false';
    case 'int': return '0';
    case 'float': return '0.0';
    case 'string': return '""';
    case 'duration': return '0s';
    default: return '…';
  }
}

function infer(c: Checker, e: A.Expr, env: Env): Type {
  switch (e.kind) {
    case 'Literal':
      return e.litType === 'null' ? T.null : ({ kind: e.litType } as Type);
    case 'Name':
      return resolveName(c, e, env);
    case 'Member':
      return member(c, e, env);
    case 'Call':
      return call(c, e, env);
    case 'Unary': {
      if (e.op === 'not') {
        expectBool(c, e.operand, env, 'the operand of `not`');
        return T.bool;
      }
      const t = checkExpr(c, e.operand, env);
      const base = nonNull(t);
      if (!isNumeric(base) && base.kind !== 'duration' && base.kind !== 'error') {
        c.error('F1103', e.span, `cannot negate a \`${showType(t)}\``);
        return T.error;
      }
      return t;
    }
    case 'Binary':
      return binary(c, e, env);
    case 'If': {
      expectBool(c, e.cond, env, 'the condition of `if`');
      const a = checkExpr(c, e.then, env);
      const b = checkExpr(c, e.else, env);
      const u = unify(a, b);
      if (!u) {
        c.error('F1104', e.span, `the branches of \`if\` have different types: \`${showType(a)}\` and \`${showType(b)}\``,
          'both branches must give the same type (an int widens to float)');
        return T.error;
      }
      return u;
    }
    case 'Record':
      return recordLiteral(c, e, env);
    case 'List': {
      let el: Type = T.null;
      let first = true;
      for (const item of e.items) {
        const t = checkExpr(c, item, env);
        if (first) { el = t; first = false; continue; }
        const u = unify(el, t);
        if (!u) {
          c.error('F1105', item.span, `list elements must have one type: \`${showType(el)}\` then \`${showType(t)}\``);
          return T.error;
        }
        el = u;
      }
      return T.list(el);
    }
  }
}

function resolveName(c: Checker, e: A.ExprOf<'Name'>, env: Env): Type {
  const local = env.locals.get(e.name);
  if (local) return local;
  if (env.row) {
    const f = field(env.row, e.name);
    if (f) {
      if (env.aggregate && !env.aggregate.inCall && !env.aggregate.allowed.has(e.name)) {
        c.error('F1201', e.span, `\`${e.name}\` is neither a key nor inside an aggregate function`,
          `aggregate it, for example \`first(${e.name})\`, \`max(${e.name})\` or \`collect(${e.name})\`, or add it to \`key by\``);
        return T.error;
      }
      env.onRowAccess?.('', e.name);
      return f.type;
    }
    if (env.ambiguous.includes(e.name)) {
      const quals = env.qualifiers.filter((q) => field(q.row, e.name)).map((q) => `\`${q.alias}.${e.name}\``);
      c.error('F1202', e.span, `\`${e.name}\` is a field of both sides of the join`,
        `read it qualified (${quals.join(' or ')}) and pick one with a \`select\``);
      return T.error;
    }
  }
  const q = env.qualifiers.find((x) => x.alias === e.name);
  if (q) return q.row;
  const p = c.symbols.params.get(e.name);
  if (p) return p.type;
  const candidates = [...env.locals.keys(), ...(env.row?.fields.map((f) => f.name) ?? []),
    ...env.qualifiers.map((x) => x.alias), ...c.symbols.params.keys()];
  if (c.symbols.sources.has(e.name) || c.symbols.lets.has(e.name)) {
    c.error('F1203', e.span, `\`${e.name}\` is a stream, not a value`,
      'streams are used at the start of a pipeline, in `join` or in `union(…)`');
    return T.error;
  }
  if (env.noRow && field(env.noRow, e.name)) {
    const isKey = env.locals.get('key')?.kind === 'record' && field(env.locals.get('key') as RecordType, e.name);
    c.error('F1507', e.span, `\`on timer\` has no current row, so the field \`${e.name}\` cannot be read here`,
      isKey ? `the key is \`key.${e.name}\`` : `keep the value in a \`state\` in \`on record\` and read the state here`);
    return T.error;
  }
  // After an earlier error the row may lack the field meant here: say nothing more.
  if (c.symbols.unparsed.has(e.name) || env.row?.fields.some((f) => f.type.kind === 'error')) return T.error;
  const what = env.row ? 'fields' : 'names';
  c.error('F1204', e.span, env.row ? `unknown field or name \`${e.name}\`` : `unknown name \`${e.name}\``,
    unknownNameHelp(e.name, candidates, what, env.row ? env.row.fields.map((f) => f.name) : candidates));
  return T.error;
}

function member(c: Checker, e: A.ExprOf<'Member'>, env: Env): Type {
  // A qualified row field: `c.page` where `c` names a row.
  const obj = e.object;
  if (obj.kind === 'Name' && !env.locals.has(obj.name) && !(env.row && field(env.row, obj.name))) {
    const q = env.qualifiers.find((x) => x.alias === obj.name);
    if (q) {
      e.object.ty = q.row;
      const f = field(q.row, e.field.name);
      if (!f) {
        c.error('F1205', e.field.span, `\`${q.alias}\` has no field \`${e.field.name}\``,
          unknownNameHelp(e.field.name, q.row.fields.map((x) => x.name), 'fields'));
        return T.error;
      }
      if (env.aggregate && !env.aggregate.inCall) {
        c.error('F1201', e.span, `\`${q.alias}.${e.field.name}\` is neither a key nor inside an aggregate function`,
          `aggregate it, for example \`first(${q.alias}.${e.field.name})\``);
        return T.error;
      }
      env.onRowAccess?.(q.alias, e.field.name);
      return f.type;
    }
  }
  const t = checkExpr(c, e.object, env);
  if (t.kind === 'error') return T.error;
  const base = nonNull(t);
  if (base.kind !== 'record') {
    c.error('F1206', e.field.span, `\`${showType(t)}\` has no fields; cannot read \`.${e.field.name}\``);
    return T.error;
  }
  if (isNullable(t) && !e.safe) {
    c.error('F1207', e.span, `\`${showType(t)}\` may be null; reading \`.${e.field.name}\` needs \`?.\``,
      `write \`?.${e.field.name}\`, which gives null when the record is null`);
    return T.error;
  }
  const f = field(base, e.field.name);
  if (!f) {
    c.error('F1205', e.field.span, `\`${showType(base)}\` has no field \`${e.field.name}\``,
      unknownNameHelp(e.field.name, base.fields.map((x) => x.name), 'fields'));
    return T.error;
  }
  return e.safe ? T.nullable(f.type) : f.type;
}

function call(c: Checker, e: A.ExprOf<'Call'>, env: Env): Type {
  const name = e.callee.name;
  if (!name) {
    // `x.f(…)` or `(…)(…)`: already reported by the parser (F0006).
    for (const a of e.args) checkExpr(c, a.value, env);
    return T.error;
  }
  for (const a of e.args) {
    if (a.name) c.error('F1301', a.span, `\`${name}\` takes its arguments by position`, `drop \`${a.name.name}:\``);
  }
  const argc = e.args.length;
  const agg = isAggregateName(name, argc) ? aggregateByName.get(name) : undefined;
  if (agg) {
    if (!env.aggregate) {
      if (builtinByName.has(name)) return builtinCall(c, e, env);
      c.error('F1302', e.span, `\`${name}\` is an aggregate function; it can only be used in \`aggregate { … }\``,
        'put a window and an aggregate before it: `| window tumbling 1m | aggregate { … }`');
      for (const a of e.args) checkExpr(c, a.value, env);
      return T.error;
    }
    if (env.aggregate.inCall) {
      c.error('F1303', e.span, `aggregate \`${name}\` inside aggregate \`${env.aggregate.inCall}\``,
        'aggregates cannot be nested; compute the inner one in an earlier stage');
      return T.error;
    }
    if (argc < agg.arity[0] || argc > agg.arity[1]) {
      c.error('F1304', e.span, `\`${name}\` takes ${arityText(agg.arity)}, found ${argc}`, `the signature is \`${agg.signature}\``);
      return T.error;
    }
    env.aggregate.inCall = name;
    const args = e.args.map((a) => checkExpr(c, a.value, env));
    env.aggregate.inCall = undefined;
    if (args.some((t) => t.kind === 'error')) return T.error;
    const r = agg.type(args);
    if (typeof r === 'string') {
      c.error('F1305', e.span, `\`${name}\`: ${r}`, `the signature is \`${agg.signature}\``);
      return T.error;
    }
    return r;
  }
  const fn = c.symbols.fns.get(name);
  if (fn) {
    const args = e.args.map((a) => checkExpr(c, a.value, env));
    if (args.length !== fn.params.length) {
      c.error('F1304', e.span, `\`${name}\` takes ${fn.params.length} argument${fn.params.length === 1 ? '' : 's'}, found ${args.length}`,
        undefined, [{ span: fn.decl.name.span, message: 'declared here' }]);
      return fn.result;
    }
    args.forEach((t, i) => {
      if (!assignable(t, fn.params[i]!.type)) {
        c.error('F1306', e.args[i]!.span,
          `argument \`${fn.params[i]!.name}\` of \`${name}\` must be \`${showType(fn.params[i]!.type)}\`, found \`${showType(t)}\``,
          isNullable(t) && assignable(nonNull(t), fn.params[i]!.type) ? 'the value may be null: give a default with `??`' : undefined);
      }
    });
    return fn.result;
  }
  if (builtinByName.has(name)) return builtinCall(c, e, env);
  if (c.symbols.unparsed.has(name)) {
    for (const a of e.args) checkExpr(c, a.value, env);
    return T.error;
  }
  const all = [...builtinByName.keys(), ...c.symbols.fns.keys(), ...(env.aggregate ? aggregateByName.keys() : [])];
  const guess = c.globalHelp(env.aggregate ? 'functions+aggregates' : 'functions', name, () => closest(name, all));
  c.error('F1307', e.callee.span, `unknown function \`${name}\``,
    guess ? `did you mean \`${guess}\`?` : '`flowc explain-error F1307` lists the builtin functions; declare your own with `fn` or `extern fn`');
  for (const a of e.args) checkExpr(c, a.value, env);
  return T.error;
}

function builtinCall(c: Checker, e: A.ExprOf<'Call'>, env: Env): Type {
  const b = builtinByName.get(e.callee.name)!;
  const args = e.args.map((a) => checkExpr(c, a.value, env));
  if (args.length < b.arity[0] || args.length > b.arity[1]) {
    c.error('F1304', e.span, `\`${b.name}\` takes ${arityText(b.arity)}, found ${args.length}`, `the signature is \`${b.signature}\``);
    return T.error;
  }
  if (args.some((t) => t.kind === 'error')) return T.error;
  let nullable = false;
  const stripped = args.map((t, i) => {
    if (b.acceptsNull?.includes(i)) return t;
    if (isNullable(t)) nullable = true;
    return nonNull(t);
  });
  const r = b.type(stripped);
  if (typeof r === 'string') {
    c.error('F1305', e.span, `\`${b.name}\`: ${r}`, `the signature is \`${b.signature}\``);
    return T.error;
  }
  return nullable ? T.nullable(r) : r;
}

function arityText([lo, hi]: [number, number]): string {
  const n = (k: number) => `${k} argument${k === 1 ? '' : 's'}`;
  if (lo === hi) return n(lo);
  if (hi >= 64) return `at least ${n(lo)}`;
  return `${lo} to ${n(hi)}`;
}

function binary(c: Checker, e: A.ExprOf<'Binary'>, env: Env): Type {
  if (e.op === 'and' || e.op === 'or') {
    expectBool(c, e.left, env, `the left side of \`${e.op}\``);
    expectBool(c, e.right, env, `the right side of \`${e.op}\``);
    return T.bool;
  }
  const l = checkExpr(c, e.left, env);
  const r = checkExpr(c, e.right, env);
  if (l.kind === 'error' || r.kind === 'error') return T.error;
  if (e.op === '??') {
    if (!isNullable(l)) c.warn('W1101', e.left.span, `the left side of \`??\` is \`${showType(l)}\`, never null`, 'drop `?? …`');
    const u = unify(nonNull(l), r);
    if (!u) {
      c.error('F1106', e.span, `\`??\` needs a default of the same type: \`${showType(nonNull(l))}\` vs \`${showType(r)}\``);
      return T.error;
    }
    return u;
  }
  if (e.op === '==' || e.op === '!=') {
    if (!unify(l, r)) {
      c.error('F1107', e.span, `cannot compare \`${showType(l)}\` with \`${showType(r)}\``,
        hintConvert(l, r));
    } else if ((l.kind === 'null') !== (r.kind === 'null') && !isNullable(l.kind === 'null' ? r : l)) {
      const t = l.kind === 'null' ? r : l;
      c.warn('W1102', e.span, `this \`${showType(t)}\` is never null, so \`${e.op} null\` is always ${e.op === '==' ? 'false' : 'true'}`,
        'only values of a nullable type (`T?`) can be null');
    }
    return T.bool;
  }
  const nullable = isNullable(l) || isNullable(r);
  const a = nonNull(l);
  const b = nonNull(r);
  const wrap = (t: Type) => (nullable ? T.nullable(t) : t);
  if (l.kind === 'null' || r.kind === 'null') {
    c.error('F1108', e.span, `\`null\` has no value to use with \`${e.op}\``, 'use `??` to give a default, or `== null` to test');
    return T.error;
  }
  if (e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=') {
    const u = unify(a, b);
    if (!u || !orderable(u)) {
      c.error('F1107', e.span, `cannot compare \`${showType(l)}\` with \`${showType(r)}\` using \`${e.op}\``, hintConvert(l, r));
      return T.error;
    }
    return wrap(T.bool);
  }
  const result = arithmetic(e.op, a, b);
  if (!result) {
    c.error('F1109', e.opSpan, `\`${e.op}\` does not apply to \`${showType(l)}\` and \`${showType(r)}\``,
      arithmeticHelp(e.op, a, b));
    return T.error;
  }
  return wrap(result);
}

function arithmetic(op: A.BinaryOp, a: Type, b: Type): Type | undefined {
  const k = `${a.kind} ${op} ${b.kind}`;
  if (isNumeric(a) && isNumeric(b)) {
    if (op === '/') return T.float;
    return a.kind === 'float' || b.kind === 'float' ? T.float : T.int;
  }
  switch (k) {
    case 'timestamp + duration': case 'duration + timestamp': case 'timestamp - duration': return T.timestamp;
    case 'timestamp - timestamp': return T.duration;
    case 'duration + duration': case 'duration - duration': case 'duration * int': case 'int * duration': return T.duration;
    case 'duration / int': return T.duration;
    case 'duration / duration': return T.float;
    case 'string + string': return T.string;
  }
  return undefined;
}

function arithmeticHelp(op: A.BinaryOp, a: Type, b: Type): string | undefined {
  if (op === '+' && (a.kind === 'string' || b.kind === 'string')) return 'convert the other side with `to_string(…)`';
  if ((a.kind === 'timestamp' || b.kind === 'timestamp') && (isNumeric(a) || isNumeric(b))) {
    return 'add a duration (`5s`, `10m`) to a timestamp, not a number';
  }
  return undefined;
}

function hintConvert(l: Type, r: Type): string | undefined {
  const pair = [nonNull(l).kind, nonNull(r).kind].sort().join(' ');
  if (pair === 'int string' || pair === 'float string') return 'convert one side: `to_string(…)`, `to_int(…)` or `to_float(…)`';
  if (pair === 'string timestamp') return 'parse the string with `parse_timestamp(…)`';
  return undefined;
}

function recordLiteral(c: Checker, e: A.ExprOf<'Record'>, env: Env): RecordType {
  const fields: { name: string; type: Type }[] = [];
  const at = new Map<string, number>();
  const put = (f: { name: string; type: Type }): void => {
    const i = at.get(f.name);
    if (i !== undefined) fields[i] = f;
    else { at.set(f.name, fields.length); fields.push(f); }
  };
  const seen = new Map<string, A.Span>();
  for (const item of e.items) {
    if (item.kind === 'Spread') {
      const t = checkExpr(c, item.expr, env);
      if (t.kind === 'error') continue;
      if (t.kind !== 'record') {
        c.error('F1110', item.span, `only a record can be spread, found \`${showType(t)}\``);
        continue;
      }
      for (const f of t.fields) {
        put({ ...f });
        seen.delete(f.name);
      }
      continue;
    }
    if (!item.name.name) { checkExpr(c, item.value, env); continue; }
    const prev = seen.get(item.name.name);
    if (prev) {
      c.error('F1111', item.name.span, `field \`${item.name.name}\` is given twice`, undefined,
        [{ span: prev, message: 'first given here' }]);
    }
    seen.set(item.name.name, item.name.span);
    put({ name: item.name.name, type: checkExpr(c, item.value, env) });
  }
  return T.record(fields) as RecordType;
}

/** Evaluates a compile-time constant (literals and arithmetic on them); undefined when not constant. */
export function constValue(e: A.Expr): number | string | boolean | null | undefined {
  switch (e.kind) {
    case 'Literal':
      return e.value;
    case 'Unary': {
      const v = constValue(e.operand);
      if (e.op === '-' && typeof v === 'number') return -v;
      if (e.op === 'not' && typeof v === 'boolean') return !v;
      return undefined;
    }
    case 'Binary': {
      const a = constValue(e.left);
      const b = constValue(e.right);
      if (typeof a !== 'number' || typeof b !== 'number') return undefined;
      switch (e.op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return b === 0 ? undefined : a / b;
        default: return undefined;
      }
    }
    case 'Name': case 'Member': case 'Call': case 'If': case 'Record': case 'List':
      return undefined;
  }
}

/** A positive constant duration (window sizes, watermarks, `within`), or undefined after reporting. */
export function constDuration(c: Checker, e: A.Expr, what: string, allowZero = false): number | undefined {
  const t = checkExpr(c, e, emptyEnv());
  if (t.kind === 'error') return undefined;
  if (t.kind !== 'duration') {
    c.error('F1112', e.span, `${what} must be a duration like \`5s\` or \`10m\`, found \`${showType(t)}\``,
      t.kind === 'int' ? `write \`${e.kind === 'Literal' ? e.value : 'N'}s\` (or ms, m, h, d)` : undefined);
    return undefined;
  }
  const v = constValue(e);
  if (typeof v !== 'number') {
    c.error('F1113', e.span, `${what} must be a constant`, 'write a literal such as `1m`: it shapes the job\'s state');
    return undefined;
  }
  if (v < 0 || (!allowZero && v === 0)) {
    c.error('F1114', e.span, `${what} must be ${allowZero ? 'zero or more' : 'more than zero'}`);
    return undefined;
  }
  return v;
}

export { closest };
