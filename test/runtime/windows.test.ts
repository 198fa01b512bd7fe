/**
 * Window stores driven by hand: rows in, a watermark we control, fired windows out.
 */
import { describe, it, expect } from 'vitest';
import { PaneWindows } from '../../runtime/windows/pane-store.ts';
import { SessionWindows } from '../../runtime/windows/session-store.ts';
import { manualClock } from './manual-clock.ts';

interface Fired { key: string; start: number; end: number; n: number; sum: number; rows: number[] }

function countingStore(size: number, slide: number) {
  const fired: Fired[] = [];
  let creates = 0;
  const store = new PaneWindows<string, { n: number; sum: number; rows: number[] }>(size, slide, {
    create: () => { creates++; return { n: 0, sum: 0, rows: [] }; },
    merge: (a, b) => { a.n += b.n; a.sum += b.sum; a.rows.push(...b.rows); },
    fire: (key, a, start, end) => { fired.push({ key, start, end, n: a.n, sum: a.sum, rows: [...a.rows].sort((x, y) => x - y) }); },
  });
  const clock = manualClock();
  store.onDeadline(clock.listener);
  const late: number[] = [];
  /** Adds a row at `ts` the way generated code does: paneOf, then the accumulator. */
  const add = (key: string, ts: number, v = 1) => {
    const pane = store.paneOf(ts);
    if (Number.isNaN(pane)) { late.push(ts); return; }
    const a = store.acc(pane, key);
    a.n++; a.sum += v; a.rows.push(ts);
  };
  /** Moves the input watermark and advances the store to it (what the driver does at a deadline). */
  const advance = (wm: number) => { clock.set(wm); store.advance(wm); };
  return { store, fired, late, add, advance, clock, creates: () => creates };
}

describe('PaneWindows: tumbling', () => {
  it('fires each window once, when the watermark reaches its end, in end order and keys by first arrival', () => {
    const t = countingStore(10, 10);
    t.add('b', 3); t.add('a', 5); t.add('b', 12); t.add('a', 9); t.add('c', 15);
    t.advance(9);
    expect(t.fired).toEqual([]);
    t.advance(10);
    expect(t.fired.map((f) => [f.key, f.start, f.end, f.n])).toEqual([['b', 0, 10, 1], ['a', 0, 10, 2]]);
    t.advance(10);
    t.advance(19);
    expect(t.fired.length).toBe(2);
    t.advance(Infinity);
    expect(t.fired.map((f) => [f.key, f.start, f.n])).toEqual([['b', 0, 1], ['a', 0, 2], ['b', 10, 1], ['c', 10, 1]]);
    expect(t.store.stateSize()).toBe(0);
  });

  it('reports the end of each new window as a deadline', () => {
    const t = countingStore(10, 10);
    t.add('a', 25); t.add('a', 21); t.add('a', 3);
    expect(t.clock.deadlines).toEqual([30, 10]);
    expect(t.store.nextDeadline()).toBe(10);
    t.advance(10);
    expect(t.store.nextDeadline()).toBe(30);
  });

  it('judges late rows by the input watermark even before the store is advanced', () => {
    const t = countingStore(10, 10);
    t.add('a', 100);
    t.clock.set(100); // the source moved on; no deadline crossed, so no advance yet
    t.add('a', 50); // its window [50,60) ended long ago
    t.add('a', 99); // [90,100) ended exactly at the watermark
    t.add('a', 100); // [100,110) is open
    expect(t.late).toEqual([50, 99]);
    t.advance(Infinity);
    expect(t.fired.map((f) => [f.start, f.n])).toEqual([[100, 2]]);
  });

  it('aligns windows at the epoch, negative times included', () => {
    const t = countingStore(10, 10);
    t.add('a', -1); t.add('a', -10); t.add('a', -11); t.add('a', 0);
    t.advance(Infinity);
    expect(t.fired.map((f) => [f.start, f.end, f.n])).toEqual([[-20, -10, 1], [-10, 0, 2], [0, 10, 1]]);
  });

  it('frees a window state when it fires', () => {
    const t = countingStore(10, 10);
    for (let i = 0; i < 1000; i++) t.add(`k${i % 50}`, i);
    expect(t.store.stateSize()).toBeGreaterThan(0);
    t.advance(995);
    expect(t.store.stateSize()).toBe(10); // only [990,1000) is left, with keys k40…k49
    t.advance(1000);
    expect(t.store.stateSize()).toBe(0);
  });

  it('restores from a snapshot and fires the same windows', () => {
    const a = countingStore(10, 10);
    a.add('x', 1); a.add('y', 2); a.add('x', 11);
    const snap = structuredClone(a.store.snapshot());
    const b = countingStore(10, 10);
    b.store.restore(snap);
    b.add('x', 12);
    a.add('x', 12);
    a.advance(Infinity); b.advance(Infinity);
    expect(b.fired).toEqual(a.fired);
  });
});

describe('PaneWindows: sliding', () => {
  it('gives every window the rows it holds, accumulating each row once (panes)', () => {
    const t = countingStore(30, 10);
    const ts = [1, 5, 12, 25, 31, 44];
    for (const x of ts) t.add('a', x, x);
    t.advance(Infinity);
    // Windows starting at multiples of 10 that hold a row: [-20,10) … [40,70).
    const expected = [];
    for (let s = -20; s <= 40; s += 10) {
      const rows = ts.filter((x) => x >= s && x < s + 30);
      if (rows.length) expected.push({ start: s, end: s + 30, n: rows.length, rows });
    }
    expect(t.fired.map((f) => ({ start: f.start, end: f.end, n: f.n, rows: f.rows }))).toEqual(expected);
    // One accumulator per pane and key (5 panes), plus one per fired window for the merge.
    expect(t.creates()).toBe(5 + expected.length);
    expect(t.store.stateSize()).toBe(0);
  });

  it('fires windows in end order, each once, as the watermark crosses their ends', () => {
    const t = countingStore(20, 5);
    t.add('a', 7); t.add('b', 12);
    t.advance(9);
    expect(t.fired).toEqual([]);
    t.advance(10);
    expect(t.fired.map((f) => [f.key, f.start, f.end])).toEqual([['a', -10, 10]]);
    t.advance(25);
    expect(t.fired.map((f) => [f.key, f.start, f.end])).toEqual([
      ['a', -10, 10], ['a', -5, 15], ['b', -5, 15], ['a', 0, 20], ['b', 0, 20], ['a', 5, 25], ['b', 5, 25],
    ]);
    t.advance(25);
    expect(t.fired.length).toBe(7);
    t.advance(Infinity);
    expect(t.fired.slice(7).map((f) => [f.key, f.start, f.end])).toEqual([['b', 10, 30]]);
  });

  it('orders a window\'s keys by the arrival of their first row in it, across panes', () => {
    const t = countingStore(20, 10);
    t.add('b', 15); t.add('a', 5); t.add('c', 12); t.add('a', 16);
    t.advance(Infinity);
    expect(t.fired.map((f) => `${f.start}:${f.key}`)).toEqual(['-10:a', '0:b', '0:a', '0:c', '10:b', '10:c', '10:a']);
  });

  it('puts a row only into the windows that have not ended when it arrives', () => {
    const t = countingStore(30, 10);
    t.add('a', 100);
    t.clock.set(100); // windows ending at or before 100 have ended
    t.add('a', 85); // windows [60,90) and [70,100) ended; only [80,110) is open
    t.add('a', 65); // [40,70) [50,80) [60,90): all ended → late
    expect(t.late).toEqual([65]);
    t.advance(Infinity);
    expect(t.fired.map((f) => [f.start, f.rows])).toEqual([[80, [85, 100]], [90, [100]], [100, [100]]]);
  });

  it('stops a pane at windows that fired before the row arrived', () => {
    const t = countingStore(30, 10);
    t.add('a', 5); // pane 0 in windows [-20,10) [-10,20) [0,30)
    t.advance(20); // fires [-20,10) and [-10,20)
    t.add('a', 8); // pane 0 again: only [0,30) is left
    t.advance(Infinity);
    expect(t.fired.map((f) => [f.start, f.rows])).toEqual([[-20, [5]], [-10, [5]], [0, [5, 8]]]);
  });

  it('keeps no pane once no window holds it', () => {
    const t = countingStore(60, 10);
    let most = 0;
    for (let i = 0; i < 600; i++) {
      t.add('k', i * 3);
      t.advance(i * 3);
      most = Math.max(most, t.store.stateSize());
    }
    expect(most).toBeLessThanOrEqual(7);
    t.advance(Infinity);
    expect(t.store.stateSize()).toBe(0);
    expect(t.fired.length).toBe((1790 - -50) / 10 + 1);
    expect(t.fired.every((f) => f.n === f.rows.length && f.rows.every((x) => x >= f.start && x < f.end))).toBe(true);
  });
});

describe('SessionWindows', () => {
  function sessions(gap: number) {
    const fired: { key: string; start: number; end: number; rows: number[] }[] = [];
    const store = new SessionWindows<string, { rows: number[] }>(gap, {
      create: () => ({ rows: [] }),
      merge: (a, b) => { a.rows.push(...b.rows); },
      fire: (key, a, start, end) => { fired.push({ key, start, end, rows: [...a.rows].sort((x, y) => x - y) }); },
    });
    const clock = manualClock();
    store.onDeadline(clock.listener);
    const late: number[] = [];
    const add = (key: string, ts: number) => {
      const a = store.session(key, ts);
      if (a === undefined) late.push(ts); else a.rows.push(ts);
    };
    const advance = (wm: number) => { clock.set(wm); store.advance(wm); };
    return { store, fired, late, add, advance, clock };
  }

  it('merges rows at most the gap apart, per key, and fires each session at its end', () => {
    const t = sessions(10);
    t.add('a', 0); t.add('a', 9); t.add('b', 5); t.add('a', 18); t.add('a', 27); t.add('a', 38);
    t.advance(36);
    expect(t.fired).toEqual([{ key: 'b', start: 5, end: 15, rows: [5] }]);
    t.advance(37);
    expect(t.fired[1]).toEqual({ key: 'a', start: 0, end: 37, rows: [0, 9, 18, 27] });
    t.advance(Infinity);
    expect(t.fired[2]).toEqual({ key: 'a', start: 38, end: 48, rows: [38] });
    expect(t.store.stateSize()).toBe(0);
  });

  it('a row bridging two sessions merges them into one', () => {
    const t = sessions(10);
    t.add('a', 0); t.add('a', 18);
    expect(t.store.stateSize()).toBe(2);
    t.add('a', 9);
    expect(t.store.stateSize()).toBe(1);
    t.advance(Infinity);
    expect(t.fired).toEqual([{ key: 'a', start: 0, end: 28, rows: [0, 9, 18] }]);
  });

  it('rows exactly the gap apart are one session (as in Flink)', () => {
    const t = sessions(10);
    t.add('a', 0); t.add('a', 10); t.add('a', 20);
    t.add('b', 0); t.add('b', 20);
    expect(t.store.stateSize()).toBe(3);
    t.add('b', 10); // exactly the gap from both: bridges them
    expect(t.store.stateSize()).toBe(2);
    t.add('c', 0); t.add('c', 11);
    t.advance(Infinity);
    expect(t.fired.map((f) => [f.key, f.start, f.end, f.rows])).toEqual([
      ['c', 0, 10, [0]], ['c', 11, 21, [11]], ['a', 0, 30, [0, 10, 20]], ['b', 0, 30, [0, 10, 20]],
    ]);
  });

  it('a row whose gap ends exactly at the watermark is accepted, and its session fires at that watermark', () => {
    const t = sessions(10);
    t.add('a', 100);
    t.advance(105);
    t.add('a', 95); // 95 + 10 == 105: not late; within the gap of 100, so it joins [100, 110)
    t.add('a', 94); // 104 < 105: late
    t.add('b', 95); // 105 == 105: not late; a session [95, 105) the watermark has reached
    expect(t.late).toEqual([94]);
    expect(t.store.nextDeadline()).toBe(105);
    t.advance(105); // the same watermark again (the driver's advance before the next record)
    expect(t.fired).toEqual([{ key: 'b', start: 95, end: 105, rows: [95] }]);
    t.advance(Infinity);
    expect(t.fired[1]).toEqual({ key: 'a', start: 95, end: 110, rows: [95, 100] });
  });

  it('a row is late when its gap is behind the watermark, or it falls inside a fired session', () => {
    const t = sessions(10);
    t.add('a', 100);
    t.clock.set(105);
    t.add('a', 96); // 96 + 10 > 105: joins the live session
    t.add('a', 94); // 94 + 10 < 105: late, though within the gap of a live row
    t.add('b', 90); // 100 < 105: late
    t.advance(110); // the session [96, 110) fires
    expect(t.fired).toEqual([{ key: 'a', start: 96, end: 110, rows: [96, 100] }]);
    t.clock.set(111);
    t.add('a', 105); // 115 > 111, but inside a session that fired ([96, 110)): late
    t.add('a', 109); // the same
    // Exactly at the fired end (last row 100 + gap): not inside it; as in Flink, where the fired
    // session is gone, a new session starts there, touching the fired one.
    t.add('a', 110);
    t.add('a', 112);
    expect(t.late).toEqual([94, 90, 105, 109]);
    t.advance(Infinity);
    expect(t.fired[1]).toEqual({ key: 'a', start: 110, end: 122, rows: [110, 112] });
  });

  it('extending a session asks for no new deadline; the due entry moves to the end when it comes up', () => {
    const t = sessions(10);
    for (let ts = 0; ts < 100; ts += 5) t.add('a', ts);
    t.add('b', 3);
    expect(t.clock.deadlines).toEqual([10, 13]);
    expect(t.store.nextDeadline()).toBe(13);
    t.advance(10); // the driver advancing at the first deadline: nothing fires
    expect(t.fired).toEqual([]);
    t.advance(13);
    expect(t.fired.map((f) => f.key)).toEqual(['b']);
    expect(t.store.nextDeadline()).toBe(105);
    t.advance(104);
    expect(t.fired.length).toBe(1);
    t.advance(105);
    expect(t.fired[1]).toMatchObject({ key: 'a', start: 0, end: 105 });
    expect(t.fired[1]!.rows.length).toBe(20);
  });

  it('forgets a fired session once the watermark is the gap past it', () => {
    const t = sessions(10);
    t.add('a', 0);
    t.advance(10);
    expect((t.store.snapshot() as { fired: unknown[] }).fired.length).toBe(1);
    t.advance(20);
    expect((t.store.snapshot() as { fired: unknown[] }).fired.length).toBe(0);
  });

  it('fires sessions in end order, ties in creation order', () => {
    const t = sessions(10);
    t.add('x', 5); t.add('y', 0); t.add('z', 5); t.add('y', 5);
    t.advance(Infinity);
    expect(t.fired.map((f) => f.key)).toEqual(['x', 'y', 'z']);
  });

  it('restores from a snapshot', () => {
    const a = sessions(10);
    a.add('k', 1); a.add('j', 3); a.add('j', 9); a.advance(13); a.add('k', 8);
    const b = sessions(10);
    b.store.restore(structuredClone(a.store.snapshot()));
    b.clock.set(13);
    const firedBefore = a.fired.length;
    const lateBefore = a.late.length;
    expect(firedBefore).toBe(1);
    for (const s of [a, b]) { s.add('k', 10); s.add('j', 12); s.add('j', 25); s.advance(Infinity); }
    expect(b.fired).toEqual(a.fired.slice(firedBefore));
    expect(b.late).toEqual(a.late.slice(lateBefore));
    expect(b.late).toEqual([10]);
  });
});
