/**
 * Dedup, joins, process state and the watermark clock, driven by hand.
 */
import { describe, it, expect } from 'vitest';
import { DedupStore } from '../../runtime/state/dedup-store.ts';
import { ProcessStore } from '../../runtime/state/process-store.ts';
import { IntervalJoin } from '../../runtime/joins/interval-join.ts';
import { WindowJoin } from '../../runtime/joins/window-join.ts';
import { WatermarkClock } from '../../runtime/job/driver.ts';
import type { JobGraph, OperatorBinding, SourceBinding } from '../../runtime/job/graph.ts';
import { manualClock } from './manual-clock.ts';

describe('DedupStore', () => {
  it('drops a row within D of the key\'s reference, either side in event time', () => {
    const d = new DedupStore<string>(10);
    const c = manualClock();
    d.onDeadline(c.listener);
    const kept = [['a', 100], ['a', 105], ['a', 91], ['a', 90], ['b', 100], ['a', 109], ['a', 110], ['a', 115], ['a', 121]]
      .filter(([k, t]) => d.keep(k as string, t as number)).map(([k, t]) => `${k}${t}`);
    // 105 and 91 are within D of 100; 90 is exactly D before it (kept, the new reference); 109
    // is 19 after 90 (kept); 110 and 115 are within D of 109; 121 is 12 after it.
    expect(kept).toEqual(['a100', 'a90', 'b100', 'a109', 'a121']);
  });

  it('forgets a reference once the watermark is D past it, and frees its memory', () => {
    const d = new DedupStore<string>(10);
    const c = manualClock();
    d.onDeadline(c.listener);
    expect(d.keep('a', 100)).toBe(true);
    c.set(109);
    expect(d.keep('a', 101)).toBe(false);
    c.set(110); // 100 + 10 <= 110: the reference has expired, even before the store is swept
    expect(d.keep('a', 101)).toBe(true);
    d.advance(200);
    expect(d.stateSize()).toBe(0);
  });

  it('keeps memory bounded by the keys seen within D of the watermark', () => {
    const d = new DedupStore<number>(100);
    const c = manualClock();
    d.onDeadline(c.listener);
    let most = 0;
    for (let t = 0; t < 100_000; t++) {
      d.keep(t, t);
      if (t % 1000 === 0) { c.set(t); d.advance(t); most = Math.max(most, d.stateSize()); }
    }
    expect(most).toBeLessThanOrEqual(1100);
  });
});

describe('IntervalJoin', () => {
  function join(within: number) {
    const out: string[] = [];
    const j = new IntervalJoin<string>(within, (ts, l, r) => out.push(`${l}-${r}@${ts}`));
    const c = manualClock();
    j.onDeadline(c.listener);
    return { j, out, c };
  }

  it('pairs rows with |t_left - t_right| <= D inclusive, either arrival order, output time the later', () => {
    const { j, out } = join(5);
    j.left('k', 10, 'L10');
    j.right('k', 15, 'R15');
    j.right('k', 16, 'R16');
    j.right('x', 12, 'X12');
    j.left('k', 20, 'L20');
    j.right('k', 4, 'R4');
    expect(out).toEqual(['L10-R15@15', 'L20-R15@20', 'L20-R16@20']);
  });

  it('drops and counts rows behind the watermark; frees rows no row on time can reach', () => {
    const { j, out, c } = join(5);
    j.left('k', 10, 'L10');
    c.set(12);
    j.right('k', 11, 'R11'); // behind the watermark: late
    j.right('k', 14, 'R14');
    expect(out).toEqual(['L10-R14@14']);
    expect(j.late.count).toBe(1);
    j.advance(15); // L10 can still meet a row at 15
    j.right('k', 15, 'R15');
    expect(out).toEqual(['L10-R14@14', 'L10-R15@15']);
    c.set(30);
    j.advance(30);
    expect(j.stateSize()).toBe(0);
  });
});

describe('WindowJoin', () => {
  it('pairs rows of a key in the same tumbling window when it fires, at end - 1ms', () => {
    const out: string[] = [];
    const j = new WindowJoin<string>(10, (ts, l, r) => out.push(`${l}-${r}@${ts}`));
    const c = manualClock();
    j.onDeadline(c.listener);
    j.left('k', 1, 'L1'); j.right('k', 9, 'R9'); j.right('k', 10, 'R10'); j.left('j', 2, 'J2'); j.right('j', 3, 'S3'); j.left('k', 5, 'L5');
    expect(c.deadlines).toEqual([10, 20]);
    j.advance(9);
    expect(out).toEqual([]);
    c.set(10);
    j.right('k', 7, 'R7'); // its window has ended: late
    j.advance(10);
    expect(out).toEqual(['L1-R9@9', 'L5-R9@9', 'J2-S3@9']);
    expect(j.late.count).toBe(1);
    j.advance(Infinity);
    expect(out.length).toBe(3);
    expect(j.stateSize()).toBe(0);
  });
});

describe('ProcessStore', () => {
  it('fires timers in time order, once per key and time, with the key\'s state', () => {
    const fired: string[] = [];
    const p = new ProcessStore<string, { n: number }>(() => ({ n: 0 }), (key, s, t) => { fired.push(`${key}@${t}:${s.n}`); });
    const c = manualClock();
    p.onDeadline(c.listener);
    p.state('a').n = 2;
    p.timer('a', 30); p.timer('b', 20); p.timer('a', 30); p.timer('a', 20);
    expect(c.deadlines).toEqual([30, 20, 20]);
    p.advance(25);
    expect(fired).toEqual(['b@20:0', 'a@20:2']);
    p.timer('a', 30);
    p.advance(30);
    expect(fired).toEqual(['b@20:0', 'a@20:2', 'a@30:2']);
  });

  it('a timer set in the past fires at the next advance, even without a new watermark', () => {
    const fired: number[] = [];
    const p = new ProcessStore<string, object>(() => ({}), (_k, _s, t) => { fired.push(t); });
    p.advance(100);
    p.timer('a', 50);
    expect(p.nextDeadline()).toBe(50);
    p.advance(100);
    expect(fired).toEqual([50]);
    expect(p.nextDeadline()).toBe(Infinity);
  });

  it('drop clears a key\'s state; snapshots carry state and timers', () => {
    const fired: string[] = [];
    const mk = () => new ProcessStore<string, { n: number }>(() => ({ n: 0 }), (k, s, t) => { fired.push(`${k}@${t}:${s.n}`); });
    const p = mk();
    p.state('a').n = 5; p.state('b').n = 7;
    p.timer('a', 10); p.timer('b', 10);
    p.drop('a');
    const q = mk();
    q.restore(structuredClone(p.snapshot()));
    q.advance(10);
    expect(fired).toEqual(['a@10:0', 'b@10:7']);
  });

  it('keys compare by identity, so composite keys never collide', () => {
    const fired: unknown[] = [];
    const p = new ProcessStore<readonly unknown[], object>(() => ({}), (k) => { fired.push(k); });
    const k1 = ['a,b', 'c'];
    const k2 = ['a', 'b,c'];
    p.timer(k1, 5); p.timer(k2, 5);
    p.advance(5);
    expect(fired).toEqual([k1, k2]);
  });
});

describe('WatermarkClock', () => {
  function graph(delays: number[], ops: { inputs: number[]; processingTime?: boolean }[]) {
    const advanced: number[][] = ops.map(() => []);
    const due: number[] = ops.map(() => Infinity);
    const listeners: ((t: number) => void)[] = [];
    const sources: SourceBinding[] = delays.map((delay, i) => ({
      name: `s${i}`, eventTime: true, delay,
      state: { maxTs: -Infinity, records: 0, errors: 0, nextWm: Infinity },
      open: () => { throw new Error('not opened'); }, stage: () => {},
    }));
    const operators: OperatorBinding[] = ops.map((o, i) => ({
      name: `op${i}`, inputs: o.inputs, processingTime: o.processingTime, late: { count: 0 },
      advance: (wm) => { advanced[i]!.push(wm); if (wm >= due[i]!) due[i] = Infinity; },
      stateSize: () => 0, nextDeadline: () => due[i]!,
      onDeadline: (f) => { listeners[i] = f; },
      snapshot: () => null, restore: () => {},
    }));
    const g: JobGraph = { sources, operators, sinks: [], tables: [] };
    const done = delays.map(() => false);
    const clock = new WatermarkClock(g, done);
    return { clock, sources, advanced, due, listeners, done };
  }

  it('an operator\'s watermark is the minimum over its sources; deadlines go to the limiting one', () => {
    const g = graph([0, 5], [{ inputs: [0, 1] }]);
    g.sources[0]!.state.maxTs = 100;
    g.sources[1]!.state.maxTs = 50;
    g.clock.sourceRead(0); g.clock.sourceRead(1);
    g.due[0] = 60;
    g.clock.advance();
    expect(g.advanced[0]).toEqual([45]);
    expect(g.sources[0]!.state.nextWm).toBe(Infinity);
    expect(g.sources[1]!.state.nextWm).toBe(60);
    // The listener's watermark() is the input watermark as it stands now.
    const w = (g.listeners[0] as unknown as { watermark: () => number }).watermark;
    g.sources[1]!.state.maxTs = 70;
    expect(w()).toBe(65);
    g.clock.sourceAdvanced(1);
    expect(g.advanced[0]).toEqual([45, 65]);
  });

  it('an ended source is at +∞: the operator follows the other inputs, then ends', () => {
    const g = graph([0, 0], [{ inputs: [0, 1] }]);
    g.sources[1]!.state.maxTs = 10;
    g.done[0] = true;
    g.clock.sourceRead(0); g.clock.sourceRead(1);
    g.clock.advance();
    expect(g.advanced[0]).toEqual([10]);
    g.done[1] = true;
    g.clock.sourceRead(1);
    g.clock.advance();
    expect(g.advanced[0]).toEqual([10, Infinity]);
  });

  it('a processing-time window follows the wall clock until its inputs end', () => {
    const g = graph([0], [{ inputs: [0], processingTime: true }]);
    const before = Date.now();
    g.clock.advance();
    expect(g.advanced[0]![0]).toBeGreaterThanOrEqual(before);
    expect(g.advanced[0]![0]).toBeLessThanOrEqual(Date.now());
    g.done[0] = true;
    g.clock.advance();
    expect(g.advanced[0]![1]).toBe(Infinity);
  });

  it('rows arriving while operators advance are judged by the operator\'s own watermark', () => {
    const g = graph([0], [{ inputs: [0] }]);
    const w = (g.listeners[0] as unknown as { watermark: () => number }).watermark;
    g.sources[0]!.state.maxTs = 40;
    expect(w()).toBe(40);
    g.clock.advancing = true;
    expect(w()).toBe(-Infinity);
  });
});
