/**
 * The binary encoding of checkpoint state: a fast, compact replacement for `v8.serialize` on the
 * values operator snapshots hold (numbers, strings, booleans, null, undefined, arrays, plain
 * objects, Maps and Sets; no shared references or cycles, which Flow values cannot form).
 *
 * `v8.serialize` spends most of its time on per-object bookkeeping (≈ 0.8 s to write and 1.4 s to
 * read a million small accumulators here). This codec writes each value into one of three
 * streams and never builds an intermediate tree:
 * - tags: one byte per value (its kind);
 * - numbers: every number, length, size and shape id as a float64 (a Float64Array, copied as is);
 * - strings: appended to a list, joined once at the end and stored as latin1 when every code unit
 *   fits (else UTF-16LE, which keeps lone surrogates intact), with their lengths.
 * Plain objects are written as a shape (their key list, once per distinct list) and their values;
 * on reading, each shape compiles to an object literal, so restored accumulators get the same
 * hidden class as those the job creates and generated code stays monomorphic after a restore.
 *
 * Shared references: a short array of scalars (a composite key interned by `KeyTable`, which
 * stores use by identity as a Map key) that occurs several times in one encoding is read back as
 * one array, as `v8.serialize` would. Other values are copied at each occurrence: Flow values are
 * immutable, so sharing them is not observable.
 */
import { endianness } from 'node:os';

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_NUMBER = 4;
const T_STRING = 5;
const T_ARRAY = 6;
/** A plain object of a known shape: the shape id, then its values. */
const T_OBJECT = 7;
/** A new shape: its key count and keys, then (as T_OBJECT) the object. */
const T_SHAPE = 8;
const T_MAP = 9;
const T_SET = 10;
const T_BIGINT = 11;
/** An array of scalars whose identity is kept: later occurrences are written as T_REF. */
const T_TUPLE = 12;
/** A repeated tuple: its index among the tuples written so far. */
const T_REF = 13;

/** `steps()` yields after every STEP_MASK + 1 elements of a large collection. */
const STEP_MASK = 2047;
/** Arrays of at most this many scalars keep their identity (see T_TUPLE). */
const TUPLE_MAX = 16;

const CODEC_VERSION = 1;
/** version, flags (bit 0: strings are latin1; bit 1: big-endian), tag count, number count, string count, string bytes. */
const HEADER_BYTES = 32;
const MAX_DEPTH = 256;
const BIG_ENDIAN = endianness() === 'BE';

/** A compiled writer of the values of objects of one shape (named loads, so they stay monomorphic). */
type ShapeWriter = (w: StateWriter, o: Record<string, unknown>) => void;

interface Shape {
  id: number;
  keys: string[];
  write: ShapeWriter;
}

export interface WriterBuffers {
  tags: Uint8Array;
  nums: Float64Array;
}

/** Accumulates values; `finish()` returns the encoded parts (write them in order, or concatenate). */
export class StateWriter {
  private tags: Uint8Array;
  private nTags = 0;
  private nums: Float64Array;
  private nNums = 0;
  private readonly strings: string[] = [];
  private readonly shapes = new Map<string, Shape>();
  // The shape of the previous object: objects of one store usually share it, so it is checked first.
  private last: Shape | undefined;
  private depth = 0;
  private readonly tuples = new Map<unknown[], number>();

  /**
   * `reuse`: the buffers of a previous writer whose output is no longer needed (written to disk),
   * so that a job checkpointing every second does not allocate and zero them each time; or the
   * `size` of a previous encoding, to allocate once instead of growing step by step.
   */
  constructor(reuse?: WriterBuffers | { tags: number; nums: number }) {
    const t = reuse?.tags;
    const n = reuse?.nums;
    this.tags = t instanceof Uint8Array ? t : new Uint8Array(Math.max(1 << 16, Math.ceil((t ?? 0) * 1.1)));
    this.nums = n instanceof Float64Array ? n : new Float64Array(Math.max(1 << 13, Math.ceil((n ?? 0) * 1.1)));
  }

  /** How much was written: a size hint for the next writer, when its buffers are not reused. */
  get size(): { tags: number; nums: number } {
    return { tags: this.nTags, nums: this.nNums };
  }

  /** The buffers to hand to the next writer once this one's output has been written. */
  get buffers(): WriterBuffers {
    return { tags: this.tags, nums: this.nums };
  }

  /** Appends one value (read back, in order, by `StateReader.value()`). */
  value(v: unknown): void {
    if (this.nTags === this.tags.length) this.growTags();
    switch (typeof v) {
      case 'number':
        this.tags[this.nTags++] = T_NUMBER;
        if (this.nNums === this.nums.length) this.growNums();
        this.nums[this.nNums++] = v;
        return;
      case 'string': this.tags[this.nTags++] = T_STRING; this.strings.push(v); return;
      case 'boolean': this.tags[this.nTags++] = v ? T_TRUE : T_FALSE; return;
      case 'undefined': this.tags[this.nTags++] = T_UNDEFINED; return;
      case 'bigint': this.tags[this.nTags++] = T_BIGINT; this.strings.push(v.toString()); return;
      case 'object': break;
      default: throw new Error(`internal: a checkpoint cannot hold a ${typeof v}`);
    }
    if (v === null) { this.tags[this.nTags++] = T_NULL; return; }
    if (++this.depth > MAX_DEPTH) throw new Error('internal: checkpoint state is nested too deeply (a cycle?)');
    if (Array.isArray(v)) {
      const n = v.length;
      if (n <= TUPLE_MAX && isScalars(v)) {
        const id = this.tuples.get(v);
        if (id !== undefined) {
          this.tag(T_REF);
          this.num(id);
        } else {
          this.tuples.set(v, this.tuples.size);
          this.tag(T_TUPLE);
          this.num(n);
          for (let i = 0; i < n; i++) this.value(v[i]);
        }
      } else {
        this.tag(T_ARRAY);
        this.num(n);
        for (let i = 0; i < n; i++) this.value(v[i]);
      }
    } else if (v instanceof Map) {
      this.tag(T_MAP);
      this.num(v.size);
      v.forEach(this.mapEntry);
    } else if (v instanceof Set) {
      this.tag(T_SET);
      this.num(v.size);
      v.forEach(this.setItem);
    } else {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new Error(`internal: a checkpoint cannot hold a ${(v as object).constructor?.name ?? 'class instance'}`);
      }
      this.object(v as Record<string, unknown>);
    }
    this.depth--;
  }

  /** A number value (the fast path of `value`, called by compiled shape writers). */
  number(x: number): void {
    if (this.nTags === this.tags.length) this.growTags();
    this.tags[this.nTags++] = T_NUMBER;
    if (this.nNums === this.nums.length) this.growNums();
    this.nums[this.nNums++] = x;
  }

  private readonly mapEntry = (x: unknown, k: unknown): void => {
    if (typeof k === 'number') this.number(k); else this.value(k);
    if (typeof x === 'number') this.number(x); else this.value(x);
  };
  private readonly setItem = (x: unknown): void => { this.value(x); };

  private object(o: Record<string, unknown>): void {
    this.objectHeader(o).write(this, o);
  }

  /** An object known to be an object (not an array, Map or Set): checks its prototype, writes it. */
  private plainObject(o: Record<string, unknown>): void {
    const proto = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) {
      throw new Error(`internal: a checkpoint cannot hold a ${(o as object).constructor?.name ?? 'class instance'}`);
    }
    if (++this.depth > MAX_DEPTH) throw new Error('internal: checkpoint state is nested too deeply (a cycle?)');
    this.objectHeader(o).write(this, o);
    this.depth--;
  }

  /** Writes an object's shape (the first time) and T_OBJECT; its values follow, in `keys` order. */
  private objectHeader(o: Record<string, unknown>): Shape {
    // Same keys, in the same order, as the previous object? (No allocation on that path.)
    let shape = this.last;
    if (shape !== undefined) {
      const keys = shape.keys;
      let i = 0;
      for (const k in o) {
        if (i >= keys.length || keys[i] !== k) { shape = undefined; break; }
        i++;
      }
      if (i !== keys.length) shape = undefined;
    }
    if (shape === undefined) {
      const keys = Object.keys(o);
      const id = keys.join('\u0000');
      shape = this.shapes.get(id);
      if (shape === undefined) {
        shape = { id: this.shapes.size, keys, write: compileShapeWriter(keys) };
        this.shapes.set(id, shape);
        this.tag(T_SHAPE);
        this.num(keys.length);
        for (const k of keys) this.strings.push(k);
      }
      this.last = shape;
    }
    this.tag(T_OBJECT);
    this.num(shape.id);
    return shape;
  }

  /**
   * Like `value(v)`, in steps: yields every few thousand elements of a large array, Map or Set,
   * so that a caller can let the event loop run between steps (the value must not change until
   * the generator is done). Small values and everything deep inside large ones are written in
   * one go.
   */
  *steps(v: unknown, depth = 0): Generator<void, void, void> {
    if (typeof v !== 'object' || v === null || depth > 8 || (Array.isArray(v) && v.length <= TUPLE_MAX && isScalars(v))) {
      this.value(v);
      return;
    }
    const child = (x: unknown): boolean => typeof x === 'object' && x !== null && (depth < 3 || isLarge(x));
    let n = 0;
    if (Array.isArray(v)) {
      this.tag(T_ARRAY);
      this.num(v.length);
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (child(x)) yield* this.steps(x, depth + 1);
        else this.value(x);
        if ((++n & STEP_MASK) === 0) yield;
      }
    } else if (v instanceof Map) {
      this.tag(T_MAP);
      this.num(v.size);
      if (v.size <= STEP_MASK && depth >= 3) {
        v.forEach(this.mapEntry);
        return;
      }
      for (const e of v) {
        const k = e[0];
        const x = e[1];
        if (typeof k === 'number') this.number(k);
        else this.value(k);
        if (typeof x !== 'object' || x === null) this.value(x);
        else if (depth < 3 || isLarge(x)) yield* this.steps(x, depth + 1);
        else if (Array.isArray(x) || x instanceof Map || x instanceof Set) this.value(x);
        else this.plainObject(x as Record<string, unknown>);
        if ((++n & STEP_MASK) === 0) yield;
      }
    } else if (v instanceof Set) {
      this.tag(T_SET);
      this.num(v.size);
      for (const x of v) {
        if (child(x)) yield* this.steps(x, depth + 1);
        else this.value(x);
        if ((++n & STEP_MASK) === 0) yield;
      }
    } else {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new Error(`internal: a checkpoint cannot hold a ${(v as object).constructor?.name ?? 'class instance'}`);
      }
      const o = v as Record<string, unknown>;
      const { keys } = this.objectHeader(o);
      for (const k of keys) {
        const x = o[k];
        if (child(x)) yield* this.steps(x, depth + 1);
        else this.value(x);
      }
    }
  }

  private tag(t: number): void {
    if (this.nTags === this.tags.length) this.growTags();
    this.tags[this.nTags++] = t;
  }

  private num(x: number): void {
    if (this.nNums === this.nums.length) this.growNums();
    this.nums[this.nNums++] = x;
  }

  private growTags(): void {
    const bigger = new Uint8Array(this.tags.length * 2);
    bigger.set(this.tags);
    this.tags = bigger;
  }

  private growNums(): void {
    const bigger = new Float64Array(this.nums.length * 2);
    bigger.set(this.nums);
    this.nums = bigger;
  }

  /** The encoding: header, numbers, string lengths, tags, string data (the numbers stay 8-byte aligned). */
  finish(): Buffer[] {
    const it = this.finishing();
    for (;;) {
      const r = it.next();
      if (r.done) return r.value;
    }
  }

  /** `finish()` in steps (the string data is encoded a slice at a time). */
  *finishing(): Generator<void, Buffer[], void> {
    const strings = this.strings;
    const count = strings.length;
    const lengths = new Uint32Array(count + (count & 1));
    for (let i = 0; i < count; i++) {
      lengths[i] = strings[i]!.length;
      if (((i + 1) & STEP_MASK) === 0) yield;
    }
    // latin1 (one byte per code unit) when every string fits, else UTF-16LE for all of them.
    let latin1 = true;
    const joined: string[] = [];
    const slice = (STEP_MASK + 1) * 16;
    for (let i = 0; i < count; i += slice) {
      const j = strings.slice(i, i + slice).join('');
      // eslint-disable-next-line no-control-regex
      if (latin1 && /[^\u0000-\u00ff]/.test(j)) latin1 = false;
      joined.push(j);
      yield;
    }
    const text: Buffer[] = [];
    for (const j of joined) {
      text.push(Buffer.from(j, latin1 ? 'latin1' : 'utf16le'));
      yield;
    }
    const head = Buffer.alloc(HEADER_BYTES);
    head.writeUInt32LE(CODEC_VERSION, 0);
    head.writeUInt32LE((latin1 ? 1 : 0) | (BIG_ENDIAN ? 2 : 0), 4);
    head.writeDoubleLE(this.nTags, 8);
    head.writeDoubleLE(this.nNums, 16);
    head.writeDoubleLE(count, 24);
    const pad = Buffer.alloc((8 - (this.nTags % 8)) % 8);
    return [
      head,
      Buffer.from(this.nums.buffer, 0, this.nNums * 8),
      Buffer.from(lengths.buffer, 0, lengths.byteLength),
      Buffer.from(this.tags.buffer, 0, this.nTags),
      pad,
      ...text,
    ];
  }
}

function isLarge(x: object): boolean {
  if (Array.isArray(x)) return x.length > STEP_MASK;
  if (x instanceof Map || x instanceof Set) return x.size > STEP_MASK;
  return false;
}

function isScalars(a: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x === 'object' && x !== null) return false;
  }
  return true;
}

/** `(w, o) => { w.value(o.a); w.value(o.b); … }` for plain keys; a keyed loop otherwise. */
function compileShapeWriter(keys: string[]): ShapeWriter {
  if (keys.length <= 64 && keys.every((k) => /^[A-Za-z_$][\w$]*$/.test(k))) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const body = keys.map((k) => `x = o.${k}; if (typeof x === "number") w.number(x); else w.value(x);`);
      return new Function('w', 'o', `let x;\n${body.join('\n')}`) as ShapeWriter;
    } catch {
      // code generation from strings disallowed: fall through to the generic loop
    }
  }
  return (w, o) => { for (const k of keys) w.value(o[k]); };
}

/** Thrown for bytes that are not a valid encoding (a checksum should have caught it first). */
export class StateDecodeError extends Error {}

/** Reads values back from an encoding made by `StateWriter.finish()` (concatenated). */
export class StateReader {
  // Public for the compiled shape readers (compileShape); not an API.
  readonly tags: Uint8Array;
  readonly nums: Float64Array;
  /** Next tag. */
  t = 0;
  /** Next number. */
  n = 0;
  private readonly strings: string;
  private readonly lengths: Uint32Array;
  private s = 0;
  private sPos = 0;
  private readonly shapes: ((r: StateReader) => Record<string, unknown>)[] = [];
  private readonly tuples: unknown[][] = [];

  constructor(data: Buffer) {
    if (data.length < HEADER_BYTES) throw new StateDecodeError('state too short');
    const version = data.readUInt32LE(0);
    if (version !== CODEC_VERSION) throw new StateDecodeError(`unknown state encoding version ${version}`);
    const flags = data.readUInt32LE(4);
    const nTags = data.readDoubleLE(8);
    const nNums = data.readDoubleLE(16);
    const nStrings = data.readDoubleLE(24);
    for (const c of [nTags, nNums, nStrings]) if (!Number.isSafeInteger(c) || c < 0) throw new StateDecodeError('bad state header');
    const lenWords = nStrings + (nStrings & 1);
    let off = HEADER_BYTES;
    const numBytes = nNums * 8;
    const tagsAt = off + numBytes + lenWords * 4;
    const textAt = tagsAt + nTags + ((8 - (nTags % 8)) % 8);
    if (textAt > data.length) throw new StateDecodeError('state truncated');
    // Typed arrays need aligned memory: copy when the buffer is not 8-byte aligned.
    let base = data;
    if ((data.byteOffset + off) % 8 !== 0) {
      base = Buffer.allocUnsafeSlow(textAt);
      data.copy(base, 0, 0, textAt);
    }
    const swapped = ((flags & 2) !== 0) !== BIG_ENDIAN;
    let numView = Buffer.from(base.buffer, base.byteOffset + off, numBytes);
    let lenView = Buffer.from(base.buffer, base.byteOffset + off + numBytes, lenWords * 4);
    if (swapped) {
      numView = Buffer.from(numView).swap64();
      lenView = Buffer.from(lenView).swap32();
    }
    this.nums = new Float64Array(numView.buffer, numView.byteOffset, nNums);
    this.lengths = new Uint32Array(lenView.buffer, lenView.byteOffset, nStrings);
    off = tagsAt;
    this.tags = new Uint8Array(base.buffer, base.byteOffset + off, nTags);
    const text = data.subarray(textAt);
    this.strings = (flags & 1) !== 0 ? text.toString('latin1') : text.toString('utf16le');
  }

  /** True when every value has been read (and the streams were consistent). */
  done(): boolean {
    if (this.t < this.tags.length) return false;
    // Compiled shapes read numbers without a bounds check: a read past the end shows here.
    if (this.n !== this.nums.length) throw new StateDecodeError('state truncated (numbers)');
    return true;
  }

  private num(): number {
    if (this.n >= this.nums.length) throw new StateDecodeError('state truncated (numbers)');
    return this.nums[this.n++]!;
  }

  private str(): string {
    if (this.s >= this.lengths.length) throw new StateDecodeError('state truncated (strings)');
    const len = this.lengths[this.s++]!;
    const start = this.sPos;
    this.sPos = start + len;
    if (this.sPos > this.strings.length) throw new StateDecodeError('state truncated (text)');
    return this.strings.substring(start, this.sPos);
  }

  /** A Map of `n` entries (small and separate from `value()`, so that its loop gets optimized well). */
  private map(n: number): Map<unknown, unknown> {
    const m = new Map();
    const tags = this.tags;
    const nums = this.nums;
    for (let i = 0; i < n; i++) {
      let k: unknown;
      if (tags[this.t] === T_NUMBER) { this.t++; k = nums[this.n++]; } else k = this.value();
      let x: unknown;
      if (tags[this.t] === T_OBJECT) {
        this.t++;
        const make = this.shapes[nums[this.n++]!];
        if (make === undefined) throw new StateDecodeError('unknown object shape');
        x = make(this);
      } else {
        x = this.value();
      }
      m.set(k, x);
    }
    return m;
  }

  private array(n: number): unknown[] {
    const a = new Array(n);
    const tags = this.tags;
    for (let i = 0; i < n; i++) {
      if (tags[this.t] === T_NUMBER) { this.t++; a[i] = this.nums[this.n++]; } else a[i] = this.value();
    }
    return a;
  }

  /** The next value. */
  value(): unknown {
    if (this.t >= this.tags.length) throw new StateDecodeError('state truncated (tags)');
    switch (this.tags[this.t++]) {
      case T_NUMBER: return this.num();
      case T_STRING: return this.str();
      case T_NULL: return null;
      case T_TRUE: return true;
      case T_FALSE: return false;
      case T_UNDEFINED: return undefined;
      case T_OBJECT: {
        const make = this.shapes[this.num()];
        if (make === undefined) throw new StateDecodeError('unknown object shape');
        return make(this);
      }
      case T_SHAPE: {
        const n = this.num();
        const keys: string[] = [];
        for (let i = 0; i < n; i++) keys.push(this.str());
        this.shapes.push(compileShape(keys));
        return this.value();
      }
      case T_ARRAY: return this.array(this.num());
      case T_TUPLE: {
        const n = this.num();
        const a = new Array(n);
        this.tuples.push(a);
        for (let i = 0; i < n; i++) a[i] = this.value();
        return a;
      }
      case T_REF: {
        const a = this.tuples[this.num()];
        if (a === undefined) throw new StateDecodeError('bad tuple reference');
        return a;
      }
      case T_MAP: return this.map(this.num());
      case T_SET: {
        const n = this.num();
        const s = new Set();
        for (let i = 0; i < n; i++) s.add(this.value());
        return s;
      }
      case T_BIGINT: return BigInt(this.str());
      default: throw new StateDecodeError(`bad value tag ${this.tags[this.t - 1]}`);
    }
  }
}

/** A function reading one object of this shape: an object literal (one hidden class), or a loop for odd keys. */
const compiledShapes = new Map<string, (r: StateReader) => Record<string, unknown>>();

function compileShape(keys: string[]): (r: StateReader) => Record<string, unknown> {
  const id = keys.join('\u0000');
  let f = compiledShapes.get(id);
  if (f === undefined) {
    f = compileShapeOnce(keys);
    if (compiledShapes.size < 1000) compiledShapes.set(id, f);
  }
  return f;
}

function compileShapeOnce(keys: string[]): (r: StateReader) => Record<string, unknown> {
  const plain = keys.every((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== '__proto__');
  if (plain && keys.length <= 64) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      // Numbers are read inline from the streams; anything else through r.value().
      const body = ['const tags = r.tags, nums = r.nums;'];
      keys.forEach((_, i) => body.push(`let x${i}; if (tags[r.t] === ${T_NUMBER}) { r.t++; x${i} = nums[r.n++]; } else x${i} = r.value();`));
      body.push(`return { ${keys.map((k, i) => `${k}: x${i}`).join(', ')} };`);
      return new Function('r', body.join('\n')) as (r: StateReader) => Record<string, unknown>;
    } catch {
      // code generation from strings disallowed: fall through to the generic loop
    }
  }
  return (r) => {
    const o: Record<string, unknown> = {};
    for (const k of keys) Object.defineProperty(o, k, { value: r.value(), enumerable: true, writable: true, configurable: true });
    return o;
  };
}

/** Encodes values into one buffer. */
export function encodeState(values: unknown[]): Buffer {
  const w = new StateWriter();
  for (const v of values) w.value(v);
  return Buffer.concat(w.finish());
}

/** Decodes every value of a buffer made by `encodeState` (or a StateWriter). */
export function decodeState(data: Buffer): unknown[] {
  const r = new StateReader(data);
  const out: unknown[] = [];
  while (!r.done()) out.push(r.value());
  return out;
}
