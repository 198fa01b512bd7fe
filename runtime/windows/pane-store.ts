/**
 * State of tumbling and sliding event-time windows: one accumulator per (pane, key). A tumbling
 * window is one pane; a sliding window of length D every S is D/S panes of length S, merged when
 * the window fires, so a row is accumulated once however many windows it belongs to.
 *
 * Windows start at multiples of S (of D for tumbling windows) since the epoch. A row belongs to
 * every window holding it whose end is still after the watermark when it arrives; it is late when
 * there is none (every window holding it has ended). Each pane remembers the first window it still
 * contributes to (`first`), so a pane created after some of its windows ended never reaches them.
 * A window fires once, when the watermark reaches its end, and its panes are freed once no later
 * window holds them.
 *
 * Keys are single values (a string or number; composite keys are encoded by the caller). Output
 * order is deterministic: windows by end time, keys by the arrival of their first row in the
 * window (for sliding windows each pane remembers when each key first arrived in it).
 */
import { inputWatermark, type DeadlineListener } from '../state/watermark.ts';

export interface PaneCallbacks<K, A> {
  create(): A;
  /** Folds `from` into `into` (sliding and session windows). */
  merge?(into: A, from: A): void;
  /** A window fired: emit its row(s). */
  fire(key: K, acc: A, start: number, end: number): void;
}

interface Pane<K, A> {
  start: number;
  /** Start of the first window this pane still contributes to. */
  first: number;
  keys: Map<K, A>;
  /** Sliding windows: the arrival number of each key's first row in this pane. */
  order: Map<K, number> | undefined;
}

export interface PaneSnapshot<K, A> {
  wm: number;
  /** Arrivals of new (pane, key) pairs so far (sliding windows). */
  seq?: number;
  /**
   * [start, first, keys, key order (sliding windows)]: the live Maps themselves (a snapshot is
   * encoded before the job goes on), or their entries.
   */
  panes: [number, number, Map<K, A> | [K, A][], (Map<K, number> | [K, number][] | null)?][];
}

export class PaneWindows<K, A> {
  /** The operator's watermark: every window ending at or before it has fired. */
  wm = -Infinity;
  private readonly panes = new Map<number, Pane<K, A>>();
  /** Pane starts in increasing order (rows mostly arrive in time order, so pushes are cheap). */
  private starts: number[] = [];
  private last: Pane<K, A> | undefined;
  private readonly tumbling: boolean;
  private listener: DeadlineListener | undefined;
  /** Arrivals of new (pane, key) pairs, to order keys in sliding windows. */
  private seq = 0;

  constructor(readonly size: number, readonly slide: number, private readonly cb: PaneCallbacks<K, A>) {
    if (!(size > 0) || !(slide > 0) || size % slide !== 0) {
      throw new Error(`internal: window size ${size} ms is not a positive multiple of the slide ${slide} ms`);
    }
    this.tumbling = size === slide;
  }

  /** Start of the pane holding time `ts`, or NaN when every window holding `ts` has ended (a late row). */
  paneOf(ts: number): number {
    const start = ts - (((ts % this.slide) + this.slide) % this.slide);
    const end = start + this.size; // the end of the last window holding ts
    if (end <= this.wm || end <= inputWatermark(this.listener, this.wm)) return NaN;
    return start;
  }

  /** The accumulator of `key` in the pane starting at `start` (from paneOf), created on first use. */
  acc(start: number, key: K): A {
    let pane = this.last;
    if (pane === undefined || pane.start !== start) {
      pane = this.panes.get(start);
      if (pane === undefined) pane = this.createPane(start);
      this.last = pane;
    }
    let a = pane.keys.get(key);
    if (a === undefined) {
      a = this.cb.create();
      pane.keys.set(key, a);
      pane.order?.set(key, this.seq++);
    }
    return a;
  }

  private createPane(start: number): Pane<K, A> {
    let first = start - this.size + this.slide;
    if (!this.tumbling) {
      // Windows holding this pane that have already ended (they held no pane, or they fired).
      const wm = inputWatermark(this.listener, this.wm);
      if (Number.isFinite(wm)) {
        const live = Math.floor((wm - this.size) / this.slide) * this.slide + this.slide;
        if (live > first) first = live;
      }
    }
    const pane: Pane<K, A> = { start, first, keys: new Map(), order: this.tumbling ? undefined : new Map() };
    this.panes.set(start, pane);
    this.insertStart(start);
    this.listener?.(first + this.size);
    return pane;
  }

  private insertStart(start: number): void {
    const s = this.starts;
    if (s.length === 0 || s[s.length - 1]! < start) { s.push(start); return; }
    let lo = 0, hi = s.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid]! < start) lo = mid + 1; else hi = mid; }
    s.splice(lo, 0, start);
  }

  /** Moves the watermark, firing every window that ends at or before it, in end order. */
  advance(wm: number): void {
    if (wm <= this.wm) return;
    this.wm = wm;
    if (this.tumbling) this.fireTumbling(wm);
    else this.fireSliding(wm);
  }

  private fireTumbling(wm: number): void {
    let i = 0;
    const s = this.starts;
    while (i < s.length && s[i]! + this.size <= wm) {
      const start = s[i]!;
      const pane = this.panes.get(start)!;
      this.panes.delete(start);
      if (pane === this.last) this.last = undefined;
      i++;
      for (const [k, a] of pane.keys) this.cb.fire(k, a, start, start + this.size);
    }
    if (i > 0) this.starts = i === s.length ? [] : s.slice(i);
  }

  /** The start of the earliest window some pane still contributes to (Infinity when none). */
  private firstWindow(): number {
    let w = Infinity;
    for (const p of this.panes.values()) if (p.first < w) w = p.first;
    return w;
  }

  private fireSliding(wm: number): void {
    const { size, slide } = this;
    for (;;) {
      const w = this.firstWindow();
      if (w === Infinity || w + size > wm) return;
      const end = w + size;
      const merged = new Map<K, { acc: A; order: number }>();
      for (const p of this.starts) {
        if (p >= end) break;
        const pane = this.panes.get(p)!;
        if (p < w || pane.first > w) continue;
        for (const [k, a] of pane.keys) {
          const order = pane.order!.get(k)!;
          let m = merged.get(k);
          if (m === undefined) { m = { acc: this.cb.create(), order }; merged.set(k, m); } else if (order < m.order) m.order = order;
          this.cb.merge!(m.acc, a);
        }
      }
      // Every pane is done with window w; a pane past its own start is in no later window.
      let drop = 0;
      for (const p of this.starts) {
        const pane = this.panes.get(p)!;
        if (pane.first <= w) pane.first = w + slide;
        if (pane.first > p) drop++;
      }
      if (drop > 0) {
        const keep: number[] = [];
        for (const p of this.starts) {
          const pane = this.panes.get(p)!;
          if (pane.first > p) {
            this.panes.delete(p);
            if (pane === this.last) this.last = undefined;
          } else keep.push(p);
        }
        this.starts = keep;
      }
      const keys = [...merged].sort((x, y) => x[1].order - y[1].order);
      for (const [k, m] of keys) this.cb.fire(k, m.acc, w, end);
    }
  }

  nextDeadline(): number {
    if (this.tumbling) return this.starts.length ? this.starts[0]! + this.size : Infinity;
    return this.firstWindow() + this.size;
  }

  onDeadline(listener: DeadlineListener): void {
    this.listener = listener;
  }

  /** Number of live accumulators (for metrics). */
  stateSize(): number {
    let n = 0;
    for (const p of this.panes.values()) n += p.keys.size;
    return n;
  }

  snapshot(): PaneSnapshot<K, A> {
    return { wm: this.wm, seq: this.seq, panes: this.starts.map((s) => { const p = this.panes.get(s)!; return [s, p.first, p.keys, p.order ?? null]; }) };
  }

  restore(snap: PaneSnapshot<K, A>): void {
    this.wm = snap.wm;
    this.seq = snap.seq ?? 0;
    this.panes.clear();
    this.starts = [];
    this.last = undefined;
    for (const [start, first, entries, order] of snap.panes) {
      const keys = entries instanceof Map ? entries : new Map(entries);
      // A key order missing (an older snapshot) is rebuilt from the keys' order in the pane.
      const ord = this.tumbling ? undefined : order instanceof Map ? order : new Map(order ?? [...keys.keys()].map((k) => [k, this.seq++] as [K, number]));
      this.panes.set(start, { start, first, keys, order: ord });
      this.starts.push(start);
    }
  }
}
