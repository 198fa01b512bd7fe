#!/usr/bin/env node
// Checkpoint benchmark (issue 6):
//  1. throughput of a keyed tumbling-window job over Nexmark bids with ~200k live keys, with a
//     checkpoint every second vs none (runs alternate; medians);
//  2. the longest event-loop pause a checkpoint causes (from the job's own checkpoint timings,
//     and the process's event-loop delay histogram);
//  3. restore time of a checkpoint of about 100 MB of state.
//
//   node bench/checkpoint.mjs [--events N] [--keys K] [--runs R] [--restore-mb MB]
//                             [--skip-throughput] [--skip-restore]
//
// CPU time is reported next to wall time: on a shared machine wall time is noisy, and the loss a
// checkpoint causes is CPU the job does not spend on events.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '4000000' },
    keys: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    'restore-mb': { type: 'string', default: '100' },
    'skip-restore': { type: 'boolean', default: false },
    'skip-throughput': { type: 'boolean', default: false },
  },
});
const events = Number(values.events);
const keys = Number(values.keys);
const runs = Number(values.runs);
const work = mkdtempSync(join(tmpdir(), 'flowc-bench-ckpt-'));

const bidType = 'type Bid = { auction: int, bidder: int, price: int, channel: string, url: string, dateTime: timestamp, extra: string }';

/** The throughput job: many keys per 1-minute window (Nexmark's default rate: 600k bids a window). */
const keyedJob = `job keyed {}
param events: int = 1_000_000
param keys: int = 200_000
${bidType}
source bids: Bid = nexmark(kind: "bid", events: events, seed: 1) event time dateTime watermark 4s
let per_key = bids
  | select { k: (auction * 7919 + bidder * 31 + price) % keys, price, dateTime }
  | key by k
  | window tumbling 1m
  | aggregate { n: count(), total: sum(price), hi: max(price) }
sink per_key -> file("out/per_key.jsonl")
`;

/** The restore job: a window that never fires before the end, so state only grows. */
const bigStateJob = `job big {}
param events: int = 1_000_000
param keys: int = 2_000_000
${bidType}
source bids: Bid = nexmark(kind: "bid", events: events, seed: 1) event time dateTime watermark 4s
let per_key = bids
  | select { k: (auction * 7919 + bidder * 31 + price) % keys, price, bidder, dateTime }
  | key by k
  | window tumbling 1d
  | aggregate { n: count(), total: sum(price), hi: max(price), lo: min(price), last_bidder: last(bidder) }
sink per_key -> file("out/per_key.jsonl")
`;

const probe = join(work, 'probe.mjs');
writeFileSync(probe, `
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
const h = monitorEventLoopDelay({ resolution: 2 });
h.enable();
const t0 = performance.now();
process.on('exit', () => {
  h.disable();
  const u = process.cpuUsage();
  writeFileSync(process.env.PROBE_OUT, JSON.stringify({ wallMs: performance.now() - t0, cpuMs: (u.user + u.system) / 1000, maxDelayMs: h.max / 1e6, p99DelayMs: h.percentile(99) / 1e6 }));
});
`);

function build(name, text) {
  const flow = join(work, `${name}.flow`);
  writeFileSync(flow, text);
  const out = join(work, `${name}.mjs`);
  const r = spawnSync(process.execPath, [join(root, 'bin/flowc.mjs'), 'build', flow, '-o', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build ${name} failed:\n${r.stdout}${r.stderr}`);
  return out;
}

function runJob(bundle, args, env = {}, watch) {
  const cwd = mkdtempSync(join(work, 'run-'));
  const probeOut = join(cwd, 'probe.json');
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', probe, bundle, ...args], {
      cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PROBE_OUT: probeOut, ...env },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = watch ? setInterval(() => { if (watch(cwd)) child.kill('SIGKILL'); }, 20) : undefined;
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearInterval(timer);
      const p = existsSync(probeOut) ? JSON.parse(readFileSync(probeOut, 'utf8')) : undefined;
      resolveRun({ status, signal, stderr, probe: p, cwd });
    });
  });
}

const stats = (cwd) => {
  const f = join(cwd, 'stats.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
};
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (x, d = 1) => x.toFixed(d);

try {
  console.log(`checkpoint benchmark (node ${process.version})`);
  const keyed = build('keyed', keyedJob);
  const args = ['--quiet', '--param', `events=${events}`, '--param', `keys=${keys}`];

  // 1 + 2. Throughput, with and without checkpoints, alternating.
  if (!values['skip-throughput']) await throughput();
  async function throughput() {
    const none = [];
    const ckpt = [];
    const ckptStats = [];
    for (let r = 0; r < runs; r++) {
      const a = await runJob(keyed, args);
      if (a.status !== 0) throw new Error(`run failed:\n${a.stderr}`);
      none.push(a.probe);
      const b = await runJob(keyed, [...args, '--checkpoint-interval', '1s', '--checkpoint-dir', 'ckpt'], { FLOWC_CHECKPOINT_STATS: 'stats.jsonl' });
      if (b.status !== 0) throw new Error(`run failed:\n${b.stderr}`);
      ckpt.push(b.probe);
      ckptStats.push(...stats(b.cwd).map((s) => ({ ...s, run: r })));
      rmSync(a.cwd, { recursive: true, force: true });
      rmSync(b.cwd, { recursive: true, force: true });
    }
    const rate = (p) => events / (p.wallMs / 1000);
    const rateNone = median(none.map(rate));
    const rateCkpt = median(ckpt.map(rate));
    const cpuNone = median(none.map((p) => p.cpuMs));
    const cpuCkpt = median(ckpt.map((p) => p.cpuMs));
    const live = ckptStats.filter((s) => s.bytes > 1e6);
    console.log(`\nthroughput, ${events} bids, ${keys} keys, tumbling 1m (${runs} runs each, medians):`);
    console.log(`  no checkpoints:        ${fmt(rateNone / 1e3)}k events/s wall, ${fmt(cpuNone / 1000, 2)}s CPU`);
    console.log(`  checkpoint every 1s:   ${fmt(rateCkpt / 1e3)}k events/s wall, ${fmt(cpuCkpt / 1000, 2)}s CPU, ${fmt(ckptStats.length / runs)} checkpoints a run`);
    console.log(`  loss:                  ${fmt((1 - rateCkpt / rateNone) * 100)} % wall, ${fmt((cpuCkpt / cpuNone - 1) * 100)} % CPU`);
    if (live.length) {
      console.log(`  checkpoint size:       ${fmt(median(live.map((s) => s.bytes)) / 1e6)} MB median, ${fmt(Math.max(...live.map((s) => s.bytes)) / 1e6)} MB max`);
      console.log(`  per checkpoint:        job paused ${fmt(median(live.map((s) => s.pauseMs)))} ms median (commit ${fmt(median(live.map((s) => s.commitMs)))}, encode ${fmt(median(live.map((s) => s.encodeMs)))}, checksum ${fmt(median(live.map((s) => s.hashMs)))}), main-thread work ${fmt(median(live.map((s) => s.cpuMs)))} ms, durable after ${fmt(median(live.map((s) => s.totalMs)))} ms`);
    }
    console.log(`  longest event-loop pause caused by a checkpoint: ${fmt(Math.max(...ckptStats.map((s) => s.blockMs)))} ms wall (median over checkpoints ${fmt(median(ckptStats.map((s) => s.blockMs)))} ms; CPU in the longest slice ${fmt(Math.max(...ckptStats.map((s) => s.blockCpuMs)))} ms)`);
    console.log(`  event-loop delay (whole run, max): ${fmt(median(none.map((p) => p.maxDelayMs)))} ms without checkpoints, ${fmt(median(ckpt.map((p) => p.maxDelayMs)))} ms with`);
  }

  // 3. Restore of ~100 MB of state: run the big-state job with a checkpoint every second, kill it
  // once a checkpoint of the wanted size is durable, then time the restore.
  if (!values['skip-restore']) {
    const big = build('big', bigStateJob);
    const wantBytes = Number(values['restore-mb']) * 1e6;
    const bigArgs = ['--quiet', '--param', `events=${Math.max(events, 20_000_000)}`, '--checkpoint-interval', '1s', '--checkpoint-dir', 'ckpt'];
    const env = { FLOWC_CHECKPOINT_STATS: 'stats.jsonl' };
    const first = await runJob(big, bigArgs, env, (cwd) => stats(cwd).some((s) => s.bytes >= wantBytes));
    const taken = stats(first.cwd);
    const last = taken[taken.length - 1];
    if (!last || last.bytes < wantBytes) throw new Error(`no checkpoint of ${wantBytes / 1e6} MB was taken:\n${first.stderr}`);
    console.log(`\nrestore, big-state job (tumbling 1d, up to 2M keys):`);
    console.log(`  checkpoint ${last.seq}: ${fmt(last.bytes / 1e6)} MB, taken with the job paused ${fmt(last.pauseMs)} ms (longest event-loop pause ${fmt(last.blockMs)} ms), durable after ${fmt(last.totalMs)} ms`);
    const restores = [];
    for (let r = 0; r < runs; r++) {
      const again = await runJob(big, bigArgs.slice(0, -4).concat(['--checkpoint-dir', join(first.cwd, 'ckpt')]), { FLOWC_CHECKPOINT_STATS: join(first.cwd, `restore-${r}.jsonl`) },
        () => existsSync(join(first.cwd, `restore-${r}.jsonl`)) && readFileSync(join(first.cwd, `restore-${r}.jsonl`), 'utf8').includes('restoreMs'));
      const statsFile = join(first.cwd, `restore-${r}.jsonl`);
      const line = existsSync(statsFile) ? readFileSync(statsFile, 'utf8').split('\n').find((l) => l.includes('restoreMs')) : undefined;
      if (!line) throw new Error(`the restore did not happen (exit ${again.status}):\n${again.stderr}`);
      restores.push(JSON.parse(line));
      rmSync(again.cwd, { recursive: true, force: true });
    }
    const sorted = restores.sort((a, b) => a.restoreMs - b.restoreMs);
    const rs = sorted[Math.floor(restores.length / 2)];
    console.log(`  restore (median of ${runs}): ${fmt(rs.restoreMs)} ms for ${fmt(rs.bytes / 1e6)} MB: read ${fmt(rs.readMs)}, verify ${fmt(rs.verifyMs)}, decode ${fmt(rs.decodeMs)}, rebuild the stores ${fmt(rs.applyMs)}; ${fmt(rs.cpuMs)} ms CPU`);
    console.log(`  restore (fastest): ${fmt(sorted[0].restoreMs)} ms, ${fmt(sorted[0].cpuMs)} ms CPU`);
    rmSync(first.cwd, { recursive: true, force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
