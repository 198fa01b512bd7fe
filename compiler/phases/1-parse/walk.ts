/**
 * The one traversal of Flow expressions. Every pass that looks inside expressions (the checker's
 * aggregate and window checks, the planner's join-key split, constant folding, filter pushdown,
 * demand analysis, the emitter's aggregate layout, the editor's index) goes through these
 * functions, so a new expression kind is added in one switch here and the compiler names
 * every printer and evaluator that still lacks it.
 */
import type { Expr, RecordItem } from './ast.ts';

/** The value an item of a record literal contributes: a field's value or a spread's record. */
export function itemExpr(i: RecordItem): Expr {
  return i.kind === 'Field' ? i.value : i.expr;
}

/** The immediate subexpressions of `e`, in source order. */
export function exprChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case 'Literal': case 'Name': return [];
    case 'Member': return [e.object];
    case 'Call': return e.args.map((a) => a.value);
    case 'Unary': return [e.operand];
    case 'Binary': return [e.left, e.right];
    case 'If': return [e.cond, e.then, e.else];
    case 'Record': return e.items.map(itemExpr);
    case 'List': return e.items;
  }
}

/**
 * `e` with each immediate subexpression replaced by `f(child)`; `e` itself (the same object)
 * when `f` returned every child unchanged, so passes can tell whether they rewrote anything.
 */
export function mapExpr<E extends Expr>(e: E, f: (child: Expr) => Expr): E {
  const x = e as Expr;
  switch (x.kind) {
    case 'Literal': case 'Name': return e;
    case 'Member': {
      const object = f(x.object);
      return (object === x.object ? e : { ...x, object }) as E;
    }
    case 'Call': {
      const values = x.args.map((a) => f(a.value));
      return (values.every((v, i) => v === x.args[i]!.value) ? e : { ...x, args: x.args.map((a, i) => ({ ...a, value: values[i]! })) }) as E;
    }
    case 'Unary': {
      const operand = f(x.operand);
      return (operand === x.operand ? e : { ...x, operand }) as E;
    }
    case 'Binary': {
      const left = f(x.left);
      const right = f(x.right);
      return (left === x.left && right === x.right ? e : { ...x, left, right }) as E;
    }
    case 'If': {
      const cond = f(x.cond);
      const then = f(x.then);
      const other = f(x.else);
      return (cond === x.cond && then === x.then && other === x.else ? e : { ...x, cond, then, else: other }) as E;
    }
    case 'Record': {
      const values = x.items.map((i) => f(itemExpr(i)));
      if (values.every((v, k) => v === itemExpr(x.items[k]!))) return e;
      return { ...x, items: x.items.map((i, k) => (i.kind === 'Field' ? { ...i, value: values[k]! } : { ...i, expr: values[k]! })) } as E;
    }
    case 'List': {
      const items = x.items.map(f);
      return (items.every((v, i) => v === x.items[i]) ? e : { ...x, items }) as E;
    }
  }
}

/** Does `e` or any expression inside it satisfy `pred`? */
export function someExpr(e: Expr, pred: (x: Expr) => boolean): boolean {
  if (pred(e)) return true;
  for (const c of exprChildren(e)) if (someExpr(c, pred)) return true;
  return false;
}

/**
 * Visits `e` and every expression inside it, parents first. When `visit` returns `false` the
 * expressions inside the visited one are skipped.
 */
export function forEachExpr(e: Expr, visit: (x: Expr) => boolean | void): void {
  if (visit(e) === false) return;
  for (const c of exprChildren(e)) forEachExpr(c, visit);
}
