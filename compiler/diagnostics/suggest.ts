/** Did-you-mean suggestions for unknown names. */

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The candidate closest to `name`, if it is close enough to be a likely typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  for (const c of candidates) {
    if (c === name) continue;
    const d = c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, c);
    if (d < bestD) { best = c; bestD = d; }
  }
  return bestD <= limit ? best : undefined;
}

/** `help:` text for an unknown name: did-you-mean, else the list of what exists. */
export function unknownNameHelp(name: string, candidates: string[], what: string): string | undefined {
  const c = closest(name, candidates);
  if (c) return `did you mean \`${c}\`?`;
  if (candidates.length === 0) return undefined;
  const shown = candidates.slice(0, 8).map((x) => `\`${x}\``).join(', ');
  return `the ${what} here ${candidates.length === 1 ? 'is' : 'are'} ${shown}${candidates.length > 8 ? ', …' : ''}`;
}
