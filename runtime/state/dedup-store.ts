/**
 * `dedup [by K] within D`: a row is dropped when a row with the same key was kept less than D
 * away in event time (|t - t_kept| < D); otherwise it is kept and becomes the key's reference.
 * Entries expire once the watermark is D past them.
 */
import { MinHeap } from './heap.ts';

export class DedupStore<K> {
  private readonly kept = new Map<K, number>();
  private readonly expiry = new MinHeap<{ time: number; seq: number; key: K; kept: number }>();
  private seq = 0;
  wm = -Infinity;

  constructor(readonly within: number) {}

  keep(key: K, ts: number): boolean {
    const prev = this.kept.get(key);
    if (prev !== undefined && Math.abs(ts - prev) < this.within) return false;
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

  /** Emits on arrival: nothing waits for the watermark (cleanup happens at batch ends). */
  nextDeadline(): number {
    return Infinity;
  }

  onDeadline(_listener: (t: number) => void): void {}

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
