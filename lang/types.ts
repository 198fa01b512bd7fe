/**
 * Semantic types of Flow (lang/reference.md §3) and the shape of a stream as the checker sees it.
 */

export type PrimitiveKind = 'bool' | 'int' | 'float' | 'string' | 'timestamp' | 'duration';

export interface Field {
  name: string;
  type: Type;
}

export type Type =
  | { kind: PrimitiveKind }
  | { kind: 'null' }
  | { kind: 'nullable'; inner: Type }
  | { kind: 'list'; element: Type }
  | { kind: 'record'; fields: Field[]; name?: string }
  /** A type that could not be determined; it silences follow-on errors. */
  | { kind: 'error' };

export type RecordType = Extract<Type, { kind: 'record' }>;

export const T = {
  bool: { kind: 'bool' } as Type,
  int: { kind: 'int' } as Type,
  float: { kind: 'float' } as Type,
  string: { kind: 'string' } as Type,
  timestamp: { kind: 'timestamp' } as Type,
  duration: { kind: 'duration' } as Type,
  null: { kind: 'null' } as Type,
  error: { kind: 'error' } as Type,
  list: (element: Type): Type => ({ kind: 'list', element }),
  nullable: (inner: Type): Type =>
    inner.kind === 'nullable' || inner.kind === 'null' || inner.kind === 'error' ? inner : { kind: 'nullable', inner },
  record: (fields: Field[], name?: string): RecordType => (name ? { kind: 'record', fields, name } : { kind: 'record', fields }),
};

export function isNullable(t: Type): boolean {
  return t.kind === 'nullable' || t.kind === 'null';
}

/** `T?` → `T`; anything else unchanged. */
export function nonNull(t: Type): Type {
  return t.kind === 'nullable' ? t.inner : t;
}

export function isNumeric(t: Type): boolean {
  return t.kind === 'int' || t.kind === 'float';
}

/** Field indexes of wide records, so that looking up every field of a 10,000-field row stays linear. */
const fieldIndex = new WeakMap<Field[], Map<string, Field>>();

export function field(rec: RecordType, name: string): Field | undefined {
  if (rec.fields.length < 16) return rec.fields.find((f) => f.name === name);
  let index = fieldIndex.get(rec.fields);
  if (!index || index.size !== rec.fields.length) {
    index = new Map();
    for (const f of rec.fields) if (!index.has(f.name)) index.set(f.name, f);
    fieldIndex.set(rec.fields, index);
  }
  return index.get(name);
}

export function typeEquals(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'nullable':
      return typeEquals(a.inner, (b as typeof a).inner);
    case 'list':
      return typeEquals(a.element, (b as typeof a).element);
    case 'record': {
      const bf = (b as typeof a).fields;
      return a.fields.length === bf.length && a.fields.every((f, i) => f.name === bf[i]!.name && typeEquals(f.type, bf[i]!.type));
    }
    default:
      return true;
  }
}

/**
 * Can a value of type `from` be used where `to` is expected? `int` widens to `float`, `null`
 * and `T` fit `T?`, records are structural (same field names in any order, each assignable).
 */
export function assignable(from: Type, to: Type): boolean {
  if (from.kind === 'error' || to.kind === 'error') return true;
  if (to.kind === 'nullable') {
    if (from.kind === 'null') return true;
    return assignable(from.kind === 'nullable' ? from.inner : from, to.inner);
  }
  if (from.kind === 'nullable' || from.kind === 'null') return false;
  if (from.kind === 'int' && to.kind === 'float') return true;
  if (from.kind !== to.kind) return false;
  if (from.kind === 'list') return assignable(from.element, (to as typeof from).element) || (from.element.kind === 'null');
  if (from.kind === 'record') {
    const tf = (to as typeof from).fields;
    if (tf.length !== from.fields.length) return false;
    return tf.every((f) => {
      const g = field(from, f.name);
      return g !== undefined && assignable(g.type, f.type);
    });
  }
  return true;
}

/** The least type both fit, for `if`, `??`, lists and `coalesce`; undefined when there is none. */
export function unify(a: Type, b: Type): Type | undefined {
  if (a.kind === 'error') return b;
  if (b.kind === 'error') return a;
  if (a.kind === 'null') return T.nullable(b);
  if (b.kind === 'null') return T.nullable(a);
  const nullable = a.kind === 'nullable' || b.kind === 'nullable';
  const x = nonNull(a);
  const y = nonNull(b);
  let u: Type | undefined;
  if (assignable(x, y)) u = y;
  else if (assignable(y, x)) u = x;
  if (!u) return undefined;
  return nullable ? T.nullable(u) : u;
}

/** Flow spelling of a type, for messages and hover. */
export function showType(t: Type): string {
  switch (t.kind) {
    case 'nullable':
      return `${showType(t.inner)}?`;
    case 'null':
      return 'null';
    case 'list':
      return `[${showType(t.element)}]`;
    case 'record':
      if (t.name) return t.name;
      return `{ ${t.fields.map((f) => `${f.name}: ${showType(f.type)}`).join(', ')} }`;
    case 'error':
      return '<unknown>';
    default:
      return t.kind;
  }
}

/** Spelling with record names expanded one level, for snapshots of stream types. */
export function showRow(t: RecordType): string {
  return `{ ${t.fields.map((f) => `${f.name}: ${showType(f.type)}`).join(', ')} }`;
}

// ---------------------------------------------------------------- streams

export interface WindowInfo {
  kind: 'tumbling' | 'sliding' | 'session';
  /** Window length in ms (the gap for sessions). */
  size: number;
  /** Slide in ms, for sliding windows. */
  every?: number;
  processingTime: boolean;
  /** Where the window was declared, for messages. */
  letName?: string;
}

/** A name that qualifies a row's fields: `clicks as c` then `c.page`. */
export interface Qualifier {
  alias: string;
  row: RecordType;
}

/**
 * What the checker knows of a stream at one point of a pipeline. v0 streams are append-only;
 * `kind` is there so that updating streams can be added and rejected where they do not fit.
 */
export interface StreamInfo {
  row: RecordType;
  kind: 'append' | 'updating';
  /** Key fields after `key by`, as written. */
  keys?: { name: string; type: Type }[];
  window?: WindowInfo;
  /** Does this stream carry event time (from a source's `event time` clause)? */
  eventTime: boolean;
  qualifiers: Qualifier[];
  /** Field names present on both sides of a join: readable only qualified. */
  ambiguous: string[];
}
