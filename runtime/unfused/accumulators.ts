/**
 * Generic aggregate accumulators for the unfused mode: one state object per aggregate call,
 * updated through an operations object chosen at run time (the fused mode keeps plain numeric
 * fields of one object, updated by inline code). States are plain data, so checkpoints hold them
 * as they are. Results match the generated accumulators exactly: same folding order, same nulls.
 */
import type { Row } from './records.ts';

export type Fn = (r: Row) => any;

/** What the compiler says about one aggregate call. */
export interface AggregateSpec {
  fn: 'count' | 'count_if' | 'count_distinct' | 'sum' | 'avg' | 'min' | 'max' | 'first' | 'last' | 'min_by' | 'max_by' | 'collect';
  /** Argument functions, compiled once. */
  args: Fn[];
  /** Is the first argument (for min_by / max_by: the second) nullable? */
  nullable: boolean;
}

/** The operations of one aggregate function over its state. */
export interface AggregateOps {
  create(): any;
  add(state: any, r: Row, ts: number): void;
  merge(into: any, from: any): void;
  result(state: any): unknown;
}

function count(s: AggregateSpec): AggregateOps {
  const arg = s.args[0];
  return {
    create: () => ({ c: 0 }),
    add: (a, r) => { if (!arg || !s.nullable || arg(r) != null) a.c++; },
    merge: (a, b) => { a.c += b.c; },
    result: (a) => a.c,
  };
}

function countIf(s: AggregateSpec): AggregateOps {
  const arg = s.args[0]!;
  return { create: () => ({ c: 0 }), add: (a, r) => { if (arg(r)) a.c++; }, merge: (a, b) => { a.c += b.c; }, result: (a) => a.c };
}

function countDistinct(s: AggregateSpec): AggregateOps {
  const arg = s.args[0]!;
  return {
    create: () => ({ d: new Set() }),
    add: (a, r) => { const x = arg(r); if (!s.nullable || x != null) a.d.add(x); },
    merge: (a, b) => { for (const v of b.d) a.d.add(v); },
    result: (a) => a.d.size,
  };
}

function sumAvg(s: AggregateSpec, avg: boolean): AggregateOps {
  const arg = s.args[0]!;
  return {
    create: () => ({ s: 0, n: 0 }),
    add: (a, r) => { const x = arg(r); if (s.nullable && x == null) return; a.s += x; a.n++; },
    merge: (a, b) => { a.s += b.s; a.n += b.n; },
    result: (a) => (avg ? (a.n === 0 ? null : a.s / a.n) : s.nullable && a.n === 0 ? null : a.s),
  };
}

function minMax(s: AggregateSpec, min: boolean): AggregateOps {
  const arg = s.args[0]!;
  const better = (x: any, m: any) => (min ? x < m : x > m);
  return {
    create: () => ({ m: null }),
    add: (a, r) => { const x = arg(r); if (s.nullable && x == null) return; if (a.m === null || better(x, a.m)) a.m = x; },
    merge: (a, b) => { if (b.m !== null && (a.m === null || better(b.m, a.m))) a.m = b.m; },
    result: (a) => a.m,
  };
}

function firstLast(s: AggregateSpec, first: boolean): AggregateOps {
  const arg = s.args[0]!;
  // Ties in event time keep the first arrival for `first` and the last for `last`.
  const wins = (t: number, cur: number) => (first ? t < cur : t >= cur);
  return {
    create: () => ({ v: null, t: first ? Infinity : -Infinity }),
    add: (a, r, ts) => { if (wins(ts, a.t)) { a.t = ts; a.v = arg(r); } },
    merge: (a, b) => { if (wins(b.t, a.t)) { a.t = b.t; a.v = b.v; } },
    result: (a) => a.v,
  };
}

function by(s: AggregateSpec, min: boolean): AggregateOps {
  const value = s.args[0]!;
  const key = s.args[1]!;
  const better = (x: any, m: any) => (min ? x < m : x > m);
  return {
    create: () => ({ v: null, b: null }),
    add: (a, r) => { const y = key(r); if (s.nullable && y == null) return; if (a.b === null || better(y, a.b)) { a.b = y; a.v = value(r); } },
    merge: (a, b) => { if (b.b !== null && (a.b === null || better(b.b, a.b))) { a.b = b.b; a.v = b.v; } },
    result: (a) => a.v,
  };
}

function collect(s: AggregateSpec): AggregateOps {
  const arg = s.args[0]!;
  return { create: () => ({ l: [] }), add: (a, r) => { a.l.push(arg(r)); }, merge: (a, b) => { for (const v of b.l) a.l.push(v); }, result: (a) => a.l };
}

export function aggregateOps(s: AggregateSpec): AggregateOps {
  switch (s.fn) {
    case 'count': return count(s);
    case 'count_if': return countIf(s);
    case 'count_distinct': return countDistinct(s);
    case 'sum': return sumAvg(s, false);
    case 'avg': return sumAvg(s, true);
    case 'min': return minMax(s, true);
    case 'max': return minMax(s, false);
    case 'first': return firstLast(s, true);
    case 'last': return firstLast(s, false);
    case 'min_by': return by(s, true);
    case 'max_by': return by(s, false);
    case 'collect': return collect(s);
  }
}
