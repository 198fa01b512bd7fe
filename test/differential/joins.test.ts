/**
 * Differential tests for operators with two inputs (interval join, window join, union) and for
 * lookup: random inputs on two sources read round robin in batches, the watermark each row meets
 * simulated, DuckDB as the oracle over the rows on time.
 *
 *   FLOWC_DIFF_SEEDS=200 npx vitest run test/differential     more seeds
 *   FLOWC_DIFF_SEED=3007 npx vitest run test/differential     one seed (as printed on failure)
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { build, run, readJsonl, writeJsonl, cleanup, type Built } from '../semantics/harness.ts';
import { Duck, generate, watermarks, sqlWm, bag, same, seeds, rng, T0, timeLimit, type Ev } from './oracle.ts';

let duck: Duck;
beforeAll(async () => { duck = await Duck.open(); });
afterAll(cleanup);

const SIDE = { seq: 'BIGINT', k: 'VARCHAR', t: 'BIGINT', wm: 'BIGINT' };

interface Pair { a: Ev[]; b: Ev[]; da: number; db: number }

/** Two inputs with their own pace, disorder and delay, over a shared key space. */
function inputs(seed: number, size: number, da: number, db: number): Pair {
  const r = rng(seed * 31337);
  const keys = 1 + Math.floor(r() * 60);
  const step = Math.max(1, Math.floor(size / (1 + r() * 8)));
  const common = { keys, step, lateShare: r() * 0.12, lateLag: Math.floor(size * (0.5 + r() * 3)) };
  // One side often starts later or runs faster: the watermark is the slower side's.
  const a = generate(seed * 2, { ...common, n: 200 + Math.floor(r() * 2800), delay: da });
  const b = generate(seed * 2 + 1, { ...common, n: 200 + Math.floor(r() * 2800), delay: db, step: Math.max(1, Math.floor(step * (0.5 + r()))), start: T0 + Math.floor(r() * size * 5) });
  return { a, b, da, db };
}

/** Writes both inputs, runs the job, loads both sides (with the watermark each row met) into DuckDB. */
async function runPair(b: Built, seed: number, p: Pair, fields: [string, string]): Promise<void> {
  writeJsonl(join(b.dir, 'a.jsonl'), p.a.map((x) => ({ k: x.k, [fields[0]]: x.seq, t: x.t })));
  writeJsonl(join(b.dir, 'b.jsonl'), p.b.map((x) => ({ k: x.k, [fields[1]]: x.seq, t: x.t })));
  const r = run(b);
  if (r.status !== 0) throw new Error(`seed ${seed}: the job failed (${r.status}): ${r.stderr}`);
  const [wa, wb] = watermarks([p.a, p.b], [p.da, p.db]);
  await duck.load('a', join(b.dir, 'a.csv'), SIDE, p.a.map((x, i) => ({ seq: x.seq, k: x.k, t: x.t, wm: sqlWm(wa![i]!) })));
  await duck.load('b', join(b.dir, 'b.csv'), SIDE, p.b.map((x, i) => ({ seq: x.seq, k: x.k, t: x.t, wm: sqlWm(wb![i]!) })));
}

const windowCounts = (path: string) => readJsonl(path).map((r) => ({ ws: Date.parse(r.window_start as string), n: r.n }));

describe('interval join vs SQL join on |t_a - t_b| <= D', () => {
  for (const [within, da, db] of [[1000, 200, 0], [250, 0, 700]] as const) {
    it(`within ${within}ms, watermarks ${da}ms / ${db}ms`, async () => {
      const b = await build(`
type A = { k: string, aid: int, t: timestamp }
type B = { k: string, bid: int, t: timestamp }
source a: A = file("a.jsonl") event time t watermark ${da}ms
source b: B = file("b.jsonl") event time t watermark ${db}ms
let j = a | join b on a.k == b.k within ${within}ms | select { aid, bid }
let per = j | window tumbling 1000ms | aggregate { n: count() }
sink j -> file("out.jsonl")
sink per -> file("per.jsonl")
`);
      let pairs = 0;
      for (const seed of seeds(11 + (da > 0 ? 0 : 1), 5)) {
        const p = inputs(seed, within, da, db);
        await runPair(b, seed, p, ['aid', 'bid']);
        // A row behind the watermark (t < wm) is late and joins nothing.
        const on = `FROM a JOIN b ON a.k = b.k AND abs(a.t - b.t) <= ${within} WHERE a.t >= a.wm AND b.t >= b.wm`;
        const expected = await duck.query(`SELECT a.seq AS aid, b.seq AS bid ${on}`);
        same(seed, `interval join ${within}`, bag(readJsonl(join(b.dir, 'out.jsonl')), ['aid', 'bid']), bag(expected, ['aid', 'bid']));
        // A pair's event time is the later of the two.
        const per = await duck.query(`SELECT greatest(a.t, b.t) - (greatest(a.t, b.t) % 1000) AS ws, count(*) AS n ${on} GROUP BY ws`);
        same(seed, 'interval join output time', bag(windowCounts(join(b.dir, 'per.jsonl')), ['ws', 'n']), bag(per, ['ws', 'n']));
        pairs += expected.length;
      }
      expect(pairs).toBeGreaterThan(0);
    }, timeLimit());
  }
});

describe('window join vs SQL join on the same window', () => {
  it('window tumbling D: pairs per key and window, emitted at end - 1ms', async () => {
    const size = 1000;
    const b = await build(`
type A = { k: string, aid: int, t: timestamp }
type B = { k: string, bid: int, t: timestamp }
source a: A = file("a.jsonl") event time t watermark 300ms
source b: B = file("b.jsonl") event time t watermark 100ms
let j = a | join b on a.k == b.k window tumbling ${size}ms | select { aid, bid }
let per = j | window tumbling ${size}ms | aggregate { n: count() }
sink j -> file("out.jsonl")
sink per -> file("per.jsonl")
`);
    for (const seed of seeds(13, 5)) {
      const p = inputs(seed, size, 300, 100);
      await runPair(b, seed, p, ['aid', 'bid']);
      const on = `FROM a JOIN b ON a.k = b.k AND a.t - (a.t % ${size}) = b.t - (b.t % ${size})
        WHERE a.t - (a.t % ${size}) + ${size} > a.wm AND b.t - (b.t % ${size}) + ${size} > b.wm`;
      const expected = await duck.query(`SELECT a.seq AS aid, b.seq AS bid ${on}`);
      same(seed, 'window join', bag(readJsonl(join(b.dir, 'out.jsonl')), ['aid', 'bid']), bag(expected, ['aid', 'bid']));
      const per = await duck.query(`SELECT a.t - (a.t % ${size}) AS ws, count(*) AS n ${on} GROUP BY ws`);
      same(seed, 'window join output time', bag(windowCounts(join(b.dir, 'per.jsonl')), ['ws', 'n']), bag(per, ['ws', 'n']));
    }
  }, timeLimit());
});

describe('union vs SQL UNION ALL, watermark = the minimum of the inputs', () => {
  it('union(a, b) | key by k | window tumbling: aggregates and late rows', async () => {
    const size = 500;
    const b = await build(`
type E = { k: string, id: int, t: timestamp }
source a: E = file("a.jsonl") event time t watermark 100ms
source b: E = file("b.jsonl") event time t watermark 0ms
let agg = union(a, b) | key by k | window tumbling ${size}ms | aggregate { n: count(), ids: collect(id) }
sink agg -> file("out.jsonl")
sink late(agg) -> file("late.jsonl")
`);
    let lateSeen = 0;
    for (const seed of seeds(14, 5)) {
      const p = inputs(seed, size, 100, 0);
      p.b = p.b.map((x) => ({ ...x, seq: x.seq + 100_000 }));
      writeJsonl(join(b.dir, 'a.jsonl'), p.a.map((x) => ({ k: x.k, id: x.seq, t: x.t })));
      writeJsonl(join(b.dir, 'b.jsonl'), p.b.map((x) => ({ k: x.k, id: x.seq, t: x.t })));
      const r = run(b);
      if (r.status !== 0) throw new Error(`seed ${seed}: the job failed: ${r.stderr}`);
      // The union's watermark is the minimum over both inputs, as each row arrives.
      const [wa, wb] = watermarks([p.a, p.b], [100, 0]);
      const rows = [...p.a.map((x, i) => ({ ...x, wm: sqlWm(wa![i]!) })), ...p.b.map((x, i) => ({ ...x, wm: sqlWm(wb![i]!) }))];
      await duck.load('u', join(b.dir, 'u.csv'), SIDE, rows);
      const expected = await duck.query(`
        SELECT k, t - (t % ${size}) AS ws, count(*) AS n, list(seq) AS ids FROM u
        WHERE t - (t % ${size}) + ${size} > wm GROUP BY k, ws`);
      const actual = readJsonl(join(b.dir, 'out.jsonl')).map((x) => ({ ...x, ws: Date.parse(x.window_start as string) }));
      same(seed, 'union + tumbling', bag(actual, ['k', 'ws', 'n', 'ids'], ['ids']), bag(expected, ['k', 'ws', 'n', 'ids'], ['ids']));
      const late = await duck.query(`SELECT seq AS id FROM u WHERE t - (t % ${size}) + ${size} <= wm`);
      same(seed, 'union late rows', bag(readJsonl(join(b.dir, 'late.jsonl')), ['id']), bag(late, ['id']));
      lateSeen += late.length;
    }
    expect(lateSeen).toBeGreaterThan(0);
  }, timeLimit());
});

describe('lookup vs SQL LEFT JOIN / JOIN on the table (last row of a key wins)', () => {
  it('lookup, with and without keep unmatched, in input order', async () => {
    const b = await build(`
type A = { k: string, aid: int, t: timestamp }
type U = { id: string, score: int, tag: string? }
source a: A = file("a.jsonl") event time t
table users: U = file("users.csv") key id
let kept = a | lookup users as u on k == u.id keep unmatched | select { aid, score: u.score, tag: u.tag }
let matched = a | lookup users as u on k == u.id | select { aid, score: u.score, tag: u.tag }
sink kept -> file("kept.jsonl")
sink matched -> file("matched.jsonl")
`);
    for (const seed of seeds(15, 5)) {
      const r0 = rng(seed);
      const p = inputs(seed, 1000, 0, 0);
      const keys = new Set(p.a.map((x) => x.k));
      const table: { line: number; id: string; score: number; tag: string | null }[] = [];
      let line = 1;
      for (const k of keys) {
        if (r0() < 0.3) continue; // unmatched keys
        const copies = r0() < 0.2 ? 2 : 1; // a repeated key: the last row wins
        for (let c = 0; c < copies; c++) table.push({ line: ++line, id: k, score: Math.floor(r0() * 1000) - 500, tag: r0() < 0.3 ? null : `t,${Math.floor(r0() * 9)}` });
      }
      const cell = (s: string | null) => (s === null ? '' : `"${s.replace(/"/g, '""')}"`);
      writeFileSync(join(b.dir, 'users.csv'), ['id,score,tag', ...table.map((u) => `${u.id},${u.score},${cell(u.tag)}`)].join('\n') + '\n');
      await runPair(b, seed, p, ['aid', 'bid']);
      await duck.load('users', join(b.dir, 'users-oracle.csv'), { line: 'BIGINT', id: 'VARCHAR', score: 'BIGINT', tag: 'VARCHAR' }, table);
      const last = `(SELECT * FROM users QUALIFY row_number() OVER (PARTITION BY id ORDER BY line DESC) = 1)`;
      const fields = ['aid', 'score', 'tag'];
      const kept = await duck.query(`SELECT a.seq AS aid, u.score, u.tag FROM a LEFT JOIN ${last} u ON a.k = u.id ORDER BY a.seq`);
      same(seed, 'lookup keep unmatched', readJsonl(join(b.dir, 'kept.jsonl')).map((x) => JSON.stringify(fields.map((f) => x[f]))),
        kept.map((x) => JSON.stringify(fields.map((f) => (f === 'tag' ? x[f] : x[f] === null ? null : Number(x[f]))))));
      const matched = await duck.query(`SELECT a.seq AS aid, u.score, u.tag FROM a JOIN ${last} u ON a.k = u.id ORDER BY a.seq`);
      same(seed, 'lookup', readJsonl(join(b.dir, 'matched.jsonl')).map((x) => JSON.stringify(fields.map((f) => x[f]))),
        matched.map((x) => JSON.stringify(fields.map((f) => (f === 'tag' ? x[f] : Number(x[f]))))));
    }
  }, timeLimit());
});
