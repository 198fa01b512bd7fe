/**
 * Periodic checkpoints and restore (exactly-once recovery).
 *
 * A checkpoint is taken between rounds of batches: the job is single-threaded, so that instant is
 * a consistent cut. It holds every source's position and counters, the watermark clock (per
 * source watermarks, which sources have ended), every stateful operator's snapshot, and the
 * position of every sink. At the cut, sinks are flushed (their fsync runs off the main thread)
 * and the state is encoded (`codec.ts`) in time slices: the job waits, the event loop does not.
 * The file is then written, fsynced and renamed off the main thread while the job goes on; it is
 * renamed only once the sinks' fsync is done. So a sink position counts only once the sinks hold
 * every byte before it and the checkpoint recording it is durable: on restore, a file sink is
 * truncated back to it, and output written after the checkpoint is produced again, exactly once.
 *
 * Test hook: FLOWC_TEST_STOP_AFTER_CHECKPOINT=N takes a checkpoint after every round, writes them
 * synchronously, and exits abruptly (code TEST_STOP_EXIT_CODE) one round after the N-th, with the
 * sinks flushed but not committed — a crash right after a checkpoint, with an uncommitted tail.
 * FLOWC_CHECKPOINT_STATS=FILE appends one JSON line of timings per checkpoint and restore.
 */
import { appendFileSync, readFileSync, rmdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../errors.ts';
import type { JobDefinition, JobGraph, Reader } from '../job/graph.ts';
import type { JobFlags } from '../job/flags.ts';
import { StateReader, StateWriter, StateDecodeError, type WriterBuffers } from './codec.ts';
import { CorruptCheckpoint, checkpointFileSteps, parseCheckpointFile, type CheckpointHeader } from './format.ts';
import { CheckpointDir } from './checkpoint-dir.ts';
import { describeLayoutChange } from './layout-diff.ts';

/** How many checkpoints are kept (the newest). */
export const KEEP = 3;
/** Exit code of a job stopped by FLOWC_TEST_STOP_AFTER_CHECKPOINT. */
export const TEST_STOP_EXIT_CODE = 75;

/** What the driver needs to resume: where to read and write from, and the watermark clock. */
export interface RestorePoint {
  path: string;
  header: CheckpointHeader;
  /** Per source, the reader position to seek to. */
  sources: unknown[];
  /** Per sink, the position to open it at. */
  sinks: unknown[];
  /** The watermark clock's per-source watermarks. */
  watermarks: number[];
  /** Per source: had it ended? */
  done: boolean[];
}

/** The first value of a checkpoint's state; the operators' snapshots follow, one value each. */
interface CheckpointMeta {
  sources: { name: string; identity?: string; position: unknown; maxTs: number; records: number; errors: number }[];
  watermarks: number[];
  done: boolean[];
  sinks: { name: string; position: unknown; rows: number }[];
  late: number[];
}

/** Timings of one checkpoint, ms. */
export interface CheckpointStats {
  seq: number;
  bytes: number;
  /** Sinks flushed (their fsync runs off the main thread, except in test mode). */
  commitMs: number;
  /** Operators' snapshots encoded. */
  encodeMs: number;
  /** Checksum and file assembly. */
  hashMs: number;
  /** The job stopped processing this long (commit + encode + hash, the event loop served in between). */
  pauseMs: number;
  /** The longest stretch the event loop was blocked by the checkpoint. */
  blockMs: number;
  /** CPU time the process used in that longest stretch. */
  blockCpuMs: number;
  /** Main-thread time spent on the checkpoint (the pause minus the event loop's turns). */
  cpuMs: number;
  /** From the start of the checkpoint until it was durable. */
  totalMs: number;
}

/** Encoding buffers up to this size (bytes) are kept from one checkpoint to the next. */
const REUSE_MAX = 64 << 20;

/** A checkpoint gives the event loop a turn after this many ms of work. */
const SLICE_MS = 8;

/** Runs generators in time slices, letting the event loop run between slices; measures the slices. */
class Slices {
  private start = performance.now();
  private cpuStart = process.cpuUsage();
  /** The longest slice, ms. */
  longest = 0;
  /** The most CPU time the process used in one slice, ms (on a busy machine, slices also wait for a core). */
  longestCpu = 0;
  /** Time spent in slices, ms. */
  busy = 0;

  async run<T>(steps: Generator<void, T, void>): Promise<T> {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (performance.now() - this.start >= SLICE_MS) {
        this.end();
        await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
        this.start = performance.now();
        this.cpuStart = process.cpuUsage();
      }
    }
  }

  /** Closes the current slice. */
  end(): void {
    const ms = performance.now() - this.start;
    this.busy += ms;
    if (ms > this.longest) this.longest = ms;
    const cpu = process.cpuUsage(this.cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (cpuMs > this.longestCpu) this.longestCpu = cpuMs;
  }
}

/** Timings of a restore, ms. */
export interface RestoreStats {
  restoreMs: number;
  /** Bytes of encoded state. */
  bytes: number;
  readMs: number;
  /** Checksum. */
  verifyMs: number;
  decodeMs: number;
  /** Operators' restore(): rebuilding the stores. */
  applyMs: number;
  cpuMs: number;
}

export class Checkpointer {
  private readonly dir: CheckpointDir | undefined;
  private readonly interval: number | undefined;
  private readonly defaultDir: boolean;
  private lastAt = Date.now();
  private seq = 0;
  private inFlight: Promise<void> | undefined;
  private failure: unknown;
  private lastPositions: string | undefined;
  private readonly stopAfter: number | undefined;
  private taken = 0;
  private stopArmed = false;
  private readonly statsFile: string | undefined;
  private disabledWhy: string | undefined;
  private checkedReplay = false;
  private buffers: WriterBuffers | undefined;
  private lastSize: { tags: number; nums: number } | undefined;
  /** Wall-clock time of the last durable checkpoint (for the status line). */
  lastCheckpointAt: number | undefined;
  readonly stats: CheckpointStats[] = [];

  constructor(private readonly def: JobDefinition, private readonly graph: JobGraph, private readonly flags: JobFlags) {
    this.interval = flags.checkpointInterval ?? def.settings.checkpointInterval;
    const configured = flags.checkpointDir ?? def.settings.checkpointDir;
    this.defaultDir = configured === undefined;
    const dir = configured ?? (this.interval ? `.flowc-checkpoints/${def.name}` : undefined);
    this.dir = dir ? new CheckpointDir(resolve(dir), def.name) : undefined;
    const stop = process.env.FLOWC_TEST_STOP_AFTER_CHECKPOINT;
    this.stopAfter = stop && /^\d+$/.test(stop) && Number(stop) > 0 ? Number(stop) : undefined;
    this.statsFile = process.env.FLOWC_CHECKPOINT_STATS || undefined;
  }

  /** Are periodic checkpoints on? */
  get enabled(): boolean {
    return this.dir !== undefined && (this.interval !== undefined || this.stopAfter !== undefined) && this.disabledWhy === undefined;
  }

  // ------------------------------------------------------------------ restore

  /**
   * Restores operator and source state from the checkpoint to resume from (the latest usable one
   * in the directory, or `--restore PATH`), and returns where readers and sinks resume; undefined
   * for a fresh start. A damaged checkpoint falls back to the previous one; one taken with a
   * different state layout is refused.
   */
  restoreOnStart(): RestorePoint | undefined {
    const { flags, dir } = this;
    dir?.removeStaleTemps();
    if (flags.fresh) {
      dir?.clear();
      return undefined;
    }
    const entries = dir?.list() ?? [];
    // New checkpoints are numbered after every existing one, whichever is restored.
    this.seq = entries.length ? entries[entries.length - 1]!.seq : 0;
    if (flags.restore !== undefined && flags.restore !== 'latest') {
      const path = resolve(flags.restore);
      try {
        return this.restoreFrom(path);
      } catch (e) {
        if (e instanceof CorruptCheckpoint) throw new UserError(`cannot restore ${path}: ${e.message}`);
        throw e;
      }
    }
    if (entries.length === 0) {
      if (flags.restore === 'latest') {
        throw new UserError(dir
          ? `--restore latest: there is no checkpoint of job \`${this.def.name}\` in ${dir.dir}`
          : '--restore latest: this job has no checkpoint directory (set checkpoint_interval or checkpoint_dir in its job block, or pass --checkpoint-dir)');
      }
      return undefined;
    }
    const problems: string[] = [];
    for (const e of entries.reverse()) {
      try {
        return this.restoreFrom(e.path);
      } catch (err) {
        if (!(err instanceof CorruptCheckpoint)) throw err;
        problems.push(`${e.path}: ${err.message}`);
        process.stderr.write(`warning: checkpoint ${e.path} is unusable (${err.message}); trying the previous one\n`);
      }
    }
    throw new UserError(`no usable checkpoint in ${dir!.dir}:\n  ${problems.join('\n  ')}\nrun with --fresh to start over (the output is rewritten from the beginning)`);
  }

  private restoreFrom(path: string): RestorePoint {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let file;
    let tRead = t0;
    try {
      const bytes = readFileSync(path);
      tRead = performance.now();
      file = parseCheckpointFile(bytes);
    } catch (e) {
      if (e instanceof CorruptCheckpoint) throw e;
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT') throw new UserError(`checkpoint ${path} does not exist`);
      if (code === 'EISDIR') throw new UserError(`checkpoint ${path} is a directory (pass a checkpoint file, or --checkpoint-dir ${path})`);
      throw new UserError(`cannot read checkpoint ${path}: ${(e as Error).message}`);
    }
    const { header } = file;
    const def = this.def;
    if (header.job !== def.name) {
      throw new CorruptCheckpoint(`it was taken by job \`${header.job}\`, not \`${def.name}\``);
    }
    if (header.fingerprint !== def.fingerprint) {
      const changes = describeLayoutChange(header.layout ?? [], def.layout);
      throw new UserError(
        `cannot restore ${path}: the job's state layout changed since the checkpoint was taken:\n  ${changes.join('\n  ')}\n` +
          'run with --fresh to start over (the output is rewritten from the beginning)',
      );
    }
    const tVerify = performance.now();
    let meta: CheckpointMeta;
    const snapshots: unknown[] = [];
    try {
      const r = new StateReader(file.state);
      meta = r.value() as CheckpointMeta;
      for (let i = 0; i < this.graph.operators.length; i++) snapshots.push(r.value());
      if (!r.done()) throw new StateDecodeError('unexpected values after the state');
    } catch (e) {
      if (e instanceof StateDecodeError) throw new CorruptCheckpoint(`cannot decode its state: ${e.message}`);
      throw e;
    }
    const tDecode = performance.now();
    this.checkConnectors(path, meta);
    this.graph.operators.forEach((op, i) => {
      op.restore(snapshots[i]);
      op.late.count = meta.late[i] ?? 0;
    });
    this.graph.sources.forEach((s, i) => {
      const m = meta.sources[i]!;
      s.state.maxTs = m.maxTs;
      s.state.records = m.records;
      s.state.errors = m.errors;
    });
    this.graph.sinks.forEach((s, i) => { s.state.rows = meta.sinks[i]!.rows; });
    const seq = header.seq;
    if (Number.isSafeInteger(seq) && seq > this.seq) this.seq = seq;
    const tApply = performance.now();
    const cpu = process.cpuUsage(cpu0);
    this.record({
      restoreMs: tApply - t0, bytes: file.state.length, readMs: tRead - t0, verifyMs: tVerify - tRead, decodeMs: tDecode - tVerify,
      applyMs: tApply - tDecode, cpuMs: (cpu.user + cpu.system) / 1000,
    });
    if (!this.flags.quiet) process.stderr.write(`restored from checkpoint ${path} (taken ${header.takenAt})\n`);
    return {
      path,
      header,
      sources: meta.sources.map((s) => s.position),
      sinks: meta.sinks.map((s) => s.position),
      watermarks: meta.watermarks,
      done: meta.done,
    };
  }

  /** Sources and sinks are matched by position: refuse when they no longer line up. */
  private checkConnectors(path: string, meta: CheckpointMeta): void {
    const problems: string[] = [];
    const compare = (what: string, then: string[], now: string[]) => {
      if (then.length !== now.length) problems.push(`the job had ${then.length} ${what}s, it has ${now.length}`);
      else then.forEach((t, i) => { if (t !== now[i]) problems.push(`${what} #${i + 1} was \`${t}\`, it is \`${now[i]}\``); });
    };
    compare('source', meta.sources.map((s) => s.name), this.graph.sources.map((s) => s.name));
    // The same source reading another input (an edited path, another --param): its positions mean nothing there.
    meta.sources.forEach((s, i) => {
      const now = this.graph.sources[i]?.identity;
      if (s.identity !== undefined && now !== undefined && s.identity !== now && s.name === this.graph.sources[i]!.name) {
        problems.push(`source \`${s.name}\` read ${s.identity}, it reads ${now}`);
      }
    });
    compare('sink', meta.sinks.map((s) => s.name), this.graph.sinks.map((s) => s.name));
    if (problems.length) {
      throw new UserError(`cannot restore ${path}: the job's sources or sinks changed since the checkpoint was taken:\n  ${problems.join('\n  ')}\nrun with --fresh to start over (the output is rewritten from the beginning)`);
    }
  }

  // ------------------------------------------------------------------ checkpoints

  /**
   * Called between rounds: takes a checkpoint when one is due (and the previous one is written).
   * Throws when a previous checkpoint could not be written.
   */
  maybeCheckpoint(readers: (Reader | null)[], watermarks: number[], done: boolean[]): Promise<void> | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (!this.enabled || this.stopArmed) return undefined;
    if (!this.checkedReplay) {
      this.checkedReplay = true;
      const i = readers.findIndex((r) => r?.replayable === false);
      if (i >= 0) {
        this.disabledWhy = `source ${this.graph.sources[i]!.name} cannot be replayed from a checkpoint (stdin)`;
        if (this.interval !== undefined) process.stderr.write(`warning: checkpoints are off: ${this.disabledWhy}\n`);
        return undefined;
      }
    }
    if (this.stopAfter === undefined) {
      if (this.inFlight) return undefined;
      const now = Date.now();
      if (now - this.lastAt < this.interval!) return undefined;
      this.lastAt = now;
    }
    const positions = readers.map((r, i) => (r && !done[i] ? r.position() : null));
    // Nothing read since the last checkpoint (an idle unbounded source): nothing new to record.
    const key = JSON.stringify(positions);
    if (key === this.lastPositions && !this.graph.operators.some((o) => o.processingTime) && this.stopAfter === undefined) return undefined;
    this.lastPositions = key;
    return this.take(positions, watermarks, done);
  }

  /** True once the test hook wants the job to stop (the round after the N-th checkpoint). */
  testStopDue(): boolean {
    if (this.stopArmed) return true;
    if (this.stopAfter !== undefined && this.taken >= this.stopAfter) this.stopArmed = true;
    return false;
  }

  /**
   * Takes a checkpoint. The job does not run until the state is encoded (the cut must not move),
   * but the event loop does: encoding and checksumming go in slices of about SLICE_MS, so timers,
   * signals and the metrics endpoint keep being served. The file is then written off the main
   * thread while the job goes on.
   */
  private async take(positions: unknown[], watermarks: number[], done: boolean[]): Promise<void> {
    const slices = new Slices();
    const { graph } = this;
    const t0 = performance.now();
    // Sinks are flushed now; their fsync runs off the main thread (synchronously in test mode),
    // and the checkpoint file is only renamed into place once it is done.
    const durables: Promise<void>[] = [];
    const sinks = graph.sinks.map((s) => {
      let position: unknown;
      if (s.commitAsync && this.stopAfter === undefined) {
        const c = s.commitAsync();
        position = c.position;
        durables.push(c.durable);
      } else {
        position = s.commit();
      }
      return { name: s.name, position, rows: s.state.rows };
    });
    const sinksDurable = Promise.all(durables);
    sinksDurable.catch(() => {}); // observed by the write below
    const t1 = performance.now();
    const meta: CheckpointMeta = {
      sources: graph.sources.map((s, i) => ({ name: s.name, identity: s.identity, position: positions[i], maxTs: s.state.maxTs, records: s.state.records, errors: s.state.errors })),
      watermarks: watermarks.slice(),
      done: done.slice(),
      sinks,
      late: graph.operators.map((o) => o.late.count),
    };
    // The previous checkpoint is on disk (one is written at a time): its buffers can be reused.
    const w = new StateWriter(this.buffers ?? this.lastSize);
    this.buffers = undefined;
    w.value(meta);
    for (const op of graph.operators) {
      // A snapshot may share structure with the live state: it is encoded before the job resumes.
      await slices.run(w.steps(op.snapshot()));
    }
    const state = await slices.run(w.finishing());
    const t2 = performance.now();
    const seq = ++this.seq;
    const parts = await slices.run(checkpointFileSteps({
      job: this.def.name,
      fingerprint: this.def.fingerprint,
      layout: this.def.layout,
      seq,
      takenAt: new Date().toISOString(),
      node: process.version,
    }, state));
    const t3 = performance.now();
    const bytes = parts.reduce((n, b) => n + b.length, 0);
    const stats: CheckpointStats = {
      seq, bytes, commitMs: t1 - t0, encodeMs: t2 - t1, hashMs: t3 - t2, pauseMs: t3 - t0, blockMs: 0, blockCpuMs: 0, cpuMs: 0, totalMs: 0,
    };
    const dir = this.dir!;
    const durable = () => {
      // Kept for the next checkpoint unless large (then memory matters more than the allocation).
      const b = w.buffers;
      this.buffers = b.tags.byteLength + b.nums.byteLength <= REUSE_MAX ? b : undefined;
      this.lastSize = w.size;
      dir.prune(KEEP);
      this.taken++;
      this.lastCheckpointAt = Date.now();
      stats.totalMs = performance.now() - t0;
      this.record(stats);
    };
    if (this.stopAfter !== undefined) {
      dir.writeSync(seq, parts);
      slices.end();
      stats.blockMs = slices.longest;
      stats.blockCpuMs = slices.longestCpu;
      stats.cpuMs = slices.busy;
      durable();
      return;
    }
    slices.end();
    stats.blockMs = slices.longest;
    stats.blockCpuMs = slices.longestCpu;
    stats.cpuMs = slices.busy;
    this.inFlight = dir.write(seq, parts, sinksDurable).then(durable, (e) => { this.failure = e; }).finally(() => { this.inFlight = undefined; });
  }

  private record(stats: CheckpointStats | RestoreStats): void {
    if ('seq' in stats) {
      this.stats.push(stats);
      if (this.stats.length > 1000) this.stats.shift();
    }
    if (this.statsFile) {
      try {
        appendFileSync(this.statsFile, `${JSON.stringify(stats)}\n`);
      } catch {
        // benchmarks only
      }
    }
  }

  /** Waits for the checkpoint being written, if any; throws when it failed. */
  async drain(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
  }

  /** At the end of a bounded job (sinks closed): the output is complete, so its checkpoints go. */
  async finish(): Promise<void> {
    await this.drain();
    if (!this.dir) return;
    // The default directory (.flowc-checkpoints/<job>) goes too; a configured one stays.
    this.dir.clear(this.defaultDir);
    if (this.defaultDir) {
      try {
        rmdirSync(resolve('.flowc-checkpoints'));
      } catch {
        // other jobs' checkpoints are there
      }
    }
  }
}
