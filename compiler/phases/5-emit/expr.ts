/**
 * Compiles typed Flow expressions to plain JavaScript over local variables. Null checks appear
 * only where a type is nullable. Nothing from the .flow file reaches the output unescaped:
 * strings go through `jsString`, field names through `prop`, and every JS identifier is made here.
 */
import type * as A from '../1-parse/ast.ts';
import { builtinByName } from '../../../lang/builtins.ts';
import { isNullable, nonNull, type Type } from '../../../lang/types.ts';

/** A JavaScript string literal for any text (also escapes U+2028/U+2029 and lone surrogates). */
export function jsString(s: string): string {
  return JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'))
    .replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Property access for a field name (names are identifiers, but `__proto__` must not hit the prototype). */
export function prop(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) && name !== '__proto__' ? `.${name}` : `[${jsString(name)}]`;
}

/** Reads `obj.name` of a parsed input object, own properties only: a missing `constructor` or `__proto__` must not come from Object.prototype. */
export function ownField(obj: string, name: string): string {
  return name in Object.prototype ? `(Object.hasOwn(${obj}, ${jsString(name)}) ? ${obj}${prop(name)} : undefined)` : `${obj}${prop(name)}`;
}

/** A property key in an object literal (computed for `__proto__`, which would set the prototype). */
export function key(name: string): string {
  return name === '__proto__' ? `[${jsString(name)}]` : jsString(name);
}

/** Text safe inside a `//` or `/** … *\/` comment: no line terminators, no comment end. */
export function commentText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\*\//g, '*\u2215').slice(0, 120);
}

/** Where names resolve while compiling: row fields, qualifiers, locals and params, each to JS. */
export interface Scope {
  fields: Map<string, string>;
  qualifiers: Map<string, Map<string, string>>;
  locals: Map<string, string>;
  params: Map<string, string>;
  /** Aggregate calls (by node identity) already computed into JS expressions. */
  overrides?: Map<A.Expr, string>;
  /** Locals that are records held as separate JS values (`key` in `process`): field → JS. */
  recordLocals?: Map<string, Map<string, string>>;
}

export interface ExprContext {
  /** Runtime helpers used, imported by name. */
  uses: Set<string>;
  /** JS names of user functions (`fn` and `extern fn`). */
  fns: Map<string, string>;
}

export function compileExpr(e: A.Expr, s: Scope, cx: ExprContext): string {
  const o = s.overrides?.get(e);
  if (o !== undefined) return o;
  switch (e.kind) {
    case 'Literal':
      return literal(e);
    case 'Name': {
      const rl = s.recordLocals?.get(e.name);
      if (rl) return `({ ${[...rl].map(([k, v2]) => `${key(k)}: ${v2}`).join(', ')} })`;
      const v = s.locals.get(e.name) ?? s.fields.get(e.name) ?? s.params.get(e.name);
      if (v !== undefined) return v;
      const q = s.qualifiers.get(e.name);
      if (q) return `({ ${[...q].map(([k, v2]) => `${key(k)}: ${v2}`).join(', ')} })`;
      throw new Error(`internal: unresolved name ${e.name}`);
    }
    case 'Member': {
      if (e.object.kind === 'Name' && s.recordLocals?.has(e.object.name)) {
        const v = s.recordLocals.get(e.object.name)!.get(e.field.name);
        if (v !== undefined) return v;
      }
      if (e.object.kind === 'Name' && !s.locals.has(e.object.name) && !s.fields.has(e.object.name)) {
        const q = s.qualifiers.get(e.object.name);
        const v = q?.get(e.field.name);
        if (v !== undefined) return v;
      }
      const obj = compileExpr(e.object, s, cx);
      if (e.safe || isNullable(e.object.ty ?? { kind: 'error' })) return `(${obj} == null ? null : ${obj}${prop(e.field.name)})`;
      return `${obj}${prop(e.field.name)}`;
    }
    case 'Call':
      return call(e, s, cx);
    case 'Unary': {
      const v = compileExpr(e.operand, s, cx);
      if (e.op === 'not') return `!${paren(v)}`;
      return nullableType(e.operand) ? `(${v} == null ? null : -${paren(v)})` : `(-${paren(v)})`;
    }
    case 'Binary':
      return binary(e, s, cx);
    case 'If':
      return `(${compileExpr(e.cond, s, cx)} ? ${compileExpr(e.then, s, cx)} : ${compileExpr(e.else, s, cx)})`;
    case 'Record': {
      const parts = e.items.map((i) =>
        i.kind === 'Spread' ? `...${paren(compileExpr(i.expr, s, cx))}` : `${key(i.name.name)}: ${compileExpr(i.value, s, cx)}`);
      return `{ ${parts.join(', ')} }`;
    }
    case 'List':
      return `[${e.items.map((i) => compileExpr(i, s, cx)).join(', ')}]`;
  }
}

function literal(e: A.ExprOf<'Literal'>): string {
  if (e.value === null) return 'null';
  if (typeof e.value === 'string') return jsString(e.value);
  if (typeof e.value === 'number') {
    if (Number.isNaN(e.value)) return 'NaN';
    if (!Number.isFinite(e.value)) return e.value > 0 ? 'Infinity' : '-Infinity';
    return e.value < 0 || Object.is(e.value, -0) ? `(${e.value})` : String(e.value);
  }
  return String(e.value);
}

function paren(js: string): string {
  return /^[\w$.]+$/.test(js) || /^\(.*\)$/.test(js) ? js : `(${js})`;
}

function nullableType(e: A.Expr): boolean {
  return e.ty !== undefined && isNullable(e.ty);
}

function isScalarPrimitive(t: Type | undefined): boolean {
  const k = t ? nonNull(t).kind : 'error';
  return k !== 'record' && k !== 'list';
}

function binary(e: A.ExprOf<'Binary'>, s: Scope, cx: ExprContext): string {
  const l = compileExpr(e.left, s, cx);
  const r = compileExpr(e.right, s, cx);
  switch (e.op) {
    case 'and': return `(${l} && ${r})`;
    case 'or': return `(${l} || ${r})`;
    case '??': return `(${l} ?? ${r})`;
    case '==': case '!=': {
      if (isScalarPrimitive(e.left.ty) && isScalarPrimitive(e.right.ty)) return `(${l} ${e.op === '==' ? '===' : '!=='} ${r})`;
      cx.uses.add('rt_eq');
      return e.op === '==' ? `rt_eq(${l}, ${r})` : `!rt_eq(${l}, ${r})`;
    }
    default: {
      const jsOp = e.op;
      const body = `${paren(l)} ${jsOp} ${paren(r)}`;
      const checks = [nullableType(e.left) ? l : undefined, nullableType(e.right) ? r : undefined].filter((x): x is string => !!x);
      if (checks.length === 0) return `(${body})`;
      return `(${checks.map((c) => `${c} == null`).join(' || ')} ? null : ${body})`;
    }
  }
}

function call(e: A.ExprOf<'Call'>, s: Scope, cx: ExprContext): string {
  const name = e.callee.name;
  const args = e.args.map((a) => compileExpr(a.value, s, cx));
  const user = cx.fns.get(name);
  if (user) return `${user}(${args.join(', ')})`;
  const b = builtinByName.get(name);
  if (!b) throw new Error(`internal: unknown function ${name}`);
  for (const u of b.uses ?? []) cx.uses.add(u);
  let code: string;
  if (name === 'to_string' && e.args[0]?.value.ty && nonNull(e.args[0].value.ty).kind === 'timestamp') {
    cx.uses.add('rt_timestampToString');
    code = `rt_timestampToString(${paren(args[0]!)})`;
  } else {
    code = b.code(args.map(paren));
  }
  const guarded = e.args
    .map((a, i) => (!b.acceptsNull?.includes(i) && nullableType(a.value) ? args[i]! : undefined))
    .filter((x): x is string => !!x);
  if (guarded.length === 0) return code;
  return `(${guarded.map((g) => `${g} == null`).join(' || ')} ? null : ${code})`;
}

/** The TypeScript type of a Flow value in generated code. */
export function tsType(t: Type): string {
  switch (t.kind) {
    case 'nullable': return `${tsType(t.inner)} | null`;
    case 'null': return 'null';
    case 'int': case 'float': case 'timestamp': case 'duration': return 'number';
    case 'string': return 'string';
    case 'bool': return 'boolean';
    case 'list': {
      const el = tsType(t.element);
      return /[|&]/.test(el) ? `(${el})[]` : `${el}[]`;
    }
    case 'record': return t.fields.length ? `{ ${t.fields.map((f) => `${jsString(f.name)}: ${tsType(f.type)}`).join('; ')} }` : 'Record<string, never>';
    default: return 'unknown';
  }
}
