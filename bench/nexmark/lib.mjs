// Shared by the Nexmark benchmark (bench/nexmark.mjs) and its oracle test (test/nexmark/): the
// query catalogue, the generator loaded from its TypeScript source, dumping events to JSONL, and
// the variant of a query that reads those files instead of generating events.
import { build } from 'esbuild';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const samplesDir = join(root, 'samples', 'nexmark');

/**
 * Every query of samples/nexmark. `sources`: the event kinds it reads; `impl`: it has a hand-written
 * and an RxJS implementation in bench/impl/; `stateless`: no window, key or join state (goal 3M
 * events/s instead of 1M); `deterministic`: false for processing-time windows.
 */
export const QUERIES = [
  { name: 'q0', sources: ['bid'], stateless: true, impl: true, title: 'pass through' },
  { name: 'q1', sources: ['bid'], stateless: true, impl: true, title: 'currency conversion' },
  { name: 'q2', sources: ['bid'], stateless: true, impl: true, title: 'selection' },
  { name: 'q5', sources: ['bid'], impl: true, title: 'hot items (sliding window, top with ties)' },
  { name: 'q6', sources: ['auction', 'bid'], title: 'average selling price by seller (process)' },
  { name: 'q7', sources: ['bid'], impl: true, title: 'highest bid (tumbling window, top with ties)' },
  { name: 'q8', sources: ['person', 'auction'], title: 'monitor new users (window join)' },
  { name: 'q10', sources: ['bid'], stateless: true, title: 'log to file system (partition fields)' },
  { name: 'q11', sources: ['bid'], impl: true, title: 'user sessions (session window)' },
  { name: 'q12', sources: ['bid'], deterministic: false, title: 'processing-time windows' },
  { name: 'q13', sources: ['bid'], stateless: true, table: true, title: 'bounded side input join (lookup)' },
  { name: 'q14', sources: ['bid'], stateless: true, title: 'calculation (extern fn)' },
  { name: 'q15', sources: ['bid'], title: 'bidding statistics per day' },
  { name: 'q16', sources: ['bid'], title: 'channel statistics per day' },
  { name: 'q17', sources: ['bid'], title: 'auction statistics per day' },
  { name: 'q21', sources: ['bid'], stateless: true, title: 'add channel id (regex)' },
  { name: 'q22', sources: ['bid'], stateless: true, title: 'url directories (split_index)' },
];

/** The side input table of q13, relative to the repository root. */
export const sideInput = join(samplesDir, 'data', 'side_input.csv');

/** `nexmark(kind: "bid", …)` calls in a query's text. */
const NEXMARK_CALL = /nexmark\(\s*kind:\s*"(person|auction|bid)"[^)]*\)/g;

/** The nexmark sources of a query: kind and seed of each. */
export function nexmarkSources(text) {
  const out = [];
  for (const m of text.matchAll(NEXMARK_CALL)) {
    const seed = /seed:\s*(\d+)/.exec(m[0]);
    out.push({ kind: m[1], seed: seed ? Number(seed[1]) : 0 });
  }
  return out;
}

/** The JSONL file parameter that replaces the generator of `kind` in the file variant. */
export const pathParam = (kind) => `${kind}_path`;

/**
 * The same query reading pre-generated events: every `nexmark(kind: K, …)` source becomes
 * `file(K_path, format: "jsonl")` with a `param K_path: string`. Everything else is unchanged.
 */
export function fileVariant(text) {
  const kinds = [...new Set(nexmarkSources(text).map((s) => s.kind))];
  if (kinds.length === 0) throw new Error('the query has no nexmark source');
  const replaced = text.replace(NEXMARK_CALL, (_m, kind) => `file(${pathParam(kind)}, format: "jsonl")`);
  const params = kinds.map((k) => `param ${pathParam(k)}: string = "${k}.jsonl"`).join('\n');
  // After the imports (params may come anywhere at top level; keep them near the others).
  const at = replaced.search(/^param /m);
  return at < 0 ? `${replaced}\n${params}\n` : `${replaced.slice(0, at)}${params}\n${replaced.slice(at)}`;
}

let generatorModule;

/**
 * The generator (runtime/connectors/nexmark.ts) bundled by esbuild into a plain ES module that
 * node can load, cached at bench/out/cache/nexmark-generator.mjs (rebuilt when the source is newer).
 * Returns the bundle's path.
 */
export async function generatorBundle() {
  const src = join(root, 'runtime/connectors/nexmark.ts');
  const outfile = join(root, 'bench/out/cache/nexmark-generator.mjs');
  if (!existsSync(outfile) || statSync(outfile).mtimeMs < statSync(src).mtimeMs) {
    const tmp = `${outfile}.${process.pid}.tmp.mjs`;
    await build({ entryPoints: [src], outfile: tmp, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' });
    renameSync(tmp, outfile);
  }
  return outfile;
}

/** The generator module: `NexmarkSource`, `nexmarkEvent`, … */
export async function loadGenerator() {
  generatorModule ??= await import(pathToFileURL(await generatorBundle()).href);
  return generatorModule;
}

/** Buffered line writer over a file descriptor (one writeSync per ~1 MiB). */
export class LineWriter {
  constructor(path) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
    this.parts = [];
    this.size = 0;
  }
  write(line) {
    this.parts.push(line);
    this.size += line.length + 1;
    if (this.size > 1 << 20) this.flush();
  }
  flush() {
    if (this.parts.length === 0) return;
    const data = Buffer.from(this.parts.join('\n') + '\n');
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done);
    this.parts = [];
    this.size = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * Writes the events of `kinds` that `nexmark(kind, events, seed, rate)` produces to
 * `dir/<kind>.jsonl`, straight from the generator: one JSON.stringify'd record per line, fields
 * in the generator's order, timestamps as epoch milliseconds. Returns the record count per kind.
 * Reuses a complete earlier dump of the same settings (marked by `dir/<kind>.done`).
 */
export async function dumpEvents(dir, { events, seed, rate, kinds }) {
  const { NexmarkSource } = await loadGenerator();
  mkdirSync(dir, { recursive: true });
  const counts = {};
  for (const kind of kinds) {
    const file = join(dir, `${kind}.jsonl`);
    const done = join(dir, `${kind}.done`);
    const tag = JSON.stringify({ events, seed, rate });
    if (existsSync(done) && existsSync(file)) {
      const d = JSON.parse(readFileSync(done, 'utf8'));
      if (d.tag === tag) {
        counts[kind] = d.records;
        continue;
      }
    }
    const src = new NexmarkSource({ kind, events, seed, rate });
    const w = new LineWriter(file);
    let records = 0;
    for (let b = src.read(4096); b !== null; b = src.read(4096)) {
      for (const r of b) w.write(JSON.stringify(r));
      records += b.length;
    }
    w.close();
    const fd = openSync(done, 'w');
    writeSync(fd, JSON.stringify({ tag, records }));
    closeSync(fd);
    counts[kind] = records;
  }
  return counts;
}

/** How many records `nexmark(kind, events)` produces (without generating them). */
export function recordCount(kind, events) {
  const epochs = Math.floor(events / 50);
  const rest = events - epochs * 50;
  if (kind === 'person') return epochs + (rest > 0 ? 1 : 0);
  if (kind === 'auction') return epochs * 3 + Math.max(0, Math.min(rest - 1, 3));
  return epochs * 46 + Math.max(0, rest - 4);
}
