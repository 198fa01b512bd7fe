/**
 * Stateful operators of the unfused mode, over the same stores as fused jobs: windows with
 * generic accumulators, `top`, `dedup`, joins and `process`. Each also gives the driver its
 * `OperatorBinding` (`binding()`), with the same snapshot layout as the fused operator.
 */
import { PaneWindows } from '../windows/pane-store.ts';
import { SessionWindows } from '../windows/session-store.ts';
import { rt_topDue, rt_topPrune } from '../windows/top-buffer.ts';
import { DedupStore } from '../state/dedup-store.ts';
import { ProcessStore } from '../state/process-store.ts';
import { IntervalJoin } from '../joins/interval-join.ts';
import { WindowJoin } from '../joins/window-join.ts';
import type { KeyTable } from '../state/key-table.ts';
import type { OperatorBinding } from '../job/graph.ts';
import { aggregateOps, type AggregateOps, type AggregateSpec } from './accumulators.ts';
import type { Operator, Row } from './operators.ts';

interface Store {
  advance(wm: number): void;
  nextDeadline(): number;
  onDeadline(f: (t: number) => void): void;
  stateSize(): number;
  snapshot(): unknown;
  restore(s: any): void;
}

/** The driver's view of a stateful operator; `keys` (composite keys) and `extra` state join its snapshot. */
export function operatorBinding(
  name: string, inputs: number[], store: Store, opts: { late?: { count: number }; keys?: KeyTable; processingTime?: boolean; extra?: { get(): unknown; set(v: unknown): void } } = {},
): OperatorBinding {
  const { keys, extra } = opts;
  return {
    name, inputs,
    ...(opts.processingTime ? { processingTime: true } : {}),
    late: opts.late ?? { count: 0 },
    advance: (wm) => { store.advance(wm); keys?.maybeCompact(() => store.snapshot()); },
    nextDeadline: () => store.nextDeadline(),
    onDeadline: (f) => store.onDeadline(f),
    stateSize: () => store.stateSize(),
    snapshot: () => ({ s: store.snapshot(), ...(keys ? { k: keys.tuples() } : {}), ...(extra ? { q: extra.get() } : {}) }),
    restore: (x: any) => { store.restore(x.s); if (keys) keys.adopt(x.k); if (extra) extra.set(x.q); },
  };
}

export interface WindowSpec {
  kind: 'tumbling' | 'sliding' | 'session';
  size: number;
  slide: number;
  processingTime: boolean;
  key: (r: Row) => unknown;
}

/** Window assignment shared by `aggregate` and `top`: the accumulator of a row, or a late row. */
abstract class WindowOp<A> implements Operator {
  readonly lateCount = { count: 0 };
  readonly store: PaneWindows<unknown, A> | SessionWindows<unknown, A>;
  late: Operator | null = null;

  constructor(protected readonly w: WindowSpec, protected next: Operator) {
    const cb = { create: () => this.create(), merge: (a: A, b: A) => this.merge(a, b), fire: (k: unknown, a: A, s: number, e: number) => this.fire(k, a, s, e) };
    this.store = w.kind === 'session' ? new SessionWindows<unknown, A>(w.size, cb) : new PaneWindows<unknown, A>(w.size, w.slide, cb);
  }

  protected abstract create(): A;
  protected abstract merge(a: A, b: A): void;
  protected abstract fire(key: unknown, acc: A, start: number, end: number): void;
  protected abstract add(acc: A, r: Row, ts: number): void;

  push(ts: number, r: Row): void {
    const t = this.w.processingTime ? Date.now() : ts;
    const k = this.w.key(r);
    let acc: A | undefined;
    if (this.store instanceof SessionWindows) acc = this.store.session(k, t);
    else {
      const pane = this.store.paneOf(t);
      if (pane === pane) acc = this.store.acc(pane, k);
    }
    if (acc === undefined) {
      this.lateCount.count++;
      this.late?.push(t, r);
      return;
    }
    this.add(acc, r, t);
  }
}

/** `window … | aggregate { … }` with one generic accumulator per aggregate call. */
export class WindowAggregate extends WindowOp<any[]> {
  private readonly ops: AggregateOps[];

  constructor(w: WindowSpec, aggregates: AggregateSpec[], private readonly output: (key: unknown, start: number, end: number, v: unknown[]) => Row, next: Operator) {
    super(w, next);
    this.ops = aggregates.map(aggregateOps);
  }

  protected create(): any[] {
    return this.ops.map((o) => o.create());
  }

  protected merge(a: any[], b: any[]): void {
    for (let i = 0; i < this.ops.length; i++) this.ops[i]!.merge(a[i], b[i]);
  }

  protected add(acc: any[], r: Row, ts: number): void {
    for (let i = 0; i < this.ops.length; i++) this.ops[i]!.add(acc[i], r, ts);
  }

  protected fire(key: unknown, acc: any[], start: number, end: number): void {
    const v = this.ops.map((o, i) => o.result(acc[i]));
    this.next.push(end - 1, this.output(key, start, end, v));
  }
}

/** `window … | top N by …`: candidate rows buffered as `[by, arrival, row]`, sorted when the window fires. */
export class WindowTop extends WindowOp<unknown[][]> {
  seq = 0;

  constructor(
    w: WindowSpec, private readonly by: (r: Row) => unknown, private readonly n: number, private readonly withTies: boolean,
    private readonly compare: (x: unknown[], y: unknown[]) => number, private readonly sameRank: (a: unknown, b: unknown) => boolean,
    private readonly output: (r: Row, rank: number) => Row, next: Operator,
  ) {
    super(w, next);
  }

  protected create(): unknown[][] {
    return [];
  }

  protected merge(a: unknown[][], b: unknown[][]): void {
    for (let i = 0; i < b.length; i++) a.push(b[i]!);
    // top 1 keeps only rank-1 rows in a buffer (its first row is a best one): so must a merge.
    if (this.n === 1 && a.length > 1) rt_topPrune(a, 1, this.withTies, this.compare, this.sameRank);
  }

  /** Keeps candidates only (see top-buffer.ts), as the fused input side does. */
  protected add(acc: unknown[][], r: Row): void {
    const row = [this.by(r), this.seq++, r];
    if (this.n === 1) {
      if (acc.length !== 0) {
        if (this.compare(row, acc[0]!) < 0) acc.length = 0;
        else if (!(this.withTies && this.sameRank(row[0], acc[0]![0]))) return;
      }
      acc.push(row);
      return;
    }
    acc.push(row);
    if (rt_topDue(acc.length, this.n)) rt_topPrune(acc, this.n, this.withTies, this.compare, this.sameRank);
  }

  protected fire(_key: unknown, acc: unknown[][], _start: number, end: number): void {
    const rows = acc.sort(this.compare);
    let rank = 0;
    for (let j = 0; j < rows.length; j++) {
      const r = rows[j]!;
      if (j === 0 || !this.sameRank(rows[j - 1]![0], r[0])) rank = j + 1;
      if (this.withTies ? rank > this.n : j >= this.n) break;
      this.next.push(end - 1, this.output(r[2] as Row, rank));
    }
  }
}

/** `dedup [by …] within D`. */
export class Dedup implements Operator {
  readonly store: DedupStore<unknown>;
  constructor(within: number, private readonly key: (r: Row) => unknown, private readonly next: Operator) {
    this.store = new DedupStore<unknown>(within);
  }
  push(ts: number, r: Row): void {
    if (this.store.keep(this.key(r), ts)) this.next.push(ts, r);
  }
}

/** Interval and window joins: two input ports; matched pairs are combined into one row. */
export class Join {
  readonly store: IntervalJoin<Row> | WindowJoin<Row>;
  readonly left: Operator;
  readonly right: Operator;
  next: Operator | null = null;

  constructor(bound: { within?: number; window?: number }, leftKey: (r: Row) => unknown, rightKey: (r: Row) => unknown, combine: (l: Row, r: Row) => Row) {
    const out = (ts: number, l: Row, r: Row) => this.next!.push(ts, combine(l, r));
    this.store = bound.within !== undefined ? new IntervalJoin<Row>(bound.within, out) : new WindowJoin<Row>(bound.window!, out);
    this.left = { push: (ts, r) => this.store.left(leftKey(r), ts, r) };
    this.right = { push: (ts, r) => this.store.right(rightKey(r), ts, r) };
  }
}

/** What `process` statements reach: the key's state, timers, `clear` and `emit`. */
export class Process implements Operator {
  readonly store: ProcessStore<unknown, Row>;
  next: Operator | null = null;

  constructor(
    init: () => Row, private readonly key: (r: Row) => unknown,
    private readonly onRecord: ((p: Process, key: unknown, r: Row, ts: number) => void) | null,
    onTimer: (p: Process, key: unknown, state: Row, time: number) => void,
  ) {
    this.store = new ProcessStore<unknown, Row>(init, (k, s, t) => onTimer(this, k, s, t));
  }

  push(ts: number, r: Row): void {
    this.onRecord?.(this, this.key(r), r, ts);
  }

  emit(ts: number, r: Row): void {
    this.next!.push(ts, r);
  }
}
