/**
 * Interval join: pairs of rows with equal keys and |t_left - t_right| <= D (inclusive). Each side
 * is buffered per key until the watermark is more than D past it; a new row is matched against
 * the other side's buffer in arrival order. The pair's event time is the later of the two.
 *
 * A row behind the watermark (t < watermark, as Flink's interval join decides) is late: it is
 * counted and dropped, matched with nothing. So every pair of rows on time is emitted exactly
 * once, whatever the order they arrive in: a buffered row can only be dropped once no row on time
 * can be within D of it.
 */
import { inputWatermark, type DeadlineListener } from '../state/watermark.ts';

export type JoinOut<R> = (ts: number, left: R, right: R) => void;

interface Buffered<R> {
  ts: number;
  row: R;
}

class Side<K, R> {
  readonly rows = new Map<K, Buffered<R>[]>();
  count = 0;

  add(key: K, ts: number, row: R): void {
    let l = this.rows.get(key);
    if (!l) { l = []; this.rows.set(key, l); }
    l.push({ ts, row });
    this.count++;
  }

  expire(before: number): void {
    for (const [k, l] of this.rows) {
      let keep = 0;
      for (const b of l) if (b.ts >= before) l[keep++] = b;
      this.count -= l.length - keep;
      if (keep === 0) this.rows.delete(k);
      else l.length = keep;
    }
  }
}

export class IntervalJoin<R> {
  wm = -Infinity;
  readonly late = { count: 0 };
  private readonly l = new Side<unknown, R>();
  private readonly r = new Side<unknown, R>();
  private lastExpire = -Infinity;
  private listener: DeadlineListener | undefined;

  constructor(readonly within: number, private readonly out: JoinOut<R>) {}

  private isLate(ts: number): boolean {
    if (ts < this.wm || ts < inputWatermark(this.listener, this.wm)) {
      this.late.count++;
      return true;
    }
    return false;
  }

  left(key: unknown, ts: number, row: R): void {
    if (this.isLate(ts)) return;
    const other = this.r.rows.get(key);
    if (other) for (const b of other) if (Math.abs(ts - b.ts) <= this.within) this.out(Math.max(ts, b.ts), row, b.row);
    this.l.add(key, ts, row);
  }

  right(key: unknown, ts: number, row: R): void {
    if (this.isLate(ts)) return;
    const other = this.l.rows.get(key);
    if (other) for (const b of other) if (Math.abs(ts - b.ts) <= this.within) this.out(Math.max(ts, b.ts), b.row, row);
    this.r.add(key, ts, row);
  }

  advance(wm: number): void {
    if (wm <= this.wm) return;
    this.wm = wm;
    // Rows before wm - D can match no row still to come on time; sweep at most every D of watermark.
    const before = wm - this.within;
    if (before - this.lastExpire >= Math.max(1, this.within) || wm === Infinity) {
      this.lastExpire = before;
      this.l.expire(before);
      this.r.expire(before);
    }
  }

  /** Emits on arrival: nothing waits for the watermark (cleanup happens at batch ends). */
  nextDeadline(): number {
    return Infinity;
  }

  onDeadline(listener: DeadlineListener): void {
    this.listener = listener;
  }

  stateSize(): number {
    return this.l.count + this.r.count;
  }

  snapshot(): unknown {
    return { wm: this.wm, late: this.late.count, l: [...this.l.rows], r: [...this.r.rows] };
  }

  restore(snap: unknown): void {
    const s = snap as { wm: number; late: number; l: [unknown, Buffered<R>[]][]; r: [unknown, Buffered<R>[]][] };
    this.wm = s.wm;
    this.late.count = s.late;
    for (const [side, data] of [[this.l, s.l], [this.r, s.r]] as const) {
      side.rows.clear();
      side.count = 0;
      for (const [k, l] of data) { side.rows.set(k, l); side.count += l.length; }
    }
  }
}
