// Throughput of the deterministic Nexmark generator (runtime/connectors/nexmark.ts), one core.
//
//   node bench/nexmark-generator.mjs [--events 5000000] [--reps 5] [--batch 1024]
//
// Bundles the TypeScript source with esbuild into a temporary .mjs (Node 20 cannot strip types),
// imports it, and for each kind reads `events` event ids through NexmarkSource.read(batch),
// `reps` times after one warm-up run. Prints a markdown table of medians and writes it to
// bench/out/nexmark-generator.md.
//
// "events/s" counts event ids examined (all kinds, what `events: N` counts); "records/s" counts the
// records of the source's kind actually produced (bids are 46 of every 50 events).
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { intArg } from './lib/args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const arg = intArg;

const EVENTS = arg('events', 5_000_000);
const REPS = arg('reps', 5);
const BATCH = arg('batch', 1024);

const tmp = mkdtempSync(join(tmpdir(), 'flowc-nexmark-bench-'));
const outfile = join(tmp, 'nexmark.mjs');
let mod;
try {
  await build({
    entryPoints: [join(root, 'runtime/connectors/nexmark.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  mod = await import(pathToFileURL(outfile).href);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const { NexmarkSource } = mod;

function run(kind) {
  const src = new NexmarkSource({ kind, events: EVENTS, seed: 0 });
  let records = 0;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let b = src.read(BATCH); b !== null; b = src.read(BATCH)) {
    records += b.length;
    sink ^= b.length; // keep the batch observably used
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink === -1) console.log('');
  return { seconds, records };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}K`);

const rows = [];
for (const kind of ['bid', 'auction', 'person']) {
  run(kind); // warm-up
  const eventsPerSec = [];
  const recordsPerSec = [];
  let records = 0;
  for (let r = 0; r < REPS; r++) {
    const res = run(kind);
    records = res.records;
    eventsPerSec.push(EVENTS / res.seconds);
    recordsPerSec.push(res.records / res.seconds);
  }
  const row = {
    kind,
    records,
    eventsPerSec: median(eventsPerSec),
    recordsPerSec: median(recordsPerSec),
    min: Math.min(...eventsPerSec),
    max: Math.max(...eventsPerSec),
  };
  rows.push(row);
  console.error(`${kind}: ${fmt(row.eventsPerSec)} events/s, ${fmt(row.recordsPerSec)} records/s`);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  '# Nexmark generator throughput',
  '',
  `${EVENTS.toLocaleString('en-US')} event ids per run, read(${BATCH}), median of ${REPS} runs after a warm-up; ` +
    `one core, Node ${process.version}, ${cpu}.`,
  '',
  '| kind | records per run | events/s (median) | records/s (median) | events/s min–max |',
  '|---|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.kind} | ${r.records.toLocaleString('en-US')} | ${fmt(r.eventsPerSec)} | ${fmt(r.recordsPerSec)} | ${fmt(r.min)}–${fmt(r.max)} |`,
  ),
  '',
  'events/s counts event ids examined (all kinds); records/s counts records of the kind produced.',
  '',
];
const table = lines.join('\n');
console.log(table);
mkdirSync(join(root, 'bench/out'), { recursive: true });
writeFileSync(join(root, 'bench/out/nexmark-generator.md'), table);
