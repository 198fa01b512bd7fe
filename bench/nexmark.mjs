// The Nexmark benchmark: every query of samples/nexmark, one core, all implementations side by
// side in one run.
//
//   node bench/nexmark.mjs [--events 2000000] [--reps 3] [--rate 10000] [--queries q0,q5,…]
//
// For each query it builds four bundles with the flowc CLI (fused and `--no-fuse`, each reading
// the `nexmark` generator as written and a variant reading pre-generated JSONL files), and runs:
//   - generator included: the bundle generates its events (`--param events=N`);
//   - processing only: the same events, dumped once to JSONL by the generator itself, read by the
//     file variant (read + JSON.parse + the query + write);
//   - for q0, q1, q2, q5, q7, q11 also bench/impl/qN.hand.mjs (hand-written JS) and qN.rx.mjs
//     (RxJS) in both modes over the same input, writing the same rows.
// Each run is its own node process started through bench/nexmark/timed.mjs, which times the job
// without node's start-up. Repetitions are interleaved (rep 1 of everything, then rep 2, …) and
// the median is reported. Every implementation's output is checked against the fused file
// variant's (byte-identical, or the same rows up to order and number formatting).
//
// events/s = input records the query reads (e.g. the bids: 46 of every 50 events) / CPU seconds
// of the process (user + system, all threads, start-up excluded). CPU time rather than wall time
// because the machine may be shared; wall times are in results.json too.
//
// Writes bench/results.json and bench/results.md and prints the tables.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  QUERIES, root, samplesDir, sideInput, fileVariant, nexmarkSources, pathParam, dumpEvents, recordCount, generatorBundle,
} from './nexmark/lib.mjs';

// ---------------------------------------------------------------------------------------------- options

function option(name, dflt, parse = Number) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : parse(process.argv[i + 1]);
}
const EVENTS = option('events', 2_000_000);
const REPS = option('reps', 3);
const RATE = option('rate', 10_000);
const ONLY = option('queries', null, (s) => s.split(','));
for (const [k, v] of [['events', EVENTS], ['reps', REPS], ['rate', RATE]]) {
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${k} wants a positive integer`);
}
const queries = QUERIES.filter((q) => !ONLY || ONLY.includes(q.name));
if (queries.length === 0) throw new Error(`no such queries: ${ONLY}`);

const work = join(root, 'bench/out/nexmark');
const log = (s) => process.stderr.write(`${s}\n`);

/** Published per-core Flink 2.0 throughput (the Flink 2.0 Nexmark results, as listed in samples/nexmark/README.md), events/s. */
const FLINK = { q0: '0.38–0.41M', q1: '0.38–0.41M', q2: '0.38–0.41M', q5: '75K', q7: '23K', q11: '46K', q17: '161K', q21: '147K', q22: '212K' };

// ---------------------------------------------------------------------------------------------- build

/** The flowc CLI, rebuilt first when a compiler source is newer than dist/flowc.mjs (as bin/flowc.mjs does). */
async function loadCli() {
  const out = join(root, 'dist/flowc.mjs');
  const newest = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((acc, e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? Math.max(acc, newest(p)) : /\.(ts|ohm|md)$/.test(e.name) ? Math.max(acc, statSync(p).mtimeMs) : acc;
  }, 0);
  if (!existsSync(out) || ['compiler', 'runtime', 'lang'].some((d) => newest(join(root, d)) > statSync(out).mtimeMs)) {
    const { buildCli } = await import(pathToFileURL(join(root, 'scripts/build-cli.mjs')).href);
    await buildCli();
  }
  return (await import(pathToFileURL(out).href)).main;
}

/**
 * `flowc build` in this process: { ms } or, when it fails, { error } with what it printed (a query
 * that does not build is reported, not fatal: `--no-fuse` may not handle every operator yet).
 */
async function flowcBuild(main, file, out, fuse) {
  const write = process.stderr.write;
  let printed = '';
  process.stderr.write = (chunk, ...rest) => {
    printed += String(chunk);
    return typeof rest[rest.length - 1] === 'function' ? (rest[rest.length - 1](), true) : true;
  };
  const t0 = performance.now();
  let code;
  try {
    code = await main(['build', file, '-o', out, ...(fuse ? [] : ['--no-fuse'])]);
  } finally {
    process.stderr.write = write;
  }
  const ms = performance.now() - t0;
  if (code === 0 && existsSync(out)) return { ms };
  const first = printed.split('\n').find((l) => l.trim() !== '') ?? `exit ${code}`;
  return { error: `flowc build${fuse ? '' : ' --no-fuse'} failed: ${first.replace(/^flowc: /, '').slice(0, 200)}` };
}

// ---------------------------------------------------------------------------------------------- runs

/** One timed run in a fresh working directory; returns the timing and the output file. */
function timedRun(name, script, args, env = {}) {
  const cwd = join(work, 'run', name);
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  const timingFile = join(cwd, 'timing.json');
  const r = spawnSync(process.execPath, [join(root, 'bench/nexmark/timed.mjs'), script, ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, ...env, BENCH_TIMING: timingFile }, maxBuffer: 1 << 26,
  });
  if (r.status !== 0 || !existsSync(timingFile)) throw new Error(`${name} failed (exit ${r.status}):\n${r.stderr}`);
  const timing = JSON.parse(readFileSync(timingFile, 'utf8'));
  if (timing.exitCode !== 0) throw new Error(`${name} exited with ${timing.exitCode}:\n${r.stderr}`);
  return { ...timing, cwd };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Output rows in comparable form: parsed, integral floats and float noise normalised, sorted. */
function canonicalLines(file) {
  const text = readFileSync(file, 'utf8');
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  return lines.map((l) => JSON.stringify(JSON.parse(l), (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v))).sort();
}

const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** How an output compares with the reference: 'identical', 'same rows' (order or number format differ) or 'DIFFERENT'. */
function verify(file, reference) {
  if (!existsSync(file)) return 'DIFFERENT (no output)';
  if (sha(file) === sha(reference)) return 'identical';
  const a = canonicalLines(file);
  const b = canonicalLines(reference);
  return a.length === b.length && a.every((x, i) => x === b[i]) ? 'same rows' : `DIFFERENT (${a.length} vs ${b.length} rows)`;
}

// ---------------------------------------------------------------------------------------------- main

const started = new Date();
const load0 = loadavg();
log(`nexmark bench: ${queries.length} queries, ${EVENTS.toLocaleString('en-US')} events at ${RATE}/s, ${REPS} reps; load average ${load0.map((x) => x.toFixed(1)).join(' ')}`);

// Events, dumped once by the generator (reused while the settings stay the same).
const kinds = [...new Set(queries.flatMap((q) => q.sources))];
const dataDir = join(work, 'data', `e${EVENTS}-r${RATE}`);
const seeds = new Set(queries.map((q) => nexmarkSources(readFileSync(join(samplesDir, `${q.name}.flow`), 'utf8')).map((s) => s.seed)).flat());
if (seeds.size !== 1) throw new Error(`the queries use different seeds: ${[...seeds]}`);
const SEED = [...seeds][0];
log(`dumping events to ${relative(root, dataDir)} …`);
const counts = await dumpEvents(dataDir, { events: EVENTS, seed: SEED, rate: RATE, kinds });
for (const k of kinds) if (counts[k] !== recordCount(k, EVENTS)) throw new Error(`dumped ${counts[k]} ${k} records, expected ${recordCount(k, EVENTS)}`);
const generator = await generatorBundle();

// Bundles: the file variants are written next to copies of the other files of samples/nexmark
// (model.flow, the extern module) so that imports resolve the same way.
const main = await loadCli();
const srcDir = join(work, 'src');
const bundleDir = join(work, 'bundles');
mkdirSync(srcDir, { recursive: true });
mkdirSync(bundleDir, { recursive: true });
for (const f of readdirSync(samplesDir)) if (!/^q\d+\.flow$/.test(f) && statSync(join(samplesDir, f)).isFile()) copyFileSync(join(samplesDir, f), join(srcDir, f));
await flowcBuild(main, join(samplesDir, 'q0.flow'), join(bundleDir, 'warmup.mjs'), true); // loads the compiler before timing
const builds = {};
for (const q of queries) {
  const original = join(samplesDir, `${q.name}.flow`);
  const variant = join(srcDir, `${q.name}.flow`);
  writeFileSync(variant, fileVariant(readFileSync(original, 'utf8')));
  const b = { bundles: {}, errors: {} };
  for (const [mode, file] of [['gen', original], ['file', variant]]) {
    for (const fuse of [true, false]) {
      const id = `${mode}.${fuse ? 'fused' : 'unfused'}`;
      const out = join(bundleDir, `${q.name}.${id}.mjs`);
      rmSync(out, { force: true });
      let built = await flowcBuild(main, file, out, fuse);
      if (id === 'gen.fused' && !built.error) {
        // Compile time: the median of three builds (the compiler is loaded and warm).
        const times = [built.ms];
        for (let i = 0; i < 2; i++) times.push((await flowcBuild(main, file, out, fuse)).ms ?? NaN);
        built = { ms: median(times) };
      }
      if (built.error) {
        b.errors[id] = built.error;
        log(`${q.name} ${id}: ${built.error}`);
        continue;
      }
      b.bundles[id] = out;
      if (id === 'gen.fused') {
        b.compileMs = built.ms;
        b.bundleBytes = statSync(out).size;
      }
      if (id === 'gen.unfused') b.unfusedBundleBytes = statSync(out).size;
    }
  }
  if (!b.bundles['file.fused']) throw new Error(`${q.name} does not build: ${b.errors['file.fused']}`);
  builds[q.name] = b;
  log(`built ${q.name}: ${b.compileMs?.toFixed(0)} ms, ${((b.bundleBytes ?? 0) / 1024).toFixed(0)} KiB`);
}

/** The implementations run for a query: [id, mode, script, args, env]. */
function implementations(q) {
  const common = q.table ? ['--param', `side_input=${sideInput}`] : [];
  const genArgs = [...common, '--quiet', '--param', `events=${EVENTS}`, '--param', `rate=${RATE}`];
  const fileArgs = [...common, '--quiet', ...q.sources.flatMap((k) => ['--param', `${pathParam(k)}=${join(dataDir, `${k}.jsonl`)}`])];
  const b = builds[q.name].bundles;
  // file.fused first: its output is the reference the others are checked against.
  const list = [
    ['file.fused', b['file.fused'], fileArgs],
    ['file.unfused', b['file.unfused'], fileArgs],
    ['gen.fused', b['gen.fused'], genArgs],
    ['gen.unfused', b['gen.unfused'], genArgs],
  ].filter(([, bundle]) => bundle !== undefined);
  if (q.impl) {
    for (const kind of ['hand', 'rx']) {
      const script = join(root, 'bench/impl', `${q.name}.${kind}.mjs`);
      list.push([`gen.${kind}`, script, ['--out', 'out.jsonl', '--events', String(EVENTS), '--rate', String(RATE), '--seed', String(SEED)]]);
      list.push([`file.${kind}`, script, ['--out', 'out.jsonl', '--bid', join(dataDir, 'bid.jsonl')]]);
    }
  }
  return list;
}
const outputOf = (q, id, cwd) => (/hand|rx/.test(id) ? join(cwd, 'out.jsonl') : join(cwd, 'out', 'nexmark', `${q.name}.jsonl`));

/** Baselines: reading the bids (generated, or JSONL + JSON.parse) and nothing else. */
const floor = { records: counts.bid ?? recordCount('bid', EVENTS), runs: {} };
function floorRuns() {
  const script = join(root, 'bench/impl/noop.mjs');
  for (const [id, args] of [
    ['gen', ['--out', 'out.jsonl', '--events', String(EVENTS), '--rate', String(RATE), '--seed', String(SEED)]],
    ['file', ['--out', 'out.jsonl', '--bid', join(dataDir, 'bid.jsonl')]],
  ]) {
    if (!kinds.includes('bid')) continue;
    const run = timedRun(`floor.${id}`, script, args, { NEXMARK_GENERATOR: generator });
    (floor.runs[id] ??= []).push({ wallMs: run.wallMs, cpuMs: run.cpuMs, maxRssKb: run.maxRssKb });
    rmSync(run.cwd, { recursive: true, force: true });
  }
}

const results = {};
for (const q of queries) {
  const records = q.sources.reduce((n, k) => n + counts[k], 0);
  results[q.name] = { records, runs: {}, check: { ...builds[q.name].errors }, failed: {} };
}

for (let rep = 0; rep < REPS; rep++) {
  floorRuns();
  for (const q of queries) {
    const r = results[q.name];
    for (const [id, script, args] of implementations(q)) {
      if (r.failed[id]) continue;
      let run;
      try {
        run = timedRun(`${q.name}.${id}`, script, args, { NEXMARK_GENERATOR: generator });
      } catch (e) {
        // Reported in the table; the other implementations still run.
        r.failed[id] = true;
        r.check[id] = `FAILED: ${String(e.message).split('\n').slice(0, 3).join(' ').slice(0, 300)}`;
        log(`${q.name} ${id}: ${r.check[id]}`);
        continue;
      }
      (r.runs[id] ??= []).push({ wallMs: run.wallMs, cpuMs: run.cpuMs, maxRssKb: run.maxRssKb });
      if (rep === 0) {
        // The reference is the fused job over the JSONL files; keep its output for the others.
        const out = outputOf(q, id, run.cwd);
        const ref = join(work, 'reference', `${q.name}.jsonl`);
        if (id === 'file.fused') {
          mkdirSync(join(work, 'reference'), { recursive: true });
          copyFileSync(out, ref);
          r.outputRows = readFileSync(out, 'utf8').split('\n').length - 1;
        }
        r.check[id] = id === 'file.fused' ? 'reference' : q.deterministic === false ? 'not checked (processing time)' : verify(out, ref);
      }
      rmSync(run.cwd, { recursive: true, force: true });
    }
    if (rep === 0) log(`${q.name}: ${Object.entries(r.check).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    log(`rep ${rep + 1}/${REPS} ${q.name}: ${Object.entries(r.runs).map(([k, v]) => `${k} ${fmt(results[q.name].records / (v[v.length - 1].cpuMs / 1000))}`).join('  ')}`);
  }
}

// ---------------------------------------------------------------------------------------------- report

function fmt(x) {
  if (!Number.isFinite(x)) return '—';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(0)}K`;
  return x.toFixed(0);
}
/** The upper end of a published figure such as '0.38–0.41M' or '75K'. */
function parseFlink(text) {
  const m = /([\d.]+)([KM])$/.exec(text);
  return m ? Number(m[1]) * (m[2] === 'M' ? 1e6 : 1e3) : NaN;
}
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—');

for (const q of queries) {
  const r = results[q.name];
  r.eventsPerSec = {};
  r.eventsPerWallSec = {};
  for (const [id, runs] of Object.entries(r.runs)) {
    r.eventsPerSec[id] = r.records / (median(runs.map((x) => x.cpuMs)) / 1000);
    r.eventsPerWallSec[id] = r.records / (median(runs.map((x) => x.wallMs)) / 1000);
  }
  r.compileMs = builds[q.name].compileMs;
  r.bundleBytes = builds[q.name].bundleBytes;
  r.unfusedBundleBytes = builds[q.name].unfusedBundleBytes;
  r.goal = q.stateless ? 3e6 : 1e6;
}
floor.eventsPerSec = Object.fromEntries(Object.entries(floor.runs).map(([id, runs]) => [id, floor.records / (median(runs.map((x) => x.cpuMs)) / 1000)]));
const load1 = loadavg();
const eps = (q, id) => results[q.name].eventsPerSec[id] ?? NaN;
const goalMark = (q, id) => (eps(q, id) >= results[q.name].goal ? '✓' : '✗');
const wallCpu = median(Object.values(results).flatMap((r) => Object.values(r.runs).flat().map((x) => x.wallMs / x.cpuMs)));
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
const dirty = spawnSync('git', ['status', '--porcelain', '--', 'compiler', 'runtime', 'lang'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';

const md = [];
md.push('# Nexmark benchmark', '');
md.push(
  `${EVENTS.toLocaleString('en-US')} events (seed ${SEED}, ${RATE.toLocaleString('en-US')} events/s of event time), ` +
  `median of ${REPS} runs each, one process per run, Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} ` +
  `(${cpus().length} cores), flowc ${commit}${dirty ? ' with uncommitted changes' : ''}, ${started.toISOString().slice(0, 16)}Z. ` +
  'Written by `npm run bench` (bench/nexmark.mjs); raw timings in bench/results.json.',
  '',
  '**events/s** = input records the query reads (bids are 46 of every 50 events; q6 reads auctions and bids, q8 persons and ' +
  'auctions) / CPU seconds of the job process (user + system over all its threads, so V8\'s parallel GC counts too; ' +
  'node start-up excluded). ' +
  '*generator*: the bundle generates its events with the `nexmark` source; *processing*: the same events pre-generated to ' +
  'JSONL and read by a variant of the query with `file()` sources (read, JSON.parse, query, write). ' +
  '*fused*: `flowc build`; *unfused*: `flowc build --no-fuse`. Every output is checked against the fused processing run. ' +
  '*compile*: median of three `flowc build` runs of the query in a warm process (parse to bundle, q14 includes reading its ' +
  'extern TypeScript module with ts-morph); *bundle*: size of the fused .mjs with its inline source map; *peak RSS*: fused, generator.',
  '',
  `Machine load average ${load0.map((x) => x.toFixed(1)).join(' ')} at the start, ${load1.map((x) => x.toFixed(1)).join(' ')} at the end; ` +
  `median wall/CPU time per run ${wallCpu.toFixed(2)} (1.0 on an idle core; more means the runs waited for a CPU, which CPU time does not count).`,
  '',
);
if (floor.eventsPerSec.gen) {
  md.push(`Reading the bids and doing nothing else (bench/impl/noop.mjs, the harness of the hand-written and RxJS ` +
    `implementations): generating them ${fmt(floor.eventsPerSec.gen)}/s, reading the JSONL file + JSON.parse ` +
    `${fmt(floor.eventsPerSec.file)}/s.`, '');
}
md.push('## All queries', '');
md.push('| query | input records | generator fused | generator unfused | processing fused | processing unfused | unfused/fused (processing) | goal | Flink 2.0/core | compile | bundle | peak RSS | output rows | checks |');
md.push('|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|');
for (const q of queries) {
  const r = results[q.name];
  const bad = Object.entries(r.check).filter(([, v]) => /^(DIFFERENT|FAILED|flowc build)/.test(v));
  md.push(`| ${q.name} ${q.title} | ${r.records.toLocaleString('en-US')} | ${fmt(eps(q, 'gen.fused'))} | ${fmt(eps(q, 'gen.unfused'))} | ` +
    `${fmt(eps(q, 'file.fused'))} | ${fmt(eps(q, 'file.unfused'))} | ${ratio(eps(q, 'file.unfused'), eps(q, 'file.fused'))} | ` +
    `${fmt(r.goal)}: ${goalMark(q, 'gen.fused')} gen, ${goalMark(q, 'file.fused')} proc | ${FLINK[q.name] ?? '—'} | ` +
    `${r.compileMs === undefined ? '—' : `${r.compileMs.toFixed(0)} ms`} | ${r.bundleBytes === undefined ? '—' : `${(r.bundleBytes / 1024).toFixed(0)} KiB`} | ` +
    `${r.runs['gen.fused'] ? `${(median(r.runs['gen.fused'].map((x) => x.maxRssKb)) / 1024).toFixed(0)} MiB` : '—'} | ${(r.outputRows ?? 0).toLocaleString('en-US')} | ` +
    `${bad.length ? bad.map(([k, v]) => `${k}: ${v.replace(/\|/g, '\\|')}`).join('; ') : q.deterministic === false ? 'not comparable (processing time)' : 'all equal'} |`);
}
md.push('');
const withImpl = queries.filter((q) => q.impl);
if (withImpl.length) {
  md.push('## Fused Flow vs hand-written JS vs RxJS', '');
  md.push('Same input, same output rows (bench/impl/qN.hand.mjs and qN.rx.mjs). Goals: fused ≥ 0.9× hand-written and ≥ 10× RxJS.', '');
  md.push('| query | mode | fused | hand-written | RxJS | fused/hand | fused/RxJS | hand check | RxJS check |');
  md.push('|---|---|---:|---:|---:|---:|---:|---|---|');
  for (const q of withImpl) {
    for (const [mode, label] of [['gen', 'generator'], ['file', 'processing']]) {
      const f = eps(q, `${mode}.fused`), h = eps(q, `${mode}.hand`), x = eps(q, `${mode}.rx`);
      const c = results[q.name].check;
      md.push(`| ${q.name} | ${label} | ${fmt(f)} | ${fmt(h)} | ${fmt(x)} | ${ratio(f, h)} ${f >= 0.9 * h ? '✓' : '✗'} | ${ratio(f, x)} ${f >= 10 * x ? '✓' : '✗'} | ${c[`${mode}.hand`]} | ${c[`${mode}.rx`]} |`);
    }
  }
  md.push('');
}
// Where the goals stand (computed, not edited by hand).
{
  const count = (list, test) => `${list.filter(test).length}/${list.length}`;
  const stateless = queries.filter((q) => q.stateless);
  const keyed = queries.filter((q) => !q.stateless);
  md.push('## Goals', '');
  md.push(`- Stateless queries ≥ 3M events/s per core: ${count(stateless, (q) => eps(q, 'gen.fused') >= 3e6)} with the generator, ` +
    `${count(stateless, (q) => eps(q, 'file.fused') >= 3e6)} processing only (${stateless.map((q) => q.name).join(', ')}).`);
  md.push(`- Windowed and keyed queries ≥ 1M events/s per core: ${count(keyed, (q) => eps(q, 'gen.fused') >= 1e6)} with the generator, ` +
    `${count(keyed, (q) => eps(q, 'file.fused') >= 1e6)} processing only (${keyed.map((q) => q.name).join(', ')}).`);
  if (withImpl.length) {
    const pairs = withImpl.flatMap((q) => ['gen', 'file'].map((m) => [q, m]));
    md.push(`- Fused ≥ 0.9× hand-written: ${count(pairs, ([q, m]) => eps(q, `${m}.fused`) >= 0.9 * eps(q, `${m}.hand`))} (query × mode); ` +
      `fused ≥ 10× RxJS: ${count(pairs, ([q, m]) => eps(q, `${m}.fused`) >= 10 * eps(q, `${m}.rx`))}.`);
  }
  const flink = queries.filter((q) => FLINK[q.name]);
  md.push(`- Against the published per-core Flink 2.0 figures (generator included): ` +
    flink.map((q) => `${q.name} ${ratio(eps(q, 'gen.fused'), parseFlink(FLINK[q.name]))}`).join(', ') + '.');
  md.push('');
}
const table = md.join('\n');
console.log(table);

const json = {
  date: started.toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? null,
  cores: cpus().length,
  commit, dirty,
  events: EVENTS, rate: RATE, seed: SEED, reps: REPS,
  loadAverage: { start: load0, end: load1 },
  floor,
  metric: 'input records / median CPU seconds of the job process (start-up excluded); eventsPerWallSec uses wall time',
  queries: results,
};
if (!ONLY) {
  writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(root, 'bench/results.md'), `${table}\n`);
  log('wrote bench/results.md and bench/results.json');
} else {
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'results.partial.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(work, 'results.partial.md'), `${table}\n`);
  log(`--queries given: wrote ${relative(root, join(work, 'results.partial.md'))} (bench/results.* are written by full runs only)`);
}
