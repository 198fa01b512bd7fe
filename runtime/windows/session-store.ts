/**
 * Session windows per key: rows closer than GAP in event time share a session
 * `[first row, last row + GAP)`; arriving rows can merge sessions. A session fires once, when the
 * watermark reaches its end; sessions fire in end order, ties in creation order.
 */
import { MinHeap } from '../state/heap.ts';
import type { PaneCallbacks } from './pane-store.ts';

interface Session<A> {
  start: number;
  end: number;
  acc: A;
  dead: boolean;
  seq: number;
}

interface Due<K, A> {
  time: number;
  seq: number;
  key: K;
  session: Session<A>;
}

export class SessionWindows<K, A> {
  wm = -Infinity;
  private readonly byKey = new Map<K, Session<A>[]>();
  private readonly due = new MinHeap<Due<K, A>>();
  private seq = 0;
  private count = 0;
  private listener: ((t: number) => void) | undefined;

  nextDeadline(): number {
    for (;;) {
      const top = this.due.peek();
      if (!top) return Infinity;
      if (!top.session.dead && top.session.end === top.time) return top.time;
      this.due.pop();
    }
  }

  onDeadline(listener: (t: number) => void): void {
    this.listener = listener;
  }

  constructor(readonly gap: number, private readonly cb: PaneCallbacks<K, A>) {}

  /** The accumulator of the session `ts` joins (merging sessions as needed), or undefined when late. */
  session(key: K, ts: number): A | undefined {
    if (ts + this.gap <= this.wm) return undefined;
    let list = this.byKey.get(key);
    if (!list) { list = []; this.byKey.set(key, list); }
    const lo = ts, hi = ts + this.gap;
    let first: Session<A> | undefined;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s.start < hi && lo < s.end) {
        if (!first) { first = s; continue; }
        // A second overlapping session: fold it into the first.
        this.cb.merge!(first.acc, s.acc);
        first.start = Math.min(first.start, s.start);
        first.end = Math.max(first.end, s.end);
        s.dead = true;
        list.splice(i, 1);
        i--;
        this.count--;
      }
    }
    if (!first) {
      first = { start: lo, end: hi, acc: this.cb.create(), dead: false, seq: this.seq++ };
      list.push(first);
      list.sort((a, b) => a.start - b.start);
      this.count++;
      this.due.push({ time: first.end, seq: first.seq, key, session: first });
      this.listener?.(first.end);
      return first.acc;
    }
    const oldEnd = first.end;
    first.start = Math.min(first.start, lo);
    first.end = Math.max(first.end, hi);
    // The heap entry for the old end goes stale (skipped when popped); the new end gets its own.
    if (first.end !== oldEnd) {
      this.due.push({ time: first.end, seq: first.seq, key, session: first });
      this.listener?.(first.end);
    }
    return first.acc;
  }

  advance(wm: number): void {
    if (wm <= this.wm) return;
    this.wm = wm;
    for (;;) {
      const top = this.due.peek();
      if (!top || top.time > wm) break;
      this.due.pop();
      const s = top.session;
      if (s.dead || s.end !== top.time) continue;
      s.dead = true;
      const list = this.byKey.get(top.key)!;
      list.splice(list.indexOf(s), 1);
      if (list.length === 0) this.byKey.delete(top.key);
      this.count--;
      this.cb.fire(top.key, s.acc, s.start, s.end);
    }
  }

  stateSize(): number {
    return this.count;
  }

  snapshot(): unknown {
    return { wm: this.wm, seq: this.seq, sessions: [...this.byKey].map(([k, l]) => [k, l.map((s) => [s.start, s.end, s.acc, s.seq])]) };
  }

  restore(snap: unknown): void {
    const s = snap as { wm: number; seq: number; sessions: [K, [number, number, A, number][]][] };
    this.wm = s.wm;
    this.seq = s.seq;
    this.byKey.clear();
    this.due.clear();
    this.count = 0;
    for (const [k, list] of s.sessions) {
      const sessions = list.map(([start, end, acc, seq]) => ({ start, end, acc, seq, dead: false }));
      this.byKey.set(k, sessions);
      for (const x of sessions) { this.due.push({ time: x.end, seq: x.seq, key: k, session: x }); this.count++; }
    }
  }
}
