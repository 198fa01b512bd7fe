/**
 * Window join: pairs of rows with equal keys in the same tumbling window, emitted when the window
 * fires (event time end - 1ms), keys in first-arrival order, pairs left-major in arrival order.
 * A row whose window has ended (end <= watermark) is late: counted and dropped.
 */
import type { JoinOut } from './interval-join.ts';
import { inputWatermark, type DeadlineListener } from '../state/watermark.ts';

interface Cell<R> {
  l: R[];
  r: R[];
}

export class WindowJoin<R> {
  wm = -Infinity;
  readonly late = { count: 0 };
  private readonly windows = new Map<number, Map<unknown, Cell<R>>>();
  private starts: number[] = [];
  private listener: DeadlineListener | undefined;

  nextDeadline(): number {
    return this.starts.length ? this.starts[0]! + this.size : Infinity;
  }

  onDeadline(listener: DeadlineListener): void {
    this.listener = listener;
  }

  constructor(readonly size: number, private readonly out: JoinOut<R>) {}

  private cell(key: unknown, ts: number): Cell<R> | undefined {
    const start = ts - (((ts % this.size) + this.size) % this.size);
    const end = start + this.size;
    if (end <= this.wm || end <= inputWatermark(this.listener, this.wm)) { this.late.count++; return undefined; }
    let w = this.windows.get(start);
    if (!w) {
      w = new Map();
      this.windows.set(start, w);
      const s = this.starts;
      let at = s.length;
      while (at > 0 && s[at - 1]! > start) at--;
      s.splice(at, 0, start);
      this.listener?.(end);
    }
    let c = w.get(key);
    if (!c) { c = { l: [], r: [] }; w.set(key, c); }
    return c;
  }

  left(key: unknown, ts: number, row: R): void {
    this.cell(key, ts)?.l.push(row);
  }

  right(key: unknown, ts: number, row: R): void {
    this.cell(key, ts)?.r.push(row);
  }

  advance(wm: number): void {
    if (wm <= this.wm) return;
    this.wm = wm;
    while (this.starts.length && this.starts[0]! + this.size <= wm) {
      const start = this.starts.shift()!;
      const w = this.windows.get(start)!;
      this.windows.delete(start);
      const ts = start + this.size - 1;
      for (const c of w.values()) for (const l of c.l) for (const r of c.r) this.out(ts, l, r);
    }
  }

  stateSize(): number {
    let n = 0;
    for (const w of this.windows.values()) for (const c of w.values()) n += c.l.length + c.r.length;
    return n;
  }

  snapshot(): unknown {
    return { wm: this.wm, late: this.late.count, windows: this.starts.map((s) => [s, [...this.windows.get(s)!]]) };
  }

  restore(snap: unknown): void {
    const s = snap as { wm: number; late: number; windows: [number, [unknown, Cell<R>][]][] };
    this.wm = s.wm;
    this.late.count = s.late;
    this.windows.clear();
    this.starts = [];
    for (const [start, cells] of s.windows) { this.windows.set(start, new Map(cells)); this.starts.push(start); }
  }
}
