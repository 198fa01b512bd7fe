/**
 * Values of `flowc test`: test rows written in Flow (record literals, evaluated without a job)
 * and rows printed back in Flow syntax for failure reports, so that an expected row can be
 * pasted into the test as it is.
 */
import type * as A from '../phases/1-parse/ast.ts';
import { nonNull, type RecordType, type Type } from '../../lang/types.ts';

/** The JS value of a constant expression in a test row: timestamps and durations in ms. */
export function literalValue(e: A.Expr): unknown {
  switch (e.kind) {
    case 'Literal':
      return e.value;
    case 'Unary': {
      const v = literalValue(e.operand);
      if (e.op === '-' && typeof v === 'number') return -v;
      if (e.op === 'not' && typeof v === 'boolean') return !v;
      break;
    }
    case 'Binary': {
      const a = literalValue(e.left);
      const b = literalValue(e.right);
      if (typeof a === 'number' && typeof b === 'number') {
        switch (e.op) {
          case '+': return a + b;
          case '-': return a - b;
          case '*': return a * b;
          case '/': return a / b;
          default: break;
        }
      }
      if (e.op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
      break;
    }
    case 'List':
      return e.items.map(literalValue);
    case 'Record': {
      const out: Record<string, unknown> = {};
      for (const item of e.items) {
        if (item.kind === 'Spread') Object.assign(out, literalValue(item.expr));
        else out[item.name.name] = literalValue(item.value);
      }
      return out;
    }
    case 'Name': case 'Member': case 'Call': case 'If':
      break;
  }
  throw new TestValueError(e.span, 'a test row holds only constant values (literals, records and lists)');
}

export class TestValueError extends Error {
  constructor(readonly span: A.Span, message: string) {
    super(message);
  }
}

/** The rows of a `given` or `expect`: a list of record literals (the checker made sure of it). */
export function literalRows(e: A.Expr): Record<string, unknown>[] {
  if (e.kind !== 'List') throw new TestValueError(e.span, 'test rows must be a list of records');
  return e.items.map((item) => {
    const v = literalValue(item);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TestValueError(item.span, 'a test row must be a record');
    return v as Record<string, unknown>;
  });
}

/** Fills fields left out of a row (nullable ones may be) with null, in the row type's order. */
export function completeRow(row: Record<string, unknown>, type: RecordType | undefined): Record<string, unknown> {
  if (!type) return row;
  const out: Record<string, unknown> = {};
  for (const f of type.fields) out[f.name] = row[f.name] === undefined ? null : row[f.name];
  for (const k of Object.keys(row)) if (!(k in out)) out[k] = row[k];
  return out;
}

// ------------------------------------------------------------------ equality

/** Floats compare with a relative tolerance: `avg_secs: 1.0` must match 0.9999999999999999. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) && Number.isNaN(b)) return true;
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => valuesEqual(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (!valuesEqual(ra[k] ?? null, rb[k] ?? null)) return false;
  return true;
}

// ------------------------------------------------------------------ printing

const UNITS: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];

/** `@2024-05-01T10:00:00Z` (milliseconds only when there are some). */
export function formatTimestampLiteral(ms: number): string {
  if (!Number.isFinite(ms)) return ms > 0 ? '+∞' : '-∞';
  const iso = new Date(ms).toISOString();
  return `@${iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso}`;
}

export function formatDurationLiteral(ms: number): string {
  if (!Number.isFinite(ms) || !Number.isInteger(ms)) return `${ms}ms`;
  if (ms === 0) return '0s';
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** A value in Flow syntax; `type` (when known) tells timestamps and durations from numbers. */
export function formatValue(v: unknown, type?: Type): string {
  if (v === null || v === undefined) return 'null';
  const t = type ? nonNull(type) : undefined;
  if (typeof v === 'number') {
    if (t?.kind === 'timestamp') return formatTimestampLiteral(v);
    if (t?.kind === 'duration') return formatDurationLiteral(v);
    if (t?.kind === 'float' && Number.isInteger(v)) return `${v}.0`;
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x, t?.kind === 'list' ? t.element : undefined)).join(', ')}]`;
  if (typeof v === 'object') return formatRow(v as Record<string, unknown>, t?.kind === 'record' ? t : undefined);
  return String(v);
}

/** `{ page: "/", views: 2 }`, fields in the row type's order. */
export function formatRow(row: Record<string, unknown>, type?: RecordType): string {
  const names = type ? [...type.fields.map((f) => f.name), ...Object.keys(row).filter((k) => !type.fields.some((f) => f.name === k))] : Object.keys(row);
  const parts = names.map((n) => `${n}: ${formatValue(row[n], type?.fields.find((f) => f.name === n)?.type)}`);
  return parts.length ? `{ ${parts.join(', ')} }` : '{}';
}
