/**
 * Helpers that compiled Flow expressions call (see lang/builtins.ts for the catalogue). Each is
 * a plain function over non-null values: the generated code handles nulls before calling.
 */
import { formatTimestamp, parseTimestamp } from '../formats/time.ts';

export function rt_round(x: number, digits: number): number {
  // Half away from zero: round the magnitude (Math.round rounds halves up), then restore the sign.
  const f = Math.pow(10, digits);
  return (Math.sign(x) * Math.round(Math.abs(x) * f)) / f;
}

export function rt_min<T>(a: T, b: T): T {
  return a <= b ? a : b;
}

export function rt_max<T>(a: T, b: T): T {
  return a >= b ? a : b;
}

export function rt_length(x: string | unknown[]): number {
  if (typeof x !== 'string') return x.length;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

export function rt_substring(s: string, start: number, length: number): string {
  const from = Math.max(0, start);
  return length < 0 ? s.slice(from) : s.slice(from, from + Math.max(0, length));
}

export function rt_splitIndex(s: string, sep: string, i: number): string | null {
  if (i < 0) return null;
  const parts = s.split(sep);
  return i < parts.length ? parts[i]! : null;
}

const regexCache = new Map<string, RegExp>();

/** Compiles a pattern once; an invalid pattern is an error naming the pattern. */
export function rt_regex(pattern: string): RegExp {
  let r = regexCache.get(pattern);
  if (!r) {
    try {
      r = new RegExp(pattern, 'u');
    } catch (e) {
      throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, r);
  }
  r.lastIndex = 0;
  return r;
}

export function rt_regexExtract(s: string, pattern: string, group: number): string | null {
  const m = rt_regex(pattern).exec(s);
  return m ? (m[group] ?? null) : null;
}

export function rt_toInt(x: number | string | boolean): number | null {
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'number') return Math.trunc(x);
  const t = x.trim();
  if (!/^[+-]?\d+$/.test(t)) return null;
  const v = Number(t);
  return Number.isSafeInteger(v) ? v : null;
}

export function rt_toFloat(x: number | string): number | null {
  if (typeof x === 'number') return x;
  const t = x.trim();
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

/** Text form; timestamps must be formatted by the caller (the compiler knows the type). */
export function rt_toString(x: unknown): string {
  if (typeof x === 'string') return x;
  if (Array.isArray(x)) return JSON.stringify(x);
  return String(x);
}

export function rt_timestampToString(ms: number): string {
  return formatTimestamp(ms);
}

export function rt_parseTimestampText(s: string): number | null {
  return parseTimestamp(s) ?? null;
}

export function rt_formatTimestamp(ms: number, pattern?: string): string {
  const iso = formatTimestamp(ms);
  if (pattern === undefined) return iso;
  const d = new Date(ms);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss|SSS/g, (t) => {
    switch (t) {
      case 'yyyy': return pad(d.getUTCFullYear(), 4);
      case 'MM': return pad(d.getUTCMonth() + 1, 2);
      case 'dd': return pad(d.getUTCDate(), 2);
      case 'HH': return pad(d.getUTCHours(), 2);
      case 'mm': return pad(d.getUTCMinutes(), 2);
      case 'ss': return pad(d.getUTCSeconds(), 2);
      default: return pad(d.getUTCMilliseconds(), 3);
    }
  });
}

export function rt_hour(ms: number): number {
  return new Date(ms).getUTCHours();
}

export function rt_dayOfWeek(ms: number): number {
  const d = new Date(ms).getUTCDay();
  return d === 0 ? 7 : d;
}

export function rt_dateTrunc(unit: string, ms: number): number {
  const d = new Date(ms);
  switch (unit) {
    case 'second': return ms - (((ms % 1000) + 1000) % 1000);
    case 'minute': return ms - (((ms % 60_000) + 60_000) % 60_000);
    case 'hour': return ms - (((ms % 3_600_000) + 3_600_000) % 3_600_000);
    case 'day': return ms - (((ms % 86_400_000) + 86_400_000) % 86_400_000);
    case 'week': {
      const day = rt_dateTrunc('day', ms);
      return day - (rt_dayOfWeek(ms) - 1) * 86_400_000;
    }
    case 'month': return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'year': return Date.UTC(d.getUTCFullYear(), 0, 1);
    default: throw new Error(`date_trunc: unknown unit ${JSON.stringify(unit)} (second, minute, hour, day, week, month, year)`);
  }
}

/** FNV-1a over the UTF-16 text form; stable across runs and machines. */
export function rt_hash(x: unknown): number {
  const s = x === null ? 'null' : typeof x === 'string' ? x : JSON.stringify(x);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Floor modulo, for window starts of negative timestamps. */
export function rt_floorMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** A composite key as one Map key. */
export function rt_key(parts: unknown[]): string {
  return JSON.stringify(parts);
}

export function rt_unkey(key: string): unknown[] {
  return JSON.parse(key) as unknown[];
}

/** Ordering for `top`: nulls always last; `desc` reverses the order of non-null values. */
export function rt_cmp(a: unknown, b: unknown, desc: boolean): number {
  if (a == null) return b == null ? 0 : 1;
  if (b == null) return -1;
  const c = (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  return desc ? -c : c;
}
