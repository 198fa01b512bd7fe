/**
 * Differential testing: the fused build and the unfused build (generic operator objects) of the
 * same job must write byte-identical output, on every sample and on randomized inputs (out of
 * order, late, null and malformed records) for a job that uses every operator.
 */
import { describe, it, expect } from 'vitest';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildText, compileFile, repoRoot, runJob, runJobAsync, sampleFiles, tempDir } from './helpers.ts';
import { readFileSync } from 'node:fs';
import { everything } from './jobs.ts';
import { rng } from '../support/random.ts';

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
    // Processing-time windows depend on the wall clock: two runs differ whatever the build.
    const wallClock = /\bprocessing\s+time\b/.test(readFileSync(file, 'utf8').replace(/\/\/.*$/gm, ''));
    it.skipIf(wallClock)(`sample ${name}`, async () => {
      const text = readFileSync(file, 'utf8');
      const c = compileFile(file);
      const params = [...c.typed.symbols.params.keys()];
      const args = params.includes('events') ? ['--param', 'events=5000'] : [];
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



function randomInputs(seed: number, events = 1000): Record<string, string> {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const users = ['ann', 'bob', 'cy', 'dee', 'eve', 'fox', 'bot "x"', 'ünï'];
  const pages = ['/', '/a', '/b', '/c,d', '/"q"'];
  const start = Date.UTC(2024, 4, 1, 10);
  let t = start;
  const ev: string[] = [];
  for (let i = 0; i < events; i++) {
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

describe('every operator survives a crash and a restore', () => {
  // Killed right after its first checkpoint, then restarted: the output must equal an
  // uninterrupted run's, fused and unfused (composite keys, `top` arrival numbers, join buffers,
  // process state and timers all go through the checkpoint).
  for (const fuse of [true, false]) {
    it(fuse ? 'fused' : 'unfused', async () => {
      const inputs = randomInputs(9, 3000);
      const dirs = [tempDir('flowc-ck-'), tempDir('flowc-ck-')];
      for (const dir of dirs) for (const [f, text] of Object.entries(inputs)) writeFileSync(join(dir, f), text);
      const built = await buildText(everything, join(dirs[0]!, 'job.flow'), join(dirs[0]!, '.bin'), { fuse });
      const whole = runJob(built.path, dirs[0]!, ['--checkpoint-dir', 'ck']);
      expect(whole.status).toBe(0);
      const crashed = runJob(built.path, dirs[1]!, ['--checkpoint-dir', 'ck'], undefined, { FLOWC_TEST_STOP_AFTER_CHECKPOINT: '1' });
      expect(crashed.status).toBe(75);
      const resumed = runJob(built.path, dirs[1]!, ['--checkpoint-dir', 'ck']);
      expect(resumed.stderr).toBe('');
      expect(resumed.status).toBe(0);
      for (const [f, text] of whole.files) {
        if (f.startsWith('out/')) expect(readFileSync(join(dirs[1]!, f), 'utf8'), f).toBe(text);
      }
    });
  }
});
