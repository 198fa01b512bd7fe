/**
 * Keyed state and event-time timers of a `process` block. Timers fire when the watermark passes
 * them, in (time, registration) order; a (key, time) pair is set at most once.
 */
import { MinHeap } from './heap.ts';

export class ProcessStore<K, S> {
  wm = -Infinity;
  private readonly states = new Map<K, S>();
  private readonly timers = new MinHeap<{ time: number; seq: number; key: K }>();
  private readonly pending = new Set<string>();
  private seq = 0;
  private listener: ((t: number) => void) | undefined;

  nextDeadline(): number {
    return this.timers.peek()?.time ?? Infinity;
  }

  onDeadline(listener: (t: number) => void): void {
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
    const id = `${typeof key === 'string' ? 's' : 'n'}${String(key)}\u0000${time}`;
    if (this.pending.has(id)) return;
    this.pending.add(id);
    this.timers.push({ time, seq: this.seq++, key });
    this.listener?.(time);
  }

  advance(wm: number): void {
    if (wm <= this.wm) return;
    this.wm = wm;
    let fired = 0;
    for (;;) {
      const top = this.timers.peek();
      if (!top || top.time > wm) break;
      this.timers.pop();
      this.pending.delete(`${typeof top.key === 'string' ? 's' : 'n'}${String(top.key)}\u0000${top.time}`);
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
      this.pending.add(`${typeof t.key === 'string' ? 's' : 'n'}${String(t.key)}\u0000${t.time}`);
    }
  }
}
