/**
 * The files of a checkpoint directory: `<job>-<seq>.ckpt`, written atomically (temp file, fsync,
 * rename, fsync of the directory), the newest few kept. The job name in the file name lets jobs
 * share a directory without overwriting each other's checkpoints.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { ioReason } from '../connectors/io-error.ts';
import { syncDir } from '../connectors/file-sink.ts';

export interface CheckpointEntry {
  seq: number;
  path: string;
}

export class CheckpointDir {
  private readonly pattern: RegExp;
  private readonly tmpPattern: RegExp;

  constructor(readonly dir: string, readonly job: string) {
    const name = job.replace(/[^\w-]/g, '_');
    this.pattern = new RegExp(`^${name}-(\\d+)\\.ckpt$`);
    this.tmpPattern = new RegExp(`^${name}-(\\d+)\\.ckpt\\.tmp-\\d+$`);
  }

  /** The path of checkpoint `seq`. */
  path(seq: number): string {
    return join(this.dir, `${this.job.replace(/[^\w-]/g, '_')}-${String(seq).padStart(8, '0')}.ckpt`);
  }

  /** This job's checkpoints, oldest first. */
  list(): CheckpointEntry[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return [];
      throw new UserError(`cannot read the checkpoint directory ${this.dir}: ${ioReason(err)}`);
    }
    const out: CheckpointEntry[] = [];
    for (const n of names) {
      const m = this.pattern.exec(n);
      if (m) out.push({ seq: Number(m[1]), path: join(this.dir, n) });
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** Removes temp files left by a write that was cut off (a crash during a checkpoint). */
  removeStaleTemps(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const n of names) if (this.tmpPattern.test(n)) remove(join(this.dir, n));
  }

  private ensureDir(): void {
    try {
      fs.mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      throw new UserError(`cannot create the checkpoint directory ${this.dir}: ${ioReason(err)}`);
    }
  }

  /** Writes checkpoint `seq` and waits until it is durable. */
  writeSync(seq: number, parts: Buffer[]): void {
    this.ensureDir();
    const file = this.path(seq);
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      const fd = fs.openSync(tmp, 'w');
      try {
        for (const p of parts) {
          let done = 0;
          while (done < p.length) done += fs.writeSync(fd, p, done, p.length - done);
        }
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
    } catch (err) {
      remove(tmp);
      throw this.cannotWrite(file, err);
    }
    syncDir(this.dir);
  }

  /**
   * Writes checkpoint `seq` off the main thread; resolves once it is durable. The file is renamed
   * into place only after `ready` (the sinks' fsync) has resolved.
   */
  async write(seq: number, parts: Buffer[], ready?: Promise<unknown>): Promise<void> {
    this.ensureDir();
    const file = this.path(seq);
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      const fh = await fs.promises.open(tmp, 'w');
      try {
        let pending = parts.filter((p) => p.length > 0);
        while (pending.length > 0) {
          let { bytesWritten } = await fh.writev(pending);
          // A short write: continue after the bytes that made it.
          const rest: Buffer[] = [];
          for (const p of pending) {
            if (bytesWritten >= p.length) { bytesWritten -= p.length; continue; }
            rest.push(bytesWritten > 0 ? p.subarray(bytesWritten) : p);
            bytesWritten = 0;
          }
          pending = rest;
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      await ready;
      await fs.promises.rename(tmp, file);
    } catch (err) {
      remove(tmp);
      throw this.cannotWrite(file, err);
    }
    syncDir(this.dir);
  }

  /** Deletes all but the newest `keep` checkpoints. */
  prune(keep: number): void {
    const all = this.list();
    for (const e of all.slice(0, Math.max(0, all.length - keep))) remove(e.path);
  }

  /** Deletes every checkpoint of this job; with `removeDir`, the directory too when that leaves it empty. */
  clear(removeDir = false): void {
    for (const e of this.list()) remove(e.path);
    this.removeStaleTemps();
    if (!removeDir) return;
    try {
      fs.rmdirSync(this.dir);
    } catch {
      // not empty (other jobs' files, or the user's): leave it
    }
  }

  private cannotWrite(file: string, err: unknown): UserError {
    return new UserError(`cannot write checkpoint ${file}: ${ioReason(err)}`);
  }
}

function remove(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // already gone
  }
}

