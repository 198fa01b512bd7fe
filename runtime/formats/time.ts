/**
 * Timestamps and durations as the runtime reads and writes them.
 *
 * A timestamp is an integer number of milliseconds since 1970-01-01T00:00:00Z (UTC, no leap
 * seconds), limited to the range of a JavaScript Date (±8.64e15 ms, about ±275 000 years).
 * Input accepts epoch milliseconds or ISO 8601 text; output is always ISO 8601 UTC with
 * milliseconds. Calendar arithmetic is done here (proleptic Gregorian calendar) rather than
 * with Date, so that years 0–99 and years outside 0000–9999 behave like any other year.
 */

/** Largest |timestamp| accepted: the range of a JavaScript Date. */
export const MAX_TIMESTAMP = 8.64e15;

const MS_PER_DAY = 86_400_000;

/**
 * A timestamp from an input value: a finite integer number of epoch milliseconds, a string of
 * decimal digits (epoch milliseconds as text, e.g. a CSV field), or an ISO 8601 string:
 *
 *   2024-05-01T10:00:00Z          2024-05-01T10:00:00.123456789+02:00
 *   2024-05-01 10:00:00-0530      2024-05-01T10:00Z
 *   2024-05-01                    (date only: midnight UTC)
 *   +012345-01-01T00:00:00.000Z   (expanded years, as formatTimestamp writes them)
 *
 * A time of day needs an offset (`Z`, `±HH:MM`, `±HHMM` or `±HH`): local times are ambiguous.
 * Fractions of 1–9 digits are truncated to milliseconds. Anything else, including impossible
 * dates such as 2024-02-30, gives undefined.
 */
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v > MAX_TIMESTAMP || v < -MAX_TIMESTAMP) return undefined;
    return v === 0 ? 0 : v; // no -0
  }
  if (typeof v !== 'string') return undefined;
  const fast = parseCanonical(v);
  if (fast !== undefined) return fast;
  return parseGeneral(v);
}

/** Digit value of the char code at i, or -1 (NaN-free arithmetic on the fast path). */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function two(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/** `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ`, else undefined (the caller falls back). */
function parseCanonical(s: string): number | undefined {
  const n = s.length;
  if (n !== 20 && n !== 24) return undefined;
  if (
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(n - 1) !== 90 // Z
  ) {
    return undefined;
  }
  const y1 = two(s, 0);
  const y2 = two(s, 2);
  const mo = two(s, 5);
  const d = two(s, 8);
  const h = two(s, 11);
  const mi = two(s, 14);
  const se = two(s, 17);
  if ((y1 | y2 | mo | d | h | mi | se) < 0) return undefined;
  let ms = 0;
  if (n === 24) {
    if (s.charCodeAt(19) !== 46) return undefined; // .
    const a = digit(s, 20);
    const b = digit(s, 21);
    const c = digit(s, 22);
    if ((a | b | c) < 0) return undefined;
    ms = a * 100 + b * 10 + c;
  }
  const year = y1 * 100 + y2;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(year, mo) || h > 23 || mi > 59 || se > 59) {
    return undefined;
  }
  return daysFromCivil(year, mo, d) * MS_PER_DAY + h * 3_600_000 + mi * 60_000 + se * 1000 + ms;
}

const GENERAL =
  /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?))?$/;

function parseGeneral(s: string): number | undefined {
  if (s.length > 0 && s.length <= 17 && /^-?\d+$/.test(s)) {
    // epoch milliseconds as text (CSV). 17 digits is beyond the Date range anyway.
    return parseTimestamp(Number(s));
  }
  const m = GENERAL.exec(s);
  if (m === null) return undefined;
  const yText = m[1]!;
  if (yText === '-000000') return undefined; // ISO 8601 / ECMAScript: no negative zero year
  const year = Number(yText);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(year, mo)) return undefined;
  let ms = daysFromCivil(year, mo, d) * MS_PER_DAY;
  if (m[4] !== undefined) {
    const h = Number(m[4]);
    const mi = Number(m[5]);
    const se = m[6] === undefined ? 0 : Number(m[6]);
    if (h > 23 || mi > 59 || se > 59) return undefined;
    let frac = 0;
    const f = m[7];
    if (f !== undefined) frac = Number((f + '00').slice(0, 3)); // truncate to ms
    ms += h * 3_600_000 + mi * 60_000 + se * 1000 + frac;
    const off = m[8]!;
    if (off !== 'Z' && off !== 'z') {
      const oh = Number(off.slice(1, 3));
      const om = off.length > 3 ? Number(off.slice(off.length - 2)) : 0;
      if (oh > 23 || om > 59) return undefined;
      const offMs = (oh * 60 + om) * 60_000;
      ms -= off.charCodeAt(0) === 45 ? -offMs : offMs;
    }
  }
  if (ms > MAX_TIMESTAMP || ms < -MAX_TIMESTAMP) return undefined;
  return ms === 0 ? 0 : ms;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (any year, month 1–12). */
function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400; // [0, 399]
  const mp = m > 2 ? m - 3 : m + 9; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1; // [0, 365]
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy; // [0, 146096]
  return era * 146_097 + doe - 719_468;
}

const PAD2: string[] = [];
for (let i = 0; i < 100; i++) PAD2.push(i < 10 ? '0' + i : String(i));
const PAD3: string[] = [];
for (let i = 0; i < 1000; i++) PAD3.push(i < 10 ? '00' + i : i < 100 ? '0' + i : String(i));

let lastDay = NaN;
let lastDate = '';

/** `YYYY-MM-DD` (or `±YYYYYY-MM-DD` outside 0000–9999) of a day number since the epoch. */
function formatDate(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  let ys: string;
  if (y >= 0 && y <= 9999) {
    ys = y < 100 ? '00' + PAD2[y] : PAD2[Math.floor(y / 100)]! + PAD2[y % 100];
  } else {
    const abs = String(Math.abs(y));
    ys = (y < 0 ? '-' : '+') + (abs.length < 6 ? '000000'.slice(abs.length) + abs : abs);
  }
  return ys + '-' + PAD2[m] + '-' + PAD2[d];
}

/**
 * ISO 8601 UTC text of a timestamp, always with milliseconds: `2024-05-01T10:00:00.000Z`.
 * Years outside 0000–9999 use the expanded form `+012345-…`/`-000001-…` (as Date#toISOString).
 * Fractional milliseconds are floored. Never throws; a non-finite value gives String(ms).
 */
export function formatTimestamp(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const t = Math.floor(ms);
  const days = Math.floor(t / MS_PER_DAY);
  let rem = t - days * MS_PER_DAY; // [0, 86_399_999]
  let date: string;
  if (days === lastDay) {
    date = lastDate;
  } else {
    date = formatDate(days);
    lastDay = days;
    lastDate = date;
  }
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const mi = Math.floor(rem / 60_000);
  rem -= mi * 60_000;
  const s = Math.floor(rem / 1000);
  rem -= s * 1000;
  return date + 'T' + PAD2[h] + ':' + PAD2[mi] + ':' + PAD2[s] + '.' + PAD3[rem] + 'Z';
}

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const UNIT_RANK: Record<string, number> = { d: 0, h: 1, m: 2, s: 3, ms: 4 };
const DURATION_PART = /(\d+)(ms|s|m|h|d)/y;

/**
 * Milliseconds of a duration such as `250ms`, `5s`, `10m`, `2h`, `1d` or a combination from the
 * largest unit down (`1m30s`, `1h30m`, `2s500ms`). Surrounding whitespace is ignored; anything
 * else (no unit, repeated or out-of-order units, fractions, signs) gives undefined.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s.length === 0) return undefined;
  let total = 0;
  let rank = -1;
  let i = 0;
  while (i < s.length) {
    DURATION_PART.lastIndex = i;
    const m = DURATION_PART.exec(s);
    if (m === null) return undefined;
    const unit = m[2]!;
    const r = UNIT_RANK[unit]!;
    if (r <= rank) return undefined;
    rank = r;
    total += Number(m[1]) * UNIT_MS[unit]!;
    i = DURATION_PART.lastIndex;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}
