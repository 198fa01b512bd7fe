/**
 * Operator precedence of Flow expressions, loosest first (lang/reference.md §3). The grammar
 * (lang/flow.ohm) matches a flat sequence of operands and binary operators; the parser's
 * semantic actions build the tree from this table.
 *
 * | level | operators                         | associativity            |
 * |-------|-----------------------------------|--------------------------|
 * | 0     | `if C then A else B`              | (prefix)                 |
 * | 1     | `or`                              | left                     |
 * | 2     | `and`                             | left                     |
 * | 3     | `not`                             | (prefix)                 |
 * | 4     | `== != < <= > >=`                 | none: `a < b < c` is an error |
 * | 5     | `??`                              | right                    |
 * | 6     | `+ -`                             | left                     |
 * | 7     | `* / %`                           | left                     |
 * | 8     | unary `-`                         | (prefix)                 |
 * | 9     | `.f`, `?.f`, calls                | left                     |
 */
import type { BinaryOp } from '../compiler/phases/1-parse/ast.ts';

export const binaryPrecedence: Readonly<Record<BinaryOp, number>> = {
  or: 1, and: 2, '==': 4, '!=': 4, '<': 4, '<=': 4, '>': 4, '>=': 4, '??': 5, '+': 6, '-': 6, '*': 7, '/': 7, '%': 7,
};

/** The level of the operand of `not`: `not a == b` is `not (a == b)`, `not a and b` is `(not a) and b`. */
export const notPrecedence = 3;

/** The level of the operand of unary minus: `-a * b` is `(-a) * b`. */
export const negPrecedence = 8;

/** `a ?? b ?? c` is `a ?? (b ?? c)`. */
export function isRightAssociative(op: BinaryOp): boolean {
  return op === '??';
}

/** Comparisons do not chain. */
export function isComparison(op: BinaryOp): boolean {
  return binaryPrecedence[op] === 4;
}
