/**
 * Value conversions used by generated validators and serialisers: input values to Flow values
 * (with a reason when they do not fit) and Flow values to JSON / CSV text.
 */
import { parseTimestamp, formatTimestamp, parseDuration } from './time.ts';

/** Returned by a converter when a value does not fit its type. */
export const BAD: unique symbol = Symbol('bad');

/** A short description of an input value for error messages: `"abc"`, `12.5`, `an object`. */
export function rt_describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') {
    const json = JSON.stringify(v);
    return json.length > 60 ? `${json.slice(0, 60)}…` : json;
  }
  return String(v);
}

export function rt_ts(v: unknown): number | typeof BAD {
  return parseTimestamp(v) ?? BAD;
}

export function rt_dur(v: unknown): number | typeof BAD {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : BAD;
  if (typeof v === 'string') return parseDuration(v) ?? BAD;
  return BAD;
}

export function rt_csvInt(s: string): number | typeof BAD {
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) return BAD;
  const v = Number(t);
  return Number.isSafeInteger(v) ? v : BAD;
}

export function rt_csvFloat(s: string): number | typeof BAD {
  const t = s.trim();
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return BAD;
  return Number(t);
}

export function rt_csvBool(s: string): boolean | typeof BAD {
  const t = s.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : BAD;
}

/** A float as JSON: integral values keep a `.0`, NaN and infinities (not JSON) become null. */
export function rt_jf(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return x.toFixed(1);
  return String(x);
}

/** A float as text for CSV. */
export function rt_cf(x: number): string {
  if (!Number.isFinite(x)) return '';
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return x.toFixed(1);
  return String(x);
}

export function rt_iso(ms: number): string {
  return formatTimestamp(ms);
}

/** Structural equality of Flow values (records and lists). */
export function rt_eq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!rt_eq(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!rt_eq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** CSV column index of each field (by header name); -1 when the column is missing. */
export function rt_csvColumns(header: string[] | null, fields: string[]): number[] {
  const h = header ?? [];
  return fields.map((f) => h.indexOf(f));
}
