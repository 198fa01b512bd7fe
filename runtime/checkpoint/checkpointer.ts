/**
 * Periodic checkpoints and restore. A checkpoint is taken between batches (the job is
 * single-threaded, so that instant is consistent): source positions, every operator's state and
 * the committed position of every sink, written atomically (temp file, fsync, rename) with a
 * checksum and the job's state-layout fingerprint. The last few are kept.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, openSync, fsyncSync, closeSync, renameSync, unlinkSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { serialize, deserialize } from 'node:v8';
import { UserError } from '../errors.ts';
import type { JobDefinition, JobGraph, Reader } from '../job/graph.ts';
import type { JobFlags } from '../job/flags.ts';

const MAGIC = 'FLOWCKPT1\n';
const KEEP = 3;

export interface CheckpointData {
  job: string;
  fingerprint: string;
  layout: string[];
  sources: unknown[];
  operators: unknown[];
  sinks: unknown[];
  sourceStates: { maxTs: number; records: number; errors: number }[];
}

export class Checkpointer {
  private readonly dir: string | undefined;
  private readonly interval: number | undefined;
  private lastAt = Date.now();
  private seq = 0;
  lastCheckpointAt: number | undefined;

  constructor(private readonly def: JobDefinition, private readonly graph: JobGraph, private readonly flags: JobFlags) {
    this.interval = flags.checkpointInterval ?? def.settings.checkpointInterval;
    const dir = flags.checkpointDir ?? def.settings.checkpointDir ?? (this.interval ? `.flowc-checkpoints/${def.name}` : undefined);
    this.dir = dir ? resolve(dir) : undefined;
  }

  /** The checkpoint to resume from, or undefined for a fresh start. */
  restoreOnStart(): CheckpointData | undefined {
    if (this.flags.fresh || !this.dir) {
      if (this.flags.restore && this.flags.restore !== 'latest') return this.restoreFrom(resolve(this.flags.restore));
      if (this.flags.fresh && this.dir) this.clear();
      return undefined;
    }
    if (this.flags.restore && this.flags.restore !== 'latest') return this.restoreFrom(resolve(this.flags.restore));
    const files = this.list();
    if (files.length === 0) {
      if (this.flags.restore === 'latest') throw new UserError(`--restore latest: no checkpoint in ${this.dir}`);
      return undefined;
    }
    const problems: string[] = [];
    for (const f of files.reverse()) {
      try {
        return this.restoreFrom(f);
      } catch (e) {
        if (!(e instanceof CorruptCheckpoint)) throw e;
        problems.push(`${f}: ${e.message}`);
        process.stderr.write(`warning: checkpoint ${f} is unusable (${e.message}); trying the previous one\n`);
      }
    }
    throw new UserError(`no usable checkpoint in ${this.dir}:\n  ${problems.join('\n  ')}\nrun with --fresh to start over`);
  }

  private restoreFrom(path: string): CheckpointData {
    if (!existsSync(path)) throw new UserError(`checkpoint ${path} does not exist`);
    const data = readCheckpoint(path);
    if (data.job !== this.def.name || data.fingerprint !== this.def.fingerprint) {
      const changed = data.job !== this.def.name
        ? [`it belongs to job \`${data.job}\`, not \`${this.def.name}\``]
        : describeLayoutChange(data.layout, this.def.layout);
      throw new UserError(`cannot restore ${path}: the job's state layout changed since it was taken:\n  ${changed.join('\n  ')}\nrun with --fresh to start over (the output is rewritten from the beginning)`);
    }
    this.graph.operators.forEach((op, i) => op.restore(data.operators[i]));
    this.graph.sources.forEach((s, i) => Object.assign(s.state, data.sourceStates[i]));
    const m = /ckpt-(\d+)\.bin$/.exec(path);
    if (m) this.seq = Number(m[1]);
    return data;
  }

  maybeCheckpoint(readers: (Reader | null)[]): void {
    if (!this.interval || !this.dir) return;
    const now = Date.now();
    if (now - this.lastAt < this.interval) return;
    this.lastAt = now;
    this.take(readers);
  }

  take(readers: (Reader | null)[]): void {
    if (!this.dir) return;
    const data: CheckpointData = {
      job: this.def.name,
      fingerprint: this.def.fingerprint,
      layout: this.def.layout,
      sources: readers.map((r) => r?.position()),
      operators: this.graph.operators.map((o) => o.snapshot()),
      sinks: this.graph.sinks.map((s) => s.commit()),
      sourceStates: this.graph.sources.map((s) => ({ ...s.state })),
    };
    mkdirSync(this.dir, { recursive: true });
    this.seq++;
    const file = join(this.dir, `ckpt-${String(this.seq).padStart(8, '0')}.bin`);
    writeAtomically(file, encodeCheckpoint(data));
    this.lastCheckpointAt = Date.now();
    const all = this.list();
    for (const old of all.slice(0, Math.max(0, all.length - KEEP))) unlinkSync(old);
  }

  /** At the end of a bounded job: the output is complete, so the checkpoints are no longer needed. */
  finish(): void {
    if (this.dir && this.interval) this.clear();
  }

  private clear(): void {
    for (const f of this.list()) unlinkSync(f);
  }

  private list(): string[] {
    if (!this.dir || !existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((f) => /^ckpt-\d+\.bin$/.test(f)).sort().map((f) => join(this.dir!, f));
  }
}

export class CorruptCheckpoint extends Error {}

export function encodeCheckpoint(data: CheckpointData): Buffer {
  const body = serialize(data);
  const sum = createHash('sha256').update(body).digest('hex');
  return Buffer.concat([Buffer.from(`${MAGIC}${sum}\n${body.length}\n`), body]);
}

export function readCheckpoint(path: string): CheckpointData {
  const buf = readFileSync(path);
  const head = buf.subarray(0, 200).toString('latin1');
  if (!head.startsWith(MAGIC)) throw new CorruptCheckpoint('not a flowc checkpoint (bad header)');
  const lines = head.slice(MAGIC.length).split('\n');
  const sum = lines[0]!;
  const len = Number(lines[1]);
  const offset = MAGIC.length + sum.length + 1 + String(len).length + 1;
  const body = buf.subarray(offset);
  if (!Number.isInteger(len) || body.length !== len) throw new CorruptCheckpoint(`truncated (${body.length} of ${len} bytes)`);
  if (createHash('sha256').update(body).digest('hex') !== sum) throw new CorruptCheckpoint('checksum mismatch');
  try {
    return deserialize(body) as CheckpointData;
  } catch (e) {
    throw new CorruptCheckpoint(`cannot decode: ${(e as Error).message}`);
  }
}

function writeAtomically(file: string, data: Buffer): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, data);
  const fd = openSync(tmp, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, file);
}

function describeLayoutChange(before: string[], after: string[]): string[] {
  const out: string[] = [];
  const max = Math.max(before.length, after.length);
  for (let i = 0; i < max; i++) {
    if (before[i] === after[i]) continue;
    if (before[i] === undefined) out.push(`added: ${after[i]}`);
    else if (after[i] === undefined) out.push(`removed: ${before[i]}`);
    else out.push(`was: ${before[i]}\n  now: ${after[i]}`);
  }
  return out.length ? out : ['the fingerprint differs'];
}
