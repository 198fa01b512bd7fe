/**
 * Candidate buffers of `window … | top N by …`. A buffer holds rows `[by, arrival, …fields]` of one
 * key and pane (or session); the window's fire sorts it by `cmp` (value, then arrival) and cuts it
 * at N rows, or at rank N `with ties`. Rows that can no longer make that cut are dropped early, so
 * a buffer holds candidates, not the whole window: pruning keeps every row whose RANK (1 + the
 * number of rows strictly better) is at most N (the first N rows of the sorted order without
 * ties). A row outside a buffer's top N is outside the top N of any superset of it (a later pane
 * merge or more rows), so the fire's result is unchanged.
 */

/** Sorts `buf` as the fire does and cuts it to the rows that can still be output. */
export function rt_topPrune(
  buf: unknown[][], n: number, withTies: boolean,
  cmp: (x: unknown[], y: unknown[]) => number, same: (a: unknown, b: unknown) => boolean,
): void {
  buf.sort(cmp);
  if (!withTies) {
    if (buf.length > n) buf.length = n;
    return;
  }
  let rank = 0;
  for (let j = 0; j < buf.length; j++) {
    if (j === 0 || !same(buf[j - 1]![0], buf[j]![0])) rank = j + 1;
    if (rank > n) { buf.length = j; return; }
  }
}

/** Prune when the buffer has grown past 2N+16 rows, at powers of two (amortised O(log) a row, even with many ties). */
export function rt_topDue(length: number, n: number): boolean {
  return length > 2 * n + 16 && (length & (length - 1)) === 0;
}
