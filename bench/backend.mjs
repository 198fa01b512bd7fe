// What fusion buys: events/s of the fused bundle, the unfused build (--no-fuse: a chain of generic
// operator objects) and a hand-written JavaScript loop doing the same work over the same JSONL
// input, for three jobs: pass-through, filter + project, keyed tumbling count. Also the compile
// time of a sample (.flow → bundle on disk). A table, not a timed test.
//
//   node bench/backend.mjs [--events 1000000] [--reps 3]
//
// Each variant runs as its own `node` process (as a user runs a job) on the same input file and
// writes its output file; events/s = input records / wall time of the process. The variants run
// round-robin, `reps` times each, and the median is reported. Prints a markdown table and writes
// it to bench/out/backend.md.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { cpus, tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { intArg } from './lib/args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const arg = intArg;

const EVENTS = arg('events', 1_000_000);
const REPS = arg('reps', 3);
const tmp = mkdtempSync(join(tmpdir(), 'flowc-backend-bench-'));

// ---------------------------------------------------------------- the compiler, in process

const compilerFile = join(tmp, 'compiler.mjs');
await build({
  stdin: {
    contents: `export { compile } from './compiler/index.ts';
export { bundle } from './compiler/bundle/bundle.ts';
export { nodeHost } from './compiler/cli/host.ts';`,
    resolveDir: root, sourcefile: 'bench-entry.ts', loader: 'ts',
  },
  outfile: compilerFile,
  bundle: true, platform: 'node', format: 'esm', target: 'node20',
  packages: 'external', loader: { '.ohm': 'text' }, logLevel: 'error',
  // The bundled compiler looks for runtime/index.ts upwards from its own file.
  define: {},
});
// bundle() finds the runtime upwards from its module: place the compiler bundle inside the repo tree.
const compilerInRepo = join(root, 'bench', 'out', 'cache', `backend-compiler-${process.pid}.mjs`);
mkdirSync(dirname(compilerInRepo), { recursive: true });
writeFileSync(compilerInRepo, readFileSync(compilerFile));
const { compile, bundle, nodeHost } = await import(pathToFileURL(compilerInRepo).href);

async function buildJob(flowFile, out, fuse) {
  const text = readFileSync(flowFile, 'utf8');
  const c = compile(text, flowFile, nodeHost, { fuse });
  if (!c.ok) throw new Error(`${flowFile}: ${c.diagnostics.map((d) => d.message).join('; ')}`);
  writeFileSync(out, await bundle(c.ts, { flowFile, flowText: text }));
}

// ---------------------------------------------------------------- compile time

const sample = join(root, 'samples', 'hot_pages.flow');
const compileTimes = [];
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  await buildJob(sample, join(tmp, 'hot_pages.mjs'), true);
  compileTimes.push(performance.now() - t0);
}
// As a fresh process: `bin/flowc.mjs` first (it rebuilds dist/flowc.mjs when a source is newer),
// then the timed run of the bundled CLI, as an installed flowc runs.
spawnSync(process.execPath, [join(root, 'bin', 'flowc.mjs'), '--version'], { encoding: 'utf8' });
const cliScript = join(tmp, 'cli.mjs');
writeFileSync(cliScript, `import { main } from ${JSON.stringify(pathToFileURL(join(root, 'dist', 'flowc.mjs')).href)};\nprocess.exitCode = await main(process.argv.slice(2));\n`);
const cliMsAll = [];
const cliCpuAll = [];
const cliCpuHook = join(tmp, 'cli-cpu-hook.cjs');
writeFileSync(cliCpuHook, `process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeFileSync(process.env.FLOWC_BENCH_CPU, String((u.user + u.system) / 1000)); });\n`);
for (let i = 0; i < 3; i++) {
  const cliStart = performance.now();
  const cpuFile = join(tmp, 'cli-cpu.txt');
  const cli = spawnSync(process.execPath, ['--require', cliCpuHook, cliScript, 'build', sample, '-o', join(tmp, 'hot_pages.cli.mjs')], { encoding: 'utf8', env: { ...process.env, FLOWC_BENCH_CPU: cpuFile } });
  cliMsAll.push(performance.now() - cliStart);
  if (cli.status !== 0) throw new Error(`flowc build failed: ${cli.stderr}`);
  cliCpuAll.push(Number(readFileSync(cpuFile, 'utf8')));
}
const cliMs = [...cliMsAll].sort((a, b) => a - b)[1];
const cliCpu = [...cliCpuAll].sort((a, b) => a - b)[1];

// ---------------------------------------------------------------- input

const input = join(tmp, 'clicks.jsonl');
{
  let seed = 42;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const pages = Array.from({ length: 50 }, (_, i) => (i === 0 ? '/' : `/docs/page-${i}`));
  const refs = ['google.com', 'news.ycombinator.com', 'x.com', 'github.com'];
  const start = Date.UTC(2024, 4, 1, 10);
  const parts = [];
  let chunk = '';
  for (let i = 0; i < EVENTS; i++) {
    const at = new Date(start + i * 5 + Math.floor(rand() * 2000)).toISOString();
    const ref = rand() < 0.4 ? null : refs[Math.floor(rand() * refs.length)];
    chunk += `{"user":"u${Math.floor(rand() * 10000)}","page":"${pages[Math.floor(rand() * pages.length)]}","duration_ms":${Math.floor(rand() * 5000)},"referrer":${ref === null ? 'null' : `"${ref}"`},"at":"${at}"}\n`;
    if (chunk.length > 1 << 20) { parts.push(chunk); chunk = ''; }
  }
  parts.push(chunk);
  writeFileSync(input, parts.join(''));
}

// ---------------------------------------------------------------- the jobs

const header = `type Click = { user: string, page: string, duration_ms: int, referrer: string?, at: timestamp }
param input: string
`;
const jobs = [
  {
    name: 'pass-through',
    flow: `${header}source clicks: Click = file(input, format: "jsonl")
sink clicks -> file("out.jsonl")
`,
  },
  {
    name: 'filter + project',
    flow: `${header}source clicks: Click = file(input, format: "jsonl")
sink clicks | where duration_ms > 1000 and page != "/" | select { user, page, secs: duration_ms / 1000 } -> file("out.jsonl")
`,
  },
  {
    name: 'keyed tumbling count',
    flow: `${header}source clicks: Click = file(input, format: "jsonl") event time at watermark 5s
sink clicks | key by page | window tumbling 1m | aggregate { views: count() } -> file("out.jsonl")
`,
  },
  {
    // No parsing: the in-process Nexmark generator feeds the stage objects directly, so the table
    // also shows what fusion buys when JSON parsing does not dominate (no hand-written loop here).
    name: 'generator: filter + keyed tumbling max',
    flow: `type Bid = { auction: int, bidder: int, price: int, channel: string, url: string, dateTime: timestamp, extra: string }
param input: string
source bids: Bid = nexmark(kind: "bid", events: ${EVENTS}, seed: 7, rate: 100000) event time dateTime watermark 4s
sink bids | where price > 100 and channel != "Apple" | key by auction | window tumbling 10s | aggregate { n: count(), hi: max(price), avg: avg(price) } -> file("out.jsonl")
`,
    noHand: true,
  },
];

// The hand-written loops: what a careful programmer writes for each job in plain JavaScript,
// doing the same work (read the file in chunks, parse, check every field's type, compute, write
// JSON lines), with no framework.
const handCommon = `import { openSync, readSync, writeSync, closeSync } from 'node:fs';
const [input, output] = process.argv.slice(2);
const fd = openSync(input, 'r');
const out = openSync(output, 'w');
let pending = '';
function write(line) { pending += line + '\\n'; if (pending.length > 65536) { writeSync(out, pending); pending = ''; } }
function ts(v) {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  return typeof v === 'string' ? Date.parse(v) : NaN;
}
function valid(o) {
  return o !== null && typeof o === 'object' && typeof o.user === 'string' && typeof o.page === 'string'
    && Number.isSafeInteger(o.duration_ms) && (o.referrer == null || typeof o.referrer === 'string');
}
function lines(each) {
  const buf = Buffer.allocUnsafe(1 << 20);
  let rest = '';
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const text = rest + buf.toString('utf8', 0, n);
    let from = 0;
    for (let nl = text.indexOf('\\n'); nl >= 0; nl = text.indexOf('\\n', from)) {
      if (nl > from) each(text.slice(from, nl));
      from = nl + 1;
    }
    rest = text.slice(from);
  }
  if (rest) each(rest);
}
`;
const hand = {
  'pass-through': `${handCommon}
lines((line) => {
  let o;
  try { o = JSON.parse(line); } catch { return; }
  if (!valid(o)) return;
  const at = ts(o.at);
  if (at !== at) return;
  write('{"user":' + JSON.stringify(o.user) + ',"page":' + JSON.stringify(o.page) + ',"duration_ms":' + o.duration_ms
    + ',"referrer":' + (o.referrer == null ? 'null' : JSON.stringify(o.referrer)) + ',"at":"' + new Date(at).toISOString() + '"}');
});
writeSync(out, pending); closeSync(out); closeSync(fd);
`,
  'filter + project': `${handCommon}
lines((line) => {
  let o;
  try { o = JSON.parse(line); } catch { return; }
  if (!valid(o)) return;
  if (ts(o.at) !== ts(o.at)) return;
  if (!(o.duration_ms > 1000 && o.page !== '/')) return;
  const secs = o.duration_ms / 1000;
  write('{"user":' + JSON.stringify(o.user) + ',"page":' + JSON.stringify(o.page) + ',"secs":' + (Number.isInteger(secs) ? secs.toFixed(1) : String(secs)) + '}');
});
writeSync(out, pending); closeSync(out); closeSync(fd);
`,
  'keyed tumbling count': `${handCommon}
const SIZE = 60000, DELAY = 5000;
const windows = new Map(); // window start -> Map(page -> count), keys in first-arrival order
const starts = []; // open window starts, ascending
let maxTs = -Infinity, wm = -Infinity, nextEnd = Infinity;
function fireUpTo(to) {
  wm = to;
  while (starts.length && starts[0] + SIZE <= wm) {
    const s = starts.shift();
    const startIso = new Date(s).toISOString(), endIso = new Date(s + SIZE).toISOString();
    for (const [page, n] of windows.get(s)) write('{"page":' + JSON.stringify(page) + ',"window_start":"' + startIso + '","window_end":"' + endIso + '","views":' + n + '}');
    windows.delete(s);
  }
  nextEnd = starts.length ? starts[0] + SIZE : Infinity;
}
lines((line) => {
  // The watermark (highest event time - 5s) closes windows before the next record.
  if (maxTs - DELAY >= nextEnd) fireUpTo(maxTs - DELAY);
  let o;
  try { o = JSON.parse(line); } catch { return; }
  if (!valid(o)) return;
  const at = ts(o.at);
  if (at !== at) return;
  if (at > maxTs) maxTs = at;
  const start = at - (((at % SIZE) + SIZE) % SIZE);
  if (start + SIZE <= wm) return; // late
  let w = windows.get(start);
  if (w === undefined) {
    w = new Map();
    windows.set(start, w);
    let i = starts.length;
    while (i > 0 && starts[i - 1] > start) i--;
    starts.splice(i, 0, start);
    if (start + SIZE < nextEnd) nextEnd = start + SIZE;
  }
  w.set(o.page, (w.get(o.page) ?? 0) + 1);
});
fireUpTo(Infinity);
writeSync(out, pending); closeSync(out); closeSync(fd);
`,
};

const variants = [];
for (const job of jobs) {
  const dir = join(tmp, job.name.replace(/\W+/g, '-'));
  mkdirSync(dir, { recursive: true });
  const flowFile = join(dir, 'job.flow');
  writeFileSync(flowFile, job.flow);
  await buildJob(flowFile, join(dir, 'fused.mjs'), true);
  await buildJob(flowFile, join(dir, 'unfused.mjs'), false);
  const flowArgs = ['--quiet', '--param', `input=${input}`];
  variants.push(
    { job: job.name, kind: 'fused', dir, args: [join(dir, 'fused.mjs'), ...flowArgs], out: join(dir, 'out.jsonl') },
    { job: job.name, kind: 'unfused', dir, args: [join(dir, 'unfused.mjs'), ...flowArgs], out: join(dir, 'out.jsonl') },
  );
  if (!job.noHand) {
    writeFileSync(join(dir, 'hand.mjs'), hand[job.name]);
    variants.push({ job: job.name, kind: 'hand-written', dir, args: [join(dir, 'hand.mjs'), input, join(dir, 'hand.out.jsonl')], out: join(dir, 'hand.out.jsonl') });
  }
}

// ---------------------------------------------------------------- runs

// Each process reports the CPU time it used (user + system) when it exits: on a shared machine
// CPU time is steadier than wall time, and both are reported.
const cpuHook = join(tmp, 'cpu-hook.cjs');
writeFileSync(cpuHook, `process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeFileSync(process.env.FLOWC_BENCH_CPU, String((u.user + u.system) / 1000)); });\n`);
const times = new Map(variants.map((v) => [v, []]));
const cpuTimes = new Map(variants.map((v) => [v, []]));
for (let rep = 0; rep < REPS; rep++) {
  for (const v of variants) {
    rmSync(v.out, { force: true });
    const cpuFile = join(tmp, 'cpu.txt');
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--require', cpuHook, ...v.args], { cwd: v.dir, encoding: 'utf8', env: { ...process.env, FLOWC_BENCH_CPU: cpuFile } });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${v.job} ${v.kind} failed: ${r.stderr}`);
    times.get(v).push(ms);
    cpuTimes.get(v).push(Number(readFileSync(cpuFile, 'utf8')));
  }
}

// The three variants of a job must have written the same output (the hand-written loops too).
for (const job of jobs) {
  const [f, u, h] = variants.filter((v) => v.job === job.name);
  const a = readFileSync(f.out, 'utf8');
  if (readFileSync(u.out, 'utf8') !== a) throw new Error(`${job.name}: fused and unfused outputs differ`);
  if (!h) continue;
  const hand = readFileSync(h.out, 'utf8');
  if (hand !== a) console.error(`note: ${job.name}: the hand-written loop's output differs from the job's (${hand.length} vs ${a.length} bytes)`);
}

// ---------------------------------------------------------------- operator chain only

// The same jobs over rows already in memory (no parsing, no file I/O), compiled in test mode and
// driven by the test harness, each variant in a fresh process: what fusion buys in the operator
// chain itself. Rows are validated by both variants; sink lines are kept in memory.
const memRows = Math.min(EVENTS, 500_000);
const runner = join(tmp, 'mem-runner.mjs');
writeFileSync(runner, `
const [mod, n] = [process.argv[2], Number(process.argv[3])];
const { job, WatermarkClock } = await import(mod);
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const rows = [];
for (let i = 0; i < n; i++) rows.push({ user: 'u' + Math.floor(rand() * 10000), page: i % 50 === 0 ? '/' : '/docs/page-' + Math.floor(rand() * 50), duration_ms: Math.floor(rand() * 5000), referrer: rand() < 0.4 ? null : 'x.com', at: 1714557600000 + i * 5 + Math.floor(rand() * 2000) });
// Drives the job as the driver does (batches of 1024, watermarks through the same clock); sink
// lines are counted, not kept.
function run(count) {
  let advance = () => {};
  const graph = job.create({ params: { input: 'unused' }, advance: (s) => advance(s) });
  let lines = 0;
  for (const s of graph.sinks) s.write = () => { lines++; };
  const done = [false];
  const clock = new WatermarkClock(graph, done);
  advance = (s) => clock.sourceAdvanced(s);
  const src = graph.sources[0];
  for (let i = 0; i < count; i += 1024) {
    src.stage({ records: rows.slice(i, Math.min(count, i + 1024)), lines: null });
    clock.advance();
  }
  done[0] = true;
  clock.watermarks[0] = Infinity;
  clock.advance();
  return lines;
}
run(Math.min(n, 20000)); // warm-up
const t0 = process.cpuUsage();
const lines = run(n);
const t = process.cpuUsage(t0);
process.stdout.write(JSON.stringify({ ms: (t.user + t.system) / 1000, lines }));
`);
const memResults = [];
for (const job of jobs.filter((j) => !j.noHand)) {
  const dir = join(tmp, `mem-${job.name.replace(/\W+/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const flowFile = join(dir, 'job.flow');
  writeFileSync(flowFile, job.flow);
  const res = {};
  for (const fuse of [true, false]) {
    const text = job.flow;
    const c = compile(text, flowFile, nodeHost, { fuse, testMode: true });
    const entry = join(dir, fuse ? 'fused.ts' : 'unfused.ts');
    writeFileSync(entry, c.ts);
    const out = join(dir, fuse ? 'fused.mjs' : 'unfused.mjs');
    await build({
      stdin: { contents: `export { job } from ${JSON.stringify(entry)};\nexport { WatermarkClock } from ${JSON.stringify(join(root, 'runtime/job/driver.ts'))};\n`, resolveDir: dir, loader: 'ts' },
      outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error',
      plugins: [{ name: 'flowc-runtime', setup(b) { b.onResolve({ filter: /^flowc:runtime$/ }, () => ({ path: join(root, 'runtime/index.ts') })); } }],
    });
    const ms = [];
    let lines = 0;
    for (let rep = 0; rep < REPS; rep++) {
      const r = spawnSync(process.execPath, [runner, pathToFileURL(out).href, String(memRows)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${job.name} in memory (${fuse ? 'fused' : 'unfused'}) failed: ${r.stderr}`);
      const o = JSON.parse(r.stdout);
      ms.push(o.ms);
      lines = o.lines;
    }
    res[fuse ? 'fused' : 'unfused'] = { ms, lines };
  }
  if (res.fused.lines !== res.unfused.lines) throw new Error(`${job.name}: in memory, fused and unfused wrote different line counts`);
  memResults.push({ job: job.name, ...res });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const rate = (ms) => EVENTS / (ms / 1000);
const fmt = (r) => (r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : `${(r / 1e3).toFixed(0)}k`);
const rows = [];
for (const job of jobs) {
  const vs = variants.filter((v) => v.job === job.name);
  const [f, u, h] = vs.map((v) => rate(median(cpuTimes.get(v))));
  const [fw, uw, hw] = vs.map((v) => rate(median(times.get(v))));
  const handCells = h === undefined ? ['—', '—'] : [fmt(h), `**${(f / h).toFixed(2)}×**`];
  rows.push(`| ${job.name} | ${fmt(f)} | ${fmt(u)} | ${handCells[0]} | ${handCells[1]} | **${(f / u).toFixed(2)}×** | ${[fw, uw, hw].filter((x) => x !== undefined).map(fmt).join(' / ')} |`);
}
const memRowsText = memResults.map((m) => {
  const f = memRows / (median(m.fused.ms) / 1000);
  const u = memRows / (median(m.unfused.ms) / 1000);
  return `| ${m.job} | ${fmt(f)} | ${fmt(u)} | **${(f / u).toFixed(2)}×** |`;
}).join('\n');
const sorted = [...compileTimes.slice(1)].sort((a, b) => a - b);
const table = `# Back end: what fusion buys

${EVENTS.toLocaleString('en-US')} JSONL click records (${(statSync(input).size / 1e6).toFixed(0)} MB), each variant its own \`node\` process over the same file,
median of ${REPS} round-robin runs. events/s = records / CPU time of the process (user + system, from start to exit,
reading and writing files included); the last column gives the same by wall time (fused / unfused / hand-written).
${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} at the end.

| job | fused | unfused (--no-fuse) | hand-written JS | fused / hand-written | fused / unfused | by wall time |
|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

The operator chain alone: ${memRows.toLocaleString('en-US')} rows already in memory (no JSON parsing, no file I/O; both
variants still validate each row and serialise each output line, which is counted, not written),
test-mode builds driven in batches of 1024 through the driver's watermark clock, CPU time of the
run after a warm-up, median of ${REPS}:

| job | fused | unfused (--no-fuse) | fused / unfused |
|---|---:|---:|---:|
${memRowsText}

Compile time of samples/hot_pages.flow (.flow → bundle on disk): ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms in process (median of 5 after a first cold build of ${compileTimes[0].toFixed(0)} ms); \`flowc build\` as a fresh process (node start, loading the compiler with ts-morph and esbuild, building, writing): ${cliMs.toFixed(0)} ms wall, ${cliCpu.toFixed(0)} ms CPU (median of 3).
`;
process.stdout.write(table);
mkdirSync(join(root, 'bench', 'out'), { recursive: true });
writeFileSync(join(root, 'bench', 'out', 'backend.md'), table);
rmSync(compilerInRepo, { force: true });
if (!process.env.FLOWC_BENCH_KEEP) rmSync(tmp, { recursive: true, force: true });
else process.stderr.write(`kept ${tmp}\n`);
