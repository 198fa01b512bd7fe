/**
 * Line-oriented sources: a file (bounded, or followed as it grows) and standard input.
 *
 * Records are read synchronously in chunks into one reusable Buffer and split on '\n' there, so
 * byte offsets stay exact and UTF-8 sequences cut by a chunk boundary are decoded whole (each
 * record is decoded on its own, once complete). Memory stays bounded: the buffer holds one chunk
 * plus at most one partial record (a record longer than `maxRecordBytes` is a UserError, except
 * for a CSV quoted field that never closes, which is cut back to its first line, see below).
 *
 * - A trailing '\r' is dropped from every record (CRLF files). Blank lines are skipped but still
 *   counted in line numbers (for jsonl a line of spaces/tabs counts as blank too).
 * - A UTF-8 byte order mark at the start of the input is skipped.
 * - CSV: a record may span lines inside a quoted field. The splitter follows RFC 4180 as
 *   `parseCsvRecord` does: a quote opens a quoted field only as the field's first character.
 *   When the input ends (or `maxRecordBytes` is reached) inside a quoted field, the first line of
 *   that record is returned on its own (it will fail to parse, with "unterminated quoted field")
 *   and splitting resumes on the next line, so one bad quote cannot swallow the rest of a file.
 * - The first CSV record is the header: it is read by open() and not returned by read().
 *
 * A position is { offset, line }: the byte offset of the next unread record and the number of
 * physical lines before it (blank lines and the header included), so line numbers stay right
 * after seek().
 */
import * as fs from 'node:fs';
import { isAscii } from 'node:buffer';
import { UserError } from '../errors.ts';
import { parseCsvRecord } from '../formats/csv.ts';
import { ioReason, isAgain } from './io-error.ts';

export interface SourcePosition {
  /** Byte offset of the next unread record. */
  offset: number;
  /** Lines consumed so far (physical lines before `offset`). */
  line: number;
}

export interface RawBatch {
  /** Raw record texts without their line terminator. */
  records: string[];
  /** The 1-based line number (in the input) where each record starts. */
  lines: number[];
}

export type SourceFormat = 'jsonl' | 'csv';

export interface LineSourceOptions {
  format: SourceFormat;
  /** Bytes per read (default 1 MiB). */
  chunkSize?: number;
  /** Longest record accepted (default 64 MiB). */
  maxRecordBytes?: number;
}

const DEFAULT_CHUNK = 1 << 20;
const DEFAULT_MAX_RECORD = 64 << 20;

/** Results of filling the buffer. */
const DATA = 0;
const EOF = 1;
const AGAIN = 2;
type Fill = typeof DATA | typeof EOF | typeof AGAIN;

const NL = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

/** The splitting machinery shared by FileSource and StdinSource. */
abstract class LineReader {
  readonly name: string;
  readonly format: SourceFormat;
  protected readonly chunkSize: number;
  protected readonly maxRecord: number;

  private buf: Buffer;
  /** Input offset of buf[0]. */
  private base = 0;
  /** Valid bytes in buf. */
  private len = 0;
  /** Next unread byte: the start of the next record. */
  private pos = 0;
  /** No '\n' in [pos, scan) (splitting resumes there after a refill). */
  private scan = 0;
  /** Physical lines before pos. */
  private line = 0;
  /** The input reported its end (sticky until a seek). */
  private eof = false;
  /** buf[0, firstNonAscii) is known to be ASCII (decoded as latin1, which is faster). */
  private firstNonAscii = Infinity;
  private bomChecked = false;

  // The next quote at or after the last search start (qIdx), or none (-1) before qEnd.
  private qIdx = -1;
  private qEnd = 0;

  // CSV record being scanned with the quote-aware state machine.
  private csActive = false;
  private csAt = 0;
  private csInQuotes = false;
  private csFieldStart = true;
  private csQuotePending = false;
  private csLines = 0;

  private headerDone = false;
  private headerCols: string[] | null = null;
  /** Offset just after the CSV header, and the lines up to there. */
  protected headerEnd = 0;
  protected headerLine = 0;

  protected constructor(name: string, opts: LineSourceOptions) {
    this.name = name;
    this.format = opts.format;
    this.chunkSize = Math.max(1, Math.floor(opts.chunkSize ?? DEFAULT_CHUNK));
    this.maxRecord = Math.max(1, Math.floor(opts.maxRecordBytes ?? DEFAULT_MAX_RECORD));
    this.buf = Buffer.allocUnsafe(this.chunkSize);
  }

  /**
   * Reads up to n bytes into buf at off from the input at `position` (offset of buf[off]).
   * Returns the count, 0 at the end of the input, -1 when no data is available yet.
   */
  protected abstract readBytes(buf: Buffer, off: number, n: number, position: number): number;

  /** The input, for messages: `"data/clicks.jsonl"` or `stdin`. */
  protected abstract where(): string;

  protected abstract checkOpen(): void;

  /** csv: the header's column names; null for jsonl, or while a followed input has no header yet. */
  header(): string[] | null {
    if (this.format !== 'csv') return null;
    this.checkOpen();
    if (!this.headerDone) this.ready();
    return this.headerCols;
  }

  /**
   * Up to `max` records. null once a bounded input is exhausted; an empty batch when no complete
   * record is available yet (a followed file or a non-blocking stdin).
   */
  read(max: number): RawBatch | null {
    this.checkOpen();
    const records: string[] = [];
    const lines: number[] = [];
    if (!this.ready()) return { records, lines };
    if (max <= 0) return this.eof && this.pos >= this.len ? null : { records, lines };
    const r = this.format === 'csv' ? this.pullCsv(max, records, lines) : this.pullJsonl(max, records, lines);
    if (records.length === 0 && r === EOF) return null;
    return { records, lines };
  }

  position(): SourcePosition {
    return { offset: this.base + this.pos, line: this.line };
  }

  /** Restarts reading at `offset` (a record start) with `line` lines before it. */
  protected reset(offset: number, line: number): void {
    this.base = offset;
    this.len = 0;
    this.pos = 0;
    this.scan = 0;
    this.line = line;
    this.eof = false;
    this.firstNonAscii = Infinity;
    this.bomChecked = offset !== 0;
    this.qIdx = -1;
    this.qEnd = 0;
    this.csActive = false;
  }

  /** Back to the start of the input, header not read yet. */
  protected restart(): void {
    this.reset(0, 0);
    this.headerDone = false;
    this.headerCols = null;
    this.headerEnd = 0;
    this.headerLine = 0;
  }

  protected isHeaderDone(): boolean {
    return this.headerDone;
  }

  /** BOM skipped and (csv) header read; false while a followed input has not got that far. */
  protected ready(): boolean {
    if (!this.bomChecked && !this.skipBom()) return false;
    if (this.format === 'csv' && !this.headerDone) {
      const recs: string[] = [];
      const ls: number[] = [];
      const r = this.pullCsv(1, recs, ls);
      if (recs.length === 0) {
        if (r === AGAIN) return false;
        this.headerCols = [];
      } else {
        const fields = parseCsvRecord(recs[0]!);
        if (!Array.isArray(fields)) {
          throw new UserError(`source ${this.name}: bad CSV header in ${this.where()} (line ${ls[0]}): ${fields.error}`);
        }
        this.headerCols = fields;
      }
      this.headerDone = true;
      this.headerEnd = this.base + this.pos;
      this.headerLine = this.line;
    }
    return true;
  }

  private skipBom(): boolean {
    if (this.base + this.pos !== 0) {
      this.bomChecked = true;
      return true;
    }
    while (this.len - this.pos < 3) {
      const r = this.fill();
      if (r === DATA) continue;
      if (r === AGAIN) {
        // wait while what we have could still become a BOM
        const n = this.len - this.pos;
        const b = this.buf;
        if (n === 0 || (b[this.pos] === 0xef && (n === 1 || b[this.pos + 1] === 0xbb))) return false;
      }
      break;
    }
    const b = this.buf;
    const p = this.pos;
    if (this.len - p >= 3 && b[p] === 0xef && b[p + 1] === 0xbb && b[p + 2] === 0xbf) {
      this.pos = p + 3;
      this.scan = this.pos;
    }
    this.bomChecked = true;
    return true;
  }

  /** Reads one more chunk into the buffer. */
  private fill(): Fill {
    if (this.eof) return EOF;
    if (this.buf.length - this.len < this.chunkSize) this.makeRoom();
    const n = this.readBytes(this.buf, this.len, this.chunkSize, this.base + this.len);
    if (n < 0) return AGAIN;
    if (n === 0) {
      this.eof = true;
      return EOF;
    }
    if (this.firstNonAscii === Infinity && !isAscii(this.buf.subarray(this.len, this.len + n))) {
      this.firstNonAscii = this.len;
    }
    this.len += n;
    return DATA;
  }

  /** Moves the unread bytes to the front, and grows the buffer if a chunk still does not fit. */
  private makeRoom(): void {
    const d = this.pos;
    const keep = this.len - d;
    if (d > 0) {
      if (keep > 0) this.buf.copy(this.buf, 0, d, this.len);
      this.base += d;
      this.pos = 0;
      this.len = keep;
      this.scan -= d;
      this.csAt -= d;
      if (this.qIdx >= 0) {
        this.qIdx -= d;
        if (this.qIdx < 0) {
          this.qIdx = -1;
          this.qEnd = 0;
        }
      }
      this.qEnd = Math.max(0, this.qEnd - d);
      if (this.firstNonAscii !== Infinity) {
        this.firstNonAscii = isAscii(this.buf.subarray(0, keep)) ? Infinity : 0;
      }
    }
    if (this.buf.length - keep < this.chunkSize) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, keep + this.chunkSize));
      this.buf.copy(grown, 0, 0, keep);
      this.buf = grown;
    }
  }

  private text(start: number, end: number): string {
    return this.buf.toString(end <= this.firstNonAscii ? 'latin1' : 'utf8', start, end);
  }

  private tooLong(): UserError {
    return new UserError(
      `source ${this.name}: the record at line ${this.line + 1} of ${this.where()} is longer than ${this.maxRecord} bytes`,
    );
  }

  /**
   * Takes [pos, len) as the last record of the input (no '\n' after it); `inner` is the number of
   * newlines inside it (a CSV quoted field).
   */
  private takeRest(records: string[], lines: number[], inner = 0): void {
    let end = this.len;
    const b = this.buf;
    const start = this.pos;
    if (end > start && b[end - 1] === CR) end--;
    const first = this.line + 1;
    this.line = first + inner;
    if (end > start && !(this.format === 'jsonl' && b[start]! <= 32 && isBlank(b, start, end))) {
      records.push(this.text(start, end));
      lines.push(first);
    }
    this.pos = this.len;
    this.scan = this.len;
  }

  private pullJsonl(max: number, records: string[], lines: number[]): Fill {
    let buf = this.buf;
    let pos = this.pos;
    let len = this.len;
    let scan = this.scan;
    let line = this.line;
    let ascii = this.firstNonAscii;
    while (records.length < max) {
      const nl = scan < len ? buf.indexOf(NL, scan) : -1;
      if (nl < 0 || nl >= len) {
        this.pos = pos;
        this.scan = len;
        this.line = line;
        if (len - pos > this.maxRecord) throw this.tooLong();
        const r = this.fill();
        if (r !== DATA) {
          if (r === EOF && this.pos < this.len) this.takeRest(records, lines);
          return r;
        }
        buf = this.buf;
        pos = this.pos;
        len = this.len;
        scan = this.scan;
        ascii = this.firstNonAscii;
        continue;
      }
      line++;
      let end = nl;
      if (end > pos && buf[end - 1] === CR) end--;
      if (end > pos && (buf[pos]! > 32 || !isBlank(buf, pos, end))) {
        records.push(buf.toString(end <= ascii ? 'latin1' : 'utf8', pos, end));
        lines.push(line);
      }
      pos = nl + 1;
      scan = pos;
    }
    this.pos = pos;
    this.scan = scan;
    this.line = line;
    return DATA;
  }

  /** Index of the first '"' in [from, len), or -1. Searches each byte at most once. */
  private findQuote(from: number): number {
    if (this.qIdx >= from) return this.qIdx;
    let start = from;
    if (this.qIdx < 0 && this.qEnd > from) start = this.qEnd;
    let q = start < this.len ? this.buf.indexOf(QUOTE, start) : -1;
    if (q >= this.len) q = -1;
    this.qIdx = q;
    this.qEnd = this.len;
    return q;
  }

  private pullCsv(max: number, records: string[], lines: number[]): Fill {
    while (records.length < max) {
      if (!this.csActive) {
        const pos = this.pos;
        let nl = this.scan < this.len ? this.buf.indexOf(NL, this.scan) : -1;
        if (nl >= this.len) nl = -1;
        const q = this.findQuote(pos);
        if (nl >= 0 && (q < 0 || q > nl)) {
          // a line without quotes: one record
          this.line++;
          let end = nl;
          if (end > pos && this.buf[end - 1] === CR) end--;
          if (end > pos) {
            records.push(this.text(pos, end));
            lines.push(this.line);
          }
          this.pos = nl + 1;
          this.scan = this.pos;
          continue;
        }
        if (q < 0) {
          // neither a newline nor a quote yet
          this.scan = this.len;
          if (this.len - pos > this.maxRecord) throw this.tooLong();
          const r = this.fill();
          if (r === DATA) continue;
          if (r === EOF && this.pos < this.len) this.takeRest(records, lines);
          return r;
        }
        // A quote comes before the end of the line: scan the record from that quote on.
        this.csActive = true;
        this.csAt = q;
        this.csInQuotes = false;
        this.csFieldStart = q === pos || this.buf[q - 1] === COMMA;
        this.csQuotePending = false;
        this.csLines = 0;
      }
      const end = this.scanCsv();
      if (end >= 0) {
        const start = this.pos;
        const first = this.line + 1;
        this.line = first + this.csLines;
        let e = end;
        if (e > start && this.buf[e - 1] === CR) e--;
        records.push(this.text(start, e));
        lines.push(first);
        this.pos = end + 1;
        this.scan = this.pos;
        this.csActive = false;
        continue;
      }
      if (this.len - this.pos > this.maxRecord) {
        if (!this.csInQuotes) throw this.tooLong();
        if (!this.cutAtFirstLine(records, lines)) throw this.tooLong();
        continue;
      }
      const r = this.fill();
      if (r === DATA) continue;
      if (r === AGAIN) return AGAIN;
      // end of input inside the record
      if (this.csInQuotes && !this.csQuotePending && this.cutAtFirstLine(records, lines)) continue;
      this.csActive = false;
      this.takeRest(records, lines, this.csLines);
    }
    return DATA;
  }

  /** Returns the first physical line of the pending (unterminated) CSV record as a record. */
  private cutAtFirstLine(records: string[], lines: number[]): boolean {
    const nl = this.buf.indexOf(NL, this.pos);
    if (nl < 0 || nl >= this.len) return false;
    this.line++;
    let e = nl;
    if (e > this.pos && this.buf[e - 1] === CR) e--;
    records.push(this.text(this.pos, e));
    lines.push(this.line);
    this.pos = nl + 1;
    this.scan = this.pos;
    this.csActive = false;
    return true;
  }

  /**
   * Advances the CSV state machine over the buffered bytes. Returns the index of the '\n' that
   * ends the record, or -1 when more input is needed (the state is kept for the next call).
   */
  private scanCsv(): number {
    const buf = this.buf;
    const len = this.len;
    let i = this.csAt;
    let inQ = this.csInQuotes;
    let fieldStart = this.csFieldStart;
    let qp = this.csQuotePending;
    let lines = this.csLines;
    let result = -1;
    let nextNl = -1; // the first '\n' at or after i (len: none buffered), once searched
    while (i < len) {
      if (inQ) {
        if (!qp) {
          // jump to the next quote, counting the newlines inside the field
          let q = buf.indexOf(QUOTE, i);
          if (q < 0 || q >= len) q = len;
          if (nextNl < i) nextNl = bufIndex(buf, NL, i, len);
          while (nextNl < q) {
            lines++;
            nextNl = bufIndex(buf, NL, nextNl + 1, len);
          }
          if (q === len) {
            i = len;
            break;
          }
          qp = true;
          i = q + 1;
          continue;
        }
        qp = false;
        if (buf[i] === QUOTE) {
          i++; // "" inside a quoted field
          continue;
        }
        inQ = false; // the pending quote closed the field; buf[i] is outside
      }
      const c = buf[i];
      if (c === NL) {
        result = i;
        break;
      }
      if (c === COMMA) fieldStart = true;
      else if (c === QUOTE && fieldStart) {
        inQ = true;
        fieldStart = false;
      } else fieldStart = false;
      i++;
    }
    this.csAt = result >= 0 ? result : i;
    this.csInQuotes = inQ;
    this.csFieldStart = fieldStart;
    this.csQuotePending = qp;
    this.csLines = lines;
    return result;
  }
}

/** Index of byte c in buf[from, len), or len. */
function bufIndex(buf: Buffer, c: number, from: number, len: number): number {
  if (from >= len) return len;
  const i = buf.indexOf(c, from);
  return i < 0 || i >= len ? len : i;
}

/** buf[start, end) is only spaces, tabs and CRs. */
function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== CR) return false;
  }
  return true;
}

export interface FileSourceOptions extends LineSourceOptions {
  /** Keep reading as the file grows (tail -f): read() never returns null. */
  follow?: boolean;
}

/** A jsonl or csv file, read in chunks; bounded unless `follow`. */
export class FileSource extends LineReader {
  readonly path: string;
  readonly follow: boolean;
  private fd = -1;
  private seekable = true;
  private scratch = Buffer.allocUnsafe(3);

  constructor(name: string, path: string, opts: FileSourceOptions) {
    super(name, opts);
    this.path = path;
    this.follow = opts.follow === true;
  }

  protected where(): string {
    return `"${this.path}"`;
  }

  private cannotRead(err: unknown): UserError {
    return new UserError(`source ${this.name}: cannot read "${this.path}": ${ioReason(err)}`);
  }

  /** Opens the file and (csv) reads its header. */
  open(): void {
    if (this.fd >= 0) return;
    let fd: number;
    try {
      fd = fs.openSync(this.path, 'r');
    } catch (err) {
      throw this.cannotRead(err);
    }
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) throw this.cannotRead({ code: 'EISDIR' });
      this.seekable = st.isFile();
    } catch (err) {
      fs.closeSync(fd);
      throw err instanceof UserError ? err : this.cannotRead(err);
    }
    this.fd = fd;
    this.restart();
    this.ready();
  }

  protected checkOpen(): void {
    if (this.fd < 0) throw new Error(`source ${this.name}: used before open() or after close()`);
  }

  protected readBytes(buf: Buffer, off: number, n: number, position: number): number {
    let got: number;
    try {
      got = fs.readSync(this.fd, buf, off, n, this.seekable ? position : null);
    } catch (err) {
      if (isAgain(err)) return -1;
      throw this.cannotRead(err);
    }
    if (got > 0 || !this.follow) return got;
    if (this.seekable && this.size() < position) {
      throw new UserError(
        `source ${this.name}: "${this.path}" shrank while being followed (it was truncated or replaced)`,
      );
    }
    return -1;
  }

  private size(): number {
    try {
      return fs.fstatSync(this.fd).size;
    } catch (err) {
      throw this.cannotRead(err);
    }
  }

  /** Resumes reading just after the records consumed up to `pos` (from position()). */
  seek(pos: SourcePosition): void {
    this.checkOpen();
    const modified = `the input was modified since the checkpoint`;
    if (!this.seekable) {
      throw new UserError(`source ${this.name}: cannot resume "${this.path}" from a checkpoint: it is not a regular file`);
    }
    const { offset, line } = pos;
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(line) || line < 0) {
      throw new UserError(`source ${this.name}: invalid checkpoint position ${JSON.stringify(pos)} for "${this.path}"`);
    }
    const size = this.size();
    if (offset > size) {
      throw new UserError(
        `source ${this.name}: "${this.path}" has ${size} bytes, less than the checkpoint position ${offset}; ${modified}`,
      );
    }
    if (offset > 0 && offset < size && !this.atLineStart(offset)) {
      throw new UserError(
        `source ${this.name}: the checkpoint position ${offset} is not at the start of a line of "${this.path}"; ${modified}`,
      );
    }
    if (this.format === 'csv') {
      if (!this.isHeaderDone()) {
        this.restart();
        this.ready();
      }
      if (!this.isHeaderDone()) {
        // a followed file whose header is still incomplete: no record can have been consumed
        return;
      }
      if (offset <= this.headerEnd) {
        // checkpointed before any record (possibly before the header was read)
        this.reset(this.headerEnd, this.headerLine);
        return;
      }
    }
    this.reset(offset, line);
  }

  private atLineStart(offset: number): boolean {
    const b = this.scratch;
    if (fs.readSync(this.fd, b, 0, 1, offset - 1) === 1 && b[0] === NL) return true;
    return offset === 3 && fs.readSync(this.fd, b, 0, 3, 0) === 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
  }

  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    fs.closeSync(fd);
  }
}

/**
 * Standard input (fd 0), read with readSync: a non-blocking descriptor with no data gives an
 * empty batch (EAGAIN), the end of input gives null. It cannot be resumed from a checkpoint.
 */
export class StdinSource extends LineReader {
  private opened = false;

  constructor(name: string, opts: LineSourceOptions) {
    super(name, opts);
  }

  protected where(): string {
    return 'stdin';
  }

  /** Marks the source open and (csv) tries to read the header. */
  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.nonBlocking();
    this.restart();
    this.ready();
  }

  private touched = false;

  /**
   * A pipe or socket on stdin is made non-blocking (Node's own stdin handle, created paused, does
   * that): when no data is waiting, read() gives an empty batch instead of blocking the thread, so
   * the job keeps firing processing-time windows and serving metrics while the input is quiet.
   */
  private nonBlocking(): void {
    try {
      const st = fs.fstatSync(0);
      if (!st.isFIFO() && !st.isSocket()) return;
    } catch {
      return;
    }
    void process.stdin;
    this.touched = true;
  }

  protected checkOpen(): void {
    if (!this.opened) throw new Error(`source ${this.name}: used before open() or after close()`);
  }

  protected readBytes(buf: Buffer, off: number, n: number): number {
    try {
      return fs.readSync(0, buf, off, n, null);
    } catch (err) {
      if (isAgain(err)) return -1;
      const code = (err as { code?: unknown }).code;
      if (code === 'EOF' || code === 'EBADF') return 0;
      throw new UserError(`source ${this.name}: cannot read stdin: ${ioReason(err)}`);
    }
  }

  seek(_pos: SourcePosition): void {
    throw new UserError(`source ${this.name}: stdin cannot be resumed from a checkpoint position`);
  }

  close(): void {
    this.opened = false;
    // The handle would keep the process alive.
    if (this.touched) process.stdin.destroy();
    this.touched = false;
  }
}
