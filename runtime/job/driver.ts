/**
 * Runs a compiled job: parses flags, opens connectors, reads sources in fixed-size batches
 * (round robin, so the interleaving — and with it every window's content — depends only on the
 * input), moves watermarks through the operators in topological order, and closes cleanly.
 */
import { UserError } from '../errors.ts';
import { parseTimestamp, parseDuration } from '../formats/time.ts';
import type { JobDefinition, JobGraph, ParamDef, ReadBatch, Reader } from './graph.ts';
import { parseJobFlags, usage, type JobFlags } from './flags.ts';
import { Checkpointer } from '../checkpoint/checkpointer.ts';
import { StatusReporter } from './status.ts';

/** Records per source read; a constant so that interleaving is the same on every run and restore. */
export const BATCH = 1024;

export interface RunResult {
  graph: JobGraph;
  durationMs: number;
}

/** Entry point of a bundle: runs the job with the process's flags and sets the exit code. */
export async function runMain(def: JobDefinition, argv: string[] = process.argv.slice(2)): Promise<void> {
  try {
    const flags = parseJobFlags(argv);
    if (flags.help) {
      process.stdout.write(usage(def));
      return;
    }
    await runJob(def, flags);
    process.exitCode = 0;
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

/** Prints an error as a user sees it; returns the exit code (1 user error, 2 internal error). */
export function reportError(e: unknown): number {
  if (e instanceof UserError) {
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
  const err = e as Error;
  process.stderr.write(`error: the job failed: ${err?.message ?? String(e)}\n`);
  const where = (err?.stack ?? '').split('\n').find((l) => /\.flow:\d+/.test(l));
  if (where) process.stderr.write(`  at ${where.trim().replace(/^at\s+/, '')}\n`);
  return 2;
}

export function parseParams(defs: ParamDef[], given: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name] of given) {
    if (!defs.some((d) => d.name === name)) {
      const known = defs.map((d) => d.name);
      throw new UserError(`unknown param \`${name}\`${known.length ? ` (params: ${known.join(', ')})` : ' (this job has no params)'}`);
    }
  }
  for (const d of defs) {
    const text = given.get(d.name);
    if (text === undefined) {
      if (d.default === undefined && !d.nullable) throw new UserError(`param \`${d.name}\` has no default: pass --param ${d.name}=VALUE`);
      out[d.name] = d.default ?? null;
      continue;
    }
    out[d.name] = parseParamValue(d, text);
  }
  return out;
}

function parseParamValue(d: ParamDef, text: string): unknown {
  const bad = (what: string) => new UserError(`--param ${d.name}=${text}: expected ${what}`);
  if (d.nullable && text === 'null') return null;
  switch (d.type) {
    case 'string': return text;
    case 'int': {
      if (!/^[+-]?\d[\d_]*$/.test(text)) throw bad('an int');
      const v = Number(text.replace(/_/g, ''));
      if (!Number.isSafeInteger(v)) throw bad('an int within ±2^53');
      return v;
    }
    case 'float': {
      const v = Number(text);
      if (text.trim() === '' || !Number.isFinite(v)) throw bad('a number');
      return v;
    }
    case 'bool':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw bad('true or false');
    case 'timestamp': {
      const v = parseTimestamp(text.startsWith('@') ? text.slice(1) : text);
      if (v === undefined) throw bad('an ISO 8601 timestamp such as 2024-05-01T10:00:00Z');
      return v;
    }
    case 'duration': {
      const v = parseDuration(text);
      if (v === undefined) throw bad('a duration such as 5s, 10m or 250ms');
      return v;
    }
  }
}

export async function runJob(def: JobDefinition, flags: JobFlags): Promise<RunResult> {
  const started = Date.now();
  const params = parseParams(def.params, flags.params);
  // `advance` is bound below, once the graph exists; stages only call it while the job runs.
  let advanceSource: (source: number) => void = () => {};
  const graph = def.create({ params, advance: (s) => advanceSource(s) });
  const status = new StatusReporter(def, graph, flags);
  const checkpoints = new Checkpointer(def, graph, flags);

  for (const t of graph.tables) t.load();
  const restored = checkpoints.restoreOnStart();
  graph.sinks.forEach((s, i) => s.open(restored?.sinks[i]));
  const readers: (Reader | null)[] = graph.sources.map((s) => s.open());
  if (restored) readers.forEach((r, i) => r?.seek(restored.sources[i]));
  status.start();

  const done = graph.sources.map(() => false);
  const clock = new WatermarkClock(graph, done);
  advanceSource = (s) => clock.sourceAdvanced(s);
  const advance = () => clock.advance();

  let lastYield = Date.now();
  for (;;) {
    let active = 0;
    for (let i = 0; i < graph.sources.length; i++) {
      if (done[i]) continue;
      active++;
      const src = graph.sources[i]!;
      const batch = fill(readers[i]!, BATCH);
      if (batch === null) {
        done[i] = true;
        clock.watermarks[i] = Infinity;
        readers[i]!.close();
      } else if (batch.records.length > 0) {
        src.stage(batch);
        if (!src.eventTime) clock.watermarks[i] = Date.now();
      }
      advance();
    }
    if (active === 0) break;
    // Between rounds every source has read the same number of batches: a consistent cut that a
    // restore resumes exactly, with the same interleaving.
    checkpoints.maybeCheckpoint(readers);
    const now = Date.now();
    if (now - lastYield > 20) {
      // Let timers, signals and the metrics endpoint run; an unbounded source waits here for data.
      await new Promise<void>((r) => setImmediate(r));
      lastYield = now;
      status.tick();
    }
    if (readers.every((r, i) => done[i] || (r as Reader & { idle?: boolean }).idle)) {
      await new Promise<void>((r) => setTimeout(r, 50));
    }
  }
  advance();
  checkpoints.finish();
  for (const s of graph.sinks) s.close();
  status.finish(Date.now() - started);
  return { graph, durationMs: Date.now() - started };
}

/** Reads exactly `max` records unless the input ends (or, unbounded, has nothing more for now). */
function fill(reader: Reader, max: number): ReadBatch | null {
  (reader as Reader & { idle?: boolean }).idle = false;
  const first = reader.read(max);
  if (first === null) return null;
  if (first.records.length >= max || first.records.length === 0) {
    if (first.records.length === 0) (reader as Reader & { idle?: boolean }).idle = true;
    return first;
  }
  const records = first.records.slice();
  const lines = first.lines ? first.lines.slice() : null;
  for (;;) {
    const next = reader.read(max - records.length);
    if (next === null || next.records.length === 0) {
      (reader as Reader & { idle?: boolean }).idle = next !== null;
      break;
    }
    for (let i = 0; i < next.records.length; i++) {
      records.push(next.records[i]);
      lines?.push(next.lines![i]!);
    }
    if (records.length >= max) break;
  }
  return { records, lines };
}

/**
 * Watermarks of sources and operators. A source's watermark is its highest event time minus its
 * delay; an operator's is the minimum over the sources upstream of it. Operators are advanced in
 * topological order, so rows a window fires reach later operators before those advance. Each
 * source carries `nextWm`, the watermark at which something downstream is due, so its stage can
 * fire windows at exactly the record that crosses a window end (output does not depend on how
 * input is batched).
 */
export class WatermarkClock {
  readonly watermarks: number[];
  private readonly limiting: number[][];

  constructor(private readonly graph: JobGraph, private readonly done: boolean[]) {
    this.watermarks = graph.sources.map(() => -Infinity);
    this.limiting = graph.operators.map((o) => o.inputs.slice());
    graph.operators.forEach((op, i) => {
      op.onDeadline((t) => {
        for (const s of this.limiting[i]!) {
          const st = this.graph.sources[s]!.state;
          if (t < st.nextWm) st.nextWm = t;
        }
      });
    });
    for (const s of graph.sources) s.state.nextWm = Infinity;
  }

  sourceAdvanced(i: number): void {
    const s = this.graph.sources[i]!;
    const wm = s.state.maxTs - s.delay;
    if (wm > this.watermarks[i]!) this.watermarks[i] = wm;
    this.advance();
  }

  advance(): void {
    const { graph } = this;
    for (const s of graph.sources) s.state.nextWm = Infinity;
    for (let i = 0; i < graph.operators.length; i++) {
      const op = graph.operators[i]!;
      const inputs = op.inputs;
      let wm = Infinity;
      for (const s of inputs) if (this.watermarks[s]! < wm) wm = this.watermarks[s]!;
      if (op.processingTime) wm = inputs.every((s) => this.done[s]) ? Infinity : Math.min(wm, Date.now());
      op.advance(wm);
      const limiting = inputs.filter((s) => this.watermarks[s] === wm);
      this.limiting[i] = limiting.length ? limiting : inputs.slice();
      const due = op.nextDeadline();
      if (due !== Infinity) {
        for (const s of this.limiting[i]!) {
          const st = graph.sources[s]!.state;
          if (due < st.nextWm) st.nextWm = due;
        }
      }
    }
  }
}
