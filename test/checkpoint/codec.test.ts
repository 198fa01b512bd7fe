import { describe, expect, it } from 'vitest';
import { decodeState, encodeState, StateReader, StateDecodeError } from '../../runtime/checkpoint/codec.ts';
import { describeLayoutChange } from '../../runtime/checkpoint/layout-diff.ts';

const roundTrip = (values: unknown[]) => decodeState(encodeState(values));

describe('state codec', () => {
  it('round-trips every kind of value operator state holds', () => {
    const values: unknown[] = [
      0, -0, 1.5, -Infinity, Infinity, NaN, Number.MAX_SAFE_INTEGER, 2 ** -1074,
      '', 'plain', 'ünïcödé', '😀 astral', '\ud800 lone surrogate', 'with\u0000nul',
      true, false, null, undefined, 12345678901234567890n,
      [], [1, [2, [3, null]]], { a: 1, b: 'x', c: null, d: [true] }, {},
      new Map<unknown, unknown>([['k', { c0: 1 }], [2, [3]], [null, new Set([1, 'a'])]]),
      new Set(), { 'odd key': 1, '0': 2, __proto__x: 3 },
    ];
    const back = roundTrip(values);
    expect(back).toEqual(values);
    expect(Object.is(back[1], -0)).toBe(true);
    expect(back[12]).toBe('\ud800 lone surrogate');
  });

  it('keeps latin1 and UTF-16 strings apart correctly', () => {
    expect(roundTrip(['caf\u00e9', 'x'.repeat(1000)])).toEqual(['caf\u00e9', 'x'.repeat(1000)]);
    expect(roundTrip(['caf\u00e9', '\u4e2d'])).toEqual(['caf\u00e9', '\u4e2d']);
  });

  it('writes objects of one shape once and restores them with their keys in order', () => {
    const accs = Array.from({ length: 1000 }, (_, i) => ({ c0: i, s1: i * 2.5, m2: i % 3 ? null : i }));
    const mixed = [{ a: 1, b: 2 }, { b: 2, a: 1 }, { a: 1 }, { a: 1, b: 2, c: 3 }];
    const [a, m] = roundTrip([accs, mixed]) as [typeof accs, typeof mixed];
    expect(a).toEqual(accs);
    expect(m.map((o) => Object.keys(o))).toEqual([['a', 'b'], ['b', 'a'], ['a'], ['a', 'b', 'c']]);
    // Restored objects are ordinary mutable objects.
    a[0]!.c0++;
    expect(a[0]!.c0).toBe(1);
  });

  it('does not let a __proto__ key change the prototype', () => {
    const o = JSON.parse('{"__proto__": 5, "x": 1}') as Record<string, unknown>;
    const [back] = roundTrip([o]) as [Record<string, unknown>];
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toBe(5);
  });

  it('keeps the identity of shared scalar tuples (interned composite keys)', () => {
    const k1 = ['a', 1];
    const k2 = ['b', 2];
    const pane1 = new Map([[k1, { n: 1 }], [k2, { n: 2 }]]);
    const pane2 = new Map([[k2, { n: 3 }]]);
    const [p1, p2, table] = roundTrip([pane1, pane2, [k1, k2]]) as [Map<unknown, unknown>, Map<unknown, unknown>, unknown[][]];
    const [t1, t2] = table;
    expect(p1.get(t1!)).toEqual({ n: 1 });
    expect(p1.get(t2!)).toEqual({ n: 2 });
    expect(p2.get(t2!)).toEqual({ n: 3 });
    expect([...p2.keys()][0]).toBe([...p1.keys()][1]);
  });

  it('refuses values a checkpoint cannot hold', () => {
    expect(() => encodeState([new Date()])).toThrow(/cannot hold a Date/);
    expect(() => encodeState([() => 1])).toThrow(/cannot hold a function/);
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(() => encodeState([cycle])).toThrow(/nested too deeply/);
  });

  it('reports damaged encodings instead of returning garbage', () => {
    const buf = encodeState([{ a: [1, 2, 3], b: 'text' }]);
    expect(() => decodeState(buf.subarray(0, 10))).toThrow(StateDecodeError);
    const bad = Buffer.from(buf);
    bad.writeUInt32LE(99, 0);
    expect(() => decodeState(bad)).toThrow(/version 99/);
    // Reading past the end of what was written.
    const r = new StateReader(encodeState([1]));
    r.value();
    expect(r.done()).toBe(true);
    expect(() => r.value()).toThrow(StateDecodeError);
  });

  it('is much faster than the size suggests for a large keyed state', () => {
    const m = new Map<number, { c0: number; s1: number; n1: number; m2: number | null }>();
    for (let i = 0; i < 100_000; i++) m.set(i, { c0: i, s1: i * 3, n1: i, m2: i % 5 ? i : null });
    const buf = encodeState([{ wm: 1, panes: [[0, 0, m]] }]);
    const [back] = decodeState(buf) as [{ panes: [number, number, Map<number, unknown>][] }];
    expect(back.panes[0]![2].size).toBe(100_000);
    expect(back.panes[0]![2].get(99_999)).toEqual({ c0: 99_999, s1: 299_997, n1: 99_999, m2: 99_999 });
  });
});

describe('layout change description', () => {
  const base = [
    'source #0 clicks: file',
    'window tumbling 60000ms aggregate by [page: string] { n: int } (let per_page)',
    'dedup [user] within 10000ms',
    'sinks: 2',
  ];

  it('names an operator that changed', () => {
    const after = base.slice();
    after[1] = 'window tumbling 120000ms aggregate by [page: string] { n: int } (let per_page)';
    expect(describeLayoutChange(base, after)).toEqual([`changed: ${base[1]}\n      now: ${after[1]}`]);
  });

  it('shows an insertion as one added line', () => {
    const after = [...base.slice(0, 2), 'process by [user: string] state {n: int} (let users)', ...base.slice(2)];
    expect(describeLayoutChange(base, after)).toEqual(['added: process by [user: string] state {n: int} (let users)']);
  });

  it('keeps unrelated removals and additions apart', () => {
    const after = [base[0]!, base[2]!, 'sinks: 3'];
    expect(describeLayoutChange(base, after)).toEqual([`removed: ${base[1]}`, 'changed: sinks: 2\n      now: sinks: 3']);
  });
});

describe('encoding in steps', () => {
  const run = <T>(g: Generator<void, T, void>): T => {
    for (;;) {
      const r = g.next();
      if (r.done) return r.value;
    }
  };

  it('gives the same bytes as encoding in one go, yielding inside large collections', async () => {
    const { StateWriter } = await import('../../runtime/checkpoint/codec.ts');
    const big = new Map<unknown, unknown>();
    for (let i = 0; i < 10_000; i++) big.set(i % 3 ? i : `k${i}`, i % 5 ? { c0: i, s: `v${i}` } : [i, 'x', { n: null }]);
    const value = { s: { wm: -Infinity, panes: [[0, 60_000, big], [60_000, 120_000, new Map()]] }, k: [['a', 1], ['b', 2]], list: Array.from({ length: 5000 }, (_, i) => ({ i })), set: new Set([1, 2, 3]) };
    const a = new StateWriter();
    a.value(value);
    const b = new StateWriter();
    let yields = 0;
    const steps = b.steps(value);
    for (let r = steps.next(); !r.done; r = steps.next()) yields++;
    expect(yields).toBeGreaterThan(3);
    const bytesA = Buffer.concat(a.finish());
    const bytesB = Buffer.concat(run(b.finishing()));
    expect(bytesB.equals(bytesA)).toBe(true);
    expect(decodeState(bytesB)).toEqual([value]);
    // A writer reusing the buffers of a finished one encodes the same bytes.
    const c = new StateWriter(a.buffers);
    c.value(value);
    expect(Buffer.concat(c.finish()).equals(bytesA)).toBe(true);
  });
});

describe('checkpoint file format', () => {
  it('round-trips, and names what is wrong with a damaged file', async () => {
    const { encodeCheckpointFile, parseCheckpointFile, CorruptCheckpoint } = await import('../../runtime/checkpoint/format.ts');
    const header = { job: 'j', fingerprint: 'f'.repeat(64), layout: ['source #0 a: file', 'sinks: 1'], seq: 7, takenAt: '2026-01-01T00:00:00.000Z', node: 'v20' };
    const file = Buffer.concat(encodeCheckpointFile(header, [encodeState([{ a: 1 }])]));
    const parsed = parseCheckpointFile(file);
    expect(parsed.header).toMatchObject({ ...header, stateBytes: parsed.state.length });
    expect(decodeState(parsed.state)).toEqual([{ a: 1 }]);
    const fail = (b: Buffer) => { try { parseCheckpointFile(b); } catch (e) { expect(e).toBeInstanceOf(CorruptCheckpoint); return (e as Error).message; } return 'parsed'; };
    expect(fail(Buffer.alloc(0))).toBe('the file is empty');
    expect(fail(Buffer.from('{"not":"a checkpoint"}\n'))).toMatch(/^not a flowc checkpoint/);
    expect(fail(file.subarray(0, 30))).toMatch(/^truncated/);
    expect(fail(file.subarray(0, file.indexOf(10) + 20))).toMatch(/^truncated \(in the header\)/);
    expect(fail(file.subarray(0, file.length - 3))).toMatch(/^truncated \(\d+ of \d+ state bytes\)/);
    const flipped = Buffer.from(file);
    flipped[file.length - 5] ^= 1;
    expect(fail(flipped)).toMatch(/^checksum mismatch/);
    const v2 = Buffer.from(file.toString('latin1').replace('FLOWC-CHECKPOINT 1 ', 'FLOWC-CHECKPOINT 2 '), 'latin1');
    expect(fail(v2)).toBe('written in checkpoint format 2, this job reads format 1');
  });
});
