/**
 * Compares a stream's output with an `expect`: as a multiset (the default) or as a sequence
 * (`in order`). Unmatched rows are paired up where they look like the same row with some fields
 * changed, so that a failure reads "views: expected 3, got 2" instead of one missing and one
 * unexpected row.
 */
import { valuesEqual } from './values.ts';

export type Row = Record<string, unknown>;

export interface FieldDiff {
  field: string;
  expected: unknown;
  actual: unknown;
}

export interface RowComparison {
  ok: boolean;
  expectedCount: number;
  actualCount: number;
  matched: number;
  /** Expected rows nothing resembles. */
  missing: Row[];
  /** Produced rows nothing expected resembles. */
  unexpected: Row[];
  /** Expected rows whose closest produced row differs in some fields. */
  differing: { expected: Row; actual: Row; fields: FieldDiff[] }[];
  /** `in order` only: the same rows were produced, in another order. */
  orderDiffers?: boolean;
  /** `in order` only: the first position where the sequences differ (0-based). */
  firstMismatch?: number;
}

export function compareRows(expected: Row[], actual: Row[], inOrder: boolean): RowComparison {
  const base = { expectedCount: expected.length, actualCount: actual.length };
  if (inOrder) {
    const same = expected.length === actual.length && expected.every((r, i) => valuesEqual(r, actual[i]));
    if (same) return { ok: true, ...base, matched: expected.length, missing: [], unexpected: [], differing: [] };
    const bag = compareBags(expected, actual);
    let first = 0;
    while (first < expected.length && first < actual.length && valuesEqual(expected[first], actual[first])) first++;
    return { ...bag, ok: false, orderDiffers: bag.ok, firstMismatch: first };
  }
  return compareBags(expected, actual);
}

function compareBags(expected: Row[], actual: Row[]): RowComparison {
  const used = new Array<boolean>(actual.length).fill(false);
  const leftover: Row[] = [];
  let matched = 0;
  for (const e of expected) {
    const j = actual.findIndex((a, k) => !used[k] && valuesEqual(e, a));
    if (j >= 0) {
      used[j] = true;
      matched++;
    } else leftover.push(e);
  }
  const differing: RowComparison['differing'] = [];
  const missing: Row[] = [];
  for (const e of leftover) {
    // The closest unused produced row, when at least half of the fields agree.
    let best = -1;
    let bestScore = 0;
    const names = fieldNames(e, undefined);
    actual.forEach((a, k) => {
      if (used[k]) return;
      const score = fieldNames(e, a).filter((n) => valuesEqual(e[n] ?? null, a[n] ?? null)).length;
      if (score > bestScore) { best = k; bestScore = score; }
    });
    if (best >= 0 && bestScore * 2 >= names.length) {
      used[best] = true;
      const a = actual[best]!;
      const fields = fieldNames(e, a)
        .filter((n) => !valuesEqual(e[n] ?? null, a[n] ?? null))
        .map((n) => ({ field: n, expected: e[n] ?? null, actual: a[n] ?? null }));
      differing.push({ expected: e, actual: a, fields });
    } else missing.push(e);
  }
  const unexpected = actual.filter((_, k) => !used[k]);
  const ok = missing.length === 0 && unexpected.length === 0 && differing.length === 0;
  return { ok, expectedCount: expected.length, actualCount: actual.length, matched, missing, unexpected, differing };
}

function fieldNames(a: Row, b: Row | undefined): string[] {
  const names = Object.keys(a);
  if (b) for (const k of Object.keys(b)) if (!names.includes(k)) names.push(k);
  return names;
}
