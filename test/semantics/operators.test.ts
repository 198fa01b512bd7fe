/**
 * End to end: Flow text → bundle → `node job.mjs` in a temp folder → output files, for the
 * operators' semantics (lang/reference.md §4–§6) on small hand-made inputs.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, run, readJsonl, writeJsonl, cleanup, iso } from './harness.ts';

afterAll(cleanup);

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);
const at = (s: number) => iso(T0 + s * 1000);

describe('process: keyed state, timers, clear', () => {
  it('runs the §6 example: jumps on record, a timer per reading, clear on timer', async () => {
    const b = await build(`
type Reading = { sensor: string, temp: float, at: timestamp }
source readings: Reading = file("in.jsonl") event time at
let jumps = readings
  | key by sensor
  | process {
      state last: float? = null
      state seen: int = 0
      on record {
        if last != null and abs(temp - (last ?? 0.0)) > 10.0 {
          emit { sensor, jump: temp - (last ?? 0.0), at }
        }
        last = temp
        seen = seen + 1
        timer at + 10m
      }
      on timer {
        emit { sensor: key.sensor, jump: to_float(seen), at: timer_time }
        clear
      }
    }
sink jumps -> file("out.jsonl")
`);
    writeJsonl(join(b.dir, 'in.jsonl'), [
      { sensor: 'a', temp: 1.0, at: at(0) },
      { sensor: 'a', temp: 20.0, at: at(60) },
      { sensor: 'b', temp: 5.0, at: at(120) },
      { sensor: 'a', temp: 21.0, at: at(1200) },
      { sensor: 'a', temp: 50.0, at: at(1260) },
    ]);
    const r = run(b);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readJsonl(join(b.dir, 'out.jsonl'))).toEqual([
      { sensor: 'a', jump: 19.0, at: at(60) },
      // The reading at 20:00 moves the watermark past 10:00 and 11:00 after it is processed
      // (a watermark follows its record), so the first timer sees 3 readings, then clears.
      { sensor: 'a', jump: 3.0, at: at(600) },
      { sensor: 'a', jump: 0.0, at: at(660) },
      { sensor: 'b', jump: 1.0, at: at(720) },
      // After the clear, the reading at 21:00 finds no `last`: no jump is emitted for 50.0.
      { sensor: 'a', jump: 1.0, at: at(1800) },
      { sensor: 'a', jump: 0.0, at: at(1860) },
    ]);
  });
});

describe('union: the watermark is the minimum over the inputs', () => {
  it('a row is late only against the slower input', async () => {
    const b = await build(`
type E = { k: string, v: int, at: timestamp }
source fast: E = file("fast.jsonl") event time at
source slow: E = file("slow.jsonl") event time at
let counts = union(fast, slow) | key by k | window tumbling 10s | aggregate { n: count(), s: sum(v) }
sink counts -> file("counts.jsonl")
sink late(counts) -> file("late.jsonl")
`);
    // fast is read first (round robin): its watermark reaches 100s, but slow's is -∞ until its
    // batch, so slow's rows are judged against slow's own watermark, the minimum.
    writeJsonl(join(b.dir, 'fast.jsonl'), [{ k: 'a', v: 1, at: at(100) }]);
    writeJsonl(join(b.dir, 'slow.jsonl'), [
      { k: 'a', v: 2, at: at(3) }, { k: 'a', v: 4, at: at(30) }, { k: 'a', v: 8, at: at(4) }, { k: 'a', v: 16, at: at(35) },
    ]);
    const r = run(b);
    expect(r.status, r.stderr).toBe(0);
    expect(readJsonl(join(b.dir, 'counts.jsonl')).map((x) => [x.window_start, x.n, x.s])).toEqual([
      [at(0), 1, 2], [at(30), 2, 20], [at(100), 1, 1],
    ]);
    // slow's row at 4s came after its own watermark reached 30s: [0,10) had ended.
    expect(readJsonl(join(b.dir, 'late.jsonl'))).toEqual([{ k: 'a', v: 8, at: at(4) }]);
  });
});

describe('windows feeding windows', () => {
  it('a fired row carries event time end - 1ms, so it stays in the same minute downstream', async () => {
    const b = await build(`
type Click = { page: string, at: timestamp }
source clicks: Click = file("in.jsonl") event time at watermark 2s
let per_page = clicks | key by page | window tumbling 1m | aggregate { views: count() }
let pages = per_page | window tumbling 1m | aggregate { pages: count(), views: sum(views), last_end: max(window_end) }
let best = per_page | window tumbling 1m | top 1 by views desc
sink pages -> file("pages.jsonl")
sink best -> file("top.jsonl")
sink late(pages) -> file("late.jsonl")
`);
    writeJsonl(join(b.dir, 'in.jsonl'), [
      { page: '/', at: at(1) }, { page: '/a', at: at(2) }, { page: '/', at: at(59) },
      { page: '/a', at: at(61) }, { page: '/a', at: at(70) }, { page: '/', at: at(130) },
    ]);
    const r = run(b);
    expect(r.status, r.stderr).toBe(0);
    expect(readJsonl(join(b.dir, 'pages.jsonl'))).toEqual([
      { window_start: at(0), window_end: at(60), pages: 2, views: 3, last_end: at(60) },
      { window_start: at(60), window_end: at(120), pages: 1, views: 2, last_end: at(120) },
      { window_start: at(120), window_end: at(180), pages: 1, views: 1, last_end: at(180) },
    ]);
    expect(readJsonl(join(b.dir, 'top.jsonl')).map((x) => [x.page, x.views, x.rank])).toEqual([['/', 2, 1], ['/a', 2, 1], ['/', 1, 1]]);
    expect(readJsonl(join(b.dir, 'late.jsonl'))).toEqual([]);
  });
});

describe('lookup', () => {
  const flow = (keep: boolean) => `
type Click = { user: string, page: string, at: timestamp }
type User = { id: string, name: string, plan: string? }
source clicks: Click = file("clicks.jsonl") event time at
table users: User = file("users.csv") key id
let enriched = clicks
  | lookup users as u on user == u.id${keep ? ' keep unmatched' : ''}
  | select { user, page, name: u.name, plan: u.plan }
sink enriched -> file("out.jsonl")
`;
  const inputs = (dir: string) => {
    writeFileSync(join(dir, 'users.csv'), 'id,name,plan\nu1,"Ada, Countess",pro\nu2,Bob,\nu1,Ada,free\n');
    writeJsonl(join(dir, 'clicks.jsonl'), [
      { user: 'u1', page: '/', at: at(1) }, { user: 'u3', page: '/x', at: at(2) }, { user: 'u2', page: '/y', at: at(3) },
    ]);
  };

  it('enriches from a table loaded before the job starts; the last row of a key wins', async () => {
    const b = await build(flow(false));
    inputs(b.dir);
    const r = run(b);
    expect(r.status, r.stderr).toBe(0);
    expect(readJsonl(join(b.dir, 'out.jsonl'))).toEqual([
      { user: 'u1', page: '/', name: 'Ada', plan: 'free' },
      { user: 'u2', page: '/y', name: 'Bob', plan: null },
    ]);
  });

  it('keep unmatched keeps the row with the table\'s fields null', async () => {
    const b = await build(flow(true));
    inputs(b.dir);
    const r = run(b);
    expect(r.status, r.stderr).toBe(0);
    expect(readJsonl(join(b.dir, 'out.jsonl'))).toEqual([
      { user: 'u1', page: '/', name: 'Ada', plan: 'free' },
      { user: 'u3', page: '/x', name: null, plan: null },
      { user: 'u2', page: '/y', name: 'Bob', plan: null },
    ]);
  });

  it('a missing table file stops the job before it starts, naming the table', async () => {
    const b = await build(flow(true));
    writeJsonl(join(b.dir, 'clicks.jsonl'), []);
    const r = run(b);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/users/);
    expect(r.stderr).toMatch(/users\.csv/);
    expect(r.stderr).toMatch(/no such file/);
  });
});

describe('unnest and dedup', () => {
  it('unnest gives one row per element; dedup keeps the first of a key within D', async () => {
    const b = await build(`
type Order = { id: string, items: [string], at: timestamp }
source orders: Order = file("in.jsonl") event time at watermark 1m
let items = orders | unnest items as item | select { id, item, at }
let first_orders = orders | dedup by id within 10s | select { id, at }
sink items -> file("items.jsonl")
sink first_orders -> file("dedup.jsonl")
`);
    writeJsonl(join(b.dir, 'in.jsonl'), [
      { id: 'o1', items: ['a', 'b'], at: at(0) },
      { id: 'o1', items: [], at: at(5) },
      { id: 'o2', items: ['c'], at: at(7) },
      { id: 'o1', items: ['d'], at: at(10) },
      { id: 'o1', items: ['e'], at: at(-3) },
    ]);
    const r = run(b);
    expect(r.status, r.stderr).toBe(0);
    expect(readJsonl(join(b.dir, 'items.jsonl')).map((x) => `${x.id}:${x.item}`)).toEqual(['o1:a', 'o1:b', 'o2:c', 'o1:d', 'o1:e']);
    // o1 at 10s is 10s after the kept 0s: kept, and the new reference; o1 at -3s is 13s before it.
    expect(readJsonl(join(b.dir, 'dedup.jsonl'))).toEqual([
      { id: 'o1', at: at(0) }, { id: 'o2', at: at(7) }, { id: 'o1', at: at(10) }, { id: 'o1', at: at(-3) },
    ]);
  });
});

describe('sessions and sliding windows end to end', () => {
  it('late(L) receives the rows that missed every window; output is deterministic', async () => {
    const b = await build(`
type E = { k: string, v: int, at: timestamp }
source s: E = file("in.jsonl") event time at watermark 5s
let sess = s | key by k | window session 10s | aggregate { n: count(), vs: collect(v) }
let slid = s | key by k | window sliding 20s every 10s | aggregate { n: count(), total: sum(v) }
sink sess -> file("sessions.jsonl")
sink slid -> file("sliding.jsonl")
sink late(sess) -> file("late_sessions.jsonl")
sink late(slid) -> file("late_sliding.jsonl")
`);
    writeJsonl(join(b.dir, 'in.jsonl'), [
      { k: 'a', v: 1, at: at(0) }, { k: 'a', v: 2, at: at(8) }, { k: 'b', v: 3, at: at(9) },
      { k: 'a', v: 4, at: at(40) }, // watermark 35s: a's session [0,18) and b's [9,19) fire
      { k: 'a', v: 5, at: at(12) }, // 12 + 10 <= 35: late for sessions; its last sliding window [10,30) ended too
      { k: 'a', v: 6, at: at(31) }, // 41 > 35: a session; sliding [30,50) is open ([20,40) ended at 40 > 35? no: open)
    ]);
    const r = run(b);
    expect(r.status, r.stderr).toBe(0);
    expect(readJsonl(join(b.dir, 'sessions.jsonl')).map((x) => [x.k, x.window_start, x.window_end, x.n, x.vs])).toEqual([
      ['a', at(0), at(18), 2, [1, 2]],
      ['b', at(9), at(19), 1, [3]],
      ['a', at(31), at(50), 2, [4, 6]],
    ]);
    expect(readJsonl(join(b.dir, 'late_sessions.jsonl'))).toEqual([{ k: 'a', v: 5, at: at(12) }]);
    expect(readJsonl(join(b.dir, 'late_sliding.jsonl'))).toEqual([{ k: 'a', v: 5, at: at(12) }]);
    expect(readJsonl(join(b.dir, 'sliding.jsonl')).map((x) => [x.k, x.window_start, x.n, x.total])).toEqual([
      ['a', at(-10), 2, 3], ['b', at(-10), 1, 3],
      ['a', at(0), 2, 3], ['b', at(0), 1, 3],
      ['a', at(20), 1, 6],
      ['a', at(30), 2, 10],
      ['a', at(40), 1, 4],
    ]);
    const first = readFileSync(join(b.dir, 'sliding.jsonl'), 'utf8') + readFileSync(join(b.dir, 'sessions.jsonl'), 'utf8');
    expect(run(b).status).toBe(0);
    expect(readFileSync(join(b.dir, 'sliding.jsonl'), 'utf8') + readFileSync(join(b.dir, 'sessions.jsonl'), 'utf8')).toBe(first);
  });
});
