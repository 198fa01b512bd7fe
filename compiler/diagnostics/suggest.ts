/** Did-you-mean suggestions for unknown names. */

/** Edit distance where a swap of two neighbouring letters counts as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * The candidate closest to `name`, if it is close enough to be a likely typo: a small edit
 * distance, else a candidate that is a longer word's start (`lowercase` → `lower`) or one of
 * its `_`-separated parts (`duration_ms` → `ms`).
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  let partial: string | undefined;
  const limit = Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  const parts = lower.includes('_') ? lower.split('_').filter((p) => p.length >= 2) : [];
  let seen = 0;
  for (const c of candidates) {
    // Enough for any real program; keeps a file with thousands of unknown names linear.
    if (++seen > maxCandidates) break;
    if (c === name) continue;
    // A length difference above the limit is already too many edits (and saves the work).
    const lengthGap = Math.abs(c.length - name.length);
    if (lengthGap <= Math.min(limit, bestD)) {
      const lc = c.toLowerCase();
      const d = lc === lower ? 0.5 : editDistance(name, c);
      if (d < bestD) { best = c; bestD = d; }
    }
    if (!partial && c.length >= 2 && isPart(c.toLowerCase(), lower, parts)) partial = c;
  }
  return bestD <= limit ? best : partial;
}

const maxCandidates = 2000;

/** `lower` → `lowercase`, `ms` → `duration_ms`, `user` → `user_id`: one name is a part of the other. */
function isPart(candidate: string, name: string, parts: string[]): boolean {
  if (candidate.length >= 4 && (name.startsWith(candidate) || candidate.startsWith(name))) return true;
  if (parts.length > 1 && parts.includes(candidate)) return true;
  return name.length >= 3 && candidate.includes('_') && candidate.split('_').includes(name);
}

/**
 * `help:` text for an unknown name: did-you-mean among `candidates`, else the list of what exists
 * (`listed`, by default the candidates themselves).
 */
export function unknownNameHelp(name: string, candidates: string[], what: string, listed: string[] = candidates): string | undefined {
  const c = closest(name, candidates);
  if (c) return `did you mean \`${c}\`?`;
  if (listed.length === 0) return undefined;
  const shown = listed.slice(0, 8).map((x) => `\`${x}\``).join(', ');
  return `the ${what} here: ${shown}${listed.length > 8 ? ', …' : ''}`;
}
