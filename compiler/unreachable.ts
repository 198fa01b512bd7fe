/**
 * The exhaustiveness check of switches over node, step and expression kinds: `default:
 * return unreachable(x)` does not compile while a kind of `x`'s union is unhandled, and a value
 * the types did not foresee fails loudly (an internal error, F9) instead of being skipped.
 */
export function unreachable(x: never, what = 'kind'): never {
  const kind = typeof x === 'object' && x !== null && 'kind' in x ? (x as { kind: unknown }).kind : x;
  throw new Error(`internal: unhandled ${what} ${JSON.stringify(kind)}`);
}
