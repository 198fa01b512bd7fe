/**
 * Specialised accumulators for `aggregate { … }`: each aggregate call gets plain fields of one
 * accumulator object (`c0: 0`, `s1: 0, n1: 0`, …) with a generated type, and inline update,
 * merge and result code. The layout (fields, merge, results) depends only on the calls; the
 * update code is compiled where the rows arrive, over that stage's locals.
 */
import type * as A from '../1-parse/ast.ts';
import { forEachExpr } from '../1-parse/walk.ts';
import { isAggregateName } from '../../../lang/builtins.ts';
import { isNullable, nonNull, type Type } from '../../../lang/types.ts';
import { compileExpr, tsType, type Scope, type ExprContext } from './expr.ts';

export interface AccumulatorLayout {
  calls: A.ExprOf<'Call'>[];
  /** Fields of the accumulator object literal. */
  init: string[];
  /** Field declarations of its TypeScript type. */
  fields: string[];
  /** Statements folding accumulator `b` into `a` (sliding and session windows). */
  merge: string[];
  /** Aggregate call → JS expression of its result over `a`. */
  results: Map<A.Expr, string>;
}

export function isAggregateCall(e: A.Expr): e is A.ExprOf<'Call'> {
  return e.kind === 'Call' && isAggregateName(e.callee.name, e.args.length);
}

/** The aggregate calls of `e`, outermost first (an aggregate's arguments hold none: F1303). */
export function collectCalls(e: A.Expr, out: A.ExprOf<'Call'>[]): void {
  forEachExpr(e, (x) => {
    if (!isAggregateCall(x)) return true;
    out.push(x);
    return false;
  });
}

const argType = (call: A.ExprOf<'Call'>, k: number): Type => call.args[k]?.value.ty ?? { kind: 'error' };
const valueType = (t: Type) => tsType(nonNull(t));

export function accumulatorLayout(exprs: A.Expr[]): AccumulatorLayout {
  const calls: A.ExprOf<'Call'>[] = [];
  for (const e of exprs) collectCalls(e, calls);
  const layout: AccumulatorLayout = { calls, init: [], fields: [], merge: [], results: new Map() };
  const field = (name: string, init: string, type: string) => { layout.init.push(`${name}: ${init}`); layout.fields.push(`${name}: ${type}`); };
  // A result the checker types as non-null (min of ints over a window, which has rows) is typed so.
  const results = layout.results;
  const typed = { set: (call: A.ExprOf<'Call'>, js: string) => results.set(call, call.ty && !isNullable(call.ty) && call.callee.name !== 'count' && call.callee.name !== 'count_if' && call.callee.name !== 'count_distinct' ? `(${js} as ${tsType(call.ty)})` : js) };
  calls.forEach((call, i) => {
    const f = (p: string) => `${p}${i}`;
    switch (call.callee.name) {
      case 'count':
      case 'count_if':
        field(f('c'), '0', 'number');
        layout.merge.push(`a.${f('c')} += b.${f('c')};`);
        typed.set(call, `a.${f('c')}`);
        break;
      case 'count_distinct':
        field(f('d'), 'new Set()', `Set<${valueType(argType(call, 0))}>`);
        layout.merge.push(`for (const v of b.${f('d')}) a.${f('d')}.add(v);`);
        typed.set(call, `a.${f('d')}.size`);
        break;
      case 'sum':
      case 'avg':
        field(f('s'), '0', 'number');
        field(f('n'), '0', 'number');
        layout.merge.push(`a.${f('s')} += b.${f('s')};`, `a.${f('n')} += b.${f('n')};`);
        typed.set(call, call.callee.name === 'sum'
          ? (isNullable(argType(call, 0)) ? `(a.${f('n')} === 0 ? null : a.${f('s')})` : `a.${f('s')}`)
          : `(a.${f('n')} === 0 ? null : a.${f('s')} / a.${f('n')})`);
        break;
      case 'min':
      case 'max': {
        const op = call.callee.name === 'min' ? '<' : '>';
        field(f('m'), 'null', `${valueType(argType(call, 0))} | null`);
        layout.merge.push(`if (b.${f('m')} !== null && (a.${f('m')} === null || b.${f('m')} ${op} a.${f('m')})) a.${f('m')} = b.${f('m')};`);
        typed.set(call, `a.${f('m')}`);
        break;
      }
      case 'first':
      case 'last': {
        // Ties in event time keep the first arrival for `first` and the last for `last`.
        const op = call.callee.name === 'first' ? '<' : '>=';
        field(f('v'), 'null', `${tsType(argType(call, 0))} | null`);
        field(f('t'), call.callee.name === 'first' ? 'Infinity' : '-Infinity', 'number');
        layout.merge.push(`if (b.${f('t')} ${op} a.${f('t')}) { a.${f('t')} = b.${f('t')}; a.${f('v')} = b.${f('v')}; }`);
        typed.set(call, `a.${f('v')}`);
        break;
      }
      case 'min_by':
      case 'max_by': {
        const op = call.callee.name === 'min_by' ? '<' : '>';
        field(f('v'), 'null', `${tsType(argType(call, 0))} | null`);
        field(f('b'), 'null', `${valueType(argType(call, 1))} | null`);
        layout.merge.push(`if (b.${f('b')} !== null && (a.${f('b')} === null || b.${f('b')} ${op} a.${f('b')})) { a.${f('b')} = b.${f('b')}; a.${f('v')} = b.${f('v')}; }`);
        typed.set(call, `a.${f('v')}`);
        break;
      }
      case 'collect':
        field(f('l'), '[]', `(${tsType(argType(call, 0))})[]`);
        layout.merge.push(`for (const v of b.${f('l')}) a.${f('l')}.push(v);`);
        typed.set(call, `a.${f('l')}`);
        break;
    }
  });
  return layout;
}

/** Statements updating accumulator `a` with one row (its fields in `row`, its event time `ts`). */
export function accumulatorUpdate(layout: AccumulatorLayout, row: Scope, cx: ExprContext, ts: string): string[] {
  const out: string[] = [];
  layout.calls.forEach((call, i) => {
    const arg = (k: number) => compileExpr(call.args[k]!.value, row, cx);
    const nullable = (k: number) => isNullable(argType(call, k));
    const f = (p: string) => `a.${p}${i}`;
    const withValue = (k: number, stmt: (x: string) => string) => {
      const js = arg(k);
      const simple = /^[\w$]+$/.test(js);
      const x = simple ? js : `x${i}`;
      const body = nullable(k) ? `if (${x} != null) ${stmt(x)}` : stmt(x);
      return simple ? body : `{ const ${x} = ${js}; ${body} }`;
    };
    switch (call.callee.name) {
      case 'count':
        out.push(call.args.length === 0 ? `${f('c')}++;` : withValue(0, () => `${f('c')}++;`));
        break;
      case 'count_if':
        out.push(`if (${arg(0)}) ${f('c')}++;`);
        break;
      case 'count_distinct':
        out.push(withValue(0, (x) => `${f('d')}.add(${x});`));
        break;
      case 'sum':
      case 'avg':
        out.push(withValue(0, (x) => `{ ${f('s')} += ${x}; ${f('n')}++; }`));
        break;
      case 'min':
      case 'max': {
        const op = call.callee.name === 'min' ? '<' : '>';
        out.push(withValue(0, (x) => `if (${f('m')} === null || ${x} ${op} ${f('m')}) ${f('m')} = ${x};`));
        break;
      }
      case 'first':
      case 'last': {
        const op = call.callee.name === 'first' ? '<' : '>=';
        out.push(`if (${ts} ${op} ${f('t')}) { ${f('t')} = ${ts}; ${f('v')} = ${arg(0)}; }`);
        break;
      }
      case 'min_by':
      case 'max_by': {
        const op = call.callee.name === 'min_by' ? '<' : '>';
        out.push(withValue(1, (y) => `if (${f('b')} === null || ${y} ${op} ${f('b')}) { ${f('b')} = ${y}; ${f('v')} = ${arg(0)}; }`));
        break;
      }
      case 'collect':
        out.push(`${f('l')}.push(${arg(0)});`);
        break;
    }
  });
  return out;
}
