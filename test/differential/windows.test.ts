/**
 * Differential tests: random inputs with out-of-order and late events, many keys, many seeds; the
 * job's output must equal DuckDB's answer over the same input, with the late rows (found by
 * simulating the watermark each row meets) accounted for separately.
 *
 *   FLOWC_DIFF_SEEDS=200 npx vitest run test/differential     more seeds
 *   FLOWC_DIFF_SEED=3007 npx vitest run test/differential     one seed (as printed on failure)
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { build, run, readJsonl, writeJsonl, cleanup, type Built } from '../semantics/harness.ts';
import { Duck, generate, watermarks, sqlWm, sessionFates, bag, same, seeds, rng, timeLimit, type Ev } from './oracle.ts';

let duck: Duck;
beforeAll(async () => { duck = await Duck.open(); });
afterAll(cleanup);

const EV = `type E = { k: string, v: int, w: float, c: string, t: timestamp }`;
const COLUMNS = { seq: 'BIGINT', k: 'VARCHAR', v: 'BIGINT', w: 'DOUBLE', c: 'VARCHAR', t: 'BIGINT', wm: 'BIGINT' };
const AGGS = `n: count(), total: sum(v), lo: min(v), hi: max(v), mean: avg(v), kinds: count_distinct(c),
    pos: count_if(v > 0), first_v: first(v), last_v: last(v), at_min_w: min_by(v, w), at_max_w: max_by(c, w), vs: collect(v)`;
const SQL_AGGS = `count(*) AS n, sum(v) AS total, min(v) AS lo, max(v) AS hi, avg(v) AS mean, count(DISTINCT c) AS kinds,
    count(*) FILTER (WHERE v > 0) AS pos, first(v ORDER BY t, seq) AS first_v, first(v ORDER BY t DESC, seq DESC) AS last_v,
    first(v ORDER BY w) AS at_min_w, first(c ORDER BY w DESC) AS at_max_w, list(v) AS vs`;
const OUT_FIELDS = ['k', 'ws', 'we', 'n', 'total', 'lo', 'hi', 'mean', 'kinds', 'pos', 'first_v', 'last_v', 'at_min_w', 'at_max_w', 'vs'];
const LATE_FIELDS = ['k', 'v', 'w', 'c', 't'];

/** The job's window rows with window bounds as epoch ms, for comparison with SQL. */
function windowRows(path: string): Record<string, unknown>[] {
  return readJsonl(path).map((r) => ({ ...r, ws: Date.parse(r.window_start as string), we: Date.parse(r.window_end as string) }));
}

function lateRows(path: string): Record<string, unknown>[] {
  return readJsonl(path).map((r) => ({ ...r, t: Date.parse(r.t as string) }));
}

/** Writes the input, runs the job, loads the rows (with the watermark each met) into DuckDB. */
async function runOne(b: Built, seed: number, rows: Ev[], delay: number): Promise<void> {
  writeJsonl(join(b.dir, 'in.jsonl'), rows.map(({ k, v, w, c, t }) => ({ k, v, w, c, t })));
  const r = run(b);
  if (r.status !== 0) throw new Error(`seed ${seed}: the job failed (${r.status}): ${r.stderr}`);
  const [wms] = watermarks([rows], [delay]);
  await duck.load('rows', join(b.dir, 'rows.csv'), COLUMNS, rows.map((x, i) => ({ ...x, wm: sqlWm(wms![i]!) })));
}

/** Random shape per seed: keys, density, how much disorder and lateness. */
function shape(seed: number, delay: number, size: number) {
  const r = rng(seed * 7919);
  return {
    n: 300 + Math.floor(r() * 2500),
    keys: 1 + Math.floor(r() * 150),
    step: Math.max(1, Math.floor(size / (1 + r() * 20))),
    delay,
    lateShare: r() * 0.15,
    lateLag: Math.floor(size * (0.5 + r() * 3)),
  };
}

describe('tumbling windows vs SQL GROUP BY', () => {
  for (const [size, delay] of [[1000, 300], [60_000, 0]] as const) {
    it(`tumbling ${size}ms, watermark ${delay}ms: aggregates and late rows`, async () => {
      const b = await build(`${EV}
source s: E = file("in.jsonl") event time t watermark ${delay}ms
let agg = s | key by k | window tumbling ${size}ms | aggregate { ${AGGS} }
sink agg -> file("out.jsonl")
sink late(agg) -> file("late.jsonl")
`);
      let lateSeen = 0;
      for (const seed of seeds(1 + (size > 1000 ? 1 : 0), 6)) {
        const rows = generate(seed, shape(seed, delay, size));
        await runOne(b, seed, rows, delay);
        const expected = await duck.query(`
          WITH x AS (SELECT *, t - (t % ${size}) AS ws FROM rows WHERE t - (t % ${size}) + ${size} > wm)
          SELECT k, ws, ws + ${size} AS we, ${SQL_AGGS} FROM x GROUP BY k, ws`);
        same(seed, `tumbling ${size}`, bag(windowRows(join(b.dir, 'out.jsonl')), OUT_FIELDS, ['vs']), bag(expected, OUT_FIELDS, ['vs']));
        const late = await duck.query(`SELECT k, v, w, c, t FROM rows WHERE t - (t % ${size}) + ${size} <= wm`);
        same(seed, `tumbling ${size} late rows`, bag(lateRows(join(b.dir, 'late.jsonl')), LATE_FIELDS), bag(late, LATE_FIELDS));
        lateSeen += late.length;
      }
      expect(lateSeen).toBeGreaterThan(0);
    }, timeLimit());
  }
});

describe('sliding windows vs SQL over each row\'s windows', () => {
  for (const [size, slide, delay] of [[3000, 1000, 500], [10_000, 2500, 0]] as const) {
    it(`sliding ${size}ms every ${slide}ms, watermark ${delay}ms`, async () => {
      const b = await build(`${EV}
source s: E = file("in.jsonl") event time t watermark ${delay}ms
let agg = s | key by k | window sliding ${size}ms every ${slide}ms | aggregate { ${AGGS} }
sink agg -> file("out.jsonl")
sink late(agg) -> file("late.jsonl")
`);
      const m = size / slide;
      let lateSeen = 0;
      for (const seed of seeds(3 + (delay > 0 ? 0 : 1), 5)) {
        const rows = generate(seed, { ...shape(seed, delay, size), step: Math.max(1, Math.floor(slide / (1 + rng(seed)() * 20))) });
        await runOne(b, seed, rows, delay);
        // A row counts in each window holding it that had not ended when it arrived.
        const expected = await duck.query(`
          WITH x AS (SELECT rows.*, t - (t % ${slide}) - j * ${slide} AS ws FROM rows, range(0, ${m}) AS r(j)),
               y AS (SELECT * FROM x WHERE ws + ${size} > wm)
          SELECT k, ws, ws + ${size} AS we, ${SQL_AGGS} FROM y GROUP BY k, ws`);
        same(seed, `sliding ${size}/${slide}`, bag(windowRows(join(b.dir, 'out.jsonl')), OUT_FIELDS, ['vs']), bag(expected, OUT_FIELDS, ['vs']));
        const late = await duck.query(`SELECT k, v, w, c, t FROM rows WHERE t - (t % ${slide}) + ${size} <= wm`);
        same(seed, `sliding late rows`, bag(lateRows(join(b.dir, 'late.jsonl')), LATE_FIELDS), bag(late, LATE_FIELDS));
        lateSeen += late.length;
      }
      expect(lateSeen).toBeGreaterThan(0);
    }, timeLimit());
  }
});

describe('session windows vs SQL gaps and islands', () => {
  // grid: for every other seed, event times on multiples of it (a divisor of gap and delay).
  for (const [gap, delay, grid] of [[2000, 500, 250], [500, 0, 125]] as const) {
    it(`session ${gap}ms, watermark ${delay}ms`, async () => {
      const b = await build(`${EV}
source s: E = file("in.jsonl") event time t watermark ${delay}ms
let agg = s | key by k | window session ${gap}ms | aggregate { ${AGGS} }
sink agg -> file("out.jsonl")
sink late(agg) -> file("late.jsonl")
`);
      let lateSeen = 0;
      let exact = 0;
      let boundary = 0;
      let touching = 0;
      const list = seeds(5 + (delay > 0 ? 0 : 1), 6);
      for (const seed of list) {
        // On the grid, rows exactly the gap apart, rows whose gap ends exactly at the watermark,
        // and rows exactly at a fired session's end all occur often.
        const rows = generate(seed, { ...shape(seed, delay, gap), grid: seed % 2 === 0 ? grid : undefined });
        await runOne(b, seed, rows, delay);
        const [wms] = watermarks([rows], [delay]);
        const fates = sessionFates(rows, wms!, gap);
        boundary += rows.filter((x, i) => x.t + gap === wms![i]).length;
        touching += fates.filter((f) => f.touches).length;
        await duck.load('acc', join(b.dir, 'acc.csv'), { seq: 'BIGINT', late: 'BOOLEAN', touches: 'BOOLEAN' },
          rows.map((x, i) => ({ seq: x.seq, late: fates[i]!.late, touches: fates[i]!.touches })));
        exact += Number((await duck.query(`
          WITH a AS (SELECT rows.* FROM rows JOIN acc USING (seq) WHERE NOT acc.late)
          SELECT count(*) AS n FROM (SELECT t - lag(t) OVER (PARTITION BY k ORDER BY t, seq) AS d FROM a) WHERE d = ${gap}`))[0]!.n);
        // Gaps and islands with the inclusive rule: a row more than the gap after the previous
        // accepted row of its key starts a session, and so does one touching a fired session.
        const expected = await duck.query(`
          WITH a AS (SELECT rows.*, acc.touches FROM rows JOIN acc USING (seq) WHERE NOT acc.late),
               b AS (SELECT *, CASE WHEN t - lag(t) OVER (PARTITION BY k ORDER BY t, seq) <= ${gap} AND NOT touches THEN 0 ELSE 1 END AS brk FROM a),
               c AS (SELECT *, sum(brk) OVER (PARTITION BY k ORDER BY t, seq ROWS UNBOUNDED PRECEDING) AS sid FROM b)
          SELECT k, min(t) AS ws, max(t) + ${gap} AS we, ${SQL_AGGS} FROM c GROUP BY k, sid`);
        same(seed, `session ${gap}`, bag(windowRows(join(b.dir, 'out.jsonl')), OUT_FIELDS, ['vs']), bag(expected, OUT_FIELDS, ['vs']));
        const lateSql = await duck.query(`SELECT k, v, w, c, t FROM rows JOIN acc USING (seq) WHERE acc.late`);
        same(seed, `session late rows`, bag(lateRows(join(b.dir, 'late.jsonl')), LATE_FIELDS), bag(lateSql, LATE_FIELDS));
        lateSeen += lateSql.length;
      }
      expect(lateSeen).toBeGreaterThan(0);
      // The boundaries the rule is about were exercised, not only rows far from them.
      if (list.length > 1) {
        expect(exact, 'accepted rows exactly the gap after the previous one').toBeGreaterThan(0);
        expect(boundary, 'rows whose gap ends exactly at the watermark').toBeGreaterThan(0);
      }
      if (process.env.FLOWC_DIFF_SEEDS) {
        console.log(`session ${gap}ms over ${list.length} seeds: ${lateSeen} late rows, ${exact} accepted rows exactly the gap apart, ${boundary} rows at the lateness boundary, ${touching} touching a fired session`);
      }
    }, timeLimit());
  }
});

describe('top N per key and window vs SQL RANK', () => {
  for (const ties of [false, true]) {
    it(`top 3 by v desc${ties ? ' with ties' : ''}`, async () => {
      const size = 2000;
      const delay = 400;
      const b = await build(`${EV}
source s: E = file("in.jsonl") event time t watermark ${delay}ms
let best = s | key by k | window tumbling ${size}ms | top 3 by v desc${ties ? ' with ties' : ''}
let overall = s | window tumbling ${size}ms | top 2 by w
sink best -> file("out.jsonl")
sink overall -> file("overall.jsonl")
sink late(best) -> file("late.jsonl")
`);
      const fields = ['k', 'v', 'w', 'c', 't', 'rank'];
      for (const seed of seeds(7 + (ties ? 1 : 0), 6)) {
        const rows = generate(seed, { ...shape(seed, delay, size), vRange: 8 });
        await runOne(b, seed, rows, delay);
        const expected = await duck.query(`
          WITH x AS (SELECT *, t - (t % ${size}) AS ws FROM rows WHERE t - (t % ${size}) + ${size} > wm),
               r AS (SELECT *, rank() OVER (PARTITION BY k, ws ORDER BY v DESC) AS rank,
                               row_number() OVER (PARTITION BY k, ws ORDER BY v DESC, seq) AS rn FROM x)
          SELECT k, v, w, c, t, rank FROM r WHERE ${ties ? 'rank' : 'rn'} <= 3`);
        same(seed, `top 3${ties ? ' with ties' : ''}`, bag(lateRows(join(b.dir, 'out.jsonl')), fields), bag(expected, fields));
        const overall = await duck.query(`
          WITH x AS (SELECT *, t - (t % ${size}) AS ws FROM rows WHERE t - (t % ${size}) + ${size} > wm),
               r AS (SELECT *, rank() OVER (PARTITION BY ws ORDER BY w) AS rank FROM x)
          SELECT k, v, w, c, t, rank FROM r WHERE rank <= 2`);
        same(seed, 'top 2 overall', bag(lateRows(join(b.dir, 'overall.jsonl')), fields), bag(overall, fields));
        const late = await duck.query(`SELECT k, v, w, c, t FROM rows WHERE t - (t % ${size}) + ${size} <= wm`);
        same(seed, 'top late rows', bag(lateRows(join(b.dir, 'late.jsonl')), LATE_FIELDS), bag(late, LATE_FIELDS));
      }
    }, timeLimit());
  }
});

describe('dedup vs a recursive SQL scan per key', () => {
  it('dedup by k within D, in arrival order', async () => {
    const within = 1500;
    const delay = 300;
    const b = await build(`${EV}
source s: E = file("in.jsonl") event time t watermark ${delay}ms
sink s | dedup by k within ${within}ms | select { w } -> file("out.jsonl")
`);
    for (const seed of seeds(9, 6)) {
      const rows = generate(seed, shape(seed, delay, within));
      await runOne(b, seed, rows, delay);
      // Per key in arrival order: the reference is the last kept row; a row within D of it is
      // dropped unless the watermark has passed the reference by D.
      const expected = await duck.query(`
        WITH RECURSIVE n AS (SELECT *, row_number() OVER (PARTITION BY k ORDER BY seq) AS rn FROM rows),
        r AS (
          SELECT k, rn, seq, t AS ref, true AS kept FROM n WHERE rn = 1
          UNION ALL
          SELECT n.k, n.rn, n.seq,
                 CASE WHEN abs(n.t - r.ref) < ${within} AND r.ref + ${within} > n.wm THEN r.ref ELSE n.t END,
                 NOT (abs(n.t - r.ref) < ${within} AND r.ref + ${within} > n.wm)
          FROM r JOIN n ON n.k = r.k AND n.rn = r.rn + 1
        )
        SELECT rows.w FROM r JOIN rows USING (seq) WHERE r.kept ORDER BY seq`);
      const actual = readJsonl(join(b.dir, 'out.jsonl'));
      same(seed, 'dedup (in order)', actual.map((x) => JSON.stringify([x.w])), expected.map((x) => JSON.stringify([x.w])));
    }
  }, timeLimit());
});
