// Input and output for the hand-written (*.hand.mjs) and RxJS (*.rx.mjs) Nexmark implementations:
// what a JS developer writes around a query. Each implementation is a script:
//
//   node bench/impl/q5.hand.mjs --out OUT.jsonl --bid bid.jsonl                  (events from JSONL)
//   node bench/impl/q5.hand.mjs --out OUT.jsonl --events N --rate R --seed 42    (events generated)
//
// From JSONL, every line is JSON.parse'd (as the Flow file source does); generated events are the
// generator's objects (as the Flow nexmark source gets them). Output lines are the same JSON the
// Flow job writes (fields in order, timestamps as ISO 8601 with milliseconds, floats with a
// fraction), buffered and written with one writeSync per ~64 KiB, like the Flow file sink.
import { closeSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAscii } from 'node:buffer';
import { Observable, map } from 'rxjs';

export function parseArgs(argv = process.argv.slice(2)) {
  const a = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error(`unexpected argument ${argv[i]}`);
    a[argv[i].slice(2)] = argv[i + 1];
  }
  if (!a.out) throw new Error('--out FILE is required');
  return a;
}

/**
 * Calls `onLine` for every non-empty line of a file: 1 MiB chunks read into one Buffer, split on
 * '\n' there, each line decoded on its own (as latin1 when the chunk is ASCII, which is the same
 * text and faster; else UTF-8). The fastest plain reader we found; the Flow file source does the
 * same.
 */
export function forEachLine(path, onLine) {
  const fd = openSync(path, 'r');
  let buf = Buffer.allocUnsafe(1 << 20);
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2); // a line longer than the buffer
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    const n = readSync(fd, buf, len, buf.length - len, null);
    if (n === 0) break;
    len += n;
    const ascii = isAscii(buf.subarray(0, len));
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0 && nl < len; nl = buf.indexOf(10, start)) {
      if (nl > start) onLine(ascii ? buf.latin1Slice(start, nl) : buf.toString('utf8', start, nl));
      start = nl + 1;
    }
    buf.copy(buf, 0, start, len);
    len -= start;
  }
  if (len > 0) onLine(buf.toString('utf8', 0, len));
  closeSync(fd);
}

/** Generated records of one kind, in batches of 1024 (the Flow driver's batch size). */
async function forEachGenerated(kind, args, onRecord) {
  const generator = process.env.NEXMARK_GENERATOR;
  if (!generator) throw new Error('NEXMARK_GENERATOR must name the bundled generator (bench/nexmark/lib.mjs generatorBundle())');
  const { NexmarkSource } = await import(pathToFileURL(generator).href);
  const src = new NexmarkSource({ kind, events: Number(args.events), seed: Number(args.seed ?? 42), rate: Number(args.rate ?? 10_000) });
  for (let b = src.read(1024); b !== null; b = src.read(1024)) {
    for (let i = 0; i < b.length; i++) onRecord(b[i]);
  }
}

export class Output {
  constructor(path) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
    this.parts = [];
    this.size = 0;
  }
  write(line) {
    this.parts.push(line);
    this.size += line.length;
    if (this.size > 65536) this.flush();
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

/** Timestamps as Flow writes them. */
export const iso = (ms) => new Date(ms).toISOString();
/** Floats as Flow writes them (an integral float keeps a `.0`). */
export const float = (x) => (Number.isInteger(x) ? x.toFixed(1) : String(x));

/**
 * Runs a hand-written query over one input kind: `query(write)` returns `{ record(r), end() }`.
 */
export async function runHand(kind, query) {
  const args = parseArgs();
  const out = new Output(args.out);
  const q = query((line) => out.write(line));
  if (args[kind] !== undefined) {
    const record = q.record;
    forEachLine(args[kind], (line) => record(JSON.parse(line)));
  } else {
    await forEachGenerated(kind, args, q.record);
  }
  q.end();
  out.close();
}

/**
 * Runs an RxJS query over one input kind: `query(records$)` returns an Observable of output lines.
 * The input Observable emits the records synchronously, then completes.
 */
export async function runRx(kind, query) {
  const args = parseArgs();
  const out = new Output(args.out);
  let records$;
  if (args[kind] !== undefined) {
    const lines$ = new Observable((sub) => {
      forEachLine(args[kind], (line) => sub.next(line));
      sub.complete();
    });
    records$ = lines$.pipe(map((line) => JSON.parse(line)));
  } else {
    const generator = process.env.NEXMARK_GENERATOR;
    if (!generator) throw new Error('NEXMARK_GENERATOR must name the bundled generator');
    const { NexmarkSource } = await import(pathToFileURL(generator).href);
    records$ = new Observable((sub) => {
      const src = new NexmarkSource({ kind, events: Number(args.events), seed: Number(args.seed ?? 42), rate: Number(args.rate ?? 10_000) });
      for (let b = src.read(1024); b !== null; b = src.read(1024)) for (let i = 0; i < b.length; i++) sub.next(b[i]);
      sub.complete();
    });
  }
  await new Promise((resolve, reject) => {
    query(records$).subscribe({ next: (line) => out.write(line), error: reject, complete: resolve });
  });
  out.close();
}
