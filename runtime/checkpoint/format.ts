/**
 * The checkpoint file format (version 1):
 *
 *   FLOWC-CHECKPOINT 1 sha256=<hex>\n     the checksum covers every byte after this line
 *   {"job":…,"fingerprint":…,"seq":…,…}\n  the header: JSON, one line, readable with `head -2`
 *   <padding to a multiple of 8 bytes>
 *   <state>                                 `codec.ts` encoding of the job's state parts
 *
 * A file that is cut short, has a flipped byte, or is not a checkpoint at all fails with
 * `CorruptCheckpoint`, which restore treats as "try the previous one".
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const FORMAT_VERSION = 1;
const MAGIC = 'FLOWC-CHECKPOINT';

/** What a checkpoint says about itself (the first JSON line). */
export interface CheckpointHeader {
  job: string;
  /** SHA-256 of the job's state layout (`JobDefinition.fingerprint`). */
  fingerprint: string;
  /** One line per stateful operator, to name what changed when a restore is refused. */
  layout: string[];
  seq: number;
  /** ISO time the checkpoint was taken. */
  takenAt: string;
  /** Length of the encoded state in bytes. */
  stateBytes: number;
  node: string;
}

/** The file is not a usable checkpoint (truncated, damaged, or not a checkpoint). */
export class CorruptCheckpoint extends Error {}

/** The bytes of a checkpoint file, as parts to write in order (the state is not copied). */
export function encodeCheckpointFile(header: Omit<CheckpointHeader, 'stateBytes'>, state: Buffer[]): Buffer[] {
  const it = checkpointFileSteps(header, state);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/** Hashing in slices of this many bytes, so that the caller can yield between them. */
const HASH_SLICE = 4 << 20;

/** `encodeCheckpointFile` in steps: it yields between slices of the checksum. */
export function* checkpointFileSteps(header: Omit<CheckpointHeader, 'stateBytes'>, state: Buffer[]): Generator<void, Buffer[], void> {
  const stateBytes = state.reduce((n, b) => n + b.length, 0);
  const json = JSON.stringify({ ...header, stateBytes } satisfies CheckpointHeader);
  const hash = createHash('sha256');
  // The first line has a fixed length (64 hex digits), so the padding can be computed up front.
  const firstLine = `${MAGIC} ${FORMAT_VERSION} sha256=${'0'.repeat(64)}\n`;
  const used = Buffer.byteLength(firstLine) + Buffer.byteLength(json) + 1;
  const head = Buffer.from(`${json}\n${' '.repeat((8 - (used % 8)) % 8)}`);
  hash.update(head);
  for (const b of state) {
    for (let at = 0; at < b.length; at += HASH_SLICE) {
      hash.update(at === 0 && b.length <= HASH_SLICE ? b : b.subarray(at, at + HASH_SLICE));
      yield;
    }
  }
  const first = Buffer.from(`${MAGIC} ${FORMAT_VERSION} sha256=${hash.digest('hex')}\n`);
  return [first, head, ...state];
}

export interface CheckpointFile {
  header: CheckpointHeader;
  /** The encoded state (a view into the file's bytes). */
  state: Buffer;
}

/** Reads and verifies a checkpoint file. Throws CorruptCheckpoint, or an fs error when it cannot be read. */
export function readCheckpointFile(path: string): CheckpointFile {
  return parseCheckpointFile(readFileSync(path));
}

export function parseCheckpointFile(buf: Buffer): CheckpointFile {
  const nl = buf.indexOf(10);
  const first = buf.subarray(0, nl < 0 ? Math.min(buf.length, 100) : nl).toString('latin1');
  if (!first.startsWith(`${MAGIC} `)) {
    throw new CorruptCheckpoint(buf.length === 0 ? 'the file is empty' : 'not a flowc checkpoint (bad first line)');
  }
  const m = /^FLOWC-CHECKPOINT (\d+) sha256=([0-9a-f]{64})$/.exec(first);
  if (!m) throw new CorruptCheckpoint(nl < 0 ? 'truncated (in the first line)' : 'damaged first line');
  if (Number(m[1]) !== FORMAT_VERSION) {
    throw new CorruptCheckpoint(`written in checkpoint format ${m[1]}, this job reads format ${FORMAT_VERSION}`);
  }
  const rest = buf.subarray(nl + 1);
  const nl2 = rest.indexOf(10);
  let header: CheckpointHeader | undefined;
  if (nl2 > 0) {
    try {
      header = JSON.parse(rest.subarray(0, nl2).toString('utf8')) as CheckpointHeader;
    } catch {
      header = undefined;
    }
  }
  const stateStart = nl + 1 + nl2 + 1 + ((8 - ((nl + 1 + nl2 + 1) % 8)) % 8);
  const have = buf.length - stateStart;
  if (createHash('sha256').update(rest).digest('hex') !== m[2]) {
    // Say "truncated" when the header is intact and the state is short (a write cut off).
    if (nl2 < 0) throw new CorruptCheckpoint('truncated (in the header)');
    if (header && Number.isSafeInteger(header.stateBytes) && have < header.stateBytes) {
      throw new CorruptCheckpoint(`truncated (${Math.max(0, have)} of ${header.stateBytes} state bytes)`);
    }
    throw new CorruptCheckpoint('checksum mismatch (the file is damaged)');
  }
  if (!header || typeof header.job !== 'string' || typeof header.fingerprint !== 'string' || have !== header.stateBytes) {
    throw new CorruptCheckpoint('bad header');
  }
  return { header, state: buf.subarray(stateStart) };
}
