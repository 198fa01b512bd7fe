/**
 * `dedup [by K] within D`: a row is dropped when the row its key last kept is less than D away in
 * event time (|t - t_kept| < D, so rows out of order are caught too); otherwise it is kept and
 * becomes the key's reference. A reference lasts until the watermark is D past it
 * (t_kept + D <= watermark): no row still to come on time can be within D of it, and its memory
 * is freed. The rule uses the watermark as it stands before each row, so the result does not
 * depend on when the driver happens to sweep expired references.
 */
import { MinHeap } from './heap.ts';
import { inputWatermark, type DeadlineListener } from './watermark.ts';

export class DedupStore<K> {
  private readonly kept = new Map<K, number>();
  private readonly expiry = new MinHeap<{ time: number; seq: number; key: K; kept: number }>();
  private seq = 0;
  private listener: DeadlineListener | undefined;
  wm = -Infinity;

  constructor(readonly within: number) {}

  keep(key: K, ts: number): boolean {
    const prev = this.kept.get(key);
    if (prev !== undefined) {
      const d = ts - prev;
      if (d < this.within && d > -this.within) {
        const expires = prev + this.within;
        if (expires > this.wm && expires > inputWatermark(this.listener, this.wm)) return false;
      }
    }
    this.kept.set(key, ts);
    this.expiry.push({ time: ts + this.within, seq: this.seq++, key, kept: ts });
    return true;
  }

  advance(wm: number): void {
    if (wm <= this.wm) return;
    this.wm = wm;
    for (;;) {
      const top = this.expiry.peek();
      if (!top || top.time > wm) break;
      this.expiry.pop();
      if (this.kept.get(top.key) === top.kept) this.kept.delete(top.key);
    }
  }

  /** Emits on arrival: nothing waits for the watermark (expired references are swept at batch ends). */
  nextDeadline(): number {
    return Infinity;
  }

  onDeadline(listener: DeadlineListener): void {
    this.listener = listener;
  }

  stateSize(): number {
    return this.kept.size;
  }

  snapshot(): unknown {
    return { wm: this.wm, kept: [...this.kept] };
  }

  restore(snap: unknown): void {
    const s = snap as { wm: number; kept: [K, number][] };
    this.wm = s.wm;
    this.kept.clear();
    this.expiry.clear();
    this.seq = 0;
    for (const [k, t] of s.kept) {
      this.kept.set(k, t);
      this.expiry.push({ time: t + this.within, seq: this.seq++, key: k, kept: t });
    }
  }
}
