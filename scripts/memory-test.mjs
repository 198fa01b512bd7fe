#!/usr/bin/env node
/**
 * Memory test: a bounded stream of N events (default 5,000,000) through a keyed tumbling window,
 * read from a file; samples the job's resident memory (/proc/PID/status) against its progress
 * through the input (/proc/PID/io) and checks that it stays flat: a window's state is freed when
 * it fires, sinks write synchronously, and the source reads in fixed batches.
 *
 *   node scripts/memory-test.mjs [--events 5000000] [--keys 100] [--window 1s] [--keep]
 *
 * Prints RSS at each tenth of the input and the peak; exits 1 when the second half of the run
 * holds more than 15% (+16 MB) over the first half, or the output does not add up.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, writeSync, closeSync, readFileSync, statSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const events = Number(opt('--events', 5_000_000));
const keys = Number(opt('--keys', 100));
const window = opt('--window', '1s');
const keep = args.includes('--keep');

const dir = mkdtempSync(join(tmpdir(), 'flowc-memory-'));
const flow = join(dir, 'job.flow');
writeFileSync(flow, `
type E = { k: string, v: int, t: timestamp }
source s: E = file("in.jsonl") event time t watermark 2s
let agg = s | key by k | window tumbling ${window} | aggregate { n: count(), total: sum(v), kinds: count_distinct(v) }
sink agg -> file("out.jsonl")
sink late(agg) -> file("late.jsonl")
`);
const built = spawnSync(process.execPath, [join(root, 'bin/flowc.mjs'), 'build', flow, '-o', join(dir, 'job.mjs')], { encoding: 'utf8' });
if (built.status !== 0) {
  process.stderr.write(built.stderr + built.stdout);
  process.exit(2);
}

// The input: event times 1 ms apart with some disorder within the watermark, keys round the clock.
process.stdout.write(`writing ${events.toLocaleString()} events… `);
const T0 = Date.UTC(2024, 0, 1);
const fd = openSync(join(dir, 'in.jsonl'), 'w');
let seed = 12345;
const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
let expectedTotal = 0;
for (let i = 0; i < events;) {
  let chunk = '';
  for (let j = 0; j < 10_000 && i < events; j++, i++) {
    const v = Math.floor(rand() * 1000);
    expectedTotal += v;
    const t = T0 + i - Math.floor(rand() * 1500);
    chunk += `{"k":"key${i % keys}","v":${v},"t":${t}}\n`;
  }
  writeSync(fd, chunk);
}
closeSync(fd);
const inputBytes = statSync(join(dir, 'in.jsonl')).size;
process.stdout.write(`${(inputBytes / 1e6).toFixed(0)} MB\n`);

const started = Date.now();
const job = spawn(process.execPath, [join(dir, 'job.mjs'), '--quiet'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
const samples = [];
const read = (file) => { try { return readFileSync(`/proc/${job.pid}/${file}`, 'utf8'); } catch { return ''; } };
const timer = setInterval(() => {
  const status = read('status');
  const rss = /VmRSS:\s+(\d+) kB/.exec(status);
  const io = /rchar:\s+(\d+)/.exec(read('io'));
  if (rss && io) samples.push({ at: Date.now() - started, rssMb: Number(rss[1]) / 1024, progress: Math.min(1, Number(io[1]) / inputBytes) });
}, 50);
const code = await new Promise((resolve) => job.on('exit', (c) => resolve(c)));
clearInterval(timer);
const seconds = (Date.now() - started) / 1000;

// The output must account for every event: on-time counts plus late rows.
let n = 0;
let total = 0;
let rows = 0;
for await (const line of createInterface({ input: createReadStream(join(dir, 'out.jsonl')) })) {
  const r = JSON.parse(line);
  n += r.n;
  total += r.total;
  rows++;
}
let late = 0;
for await (const line of createInterface({ input: createReadStream(join(dir, 'late.jsonl')) })) {
  const r = JSON.parse(line);
  late++;
  total += r.v;
}

const at = (p) => samples.find((s) => s.progress >= p) ?? samples[samples.length - 1];
const peak = Math.max(...samples.map((s) => s.rssMb));
const firstHalf = Math.max(...samples.filter((s) => s.progress >= 0.1 && s.progress < 0.5).map((s) => s.rssMb));
const secondHalf = Math.max(...samples.filter((s) => s.progress >= 0.5).map((s) => s.rssMb));
console.log(`job: exit ${code}, ${seconds.toFixed(1)} s, ${(events / seconds / 1e6).toFixed(2)} M events/s, ${rows.toLocaleString()} window rows, ${late} late`);
console.log('input read   RSS');
for (let p = 0.1; p <= 1.0001; p += 0.1) {
  const s = at(p);
  if (s) console.log(`${String(Math.round(p * 100)).padStart(5)} %   ${s.rssMb.toFixed(1)} MB`);
}
console.log(`peak RSS ${peak.toFixed(1)} MB; max over 10–50% of the input ${firstHalf.toFixed(1)} MB, over 50–100% ${secondHalf.toFixed(1)} MB`);

let ok = true;
if (code !== 0) { console.log('FAIL: the job did not exit cleanly'); ok = false; }
if (n + late !== events || total !== expectedTotal) {
  console.log(`FAIL: the output accounts for ${n + late} events (sum ${total}), expected ${events} (sum ${expectedTotal})`);
  ok = false;
}
if (!(secondHalf <= firstHalf * 1.15 + 16)) { console.log('FAIL: resident memory grew in the second half of the input'); ok = false; }
if (ok) console.log('ok: memory stays flat');
if (!keep) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
process.exit(ok ? 0 : 1);
