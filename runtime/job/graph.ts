/**
 * The contract between generated job code and the runtime driver. Generated code builds a
 * `JobGraph` (sources with their fused stage functions, stateful operators, sinks); the driver
 * schedules reads, moves watermarks, flushes sinks and takes checkpoints.
 */

/** Raw records of one read: texts (JSONL lines, CSV rows) or already-typed objects (generators, tests). */
export interface ReadBatch {
  records: unknown[];
  /** 1-based positions (line numbers, event indexes) of the records, for `errors(S)`. */
  lines: number[] | null;
}

/** What the driver needs of a source connector. */
export interface Reader {
  read(max: number): ReadBatch | null;
  /** True when the source never ends (follow mode, stdin on a terminal…). */
  readonly unbounded?: boolean;
  /** False when a checkpoint position cannot be sought back to (stdin): checkpoints are then off. */
  readonly replayable?: boolean;
  position(): unknown;
  seek(position: unknown): void;
  close(): void;
}

export interface SourceBinding {
  name: string;
  /** Does the source declare `event time`? Without it, its watermark is the wall clock. */
  eventTime: boolean;
  /** The bounded out-of-orderness, ms. */
  delay: number;
  /**
   * What the source reads (a file's resolved path and format, a generator's kind, seed and
   * rate): a checkpoint taken while it read something else is refused.
   */
  identity?: string;
  /**
   * Highest event time seen (the stage function raises it), and the watermark at which some
   * operator downstream has something to fire: the stage calls `ctx.advance(i)` when crossed.
   */
  state: { maxTs: number; records: number; errors: number; nextWm: number };
  open(): Reader;
  /** The fused stage: parses, validates and pushes one batch through every operator it feeds. */
  stage(batch: ReadBatch): void;
}

export interface OperatorBinding {
  name: string;
  /** Indexes of the sources upstream of this operator: its watermark is their minimum. */
  inputs: number[];
  /** True for processing-time windows: their watermark is the wall clock. */
  processingTime?: boolean;
  advance(wm: number): void;
  stateSize(): number;
  /** The watermark at which this operator next has something to fire (Infinity when nothing). */
  nextDeadline(): number;
  /** The driver's hook, called when new state brings the next deadline earlier. */
  onDeadline(listener: (t: number) => void): void;
  /**
   * The operator's state for a checkpoint: plain data (numbers, strings, booleans, null,
   * undefined, arrays, plain objects, Maps, Sets: runtime/checkpoint/codec.ts). It may share
   * structure with the live state: the checkpoint encodes it before the job handles another record.
   */
  snapshot(): unknown;
  /** Replaces the state with a decoded snapshot (Maps come back as Maps, shared key tuples stay shared). */
  restore(snapshot: unknown): void;
  /** Rows that arrived after their window fired. */
  late: { count: number };
}

export interface SinkBinding {
  name: string;
  /** Opens for writing; `restore` is the position a checkpoint recorded. */
  open(restore?: unknown): void;
  /** Makes everything written so far durable and returns the position to record. */
  commit(): unknown;
  /**
   * Optional: commit() with the fsync off the main thread. The position is the one to record;
   * the checkpoint counts only once `durable` has settled (the sink stays open until then).
   */
  commitAsync?(): { position: unknown; durable: Promise<void> };
  flush(): void;
  close(): void;
  state: { rows: number };
}

export interface TableBinding {
  name: string;
  load(): void;
}

export interface JobGraph {
  sources: SourceBinding[];
  /** In topological order: advancing them in this order lets fired rows reach later operators first. */
  operators: OperatorBinding[];
  sinks: SinkBinding[];
  tables: TableBinding[];
}

export type ParamType = 'int' | 'float' | 'string' | 'bool' | 'timestamp' | 'duration';

export interface ParamDef {
  name: string;
  type: ParamType;
  nullable: boolean;
  /** The default (already a runtime value), when the .flow file gives one. */
  default?: unknown;
}

export interface JobContext {
  params: Record<string, unknown>;
  /** Called by a source's stage when its watermark crosses `state.nextWm`: fires what is due now. */
  advance(source: number): void;
}

export interface JobDefinition {
  name: string;
  /** SHA-256 (hex) of the job's state layout, recorded in checkpoints. */
  fingerprint: string;
  /** Per-operator layout descriptions, to say what changed when a restore is refused. */
  layout: string[];
  params: ParamDef[];
  settings: { checkpointInterval?: number; checkpointDir?: string };
  create(ctx: JobContext): JobGraph;
}
