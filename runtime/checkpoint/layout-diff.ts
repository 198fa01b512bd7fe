/**
 * Says what changed between the state layout a checkpoint was taken with and the job's current
 * one (one line per stateful operator, from compiler/phases/5-emit/layout.ts): a line diff, so an
 * operator inserted in the middle shows as one `added:` line, not as every later line changed.
 */
export function describeLayoutChange(before: string[], after: string[]): string[] {
  // Longest common subsequence, then walk it: lines only in `before` were removed, only in
  // `after` added; a removal directly followed by an addition reads as a change.
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const removed: string[] = [];
  const added: string[] = [];
  const out: string[] = [];
  const flush = () => {
    // A removed line and an added one at the same place describe one operator changed when they
    // are the same kind of thing (same first word, same let or source number).
    const unpaired = added.slice();
    for (const r of removed) {
      const i = unpaired.findIndex((a) => sameOperator(r, a));
      if (i < 0) { out.push(`removed: ${r}`); continue; }
      out.push(`changed: ${r}\n      now: ${unpaired[i]}`);
      unpaired.splice(i, 1);
    }
    for (const a of unpaired) out.push(`added: ${a}`);
    removed.length = 0;
    added.length = 0;
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      flush();
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      removed.push(before[i++]!);
    } else {
      added.push(after[j++]!);
    }
  }
  flush();
  return out.length ? out : ['the layout fingerprint differs (the operators are the same: a checkpoint from another build of flowc?)'];
}

function sameOperator(a: string, b: string): boolean {
  const word = (l: string) => /^\S+( #\d+)?/.exec(l)?.[0];
  const name = (l: string) => /\(let (\w+)\)$/.exec(l)?.[1];
  return word(a) === word(b) && name(a) === name(b);
}
