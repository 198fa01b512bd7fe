/**
 * Runs one `test` block against a job compiled in test mode (lang/reference.md §9): sources are
 * fed from `given` rows instead of connectors, time moves per record exactly as in a real run
 * (the driver's WatermarkClock), `advance watermark to` moves every source's watermark, and at
 * the end every source ends (watermark +∞), so every open window fires.
 *
 * The job's sinks are replaced by in-memory ones: a test never writes files or prints rows.
 * An `expect` reads the rows its stream produced: the whole output when it comes after the last
 * `given`/`advance`, or the output so far when later steps follow it.
 */
import { WatermarkClock } from '../job/driver.ts';
import { parseParams } from '../job/driver.ts';
import type { JobDefinition, JobGraph, SinkBinding } from '../job/graph.ts';

/** A row as the test runner sees it: field name → JS value (timestamps and durations in ms). */
export type TestRow = Record<string, unknown>;

export type HarnessStep =
  | { kind: 'given'; source: string; rows: TestRow[] }
  | { kind: 'advance'; to: number }
  | { kind: 'expect'; stream: string };

/** A graph built in test mode carries the rows of the observed lets and sources. */
export interface TestGraph extends JobGraph {
  observed: Record<string, TestRow[]>;
}

export interface HarnessResult {
  /** For each `expect` step (by its index in the steps), the rows its stream had produced. */
  outputs: Map<number, TestRow[]>;
  /** Lines the job's sinks would have written, by sink name. */
  sinkLines: Map<string, string[]>;
}

/** Runs the steps of one test against a fresh instance of the job. */
export function runTestSteps(def: JobDefinition, steps: HarnessStep[], params: Map<string, string> = new Map()): HarnessResult {
  let advanceSource: (source: number) => void = () => {};
  const graph = def.create({ params: parseParams(def.params, params), advance: (s) => advanceSource(s) }) as TestGraph;
  if (!graph.observed) throw new Error('internal: the job was not compiled in test mode');
  const sinkLines = new Map<string, string[]>();
  for (const s of graph.sinks) captureSink(s, sinkLines);
  for (const t of graph.tables) t.load();

  const done = graph.sources.map(() => false);
  const clock = new WatermarkClock(graph, done);
  advanceSource = (s) => clock.sourceAdvanced(s);
  const sourceIndex = new Map(graph.sources.map((s, i) => [s.name, i]));
  const positions = graph.sources.map(() => 0);

  const lastInput = steps.reduce((last, s, i) => (s.kind === 'expect' ? last : i), -1);
  const outputs = new Map<number, TestRow[]>();
  const snapshot = (i: number, stream: string) => outputs.set(i, (graph.observed[stream] ?? []).slice());

  // The input ends: every source's watermark goes to +∞ and every open window fires.
  const ended = () => {
    for (let i = 0; i < done.length; i++) {
      done[i] = true;
      clock.sourceRead(i);
      clock.watermarks[i] = Infinity;
    }
    clock.advance();
  };

  steps.forEach((step, i) => {
    switch (step.kind) {
      case 'given': {
        const s = sourceIndex.get(step.source);
        // A source that feeds no observed stream and no sink is not part of the job.
        if (s === undefined) break;
        const src = graph.sources[s]!;
        const lines = step.rows.map((_, k) => positions[s]! + k + 1);
        positions[s]! += step.rows.length;
        if (step.rows.length) src.stage({ records: step.rows.map((r) => ({ ...r })), lines });
        // As the driver does after a read: the source's watermark catches up with its rows.
        clock.sourceRead(s);
        clock.advance();
        break;
      }
      case 'advance':
        // As if each source had seen a row at `to` plus its delay (without the row).
        graph.sources.forEach((src, s) => {
          if (src.eventTime && step.to + src.delay > src.state.maxTs) src.state.maxTs = step.to + src.delay;
          clock.sourceRead(s);
          if (step.to > clock.watermarks[s]!) clock.watermarks[s] = step.to;
        });
        clock.advance();
        break;
      case 'expect':
        if (i > lastInput) return;
        snapshot(i, step.stream);
        break;
    }
    if (i === lastInput) ended();
  });
  if (lastInput === -1) ended();
  steps.forEach((step, i) => {
    if (step.kind === 'expect' && i > lastInput) snapshot(i, step.stream);
  });
  for (const s of graph.sinks) s.close();
  return { outputs, sinkLines };
}

/** Replaces a sink's I/O with an in-memory list of its lines. */
function captureSink(sink: SinkBinding, into: Map<string, string[]>): void {
  const lines = into.get(sink.name) ?? [];
  into.set(sink.name, lines);
  const s = sink as SinkBinding & { write?: (line: string) => void };
  s.open = () => {};
  s.write = (line: string) => { lines.push(line); };
  s.commit = () => ({ offset: lines.length });
  s.flush = () => {};
  s.close = () => {};
}
