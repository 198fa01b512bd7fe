/**
 * Session windows per key, as Flink and ksqlDB define them: a row at `t` joins a session when it is
 * at most GAP away from one of its rows (inclusive: rows exactly GAP apart are one session), so a
 * session is `[first row, last row + GAP)` and arriving rows can merge sessions. A session fires
 * once, when the watermark reaches its end; sessions fire in end order, ties in creation order.
 *
 * Late rows: a row at `t` is late when its own gap is behind the watermark (`t + GAP < watermark`;
 * a row with `t + GAP` exactly at the watermark is accepted), or when it falls inside a session of
 * its key that has already fired (`t < end` of that session: it would belong to it). A row exactly
 * at a fired session's end (`last + GAP`) is not inside it: as in Flink, where a fired session is
 * gone, it starts a new session that touches the fired one. Otherwise the sessions emitted are the
 * sessions a batch query computes over the rows accepted. The end of a key's last fired session is
 * remembered until the watermark is GAP past it; from then on the first rule covers every row it
 * would catch.
 *
 * A row accepted at the boundary opens a session whose end the watermark has reached already: it
 * fires at the next `advance`, which may come at the same watermark (the driver advances before the
 * next record once a deadline is due), after the row's accumulator has been updated.
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

/**
 * A session's one entry in the due heap. `time` is at most the session's end: extending a session
 * leaves its entry in place, and the entry is moved to the new end when it comes up (so a session
 * extended by every row of a burst costs one heap move per GAP of event time, not one per row).
 */
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

  /**
   * The heap's first entry that is due at its own time: entries of dead sessions are dropped,
   * entries of extended sessions move to the session's end first.
   */
  private top(): Due<K, A> | undefined {
    for (;;) {
      const top = this.due.peek();
      if (!top) return undefined;
      const s = top.session;
      if (!s.dead && s.end === top.time) return top;
      this.due.pop();
      if (!s.dead) {
        top.time = s.end;
        this.due.push(top);
      }
    }
  }

  nextDeadline(): number {
    return this.top()?.time ?? Infinity;
  }

  onDeadline(listener: DeadlineListener): void {
    this.listener = listener;
  }

  /** The accumulator of the session `ts` joins (merging sessions as needed), or undefined when late. */
  session(key: K, ts: number): A | undefined {
    const hi = ts + this.gap;
    if (hi < this.wm || hi < inputWatermark(this.listener, this.wm)) return undefined;
    const firedEnd = this.fired.get(key);
    if (firedEnd !== undefined && ts < firedEnd) return undefined;
    let list = this.byKey.get(key);
    if (!list) { list = []; this.byKey.set(key, list); }
    let first: Session<A> | undefined;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      // [ts, hi] and [s.start, s.end] meet (ends included): the row is at most GAP from the session.
      if (s.start > hi) break;
      if (ts > s.end) continue;
      if (!first) { first = s; continue; }
      // A second session within reach: fold it into the first (the earlier one).
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
    // A later end needs no new heap entry nor deadline: the entry at the old end moves when it
    // comes up (`top`), and the driver advancing at the old end does no harm.
    if (hi > first.end) first.end = hi;
    return first.acc;
  }

  advance(wm: number): void {
    // Not only when the watermark moves: a session opened at the boundary is due at the same one.
    if (wm < this.wm) return;
    this.wm = wm;
    for (;;) {
      const top = this.top();
      if (!top || top.time > wm) break;
      this.due.pop();
      const s = top.session;
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
