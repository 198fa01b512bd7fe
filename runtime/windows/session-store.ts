/**
 * Session windows per key: rows closer than GAP in event time share a session
 * `[first row, last row + GAP)`; arriving rows can merge sessions. A session fires once, when the
 * watermark reaches its end; sessions fire in end order, ties in creation order.
 *
 * Late rows: a row at `t` is late when its own gap has passed (`t + GAP <= watermark`), or when it
 * falls before the end of a session of its key that has already fired (it would belong to that
 * session). So the sessions emitted are exactly the sessions of the rows accepted, as a batch
 * query over them would compute. (Flink instead lets an old row join a live session it reaches,
 * and starts a new session next to a fired one; both can make a session that no batch over the
 * same rows gives.) The end of a key's last fired session is remembered until the watermark is
 * GAP past it; after that the first rule covers every row it would catch.
 */
import { MinHeap } from '../state/heap.ts';
import { inputWatermark, type DeadlineListener } from '../state/watermark.ts';
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

interface Forget<K> {
  time: number;
  seq: number;
  key: K;
  end: number;
}

export interface SessionSnapshot<K, A> {
  wm: number;
  seq: number;
  sessions: [K, [number, number, A, number][]][];
  fired: [K, number][];
}

export class SessionWindows<K, A> {
  wm = -Infinity;
  /** Live sessions per key, by start. */
  private readonly byKey = new Map<K, Session<A>[]>();
  private readonly due = new MinHeap<Due<K, A>>();
  /** End of the last fired session of each key, until the watermark is GAP past it. */
  private readonly fired = new Map<K, number>();
  private readonly forget = new MinHeap<Forget<K>>();
  private seq = 0;
  private count = 0;
  private listener: DeadlineListener | undefined;

  constructor(readonly gap: number, private readonly cb: PaneCallbacks<K, A>) {
    if (!(gap > 0)) throw new Error(`internal: session gap ${gap} ms is not positive`);
  }

  nextDeadline(): number {
    for (;;) {
      const top = this.due.peek();
      if (!top) return Infinity;
      if (!top.session.dead && top.session.end === top.time) return top.time;
      this.due.pop();
    }
  }

  onDeadline(listener: DeadlineListener): void {
    this.listener = listener;
  }

  /** The accumulator of the session `ts` joins (merging sessions as needed), or undefined when late. */
  session(key: K, ts: number): A | undefined {
    const hi = ts + this.gap;
    if (hi <= this.wm || hi <= inputWatermark(this.listener, this.wm)) return undefined;
    const firedEnd = this.fired.get(key);
    if (firedEnd !== undefined && ts < firedEnd) return undefined;
    let list = this.byKey.get(key);
    if (!list) { list = []; this.byKey.set(key, list); }
    let first: Session<A> | undefined;
    let oldEnd = 0;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s.start >= hi) break;
      if (ts >= s.end) continue;
      if (!first) { first = s; oldEnd = s.end; continue; }
      // A second overlapping session: fold it into the first (the earlier one).
      this.cb.merge!(first.acc, s.acc);
      if (s.end > first.end) first.end = s.end;
      s.dead = true;
      list.splice(i, 1);
      i--;
      this.count--;
    }
    if (!first) {
      const s: Session<A> = { start: ts, end: hi, acc: this.cb.create(), dead: false, seq: this.seq++ };
      let at = list.length;
      while (at > 0 && list[at - 1]!.start > ts) at--;
      list.splice(at, 0, s);
      this.count++;
      this.due.push({ time: hi, seq: s.seq, key, session: s });
      this.listener?.(hi);
      return s.acc;
    }
    if (ts < first.start) first.start = ts;
    if (hi > first.end) first.end = hi;
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
      const prev = this.fired.get(top.key);
      if (prev === undefined || s.end > prev) {
        this.fired.set(top.key, s.end);
        this.forget.push({ time: s.end + this.gap, seq: s.seq, key: top.key, end: s.end });
      }
      this.cb.fire(top.key, s.acc, s.start, s.end);
    }
    for (;;) {
      const top = this.forget.peek();
      if (!top || top.time > wm) break;
      this.forget.pop();
      if (this.fired.get(top.key) === top.end) this.fired.delete(top.key);
    }
  }

  stateSize(): number {
    return this.count;
  }

  snapshot(): SessionSnapshot<K, A> {
    return {
      wm: this.wm,
      seq: this.seq,
      sessions: [...this.byKey].map(([k, l]) => [k, l.map((s) => [s.start, s.end, s.acc, s.seq] as [number, number, A, number])]),
      fired: [...this.fired],
    };
  }

  restore(snap: SessionSnapshot<K, A>): void {
    this.wm = snap.wm;
    this.seq = snap.seq;
    this.byKey.clear();
    this.due.clear();
    this.fired.clear();
    this.forget.clear();
    this.count = 0;
    for (const [k, list] of snap.sessions) {
      const sessions = list.map(([start, end, acc, seq]) => ({ start, end, acc, seq, dead: false }));
      this.byKey.set(k, sessions);
      for (const x of sessions) { this.due.push({ time: x.end, seq: x.seq, key: k, session: x }); this.count++; }
    }
    let seq = 0;
    for (const [k, end] of snap.fired ?? []) {
      this.fired.set(k, end);
      this.forget.push({ time: end + this.gap, seq: seq++, key: k, end });
    }
  }
}
