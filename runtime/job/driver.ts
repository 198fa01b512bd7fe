/**
 * Runs a compiled job: parses flags, opens connectors, reads sources in fixed-size batches
 * (round robin, so the interleaving — and with it every window's content — depends only on the
 * input), moves watermarks through the operators in topological order, and closes cleanly.
 */
import { UserError } from '../errors.ts';
import { parseTimestamp, parseDuration } from '../formats/time.ts';
import type { JobDefinition, JobGraph, OperatorBinding, ParamDef, ReadBatch, Reader } from './graph.ts';
import type { DeadlineListener } from '../state/watermark.ts';
import { parseJobFlags, usage, type JobFlags } from './flags.ts';
import { Checkpointer, TEST_STOP_EXIT_CODE } from '../checkpoint/checkpointer.ts';
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
  await status.serveMetrics(flags.metricsPort);
  const checkpoints = new Checkpointer(def, graph, flags);
  status.metrics.checkpointer = checkpoints;

  for (const t of graph.tables) t.load();
  const restored = checkpoints.restoreOnStart();
  // Resuming: sinks reopen at their committed positions (a file sink drops what was written after
  // the checkpoint), sources that had ended stay ended, the others seek to where it left them.
  const done = graph.sources.map((_, i) => restored?.done[i] === true);
  // Inputs first: a missing input stops the job before any output file is created or truncated.
  const readers: (Reader | null)[] = graph.sources.map((s, i) => (done[i] ? null : s.open()));
  graph.sinks.forEach((s, i) => s.open(restored?.sinks[i]));
  if (restored) readers.forEach((r, i) => r?.seek(restored.sources[i]));
  status.start();

  const clock = new WatermarkClock(graph, done);
  status.metrics.watermarks = clock.watermarks;
  advanceSource = (s) => clock.sourceAdvanced(s);
  const advance = () => clock.advance();
  if (restored) {
    // The clock as it stood at the checkpoint; advancing recomputes every source's next deadline.
    restored.watermarks.forEach((w, i) => { clock.watermarks[i] = w; });
    advance();
  }

  let lastYield = Date.now();
  /** How long to wait when every source is waiting for data: 1 ms, doubling up to 20 ms. */
  let idleWait = 1;
  for (;;) {
    let active = 0;
    let got = 0;
    for (let i = 0; i < graph.sources.length; i++) {
      if (done[i]) continue;
      active++;
      const src = graph.sources[i]!;
      const batch = fill(readers[i]!, BATCH);
      if (batch === null) {
        // A bounded source that ends moves its watermark to +∞: every open window fires.
        done[i] = true;
        readers[i]!.close();
      } else if (batch.records.length > 0) {
        src.stage(batch);
        got += batch.records.length;
      }
      // Operators with nothing due (dedup, interval joins) still free state as watermarks move.
      clock.sourceRead(i);
      advance();
    }
    if (active === 0) break;
    // Between rounds every source has read the same number of batches: a consistent cut that a
    // restore resumes exactly, with the same interleaving.
    const checkpoint = checkpoints.maybeCheckpoint(readers, clock.watermarks, done);
    if (checkpoint) await checkpoint;
    if (checkpoints.testStopDue()) {
      // Test hook (FLOWC_TEST_STOP_AFTER_CHECKPOINT): die like a crash, with an uncommitted tail.
      for (const s of graph.sinks) s.flush();
      process.exit(TEST_STOP_EXIT_CODE);
    }
    const now = Date.now();
    if (now - lastYield > 20) {
      // Let timers, signals and the metrics endpoint run; an unbounded source waits here for data.
      await new Promise<void>((r) => setImmediate(r));
      lastYield = now;
      status.lastCheckpoint = checkpoints.lastCheckpointAt;
      status.tick();
    }
    if (got === 0 && readers.every((r, i) => done[i] || (r as Reader & { idle?: boolean }).idle)) {
      // Every source waits for data (a followed file, stdin): what was produced so far goes out
      // now, and processing-time windows keep firing on the wall clock while we poll. The wait
      // starts short, so a pipe that is only momentarily empty does not throttle the job.
      for (const s of graph.sinks) s.flush();
      await new Promise<void>((r) => setTimeout(r, idleWait));
      idleWait = Math.min(20, idleWait * 2);
    } else {
      idleWait = 1;
    }
  }
  advance();
  await checkpoints.drain(); // a checkpoint being written may still need the sinks open
  for (const s of graph.sinks) s.close();
  // The output is complete and durable: the job's checkpoints are no longer needed.
  await checkpoints.finish();
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
 * delay (+∞ once it has ended; the wall clock for a source without event time); an operator's is
 * the minimum over the sources upstream of it, and a processing-time window's is the wall clock.
 * Operators are advanced in topological order, so rows a window fires reach later operators
 * before those advance. Each source carries `nextWm`, the watermark at which something
 * downstream is due, so its stage can fire windows at exactly the record that crosses a window
 * end (output does not depend on how input is batched). Between advances an operator asks
 * `watermark()` on its deadline listener for the watermark a row arriving now is judged by.
 */
export class WatermarkClock {
  /** Per source, the watermark operators were last advanced with. */
  readonly watermarks: number[];
  /** True while operators are being advanced (rows then come from upstream fires). */
  advancing = false;
  /** Per operator, the inputs whose watermark is the operator's (where its deadline is checked). */
  private readonly limiting: number[][];
  private readonly due: number[];

  constructor(private readonly graph: JobGraph, private readonly done: boolean[]) {
    this.watermarks = graph.sources.map(() => -Infinity);
    this.limiting = graph.operators.map((o) => o.inputs.slice());
    this.due = graph.operators.map(() => Infinity);
    graph.operators.forEach((op, i) => {
      const listener: DeadlineListener = (t: number) => {
        if (op.processingTime) return;
        for (const s of this.limiting[i]!) {
          const st = this.graph.sources[s]!.state;
          if (t < st.nextWm) st.nextWm = t;
        }
      };
      listener.watermark = this.inputWatermark(op);
      op.onDeadline(listener);
    });
    for (const s of graph.sources) s.state.nextWm = Infinity;
  }

  /** The current watermark of source `i` (not yet pushed to operators). */
  private current(i: number): number {
    if (this.done[i]) return Infinity;
    const s = this.graph.sources[i]!;
    return s.eventTime ? s.state.maxTs - s.delay : this.watermarks[i]!;
  }

  private inputWatermark(op: OperatorBinding): () => number {
    if (op.processingTime) return () => -Infinity;
    const inputs = op.inputs.slice();
    if (inputs.length === 1) {
      const k = inputs[0]!;
      return () => (this.advancing ? -Infinity : this.current(k));
    }
    return () => {
      if (this.advancing) return -Infinity;
      let m = Infinity;
      for (const k of inputs) {
        const w = this.current(k);
        if (w < m) m = w;
      }
      return m;
    };
  }

  /** After a read of source `i`: its watermark catches up with the records its stage saw. */
  sourceRead(i: number): void {
    const s = this.graph.sources[i]!;
    const wm = this.done[i] ? Infinity : s.eventTime ? s.state.maxTs - s.delay : Date.now();
    if (wm > this.watermarks[i]!) this.watermarks[i] = wm;
  }

  /** Called by a stage (through ctx.advance) before the record that crosses `nextWm`. */
  sourceAdvanced(i: number): void {
    this.sourceRead(i);
    this.advance();
  }

  advance(): void {
    const { graph, done } = this;
    const ops = graph.operators;
    this.advancing = true;
    try {
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        const inputs = op.inputs;
        const limiting = this.limiting[i]!;
        let wm = Infinity;
        if (op.processingTime) {
          for (const s of inputs) if (!done[s]) { wm = Date.now(); break; }
        } else {
          limiting.length = 0;
          for (const s of inputs) {
            const w = this.watermarks[s]!;
            if (w < wm) { wm = w; limiting.length = 0; limiting.push(s); } else if (w === wm) limiting.push(s);
          }
        }
        op.advance(wm);
        this.due[i] = op.processingTime ? Infinity : op.nextDeadline();
      }
    } finally {
      this.advancing = false;
    }
    for (const s of graph.sources) s.state.nextWm = Infinity;
    for (let i = 0; i < ops.length; i++) {
      const due = this.due[i]!;
      if (due === Infinity) continue;
      for (const s of this.limiting[i]!) {
        const st = graph.sources[s]!.state;
        if (due < st.nextWm) st.nextWm = due;
      }
    }
  }
}
