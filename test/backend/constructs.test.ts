/**
 * End to end, one construct at a time: each job is compiled, bundled, run with plain node in an
 * empty folder holding its inputs, fused and unfused; both runs must write the same bytes, and
 * those bytes are checked against hand-computed expectations.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBoth, jsonl, withInputs, buildText, runJob, type Run } from './helpers.ts';

const ev = [
  { user: 'a', page: '/x', n: 1, tags: ['p', 'q'], at: '2024-05-01T10:00:01Z' },
  { user: 'b', page: '/x', n: 2, tags: [], at: '2024-05-01T10:00:02Z' },
  { user: 'a', page: '/y', n: 3, tags: ['r'], at: '2024-05-01T10:00:40Z' },
  { user: 'a', page: '/x', n: 4, tags: ['p'], at: '2024-05-01T10:01:05Z' },
  { user: 'c', page: '/y', n: 5, tags: ['z'], at: '2024-05-01T10:02:30Z' },
  { user: 'a', page: '/x', n: 6, tags: null, at: '2024-05-01T10:00:03Z' },
  { user: 'b', page: '/y', n: 7, tags: ['q'], at: '2024-05-01T10:05:00Z' },
];
const evJsonl = ev.map((e) => JSON.stringify(e)).join('\n') + '\n';
const header = `type Ev = { user: string, page: string, n: int, tags: [string]?, at: timestamp }
source ev: Ev = file("ev.jsonl") event time at watermark 10s
`;

/** Runs fused and unfused, checks they agree and succeeded, returns the fused run. */
async function same(flow: string, inputs: Record<string, string> = { 'ev.jsonl': evJsonl }, args: string[] = []): Promise<Run> {
  const { fused, unfused } = await runBoth(flow, inputs, args);
  expect(fused.stderr).toBe('');
  expect(fused.status).toBe(0);
  expect(unfused.status).toBe(0);
  expect(unfused.stdout).toBe(fused.stdout);
  expect(unfused.stderr).toBe(fused.stderr);
  expect(unfused.files).toEqual(fused.files);
  return fused;
}

describe('constructs, fused and unfused', () => {
  it('where, select, extend: nulls, builtins and constant folding', async () => {
    const r = await same(`${header}
let v = ev
  | where n > 1 + 1 and page != ""
  | select { user, tags, big: n * 1000 / 4, label: upper(user) + ":" + page, first_tag: if length(tags ?? []) > 0 then (tags ?? [])[0] ?? "-" else "-" }
  | extend { big: big + 0.5, k: 2 * 3 }
sink v -> file("out/v.jsonl")
`.replace('(tags ?? [])[0] ?? "-"', 'split_index(page, "/", 1) ?? "-"'));
    expect(jsonl(r.files.get('out/v.jsonl'))).toEqual([
      { user: 'a', tags: ['r'], big: 750.5, label: 'A:/y', first_tag: 'y', k: 6 },
      { user: 'a', tags: ['p'], big: 1000.5, label: 'A:/x', first_tag: 'x', k: 6 },
      { user: 'c', tags: ['z'], big: 1250.5, label: 'C:/y', first_tag: 'y', k: 6 },
      { user: 'a', tags: null, big: 1500.5, label: 'A:/x', first_tag: '-', k: 6 },
      { user: 'b', tags: ['q'], big: 1750.5, label: 'B:/y', first_tag: 'y', k: 6 },
    ]);
  });

  it('tumbling window keyed count, late rows and bad records', async () => {
    const input = `${evJsonl}{"user":"x","page":"/z","n":"many","at":"2024-05-01T10:06:00Z"}\nnot json\n`;
    const r = await same(`${header}
let per_min = ev | key by page | window tumbling 1m | aggregate { views: count(), total: sum(n), users: count_distinct(user) }
sink per_min -> file("out/per_min.jsonl")
sink late(per_min) -> file("out/late.jsonl")
sink errors(ev) -> file("out/bad.jsonl")
`, { 'ev.jsonl': input });
    expect(jsonl(r.files.get('out/per_min.jsonl')).map((x) => [x.page, x.window_start, x.views, x.total, x.users])).toEqual([
      ['/x', '2024-05-01T10:00:00.000Z', 2, 3, 2],
      ['/y', '2024-05-01T10:00:00.000Z', 1, 3, 1],
      ['/x', '2024-05-01T10:01:00.000Z', 1, 4, 1],
      ['/y', '2024-05-01T10:02:00.000Z', 1, 5, 1],
      ['/y', '2024-05-01T10:05:00.000Z', 1, 7, 1],
    ]);
    // The 10:00:03 row arrives when the watermark is 10:02:20: its window has fired.
    expect(jsonl(r.files.get('out/late.jsonl'))).toEqual([{ user: 'a', page: '/x', n: 6, tags: null, at: '2024-05-01T10:00:03.000Z' }]);
    expect(jsonl(r.files.get('out/bad.jsonl'))).toEqual([
      { source: 'ev', position: 8, raw: '{"user":"x","page":"/z","n":"many","at":"2024-05-01T10:06:00Z"}', error: 'field "n": expected int, found "many"' },
      { source: 'ev', position: 9, raw: 'not json', error: expect.stringMatching(/^invalid JSON: /) },
    ]);
  });

  it('sliding window with a composite key and every accumulator', async () => {
    const r = await same(`${header}
let s = ev | key by user, page | window sliding 1m every 30s
  | aggregate { c: count(), s: sum(n), mx: max(n), mn: min(n), f: first(n), l: last(n), mb: max_by(page, n), col: collect(n), avg: avg(n), odd: count_if(n % 2 == 1) }
sink s -> file("out/s.jsonl")
`);
    const rows = jsonl(r.files.get('out/s.jsonl'));
    expect(rows.map((x) => `${x.user}${x.page} ${String(x.window_start).slice(11, 19)} c${x.c} s${x.s}`)).toEqual([
      'a/x 09:59:30 c1 s1', 'b/x 09:59:30 c1 s2',
      'a/x 10:00:00 c1 s1', 'b/x 10:00:00 c1 s2', 'a/y 10:00:00 c1 s3',
      'a/y 10:00:30 c1 s3', 'a/x 10:00:30 c1 s4',
      'a/x 10:01:00 c1 s4',
      'c/y 10:02:00 c1 s5', 'c/y 10:02:30 c1 s5',
      'b/y 10:04:30 c1 s7', 'b/y 10:05:00 c1 s7',
    ]);
    expect(rows[0]).toEqual({ user: 'a', page: '/x', window_start: '2024-05-01T09:59:30.000Z', window_end: '2024-05-01T10:00:30.000Z', c: 1, s: 1, mx: 1, mn: 1, f: 1, l: 1, mb: '/x', col: [1], avg: 1.0, odd: 1 });
  });

  it('session windows merge rows at most the gap apart', async () => {
    const r = await same(`${header}
let sess = ev | key by user | window session 30s | aggregate { c: count(), pages: count_distinct(page), last_n: last(n) }
sink sess -> file("out/sess.jsonl")
`);
    expect(jsonl(r.files.get('out/sess.jsonl')).map((x) => `${x.user} ${String(x.window_start).slice(11, 19)}-${String(x.window_end).slice(11, 19)} ${x.c} ${x.pages} ${x.last_n}`)).toEqual([
      'a 10:00:01-10:00:31 1 1 1',
      'b 10:00:02-10:00:32 1 1 2',
      'a 10:00:40-10:01:35 2 2 4',
      'c 10:02:30-10:03:00 1 1 5',
      'b 10:05:00-10:05:30 1 1 7',
    ]);
  });

  it('session windows as in Flink: the gap inclusive, lateness only strictly behind the watermark', async () => {
    const T = Date.UTC(2024, 4, 1, 10);
    const row = (k: string, v: number, s: number) => JSON.stringify({ k, v, at: new Date(T + s * 1000).toISOString() });
    const input = [
      row('a', 1, 0), row('a', 2, 10), // exactly the gap apart: one session [0s, 20s)
      row('b', 3, 0),
      row('c', 4, 30), // watermark 25s: b's [0s, 10s) and a's [0s, 20s) fire
      row('b', 5, 15), // 15s + 10s == the watermark: accepted; its session [15s, 25s) fires at once
      row('b', 6, 14), // 24s < 25s: late
      row('a', 7, 20), // exactly at the end of a's fired session: a new session next to it
      row('a', 8, 19), // inside a's fired session: late
    ].join('\n') + '\n';
    const r = await same(`type E = { k: string, v: int, at: timestamp }
source s: E = file("s.jsonl") event time at watermark 5s
let sess = s | key by k | window session 10s | aggregate { n: count(), vs: collect(v) }
sink sess -> file("out/sess.jsonl")
sink late(sess) -> file("out/late.jsonl")
`, { 's.jsonl': input });
    const secs = (x: unknown) => (Date.parse(String(x)) - T) / 1000;
    expect(jsonl(r.files.get('out/sess.jsonl')).map((x) => [x.k, secs(x.window_start), secs(x.window_end), x.n, x.vs])).toEqual([
      ['b', 0, 10, 1, [3]],
      ['a', 0, 20, 2, [1, 2]],
      ['b', 15, 25, 1, [5]],
      ['a', 20, 30, 1, [7]],
      ['c', 30, 40, 1, [4]],
    ]);
    expect(jsonl(r.files.get('out/late.jsonl')).map((x) => x.v)).toEqual([6, 8]);
  });

  it('top with and without ties (rank as SQL RANK, ties by arrival)', async () => {
    const rows = [
      { k: 'g', v: 5, id: 1 }, { k: 'g', v: 7, id: 2 }, { k: 'g', v: 5, id: 3 }, { k: 'g', v: 5, id: 4 }, { k: 'g', v: 1, id: 5 },
    ].map((r, i) => JSON.stringify({ ...r, at: `2024-05-01T10:00:0${i}Z` })).join('\n') + '\n';
    const flow = (ties: boolean) => `type R = { k: string, v: int, id: int, at: timestamp }
source rs: R = file("rs.jsonl") event time at
let t = rs | key by k | window tumbling 1m | top 2 by v desc${ties ? ' with ties' : ''}
sink t | select { id, v, rank } -> file("out/t.csv")
`;
    const plain = await same(flow(false), { 'rs.jsonl': rows });
    expect(plain.files.get('out/t.csv')).toBe('id,v,rank\n2,7,1\n1,5,2\n');
    const ties = await same(flow(true), { 'rs.jsonl': rows });
    expect(ties.files.get('out/t.csv')).toBe('id,v,rank\n2,7,1\n1,5,2\n3,5,2\n4,5,2\n');
  });

  it('dedup by a field, and by the whole row', async () => {
    const r = await same(`${header}
sink ev | dedup by user within 1m | select { user, n } -> file("out/d1.jsonl")
sink ev | select { user, page } | dedup within 1h -> file("out/d2.jsonl")
`);
    expect(jsonl(r.files.get('out/d1.jsonl')).map((x) => `${x.user}${x.n}`)).toEqual(['a1', 'b2', 'a4', 'c5', 'a6', 'b7']);
    expect(jsonl(r.files.get('out/d2.jsonl')).map((x) => `${x.user}${x.page}`)).toEqual(['a/x', 'b/x', 'a/y', 'c/y', 'b/y']);
  });

  it('unnest, union and lookup (kept and dropped unmatched)', async () => {
    const r = await same(`${header}
type User = { id: string, name: string, tier: int }
table users: User = file("users.jsonl") key id
sink ev | unnest tags as tag | select { user, tag } -> file("out/un.jsonl")
sink union(ev | select { user, at }, ev | where n > 5 | select { user, at }) | select { user } -> file("out/uni.jsonl")
sink ev | lookup users as u on user == u.id keep unmatched | select { user, name: u.name, tier } -> file("out/keep.jsonl")
sink ev | lookup users on user == users.id | select { user, name } -> file("out/drop.jsonl")
`, { 'ev.jsonl': evJsonl, 'users.jsonl': '{"id":"a","name":"Ann","tier":1}\n{"id":"b","name":"Bob","tier":2}\n' });
    expect(jsonl(r.files.get('out/un.jsonl')).map((x) => `${x.user}${x.tag}`)).toEqual(['ap', 'aq', 'ar', 'ap', 'cz', 'bq']);
    expect(jsonl(r.files.get('out/uni.jsonl')).map((x) => x.user).join('')).toBe('abaacaab' + 'b');
    expect(jsonl(r.files.get('out/keep.jsonl')).map((x) => `${x.user}:${x.name}:${x.tier}`)).toEqual(['a:Ann:1', 'b:Bob:2', 'a:Ann:1', 'a:Ann:1', 'c:null:null', 'a:Ann:1', 'b:Bob:2']);
    expect(jsonl(r.files.get('out/drop.jsonl')).map((x) => x.user).join('')).toBe('abaaab');
  });

  it('interval and window joins over CSV and JSONL sources, with an extern fn', async () => {
    const orders = 'id,user,amount,at\n1,a,10.5,2024-05-01T10:00:01Z\n2,b,3,2024-05-01T10:00:20Z\n3,a,x,2024-05-01T10:00:30Z\n4,"c,d",7,2024-05-01T10:01:10Z\n5,a,1,2024-05-01T10:02:00Z\n';
    const pay = [
      { order: 1, user: 'a', ok: true, at: '2024-05-01T10:00:05Z' },
      { order: 2, user: 'b', ok: false, at: '2024-05-01T10:00:50Z' },
      { order: 4, user: 'c,d', ok: true, at: '2024-05-01T10:01:15Z' },
      { order: 5, user: 'a', ok: true, at: '2024-05-01T10:05:00Z' },
    ].map((x) => JSON.stringify(x)).join('\n') + '\n';
    const r = await same(`type Order = { id: int, user: string, amount: float, at: timestamp }
type Pay = { order: int, user: string, ok: bool, at: timestamp }
extern fn shout(s: string): string from "./udf.ts"
fn twice(x: float): float = x * 2.0
source orders: Order = file("orders.csv") event time at watermark 1s
source pay: Pay = file("pay.jsonl") event time at watermark 1s
let ij = orders as o | join pay as p on o.id == p.order and o.user == p.user within 30s
  | select { id: o.id, user: shout(o.user), amount: twice(o.amount), ok: p.ok, at: p.at }
let wj = orders as o | join pay as p on o.id == p.order window tumbling 1m | select { id: o.id, ou: o.user, pu: p.user }
sink ij -> file("out/ij.csv")
sink wj -> file("out/wj.jsonl")
sink errors(orders) -> file("out/bad.jsonl")
`, { 'orders.csv': orders, 'pay.jsonl': pay, 'udf.ts': 'export function shout(s: string): string { return s.toUpperCase() + "!"; }\n' });
    expect(r.files.get('out/ij.csv')).toBe('id,user,amount,ok,at\n1,A!,21.0,true,2024-05-01T10:00:05.000Z\n2,B!,6.0,false,2024-05-01T10:00:50.000Z\n4,"C,D!",14.0,true,2024-05-01T10:01:15.000Z\n');
    expect(jsonl(r.files.get('out/wj.jsonl'))).toEqual([{ id: 1, ou: 'a', pu: 'a' }, { id: 2, ou: 'b', pu: 'b' }, { id: 4, ou: 'c,d', pu: 'c,d' }]);
    expect(jsonl(r.files.get('out/bad.jsonl'))).toEqual([{ source: 'orders', position: 4, raw: '3,a,x,2024-05-01T10:00:30Z', error: 'field "amount": expected float, found "x"' }]);
  });

  it('process: keyed state, timers and clear', async () => {
    const r = await same(`${header}
let pr = ev | key by user | process {
  state total: int = 0
  state last: string? = null
  on record {
    total = total + n
    if total > 5 {
      emit { user, total, at, last: last ?? "-" }
      clear
    } else {
      last = page
    }
    timer at + 1m
  }
  on timer { emit { user: key.user, total: -1, at: timer_time, last: last } }
}
sink pr -> file("out/pr.jsonl")
`);
    expect(jsonl(r.files.get('out/pr.jsonl')).map((x) => `${x.user} ${x.total} ${String(x.at).slice(11, 19)} ${x.last}`)).toEqual([
      'a 8 10:01:05 /y',
      'a -1 10:01:01 null',
      'b -1 10:01:02 /x',
      'a -1 10:01:40 null',
      'a -1 10:02:05 null',
      'a 6 10:00:03 -',
      'a -1 10:01:03 null',
      'b 9 10:05:00 /x',
      'c -1 10:03:30 /y',
      'b -1 10:06:00 null',
    ]);
  });

  it('composite keys survive a checkpoint and restore', async () => {
    // The same job twice over the same input: in one go, and killed midway then restored; the
    // second run's output must equal the first's.
    const many = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ user: `u${i % 7}`, page: `/p${i % 3}`, n: i, tags: null, at: new Date(Date.UTC(2024, 4, 1, 10) + i * 1000).toISOString() })).join('\n') + '\n';
    const flow = `${header}
let c = ev | key by user, page | window tumbling 5m | aggregate { c: count(), s: sum(n) }
sink c -> file("out/c.jsonl")
`;
    const r = await same(flow, { 'ev.jsonl': many });
    const rows = jsonl(r.files.get('out/c.jsonl'));
    expect(rows.length).toBe(21 * 10);
    expect(rows.reduce((a, x) => a + (x.c as number), 0)).toBe(3000);
    for (const fuse of [true, false]) {
      const dir = withInputs({ 'ev.jsonl': many });
      const built = await buildText(flow, join(dir, 'job.flow'), join(dir, '.bin'), { fuse });
      const crashed = runJob(built.path, dir, ['--checkpoint-dir', 'ck'], undefined, { FLOWC_TEST_STOP_AFTER_CHECKPOINT: '1' });
      expect(crashed.status).toBe(75);
      const resumed = runJob(built.path, dir, ['--checkpoint-dir', 'ck']);
      expect(resumed.stderr).toBe('');
      expect(readFileSync(join(dir, 'out/c.jsonl'), 'utf8')).toBe(r.files.get('out/c.jsonl'));
    }
  });
});
