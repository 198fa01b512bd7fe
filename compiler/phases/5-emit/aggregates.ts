/**
 * Specialised accumulators for `aggregate { … }`: each aggregate call gets plain fields in one
 * accumulator object (`a0: 0`, `s1: 0, n1: 0`, …) and inline update, merge and result code.
 */
import type * as A from '../1-parse/ast.ts';
import { isNullable } from '../2-check/types.ts';
import { compileExpr, type Scope, type ExprContext } from './expr.ts';

export interface AccumulatorCode {
  /** Fields of the accumulator object literal. */
  init: string[];
  /** Statements run per input row (`a` is the accumulator, `ts` the row's event time). */
  update: string[];
  /** Statements folding accumulator `b` into `a` (sliding windows). */
  merge: string[];
  /** Aggregate call → JS expression of its result over `a`. */
  results: Map<A.Expr, string>;
}

const aggregateNames = new Set(['count', 'count_if', 'count_distinct', 'sum', 'avg', 'min', 'max', 'first', 'last', 'min_by', 'max_by', 'collect']);

export function isAggregateCall(e: A.Expr): boolean {
  if (e.kind !== 'Call' || !aggregateNames.has(e.callee.name)) return false;
  return !((e.callee.name === 'min' || e.callee.name === 'max') && e.args.length === 2);
}

function collectCalls(e: A.Expr, out: A.ExprOf<'Call'>[]): void {
  if (e.kind === 'Call' && isAggregateCall(e)) { out.push(e); return; }
  switch (e.kind) {
    case 'Call': e.args.forEach((a) => collectCalls(a.value, out)); break;
    case 'Binary': collectCalls(e.left, out); collectCalls(e.right, out); break;
    case 'Unary': collectCalls(e.operand, out); break;
    case 'If': collectCalls(e.cond, out); collectCalls(e.then, out); collectCalls(e.else, out); break;
    case 'Member': collectCalls(e.object, out); break;
    case 'Record': e.items.forEach((i) => collectCalls(i.kind === 'Field' ? i.value : i.expr, out)); break;
    case 'List': e.items.forEach((i) => collectCalls(i, out)); break;
    default: break;
  }
}

export function accumulatorFor(exprs: A.Expr[], row: Scope, cx: ExprContext, ts: string): AccumulatorCode {
  const calls: A.ExprOf<'Call'>[] = [];
  for (const e of exprs) collectCalls(e, calls);
  const code: AccumulatorCode = { init: [], update: [], merge: [], results: new Map() };
  calls.forEach((call, i) => {
    const arg = (k: number) => compileExpr(call.args[k]!.value, row, cx);
    const nullable = (k: number) => call.args[k]?.value.ty !== undefined && isNullable(call.args[k]!.value.ty!);
    const ifNotNull = (k: number, stmt: string) => (nullable(k) ? `{ const x${i} = ${arg(k)}; if (x${i} != null) ${stmt.replaceAll('$X', `x${i}`)} }` : `{ const x${i} = ${arg(k)}; ${stmt.replaceAll('$X', `x${i}`)} }`);
    const f = (p: string) => `${p}${i}`;
    switch (call.callee.name) {
      case 'count':
        code.init.push(`${f('c')}: 0`);
        code.update.push(call.args.length === 0 ? `a.${f('c')}++;` : ifNotNull(0, `a.${f('c')}++;`));
        code.merge.push(`a.${f('c')} += b.${f('c')};`);
        code.results.set(call, `a.${f('c')}`);
        break;
      case 'count_if':
        code.init.push(`${f('c')}: 0`);
        code.update.push(`if (${arg(0)}) a.${f('c')}++;`);
        code.merge.push(`a.${f('c')} += b.${f('c')};`);
        code.results.set(call, `a.${f('c')}`);
        break;
      case 'count_distinct':
        code.init.push(`${f('d')}: new Set()`);
        code.update.push(ifNotNull(0, `a.${f('d')}.add($X);`));
        code.merge.push(`for (const v of b.${f('d')}) a.${f('d')}.add(v);`);
        code.results.set(call, `a.${f('d')}.size`);
        break;
      case 'sum':
      case 'avg':
        code.init.push(`${f('s')}: 0`, `${f('n')}: 0`);
        code.update.push(ifNotNull(0, `{ a.${f('s')} += $X; a.${f('n')}++; }`));
        code.merge.push(`a.${f('s')} += b.${f('s')}; a.${f('n')} += b.${f('n')};`);
        code.results.set(call, call.callee.name === 'sum'
          ? (nullable(0) ? `(a.${f('n')} === 0 ? null : a.${f('s')})` : `a.${f('s')}`)
          : `(a.${f('n')} === 0 ? null : a.${f('s')} / a.${f('n')})`);
        break;
      case 'min':
      case 'max': {
        const op = call.callee.name === 'min' ? '<' : '>';
        code.init.push(`${f('m')}: null`);
        code.update.push(ifNotNull(0, `if (a.${f('m')} === null || $X ${op} a.${f('m')}) a.${f('m')} = $X;`));
        code.merge.push(`if (b.${f('m')} !== null && (a.${f('m')} === null || b.${f('m')} ${op} a.${f('m')})) a.${f('m')} = b.${f('m')};`);
        code.results.set(call, `a.${f('m')}`);
        break;
      }
      case 'first':
      case 'last': {
        const op = call.callee.name === 'first' ? '<' : '>=';
        code.init.push(`${f('v')}: null`, `${f('t')}: ${call.callee.name === 'first' ? 'Infinity' : '-Infinity'}`);
        code.update.push(`if (${ts} ${op} a.${f('t')}) { a.${f('t')} = ${ts}; a.${f('v')} = ${arg(0)}; }`);
        code.merge.push(`if (b.${f('t')} ${op} a.${f('t')}) { a.${f('t')} = b.${f('t')}; a.${f('v')} = b.${f('v')}; }`);
        code.results.set(call, `a.${f('v')}`);
        break;
      }
      case 'min_by':
      case 'max_by': {
        const op = call.callee.name === 'min_by' ? '<' : '>';
        code.init.push(`${f('v')}: null`, `${f('b')}: null`);
        code.update.push(`{ const y${i} = ${arg(1)}; if (y${i} != null && (a.${f('b')} === null || y${i} ${op} a.${f('b')})) { a.${f('b')} = y${i}; a.${f('v')} = ${arg(0)}; } }`);
        code.merge.push(`if (b.${f('b')} !== null && (a.${f('b')} === null || b.${f('b')} ${op} a.${f('b')})) { a.${f('b')} = b.${f('b')}; a.${f('v')} = b.${f('v')}; }`);
        code.results.set(call, `a.${f('v')}`);
        break;
      }
      case 'collect':
        code.init.push(`${f('l')}: []`);
        code.update.push(`a.${f('l')}.push(${arg(0)});`);
        code.merge.push(`for (const v of b.${f('l')}) a.${f('l')}.push(v);`);
        code.results.set(call, `a.${f('l')}`);
        break;
    }
  });
  return code;
}
