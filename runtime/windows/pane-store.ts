/**
 * State of tumbling and sliding event-time windows: one accumulator per (pane, key). A tumbling
 * window is one pane; a sliding window of length D every S is D/S panes of length S, merged when
 * the window fires, so a row is accumulated once however many windows it belongs to.
 *
 * Keys are single values (a string or number; composite keys are encoded by the caller). Output
 * order is deterministic: windows by end time, keys by first arrival.
 */
export interface PaneCallbacks<K, A> {
  create(): A;
  /** Folds `from` into `into` (sliding windows only). */
  merge?(into: A, from: A): void;
  /** A window fired: emit its row(s). */
  fire(key: K, acc: A, start: number, end: number): void;
}

export interface PaneSnapshot<K, A> {
  wm: number;
  nextStart: number;
  panes: [number, [K, A][]][];
}

export class PaneWindows<K, A> {
  /** The operator's input watermark: every window ending at or before it has fired. */
  wm = -Infinity;
  private readonly panes = new Map<number, Map<K, A>>();
  /** Pane starts in increasing order (rows mostly arrive in time order, so pushes are cheap). */
  private starts: number[] = [];
  private lastStart = NaN;
  private lastPane: Map<K, A> | undefined;
  private readonly panesPerWindow: number;
  /** Sliding windows: the start of the first window that has not fired yet. */
  private nextStart = -Infinity;
  private listener: ((t: number) => void) | undefined;

  constructor(readonly size: number, readonly slide: number, private readonly cb: PaneCallbacks<K, A>) {
    this.panesPerWindow = size / slide;
  }

  /** Start of the pane holding time `ts`, or NaN when every window holding `ts` has fired (a late row). */
  paneOf(ts: number): number {
    const start = ts - (((ts % this.slide) + this.slide) % this.slide);
    return start + this.size <= this.wm ? NaN : start;
  }

  /** The accumulator of `key` in the pane starting at `start`, created on first use. */
  acc(start: number, key: K): A {
    let pane = start === this.lastStart ? this.lastPane! : this.panes.get(start);
    if (pane === undefined) {
      pane = new Map();
      this.panes.set(start, pane);
      this.insertStart(start);
      this.listener?.(this.firstEnd(start));
    }
    this.lastStart = start;
    this.lastPane = pane;
    let a = pane.get(key);
    if (a === undefined) {
      a = this.cb.create();
      pane.set(key, a);
    }
    return a;
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
    if (this.panesPerWindow === 1) this.fireTumbling(wm);
    else this.fireSliding(wm);
  }

  private fireTumbling(wm: number): void {
    let i = 0;
    const s = this.starts;
    while (i < s.length && s[i]! + this.size <= wm) {
      const start = s[i]!;
      const pane = this.panes.get(start)!;
      this.panes.delete(start);
      if (start === this.lastStart) { this.lastStart = NaN; this.lastPane = undefined; }
      for (const [k, a] of pane) this.cb.fire(k, a, start, start + this.size);
      i++;
    }
    if (i > 0) this.starts = s.slice(i);
  }

  /** Window starts to fire: every start whose window holds an existing pane and ends by `wm`. */
  private fireSliding(wm: number): void {
    const s = this.starts;
    if (s.length === 0) return;
    const { size, slide } = this;
    let next = Math.max(this.nextStart, s[0]! - size + slide);
    while (next + size <= wm) {
      const end = next + size;
      // Skip windows holding no pane: jump to the first window reaching the first remaining pane.
      const firstPane = this.starts[0];
      if (firstPane === undefined) break;
      if (firstPane >= end) { next = firstPane - size + slide; continue; }
      this.fireWindow(next, end);
      // The pane starting at `next` is in no later window.
      if (this.starts[0] === next) {
        this.panes.delete(next);
        this.starts.shift();
        if (next === this.lastStart) { this.lastStart = NaN; this.lastPane = undefined; }
      }
      next += slide;
    }
    this.nextStart = Math.max(this.nextStart, next);
  }

  private fireWindow(start: number, end: number): void {
    const merged = new Map<K, A>();
    for (const p of this.starts) {
      if (p >= end) break;
      if (p < start) continue;
      for (const [k, a] of this.panes.get(p)!) {
        let m = merged.get(k);
        if (m === undefined) { m = this.cb.create(); merged.set(k, m); }
        this.cb.merge!(m, a);
      }
    }
    for (const [k, a] of merged) this.cb.fire(k, a, start, end);
  }

  /** End of the first window holding the pane starting at `start`. */
  private firstEnd(start: number): number {
    return Math.max(this.nextStart, start - this.size + this.slide) + this.size;
  }

  nextDeadline(): number {
    return this.starts.length ? this.firstEnd(this.starts[0]!) : Infinity;
  }

  onDeadline(listener: (t: number) => void): void {
    this.listener = listener;
  }

  /** Number of live accumulators (for metrics). */
  stateSize(): number {
    let n = 0;
    for (const p of this.panes.values()) n += p.size;
    return n;
  }

  snapshot(): PaneSnapshot<K, A> {
    return { wm: this.wm, nextStart: this.nextStart, panes: this.starts.map((s) => [s, [...this.panes.get(s)!]]) };
  }

  restore(snap: PaneSnapshot<K, A>): void {
    this.wm = snap.wm;
    this.nextStart = snap.nextStart;
    this.panes.clear();
    this.starts = [];
    this.lastStart = NaN;
    this.lastPane = undefined;
    for (const [start, entries] of snap.panes) {
      this.panes.set(start, new Map(entries));
      this.starts.push(start);
    }
  }
}
