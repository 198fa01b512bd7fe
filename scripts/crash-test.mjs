#!/usr/bin/env node
// Crash test of exactly-once recovery: runs a job (test/checkpoint/jobs/crash.flow by default,
// three Nexmark sources and every kind of operator state) once uninterrupted, then again with
// frequent checkpoints, killing it with SIGKILL at random moments (seeded; the seed is printed)
// and restarting it each time until it finishes. Every output file must be byte-identical to the
// uninterrupted run's.
//
//   node scripts/crash-test.mjs [--events N] [--kills K] [--seed S] [--interval D]
//                               [--flow FILE | --bundle JOB.mjs] [--keep]
//
// Exit code 0 when the outputs match, 1 when they differ or the job failed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    kills: { type: 'string', default: '20' },
    seed: { type: 'string' },
    interval: { type: 'string', default: '100ms' },
    flow: { type: 'string', default: join(root, 'test/checkpoint/jobs/crash.flow') },
    bundle: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const events = Number(values.events.replace(/_/g, ''));
const wantKills = Number(values.kills);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
console.log(`crash test: ${events} events, at least ${wantKills} kills, checkpoint every ${values.interval}, seed ${seed}`);
console.log(`  (repeat with --seed ${seed})`);

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed);

const work = mkdtempSync(join(tmpdir(), 'flowc-crash-'));
let failed = false;
try {
  const bundle = values.bundle ? resolve(values.bundle) : build(resolve(values.flow));
  // Not --quiet: the restarted runs say when they restored (stderr is not a terminal, so there
  // is no status line).
  const args = ['--param', `events=${events}`];

  // 1. The reference: one uninterrupted run.
  const refDir = join(work, 'reference');
  mkdirSync(refDir);
  const t0 = Date.now();
  const ref = await run(bundle, refDir, [...args, '--checkpoint-dir', join(work, 'reference-ckpt')]);
  const refMs = Date.now() - t0;
  if (ref.status !== 0) throw new Error(`the uninterrupted run failed (exit ${ref.status}):\n${ref.stderr}`);
  console.log(`uninterrupted run: ${(refMs / 1000).toFixed(1)}s`);

  // 2. Killed and restarted until it finishes. A kill comes after a random delay: on average a
  // bit more than 1/kills of the uninterrupted run, so most kills land mid-job (at start-up, in a
  // restore, between or during checkpoints, mid-write of a sink). If the job finishes before it
  // was killed often enough, the whole attempt is repeated with shorter delays.
  let span = Math.max(400, (2.5 * refMs) / wantKills);
  let outcome;
  for (let attempt = 1; ; attempt++) {
    outcome = await crashAttempt(bundle, join(work, `attempt-${attempt}`), args, span);
    console.log(`attempt ${attempt}: ${outcome.kills} kills, ${outcome.restores} restores, ${outcome.fallbacks} fallbacks to an older checkpoint, ${outcome.runs} runs, ${(outcome.ms / 1000).toFixed(1)}s`);
    const diff = compareTrees(refDir, outcome.dir);
    if (diff.length) {
      failed = true;
      console.log(`FAIL: the output differs from the uninterrupted run's:\n  ${diff.join('\n  ')}`);
      break;
    }
    if (outcome.kills >= wantKills) break;
    if (attempt >= 6) {
      failed = true;
      console.log(`FAIL: the job kept finishing before ${wantKills} kills`);
      break;
    }
    span *= 0.6;
  }
  if (!failed) console.log(`OK: ${Object.keys(listTree(refDir)).length} output files byte-identical after ${outcome.kills} kills (seed ${seed})`);
} catch (e) {
  failed = true;
  console.log(`FAIL: ${e.message}`);
} finally {
  if (values.keep || failed) console.log(`files kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

function build(flow) {
  const out = join(work, 'job.mjs');
  const r = spawnSync(process.execPath, [join(root, 'bin/flowc.mjs'), 'build', flow, '-o', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`flowc build ${flow} failed:\n${r.stdout}${r.stderr}`);
  return out;
}

async function crashAttempt(bundle, dir, args, span) {
  mkdirSync(dir, { recursive: true });
  const ckpt = join(dir, '.ckpt');
  const runArgs = [...args, '--checkpoint-interval', values.interval, '--checkpoint-dir', ckpt];
  const started = Date.now();
  let kills = 0;
  let restores = 0;
  let fallbacks = 0;
  for (let runs = 1; ; runs++) {
    if (runs > 50 * wantKills + 100) throw new Error(`no progress after ${runs} runs`);
    const delay = kills < wantKills ? Math.round(random() * span) : undefined;
    const r = await run(bundle, dir, runArgs, delay);
    restores += (r.stderr.match(/^restored from checkpoint /gm) ?? []).length;
    fallbacks += (r.stderr.match(/^warning: checkpoint .* is unusable/gm) ?? []).length;
    if (r.signal === 'SIGKILL') { kills++; continue; }
    if (r.status !== 0) throw new Error(`run ${runs} failed (exit ${r.status}, after ${kills} kills):\n${r.stderr}`);
    if (existsSync(ckpt) && readdirSync(ckpt).length > 0) throw new Error(`checkpoints left after the job finished: ${readdirSync(ckpt).join(', ')}`);
    rmSync(ckpt, { recursive: true, force: true });
    return { dir, kills, restores, fallbacks, runs, ms: Date.now() - started };
  }
}

/** Runs the bundle; with `killAfter`, sends SIGKILL after that many ms unless it ended first. */
function run(bundle, cwd, args, killAfter) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = killAfter === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfter);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolveRun({ status, signal, stderr });
    });
  });
}

function listTree(dir) {
  const out = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (name.startsWith('.')) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = p;
    }
  };
  walk(dir);
  return out;
}

function compareTrees(a, b) {
  const fa = listTree(a);
  const fb = listTree(b);
  const problems = [];
  for (const f of Object.keys(fa)) {
    if (!(f in fb)) { problems.push(`${f}: missing`); continue; }
    const x = readFileSync(fa[f]);
    const y = readFileSync(fb[f]);
    if (x.equals(y)) continue;
    let i = 0;
    while (i < x.length && i < y.length && x[i] === y[i]) i++;
    const line = x.subarray(0, i).toString('utf8').split('\n').length;
    problems.push(`${f}: ${y.length} bytes instead of ${x.length}, first difference at byte ${i} (line ${line})`);
  }
  for (const f of Object.keys(fb)) if (!(f in fa)) problems.push(`${f}: not written by the uninterrupted run`);
  return problems;
}
