/**
 * Line-oriented sinks: a file (exactly-once with checkpoints) and stdout/stderr (at-least-once).
 *
 * Lines are buffered in memory as strings and written with one writeSync per flush (when more than
 * 64 KiB are pending, or on flush/commit/close). A FileSink writes at explicit offsets: commit()
 * makes everything written so far durable (fsync) and returns the file's length, which a
 * checkpoint records; open(restore) truncates the file back to that length, dropping output
 * written after the checkpoint, so a restored job re-emits it exactly once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors.ts';
import { ioReason, isAgain, sleepSync } from './io-error.ts';

export interface SinkPosition {
  /** Length of the committed output in bytes. */
  offset: number;
}

const FLUSH_AT = 64 * 1024;

/** Pending lines, joined and encoded once per flush. */
class LineBuffer {
  private parts: string[] = [];
  private chars = 0;

  /** Adds a line; true when the buffer should be flushed. */
  add(line: string): boolean {
    this.parts.push(line);
    this.chars += line.length + 1;
    return this.chars >= FLUSH_AT;
  }

  /** The pending lines as bytes (each followed by '\n'), or null; empties the buffer. */
  take(): Buffer | null {
    const parts = this.parts;
    if (parts.length === 0) return null;
    this.parts = [];
    this.chars = 0;
    return Buffer.from(parts.length === 1 ? parts[0] + '\n' : parts.join('\n') + '\n');
  }
}

export interface FileSinkOptions {
  /** A header line (csv) written whenever the file starts empty. */
  header?: string;
}

export class FileSink {
  readonly name: string;
  readonly path: string;
  private readonly header: string | undefined;
  private fd = -1;
  private regular = true;
  /** Length of the file as written so far (the offset of the next write). */
  private offset = 0;
  private written = 0;
  private readonly pending = new LineBuffer();

  constructor(name: string, path: string, opts?: FileSinkOptions) {
    this.name = name;
    this.path = path;
    this.header = opts?.header;
  }

  private cannotWrite(err: unknown): UserError {
    return new UserError(`sink ${this.name}: cannot write "${this.path}": ${ioReason(err)}`);
  }

  /**
   * Creates missing parent directories and opens the file. Fresh (no `restore`): truncates it to
   * empty. With `restore`: truncates it to the checkpointed length and appends from there.
   */
  open(restore?: SinkPosition): void {
    if (this.fd >= 0) throw new Error(`sink ${this.name}: opened twice`);
    const target = path.resolve(this.path);
    let existed: boolean;
    let fd: number;
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      existed = fs.existsSync(target);
    } catch (err) {
      throw this.cannotWrite(err);
    }
    if (!existed && restore !== undefined && restore.offset > 0) {
      throw new UserError(
        `sink ${this.name}: "${this.path}" does not exist, but the checkpoint recorded ${restore.offset} bytes of it; ` +
          `the output was modified since the checkpoint`,
      );
    }
    try {
      fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o666);
    } catch (err) {
      throw this.cannotWrite(err);
    }
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) throw this.cannotWrite({ code: 'EISDIR' });
      this.regular = st.isFile();
      let start = 0;
      if (this.regular) {
        if (restore !== undefined) {
          start = restore.offset;
          if (!Number.isSafeInteger(start) || start < 0) {
            throw new UserError(`sink ${this.name}: invalid checkpoint position ${JSON.stringify(restore)} for "${this.path}"`);
          }
          if (st.size < start) {
            throw new UserError(
              `sink ${this.name}: "${this.path}" has ${st.size} bytes, less than the ${start} the checkpoint recorded; ` +
                `the output was modified since the checkpoint`,
            );
          }
        }
        fs.ftruncateSync(fd, start);
      }
      this.fd = fd;
      this.offset = start;
      this.written = 0;
      if (!existed) syncDir(path.dirname(target));
      if (start === 0 && this.header !== undefined) this.write(this.header);
    } catch (err) {
      this.fd = -1;
      try {
        fs.closeSync(fd);
      } catch {
        // already failing
      }
      throw err instanceof UserError ? err : this.cannotWrite(err);
    }
  }

  /** Appends `line` and a '\n' (buffered). */
  write(line: string): void {
    if (this.pending.add(line)) this.flush();
  }

  /** Writes the buffered lines to the file (not yet durable). */
  flush(): void {
    const data = this.pending.take();
    if (data === null) return;
    if (this.fd < 0) throw new Error(`sink ${this.name}: written before open() or after close()`);
    let done = 0;
    try {
      while (done < data.length) {
        const n = fs.writeSync(this.fd, data, done, data.length - done, this.regular ? this.offset : null);
        done += n;
        this.offset += n;
        this.written += n;
      }
    } catch (err) {
      throw this.cannotWrite(err);
    }
  }

  /** Flushes and fsyncs; the returned position is what a checkpoint records. */
  commit(): SinkPosition {
    this.flush();
    this.sync();
    return { offset: this.offset };
  }

  /**
   * Flushes now and fsyncs off the main thread: the position is returned at once, `durable`
   * settles once every byte up to it is on disk. The sink must stay open until then.
   */
  commitAsync(): { position: SinkPosition; durable: Promise<void> } {
    this.flush();
    const position = { offset: this.offset };
    const fd = this.fd;
    if (fd < 0) return { position, durable: Promise.resolve() };
    const durable = new Promise<void>((resolve, reject) => {
      fs.fsync(fd, (err) => {
        // character devices and pipes (e.g. /dev/null) cannot be synced; nothing to make durable
        if (err && this.regular) reject(this.cannotWrite(err));
        else resolve();
      });
    });
    return { position, durable };
  }

  private sync(): void {
    if (this.fd < 0) return;
    try {
      fs.fsyncSync(this.fd);
    } catch (err) {
      // character devices and pipes (e.g. /dev/null) cannot be synced; nothing to make durable
      if (this.regular) throw this.cannotWrite(err);
    }
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    this.sync();
    const fd = this.fd;
    this.fd = -1;
    try {
      fs.closeSync(fd);
    } catch (err) {
      throw this.cannotWrite(err);
    }
  }

  /** Bytes written to the file since open() (flushed; buffered lines not counted). */
  bytesWritten(): number {
    return this.written;
  }
}

/** Makes a newly created directory entry durable (best effort). */
export function syncDir(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported everywhere (and not needed for correctness of the data itself)
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/**
 * stdout (fd 1) or stderr (fd 2): buffered like FileSink, written with writeSync, retrying while a
 * non-blocking pipe is full (EAGAIN). commit() only flushes: the output cannot be taken back, so a
 * restored job may repeat lines written after its checkpoint (at-least-once).
 */
export class StreamSink {
  readonly fd: 1 | 2;
  readonly name: string;
  private written = 0;
  private closed = false;
  private readonly pending = new LineBuffer();

  constructor(fd: 1 | 2, name?: string) {
    this.fd = fd;
    this.name = name ?? (fd === 1 ? 'stdout' : 'stderr');
  }

  private stream(): string {
    return this.fd === 1 ? 'stdout' : 'stderr';
  }

  /** Nothing to open; accepts (and ignores) a restore position for symmetry with FileSink. */
  open(_restore?: SinkPosition): void {
    this.closed = false;
  }

  write(line: string): void {
    if (this.pending.add(line)) this.flush();
  }

  flush(): void {
    const data = this.pending.take();
    if (data === null) return;
    let done = 0;
    while (done < data.length) {
      try {
        done += fs.writeSync(this.fd, data, done, data.length - done);
      } catch (err) {
        if (isAgain(err)) {
          sleepSync(1);
          continue;
        }
        const code = (err as { code?: unknown }).code;
        if (code === 'EPIPE') {
          throw new UserError(`sink ${this.name}: ${this.stream()} was closed by the reader (broken pipe)`);
        }
        throw new UserError(`sink ${this.name}: cannot write to ${this.stream()}: ${ioReason(err)}`);
      }
    }
    this.written += done;
  }

  /** Flushes; returns the bytes written so far (not a restorable position). */
  commit(): SinkPosition {
    this.flush();
    return { offset: this.written };
  }

  /** Flushes; the descriptor itself stays open (it belongs to the process). */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }

  bytesWritten(): number {
    return this.written;
  }
}

/** The stdout() connector's sink. */
export function stdoutSink(name?: string): StreamSink {
  return new StreamSink(1, name);
}

/** The stderr() connector's sink. */
export function stderrSink(name?: string): StreamSink {
  return new StreamSink(2, name);
}
