/**
 * Generic record code for the unfused mode: validation of input values and JSON / CSV writing,
 * interpreted from a type descriptor at run time (the fused mode generates this code per type).
 * Results and messages are the same as the generated code's, byte for byte.
 */
import { BAD, rt_describe, rt_ts, rt_dur, rt_csvInt, rt_csvFloat, rt_csvBool, rt_jf, rt_cf, rt_iso } from '../formats/values.ts';
import { csvField } from '../formats/csv.ts';

/** A Flow type as data. `n`: nullable. */
export type TypeDesc =
  | { k: 'string' | 'int' | 'float' | 'bool' | 'timestamp' | 'duration'; n?: boolean }
  | { k: 'list'; el: TypeDesc; n?: boolean }
  | { k: 'record'; fields: FieldDesc[]; n?: boolean };

export interface FieldDesc {
  name: string;
  t: TypeDesc;
  /** `field "x": expected T, found ` (for errors(S)). */
  expected?: string;
}

export type Row = Record<string, any>;

function own(o: Row, name: string): unknown {
  if (!(name in Object.prototype)) return o[name];
  return Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined;
}

/** Sets a field; names that Object.prototype has (`__proto__`, `constructor`) become own data properties. */
function set(row: Row, name: string, v: unknown): void {
  if (name in Object.prototype) Object.defineProperty(row, name, { value: v, enumerable: true, writable: true, configurable: true });
  else row[name] = v;
}

/** The value converted to `t`, or BAD. `undefined` (a missing value) is null for nullable types. */
export function convertValue(v: unknown, t: TypeDesc): unknown {
  if (t.n) {
    if (v === undefined || v === null) return null;
  }
  switch (t.k) {
    case 'string': return typeof v === 'string' ? v : BAD;
    case 'int': return typeof v === 'number' && Number.isSafeInteger(v) ? v : BAD;
    case 'float': return typeof v === 'number' ? v : BAD;
    case 'bool': return typeof v === 'boolean' ? v : BAD;
    case 'timestamp': return rt_ts(v);
    case 'duration': return rt_dur(v);
    case 'list': {
      if (!Array.isArray(v)) return BAD;
      const out = new Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const e = convertValue(v[i], t.el);
        if (e === BAD) return BAD;
        out[i] = e;
      }
      return out;
    }
    case 'record': {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return BAD;
      const out: Row = {};
      for (const f of t.fields) {
        const x = convertValue(own(v as Row, f.name), f.t);
        if (x === BAD) return BAD;
        set(out, f.name, x);
      }
      return out;
    }
  }
}

/** A parsed JSON object as a row of `fields`, or the reason it does not fit. */
export function validateObject(o: Row, fields: FieldDesc[]): Row | string {
  const row: Row = {};
  for (const f of fields) {
    const given = own(o, f.name);
    if (given === undefined && !f.t.n) return `missing field ${JSON.stringify(f.name)}`;
    const v = convertValue(given, f.t);
    if (v === BAD) return f.expected + rt_describe(given);
    set(row, f.name, v);
  }
  return row;
}

/** CSV cells (at `columns` per field) as a row of `fields`, or the reason they do not fit. */
export function validateCells(cells: string[], columns: number[], fields: FieldDesc[]): Row | string {
  const row: Row = {};
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    const s = cells[columns[k]!];
    let v: unknown;
    if (f.t.n && (s === undefined || s === '')) v = null;
    else if (s === undefined || (s === '' && f.t.k !== 'string')) v = BAD;
    else {
      switch (f.t.k) {
        case 'string': v = s; break;
        case 'int': v = rt_csvInt(s); break;
        case 'float': v = rt_csvFloat(s); break;
        case 'bool': v = rt_csvBool(s); break;
        case 'timestamp': v = rt_ts(s); break;
        case 'duration': v = rt_dur(s); break;
        default: v = BAD;
      }
    }
    if (v === BAD) return f.expected + rt_describe(s);
    set(row, f.name, v);
  }
  return row;
}

/** JSON text of a value of type `t`. */
export function jsonValue(v: unknown, t: TypeDesc): string {
  if (t.n && v == null) return 'null';
  switch (t.k) {
    case 'string': return JSON.stringify(v);
    case 'int': case 'duration': return String(v);
    case 'float': return rt_jf(v as number);
    case 'bool': return v ? 'true' : 'false';
    case 'timestamp': return '"' + rt_iso(v as number) + '"';
    case 'list': {
      const l = v as unknown[];
      let s = '[';
      for (let i = 0; i < l.length; i++) {
        if (i) s += ',';
        s += jsonValue(l[i], t.el);
      }
      return s + ']';
    }
    case 'record': return jsonRecord(v as Row, t.fields);
  }
}

/** JSON object text of a row, fields in declared order. */
export function jsonRecord(r: Row, fields: FieldDesc[]): string {
  if (fields.length === 0) return '{}';
  let s = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    s += (i === 0 ? '{' : ',') + JSON.stringify(f.name) + ':' + jsonValue(r[f.name], f.t);
  }
  return s + '}';
}

function csvValue(v: unknown, t: TypeDesc): string {
  if (t.n && v == null) return '';
  switch (t.k) {
    case 'string': return csvField(v as string);
    case 'int': case 'duration': return String(v);
    case 'float': return rt_cf(v as number);
    case 'bool': return v ? 'true' : 'false';
    case 'timestamp': return rt_iso(v as number);
    default: return csvField(jsonValue(v, { ...t, n: false }));
  }
}

/** One CSV line of a row. */
export function csvRecord(r: Row, fields: FieldDesc[]): string {
  if (fields.length === 0) return '';
  let s = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (i) s += ',';
    s += csvValue(r[f.name], f.t);
  }
  return s;
}
