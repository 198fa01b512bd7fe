/**
 * The differential tests' side of the bargain: random inputs (seeded), the watermark each input
 * row meets (simulated exactly as the driver reads sources: batches of 1024, round robin), and
 * DuckDB as the oracle for what the job must output over the rows that were not late.
 */
import { writeFileSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { rng } from '../support/random.ts';

export { rng };

/** The driver's batch size (runtime/job/driver.ts BATCH). */
export const BATCH = 1024;
export const T0 = Date.UTC(2024, 0, 1);
/** ±∞ watermarks as SQL numbers. */
export const NEG = -9e15;
export const POS = 9e15;

export interface Ev {
  /** Position in its input (0-based), so rows can be told apart. */
  seq: number;
  k: string;
  v: number;
  /** A float unique per row: a tie-free `by` for min_by/max_by, and an identity in outputs. */
  w: number;
  c: string;
  t: number;
}

export interface GenOptions {
  n: number;
  keys: number;
  /** Mean gap between consecutive event times. */
  step: number;
  /** The source's bounded out-of-orderness. */
  delay: number;
  /** Share of rows further behind than the delay (candidates for being late). */
  lateShare: number;
  /** How far behind such rows can be. */
  lateLag: number;
  /** v is drawn from [0, vRange) (small ranges make ties). */
  vRange?: number;
  start?: number;
  /** Event times rounded down to multiples of this (ms): exact distances and boundaries become common. */
  grid?: number;
}

/** Event times that mostly rise, some out of order within the delay, some beyond it. */
export function generate(seed: number, o: GenOptions): Ev[] {
  const r = rng(seed);
  const out: Ev[] = [];
  let cur = o.start ?? T0;
  const used = new Set<number>();
  for (let i = 0; i < o.n; i++) {
    cur += Math.floor(r() * 2 * o.step);
    let t = cur;
    const u = r();
    if (u < o.lateShare) t = cur - o.delay - Math.floor(r() * o.lateLag);
    else if (u < o.lateShare + 0.4) t = cur - Math.floor(r() * (o.delay + 1));
    if (o.grid) t = Math.floor(t / o.grid) * o.grid;
    // Skewed keys: a few hot ones, a long tail.
    const k = `k${Math.floor(Math.pow(r(), 2) * o.keys)}`;
    let w = Math.round(r() * 1e9) / 1e3;
    while (used.has(w)) w += 0.001;
    used.add(w);
    out.push({ seq: i, k, v: Math.floor(r() * (o.vRange ?? 200)) - (o.vRange ? 0 : 50), w, c: `c${Math.floor(r() * 6)}`, t });
  }
  return out;
}

/**
 * For every row of every source, the watermark an operator fed by `inputs` is at when the row
 * arrives: the minimum over those sources of (highest event time so far - delay), -∞ before a
 * source's first row, +∞ once it has ended. Sources are read as the driver reads them: rounds of
 * one batch of up to 1024 rows per source, in source order; a source ends in the first round that
 * finds nothing left.
 */
export function watermarks(sources: { t: number }[][], delays: number[], inputs: number[] = sources.map((_, i) => i)): number[][] {
  const out = sources.map((s) => new Array<number>(s.length));
  const maxTs = sources.map(() => -Infinity);
  const done = sources.map(() => false);
  const pos = sources.map(() => 0);
  const wmNow = () => {
    let m = Infinity;
    for (const s of inputs) {
      const w = done[s] ? Infinity : maxTs[s]! - delays[s]!;
      if (w < m) m = w;
    }
    return m;
  };
  for (;;) {
    let active = 0;
    for (let i = 0; i < sources.length; i++) {
      if (done[i]) continue;
      active++;
      const rows = sources[i]!;
      if (pos[i]! >= rows.length) { done[i] = true; continue; }
      const end = Math.min(rows.length, pos[i]! + BATCH);
      for (let j = pos[i]!; j < end; j++) {
        out[i]![j] = wmNow();
        if (rows[j]!.t > maxTs[i]!) maxTs[i] = rows[j]!.t;
      }
      pos[i] = end;
    }
    if (active === 0) return out;
  }
}

/** -∞/+∞ as numbers SQL can hold. */
export function sqlWm(wm: number): number {
  return wm === -Infinity ? NEG : wm === Infinity ? POS : wm;
}

/** What a session window does with each row (runtime/windows/session-store.ts). */
export interface SessionFate {
  /** Rejected: its own gap is behind the watermark, or it falls inside a fired session of its key. */
  late: boolean;
  /**
   * Accepted exactly at the end of a fired session of its key (that session's last row + gap): it
   * starts a session of its own although SQL's inclusive gap rule would put it in the fired one.
   */
  touches: boolean;
}

/**
 * The fate of every row at a session window: `rows` in arrival order with the watermark each met.
 * Sessions whose end the watermark has reached fire before the next row is judged.
 */
export function sessionFates(rows: { k: string; t: number }[], wms: number[], gap: number): SessionFate[] {
  const live = new Map<string, { start: number; end: number }[]>();
  const fired = new Map<string, number>();
  // Rows at most `gap` apart merge: [start, end] ranges that meet, ends included.
  const meet = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start <= b.end && b.start <= a.end;
  return rows.map((row, i) => {
    const wm = wms[i]!;
    for (const [k, list] of live) {
      const keep = list.filter((s) => {
        if (s.end > wm) return true;
        fired.set(k, Math.max(fired.get(k) ?? -Infinity, s.end));
        return false;
      });
      if (keep.length) live.set(k, keep); else live.delete(k);
    }
    const f = fired.get(row.k);
    if (row.t + gap < wm || (f !== undefined && row.t < f)) return { late: true, touches: false };
    const list = live.get(row.k) ?? [];
    const touches = row.t === f && !list.some((s) => s.start === row.t);
    let merged = { start: row.t, end: row.t + gap };
    // A merge can make the new session reach one skipped earlier in the list: merge until stable.
    let changed = true;
    let all = list;
    while (changed) {
      changed = false;
      all = all.filter((s) => {
        if (meet(s, merged)) {
          merged = { start: Math.min(s.start, merged.start), end: Math.max(s.end, merged.end) };
          changed = true;
          return false;
        }
        return true;
      });
    }
    all.push(merged);
    live.set(row.k, all);
    return { late: false, touches };
  });
}

/** DuckDB in memory, with helpers to load CSV files and read results as plain JSON values. */
export class Duck {
  private constructor(private readonly con: DuckDBConnection) {}

  static async open(): Promise<Duck> {
    const db = await DuckDBInstance.create(':memory:');
    return new Duck(await db.connect());
  }

  /** Writes `rows` to `path` as CSV and (re)creates table `name` from it with the given column types. */
  async load(name: string, path: string, columns: Record<string, string>, rows: Record<string, unknown>[]): Promise<void> {
    const cols = Object.keys(columns);
    const cell = (x: unknown) => (x === null || x === undefined ? '' : typeof x === 'string' ? `"${x.replace(/"/g, '""')}"` : String(x));
    writeFileSync(path, [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n');
    const spec = cols.map((c) => `'${c}': '${columns[c]}'`).join(', ');
    await this.con.run(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_csv('${path}', header = true, columns = {${spec}}, nullstr = '')`);
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const r = await this.con.runAndReadAll(sql);
    return r.getRowObjectsJson() as Record<string, unknown>[];
  }
}

/** A value in a canonical form for comparison: numbers rounded to 12 significant digits, lists as given. */
export function canon(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(canon);
  if (typeof x === 'number') return Number.isInteger(x) ? x : Number(x.toPrecision(12));
  if (typeof x === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(x)) return canon(Number(x));
  return x;
}

/** Rows as canonical JSON strings of the given fields, sorted (a multiset). */
export function bag(rows: Record<string, unknown>[], fields: string[], listsAsSets: string[] = []): string[] {
  return rows.map((r) => row(r, fields, listsAsSets)).sort();
}

export function row(r: Record<string, unknown>, fields: string[], listsAsSets: string[] = []): string {
  return JSON.stringify(fields.map((f) => {
    const v = canon(r[f]);
    return listsAsSets.includes(f) && Array.isArray(v) ? [...v].sort((a, b) => (a as number) - (b as number)) : v;
  }));
}

/** Fails with the seed and the first difference, so a failing case can be rerun alone. */
export function same(seed: number, what: string, actual: string[], expected: string[]): void {
  if (actual.length === expected.length && actual.every((a, i) => a === expected[i])) return;
  const n = Math.max(actual.length, expected.length);
  let i = 0;
  while (i < n && actual[i] === expected[i]) i++;
  throw new Error(
    `${what}: the job differs from the oracle for seed ${seed} (rerun: FLOWC_DIFF_SEED=${seed} npx vitest run test/differential)\n` +
      `  rows: job ${actual.length}, oracle ${expected.length}; first difference at ${i}:\n` +
      `  job:    ${actual[i] ?? '(none)'}\n  oracle: ${expected[i] ?? '(none)'}`,
  );
}

/** The seeds to run: FLOWC_DIFF_SEED=s runs one, FLOWC_DIFF_SEEDS=n runs n (default `dflt`). */
export function seeds(salt: number, dflt: number): number[] {
  const one = process.env.FLOWC_DIFF_SEED;
  if (one) return [Number(one)];
  const n = Number(process.env.FLOWC_DIFF_SEEDS ?? dflt);
  return Array.from({ length: n }, (_, i) => salt * 1000 + i + 1);
}

/** A test's time limit for the number of seeds it runs (one job run and a few queries per seed). */
export function timeLimit(): number {
  const n = process.env.FLOWC_DIFF_SEED ? 1 : Number(process.env.FLOWC_DIFF_SEEDS ?? 6);
  return 60_000 + n * 6_000;
}
