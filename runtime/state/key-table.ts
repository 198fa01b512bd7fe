/**
 * Composite keys without building a string per record: the parts of a key are looked up in
 * nested Maps (one level per part) that lead to one interned tuple per distinct key. Stores use
 * the tuple itself as their Map key (identity), and fire callbacks read the parts back from it.
 *
 * The table only grows as new keys arrive; `compact` drops the tuples no store holds any more
 * (found by walking the store's snapshot), at most once per doubling of the table, so the cost
 * per new key stays constant. Tuples are checkpointed with the store's snapshot in the same
 * `v8.serialize` call, which keeps their identity: `adopt` takes them back on restore.
 */
export type KeyTuple = readonly unknown[];

export class KeyTable {
  private root = new Map<unknown, unknown>();
  private count = 0;
  /** Compact when the table has grown past this size. */
  private limit = 4096;

  constructor(readonly arity: number) {}

  get size(): number {
    return this.count;
  }

  /** The tuple for a two-part key. */
  get2(a: unknown, b: unknown): KeyTuple {
    let m = this.root.get(a) as Map<unknown, KeyTuple> | undefined;
    if (m === undefined) { m = new Map(); this.root.set(a, m); }
    let t = m.get(b);
    if (t === undefined) { t = [a, b]; m.set(b, t); this.count++; }
    return t;
  }

  /** The tuple for a three-part key. */
  get3(a: unknown, b: unknown, c: unknown): KeyTuple {
    let m = this.root.get(a) as Map<unknown, Map<unknown, KeyTuple>> | undefined;
    if (m === undefined) { m = new Map(); this.root.set(a, m); }
    let n = m.get(b);
    if (n === undefined) { n = new Map(); m.set(b, n); }
    let t = n.get(c);
    if (t === undefined) { t = [a, b, c]; n.set(c, t); this.count++; }
    return t;
  }

  /** The tuple for a key of any arity (`parts` is copied when the key is new). */
  get(parts: readonly unknown[]): KeyTuple {
    let m = this.root;
    const last = parts.length - 1;
    for (let i = 0; i < last; i++) {
      let next = m.get(parts[i]) as Map<unknown, unknown> | undefined;
      if (next === undefined) { next = new Map(); m.set(parts[i], next); }
      m = next;
    }
    let t = m.get(parts[last]) as KeyTuple | undefined;
    if (t === undefined) { t = parts.slice(); m.set(parts[last], t); this.count++; }
    return t;
  }

  /** The interned tuple equal to `parts`, if any (does not intern). */
  find(parts: readonly unknown[]): KeyTuple | undefined {
    let m: unknown = this.root;
    for (let i = 0; i < parts.length; i++) {
      if (!(m instanceof Map)) return undefined;
      m = m.get(parts[i]);
    }
    return m as KeyTuple | undefined;
  }

  /** Every interned tuple, for a snapshot. */
  tuples(): KeyTuple[] {
    const out: KeyTuple[] = [];
    const walk = (m: Map<unknown, unknown>, depth: number) => {
      for (const v of m.values()) {
        if (depth === this.arity - 1) out.push(v as KeyTuple);
        else walk(v as Map<unknown, unknown>, depth + 1);
      }
    };
    walk(this.root, 0);
    return out;
  }

  /** Replaces the table with these tuples (identity kept): after a restore or a compaction. */
  adopt(tuples: readonly KeyTuple[]): void {
    this.root = new Map();
    this.count = 0;
    for (const t of tuples) {
      let m = this.root;
      for (let i = 0; i < t.length - 1; i++) {
        let next = m.get(t[i]) as Map<unknown, unknown> | undefined;
        if (next === undefined) { next = new Map(); m.set(t[i], next); }
        m = next;
      }
      if (!m.has(t[t.length - 1])) { m.set(t[t.length - 1], t); this.count++; }
    }
  }

  /**
   * Called as the watermark moves: when the table has grown past its limit, keeps only the
   * tuples found (by identity) in `state` (the store's snapshot).
   */
  maybeCompact(state: () => unknown): void {
    if (this.count < this.limit) return;
    const live: KeyTuple[] = [];
    const seen = new Set<unknown>();
    const visit = (v: unknown) => {
      if (v === null || typeof v !== 'object' || seen.has(v)) return;
      seen.add(v);
      if (Array.isArray(v)) {
        if (v.length === this.arity && this.find(v) === v) { live.push(v); return; }
        for (const x of v) visit(x);
      } else if (v instanceof Map) {
        for (const [k, x] of v) { visit(k); visit(x); }
      } else if (v instanceof Set) {
        for (const x of v) visit(x);
      } else {
        for (const x of Object.values(v)) visit(x);
      }
    };
    visit(state());
    this.adopt(live);
    this.limit = Math.max(4096, this.count * 2);
  }
}
