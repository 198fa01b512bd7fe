/** KeyTable: composite keys interned through nested Maps, compacted against a store's state. */
import { describe, it, expect } from 'vitest';
import { KeyTable } from '../../runtime/state/key-table.ts';

describe('KeyTable', () => {
  it('gives one tuple per distinct key, whatever the arity', () => {
    const t2 = new KeyTable(2);
    const a = t2.get2('x', 1);
    expect(t2.get2('x', 1)).toBe(a);
    expect(t2.get(['x', 1])).toBe(a);
    expect(t2.get2('x', 2)).not.toBe(a);
    expect(t2.get2(null, NaN)).toBe(t2.get2(null, NaN));
    // No string is built: keys that would collide as text stay apart.
    expect(t2.get2('a,b', 'c')).not.toBe(t2.get2('a', 'b,c'));
    expect(t2.get2(1, 2)).not.toBe(t2.get2('1', 2));
    const t3 = new KeyTable(3);
    expect(t3.get3(1, 2, 3)).toBe(t3.get([1, 2, 3]));
    expect(t3.size).toBe(1);
  });

  it('adopts the tuples of a snapshot, keeping their identity', () => {
    const t = new KeyTable(2);
    const k = t.get2('u', '/p');
    const restored = new KeyTable(2);
    restored.adopt(t.tuples());
    expect(restored.get2('u', '/p')).toBe(k);
  });

  it('compacts to the tuples the store still holds, once it has grown', () => {
    const t = new KeyTable(2);
    const live = new Map<unknown, number>();
    for (let i = 0; i < 5000; i++) {
      const k = t.get2(`u${i}`, i % 3);
      if (i % 1000 === 0) live.set(k, i);
    }
    const lookalike = [`u1`, 1]; // equal to a key, but not the interned tuple: not kept alive by it
    t.maybeCompact(() => ({ panes: [[0, [...live]]], other: lookalike }));
    expect(t.size).toBe(5);
    for (const k of live.keys()) expect(t.get2((k as unknown[])[0], (k as unknown[])[1])).toBe(k);
  });
});
