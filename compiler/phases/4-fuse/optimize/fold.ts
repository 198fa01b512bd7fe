/**
 * Constant folding: operators over literals are computed at compile time, with exactly the
 * JavaScript semantics the generated code would use (`/` on numbers, `===` for `==`, string `+`),
 * so folding never changes an output byte. An operand is dropped (`false and x`) only when it
 * calls nothing, so no error or extern side effect disappears.
 */
import type * as A from '../../1-parse/ast.ts';
import { mapExpr, someExpr } from '../../1-parse/walk.ts';
import type { PlanNode } from '../../3-plan/nodes.ts';
import { operators } from '../../../operators/index.ts';
import { nonNull, type Type } from '../../../../lang/types.ts';

type Value = number | string | boolean | null;

function lit(e: A.Expr): Value | undefined {
  return e.kind === 'Literal' ? e.value : undefined;
}

function isLit(e: A.Expr): e is A.ExprOf<'Literal'> {
  return e.kind === 'Literal';
}

function literalType(t: Type | undefined, v: Value): A.LiteralType {
  if (v === null) return 'null';
  const k = t ? nonNull(t).kind : 'error';
  if (k === 'int' || k === 'float' || k === 'string' || k === 'bool' || k === 'duration' || k === 'timestamp') return k;
  return typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : Number.isInteger(v) ? 'int' : 'float';
}

function make(e: A.Expr, v: Value): A.Expr {
  return { kind: 'Literal', litType: literalType(e.ty, v), value: v, span: e.span, ty: e.ty };
}

/** Does evaluating `e` call anything (a builtin that may throw, an extern fn)? */
export function callsNothing(e: A.Expr): boolean {
  return !someExpr(e, (x) => x.kind === 'Call');
}

function arith(op: A.BinaryOp, a: Value, b: Value): Value | undefined {
  if (a === null || b === null) {
    // The generated code yields null when a nullable operand is null (comparisons included).
    return op === '==' ? a === b : op === '!=' ? a !== b : null;
  }
  switch (op) {
    case '+':
      if (typeof a === 'number' && typeof b === 'number') return a + b;
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      return undefined;
    case '-': return typeof a === 'number' && typeof b === 'number' ? a - b : undefined;
    case '*': return typeof a === 'number' && typeof b === 'number' ? a * b : undefined;
    case '/': return typeof a === 'number' && typeof b === 'number' ? a / b : undefined;
    case '%': return typeof a === 'number' && typeof b === 'number' ? a % b : undefined;
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return typeof a === typeof b ? a < b : undefined;
    case '<=': return typeof a === typeof b ? a <= b : undefined;
    case '>': return typeof a === typeof b ? a > b : undefined;
    case '>=': return typeof a === typeof b ? a >= b : undefined;
    default: return undefined;
  }
}

/** `e` with every constant subexpression computed; the same object when nothing changed. */
export function foldExpr(e: A.Expr): A.Expr {
  switch (e.kind) {
    case 'Literal': case 'Name': return e;
    case 'Member': case 'Call': case 'Record': case 'List':
      return mapExpr(e, foldExpr);
    case 'Unary': {
      const operand = foldExpr(e.operand);
      const v = lit(operand);
      if (isLit(operand)) {
        if (e.op === 'not' && typeof v === 'boolean') return make(e, !v);
        if (e.op === '-' && typeof v === 'number') return make(e, -v);
        if (e.op === '-' && v === null) return make(e, null);
      }
      return operand === e.operand ? e : { ...e, operand };
    }
    case 'If': {
      const cond = foldExpr(e.cond);
      const then = foldExpr(e.then);
      const other = foldExpr(e.else);
      if (isLit(cond) && typeof cond.value === 'boolean') {
        const pick = cond.value ? then : other;
        // The branch keeps its own type; the `if` may be wider (int → float, T → T?): keep the
        // `if`'s type on a literal so serialisation is unchanged.
        return isLit(pick) ? make(e, pick.value) : pick.ty && e.ty && sameKind(pick.ty, e.ty) ? pick : { ...e, cond, then, else: other };
      }
      return cond === e.cond && then === e.then && other === e.else ? e : { ...e, cond, then, else: other };
    }
    case 'Binary': {
      const left = foldExpr(e.left);
      const right = foldExpr(e.right);
      const same = left === e.left && right === e.right;
      const node: A.ExprOf<'Binary'> = same ? e : { ...e, left, right };
      if (e.op === 'and' || e.op === 'or') {
        const stop = e.op === 'or'; // the value that decides the result on its own
        if (isLit(left) && typeof left.value === 'boolean') return left.value === stop ? make(e, stop) : right;
        if (isLit(right) && typeof right.value === 'boolean') {
          if (right.value !== stop) return left;
          if (callsNothing(left)) return make(e, stop);
        }
        return node;
      }
      if (e.op === '??') {
        if (isLit(left)) return left.value === null ? right : retype(left, e);
        return node;
      }
      if (isLit(left) && isLit(right)) {
        const v = arith(e.op, left.value, right.value);
        if (v !== undefined && !(typeof v === 'number' && !Number.isFinite(v) && nonNull(e.ty ?? { kind: 'error' }).kind === 'int')) return make(e, v);
      }
      return node;
    }
  }
}

function sameKind(a: Type, b: Type): boolean {
  return a.kind === b.kind && nonNull(a).kind === nonNull(b).kind;
}

function retype(l: A.ExprOf<'Literal'>, e: A.Expr): A.Expr {
  return make(e, l.value);
}

/** A copy of a plan node with its expressions folded (the same node when nothing changed). */
export function foldNode(n: PlanNode): PlanNode {
  return (operators[n.kind].mapExprs as (n: PlanNode, f: (e: A.Expr) => A.Expr) => PlanNode)(n, foldExpr);
}
