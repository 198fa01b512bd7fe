/**
 * Keyed state and event-time timers of a `process` block. Timers fire when the watermark reaches
 * them (time <= watermark), in (time, registration) order; a (key, time) pair is set at most once
 * while pending. A timer set at or before the current watermark fires at the next advance.
 * `clear` drops the key's state; its pending timers stay (as in Flink) and see fresh state.
 */
import { MinHeap } from './heap.ts';
import type { DeadlineListener } from './watermark.ts';

export class ProcessStore<K, S> {
  wm = -Infinity;
  private readonly states = new Map<K, S>();
  private readonly timers = new MinHeap<{ time: number; seq: number; key: K }>();
  /** Pending timer times per key (keys compare by identity, as the stores' Maps do). */
  private readonly pending = new Map<K, Set<number>>();
  private seq = 0;
  private listener: DeadlineListener | undefined;

  nextDeadline(): number {
    return this.timers.peek()?.time ?? Infinity;
  }

  onDeadline(listener: DeadlineListener): void {
    this.listener = listener;
  }

  constructor(private readonly init: () => S, private readonly onTimer: (key: K, state: S, time: number) => void) {}

  state(key: K): S {
    let s = this.states.get(key);
    if (s === undefined) { s = this.init(); this.states.set(key, s); }
    return s;
  }

  drop(key: K): void {
    this.states.delete(key);
  }

  timer(key: K, time: number): void {
    if (!Number.isFinite(time)) return;
    let times = this.pending.get(key);
    if (times === undefined) { times = new Set(); this.pending.set(key, times); }
    if (times.has(time)) return;
    times.add(time);
    this.timers.push({ time, seq: this.seq++, key });
    this.listener?.(time);
  }

  advance(wm: number): void {
    // Timers set at or before the watermark (in the past) fire at the next advance, even when the
    // watermark has not moved since.
    if (wm > this.wm) this.wm = wm;
    wm = this.wm;
    let fired = 0;
    for (;;) {
      const top = this.timers.peek();
      if (!top || top.time > wm) break;
      this.timers.pop();
      const times = this.pending.get(top.key);
      if (times !== undefined) { times.delete(top.time); if (times.size === 0) this.pending.delete(top.key); }
      this.onTimer(top.key, this.state(top.key), top.time);
      if (++fired > 10_000_000) throw new Error('process: timers keep re-arming at the current time (a timer loop)');
    }
  }

  stateSize(): number {
    return this.states.size + this.timers.size;
  }

  snapshot(): unknown {
    return { wm: this.wm, seq: this.seq, states: [...this.states], timers: this.timers.toArray().sort((a, b) => a.time - b.time || a.seq - b.seq) };
  }

  restore(snap: unknown): void {
    const s = snap as { wm: number; seq: number; states: [K, S][]; timers: { time: number; seq: number; key: K }[] };
    this.wm = s.wm;
    this.seq = s.seq;
    this.states.clear();
    this.timers.clear();
    this.pending.clear();
    for (const [k, v] of s.states) this.states.set(k, v);
    for (const t of s.timers) {
      this.timers.push(t);
      let times = this.pending.get(t.key);
      if (times === undefined) { times = new Set(); this.pending.set(t.key, times); }
      times.add(t.time);
    }
  }
}
