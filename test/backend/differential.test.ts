/**
 * Differential testing: the fused build and the unfused build (generic operator objects) of the
 * same job must write byte-identical output, on every sample and on randomized inputs (out of
 * order, late, null and malformed records) for a job that uses every operator.
 */
import { describe, it, expect } from 'vitest';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildText, compileFile, repoRoot, runJobAsync, sampleFiles, tempDir } from './helpers.ts';
import { readFileSync } from 'node:fs';

/** A folder holding the samples' data at the paths the samples use (relative to the working dir). */
function sampleWorkdir(): string {
  const dir = tempDir('flowc-diff-');
  for (const d of ['samples/data', 'samples/nexmark/data']) {
    if (existsSync(join(repoRoot, d))) cpSync(join(repoRoot, d), join(dir, d), { recursive: true });
  }
  return dir;
}

describe.concurrent('fused and unfused builds write the same bytes', () => {
  for (const file of sampleFiles()) {
    const name = relative(join(repoRoot, 'samples'), file);
    it(`sample ${name}`, async () => {
      const text = readFileSync(file, 'utf8');
      const c = compileFile(file);
      const params = [...c.typed.symbols.params.keys()];
      const args = params.includes('events') ? ['--param', 'events=8000'] : [];
      const runs = [];
      for (const fuse of [true, false]) {
        const dir = sampleWorkdir();
        const built = await buildText(text, file, join(dir, '.bin'), { fuse });
        runs.push(runJobAsync(built.path, dir, args));
      }
      const [fused, unfused] = await Promise.all(runs);
      expect(unfused.status).toBe(fused.status);
      expect(unfused.stderr).toBe(fused.stderr);
      expect(unfused.stdout).toBe(fused.stdout);
      fused.files.forEach((_, k) => { if (k.startsWith('.bin/')) fused.files.delete(k); });
      unfused.files.forEach((_, k) => { if (k.startsWith('.bin/')) unfused.files.delete(k); });
      expect([...unfused.files.keys()]).toEqual([...fused.files.keys()]);
      for (const [k, v] of fused.files) expect(unfused.files.get(k), k).toBe(v);
    });
  }
});

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const everything = `
type Ev = { user: string, page: string, n: int, score: float?, tags: [string]?, at: timestamp }
type Pay = { user: string, amount: float, at: timestamp }
type User = { id: string, tier: int, name: string? }
source ev: Ev = file("ev.jsonl") event time at watermark 20s
source pay: Pay = file("pay.csv") event time at watermark 5s
table users: User = file("users.jsonl") key id
fn bucket(x: int): int = x % 5

let clean = ev | where n >= 0 | extend { b: bucket(n), s2: (score ?? 0.5) * 2.0 }
let per_min = clean | key by page, b | window tumbling 1m
  | aggregate { c: count(), s: sum(n), sc: sum(score), av: avg(score), mn: min(score), mx: max(n), f: first(user), l: last(user),
                mb: min_by(user, n), xb: max_by(page, score), d: count_distinct(user), odd: count_if(n % 2 == 1), col: collect(b) }
let slide = clean | key by user | window sliding 2m every 30s | aggregate { c: count(), pages: count_distinct(page) }
let sess = clean | key by user, page | window session 45s | aggregate { c: count(), last_n: last(n) }
let glob = clean | window tumbling 90s | aggregate { c: count(), users: count_distinct(user) }
let best = clean | key by page | window tumbling 1m | top 2 by score desc with ties
let cheap = clean | window tumbling 2m | top 3 by n
let firsts = ev | dedup by user, page within 30s
let words = ev | unnest tags as tag | where tag != "" | select { user, tag, at }
let rich = ev as e | lookup users as u on e.user == u.id keep unmatched | select { user, tier: u.tier ?? -1, name: u.name ?? "?" }
let paid = ev as e | join pay as p on e.user == p.user within 40s | select { user: e.user, n: e.n, amount: p.amount, lag: e.at - p.at }
let wpaid = ev as e | join pay as p on e.user == p.user window tumbling 1m | select { user: e.user, page: e.page, amount: p.amount }
let both = union(ev | where n > 50 | select { user, at }, pay | select { user, at })
let streak = clean | key by user | process {
  state count: int = 0
  state total: float = 0.0
  state first_page: string? = null
  on record {
    count = count + 1
    total = total + s2
    if first_page == null { first_page = page }
    if count >= 3 { emit { user, count, total, first_page: first_page ?? "", at } clear }
    timer at + 1m
  }
  on timer {
    if count > 0 { emit { user: key.user, count: -count, total, first_page: first_page ?? "", at: timer_time } }
  }
}
sink per_min -> file("out/per_min.jsonl")
sink slide -> file("out/slide.csv")
sink sess -> file("out/sess.jsonl")
sink glob -> file("out/glob.jsonl")
sink best -> file("out/best.jsonl")
sink cheap | select { user, n, rank } -> file("out/cheap.csv")
sink firsts -> file("out/firsts.jsonl")
sink words -> file("out/words.jsonl")
sink rich -> file("out/rich.jsonl")
sink paid -> file("out/paid.jsonl")
sink wpaid -> file("out/wpaid.jsonl")
sink both -> file("out/both.jsonl")
sink streak -> file("out/streak.jsonl")
sink late(per_min) -> file("out/late.jsonl")
sink late(sess) -> file("out/late_sess.jsonl")
sink errors(ev) -> file("out/bad_ev.jsonl")
sink errors(pay) -> file("out/bad_pay.jsonl")
`;

function randomInputs(seed: number): Record<string, string> {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const users = ['ann', 'bob', 'cy', 'dee', 'eve', 'fox', 'bot "x"', 'ünï'];
  const pages = ['/', '/a', '/b', '/c,d', '/"q"'];
  const start = Date.UTC(2024, 4, 1, 10);
  let t = start;
  const ev: string[] = [];
  for (let i = 0; i < 1500; i++) {
    t += Math.floor(r() * 4000);
    const jitter = r() < 0.05 ? -Math.floor(r() * 300_000) : -Math.floor(r() * 25_000);
    const at = t + jitter;
    if (r() < 0.02) { ev.push(pick(['not json', '{"user": 1}', '[1,2]', `{"user":"ann","page":"/","n":1.5,"at":${at}}`, `{"user":"ann","page":"/","n":1,"at":"yesterday"}`])); continue; }
    const rec: Record<string, unknown> = {
      user: pick(users), page: pick(pages), n: Math.floor(r() * 100) - (r() < 0.05 ? 200 : 0),
      score: r() < 0.2 ? null : Math.round(r() * 1000) / 10,
      tags: r() < 0.2 ? null : Array.from({ length: Math.floor(r() * 3) }, () => pick(['x', 'y', '', 'z'])),
      at: r() < 0.5 ? new Date(at).toISOString() : at,
    };
    if (r() < 0.1) delete rec.score;
    ev.push(JSON.stringify(rec));
  }
  const pay = ['user,amount,at'];
  let tp = start;
  for (let i = 0; i < 300; i++) {
    tp += Math.floor(r() * 20_000);
    const u = pick(users);
    pay.push(`${/[",]/.test(u) ? `"${u.replace(/"/g, '""')}"` : u},${r() < 0.03 ? 'lots' : (Math.round(r() * 10_000) / 100).toString()},${new Date(tp - Math.floor(r() * 8000)).toISOString()}`);
  }
  const usersTable = users.slice(0, 5).map((u, i) => JSON.stringify({ id: u, tier: i, name: i % 2 ? null : u.toUpperCase() }));
  return { 'ev.jsonl': ev.join('\n') + '\n', 'pay.csv': pay.join('\n') + '\n', 'users.jsonl': usersTable.join('\n') + '\n' };
}

describe.concurrent('randomized inputs through every operator', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}`, async () => {
      const inputs = randomInputs(seed);
      const runs = [];
      for (const fuse of [true, false]) {
        const dir = tempDir('flowc-rand-');
        for (const [f, text] of Object.entries(inputs)) writeFileSync(join(dir, f), text);
        const built = await buildText(everything, join(dir, 'job.flow'), join(dir, '.bin'), { fuse });
        runs.push(runJobAsync(built.path, dir));
      }
      const [fused, unfused] = await Promise.all(runs);
      expect(fused.stderr).toBe('');
      expect(fused.status).toBe(0);
      for (const run of [fused, unfused]) for (const k of [...run.files.keys()]) if (k.startsWith('.bin/')) run.files.delete(k);
      expect([...unfused.files.keys()]).toEqual([...fused.files.keys()]);
      for (const [k, v] of fused.files) expect(unfused.files.get(k), k).toBe(v);
      // Every sink wrote something: the input exercises every operator.
      for (const [k, v] of fused.files) if (!k.includes('late_sess')) expect(v.length, k).toBeGreaterThan(0);
    });
  }
});
