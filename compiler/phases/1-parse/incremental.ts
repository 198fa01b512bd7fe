/**
 * Incremental parsing for the editor: an `IncrementalParser` belongs to one document and parses
 * each new version of its text, matching only the declaration chunks whose text it has not seen.
 *
 * `parse()` already matches the file one chunk (one top-level declaration) at a time, and what a
 * chunk gives depends on the chunk's text alone (`RangeMatch` in parse.ts). So the parser runs
 * the same chunk loop (`parseRanges`) and answers each range from a cache keyed by the range's
 * text: on a one-character edit one chunk is matched, and the others are copies of their cached
 * AST with every span moved to the chunk's new offset. The result is the one `parse()` gives on
 * the same text, spans, diagnostics and `unparsed` included (test/parse/incremental.test.ts
 * checks this on random edits of every sample and fixture).
 *
 * A chunk that changed is matched with ohm's incremental matcher when it is mostly the text
 * matched last (the declaration being typed in): ohm then keeps its memo table outside the edit,
 * which makes re-matching a long declaration (a `test` with hundreds of rows) about a hundred
 * times cheaper than matching it afresh.
 *
 * The cache holds what the last parse used, nothing older: memory stays proportional to the
 * document, and undoing an edit re-matches one chunk.
 */
import type { Matcher, MatchResult } from 'ohm-js';
import type { Decl } from './ast.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { flowGrammar } from '../../../lang/grammar.ts';
import { match, matchRange, parseRanges, rangeMatch, type ParseResult, type RangeFailure, type RangeMatch } from './parse.ts';

/** How the last parse was answered. */
export interface IncrementalStats {
  /** Ranges the chunk loop asked for (the chunks, and longer ranges tried when a chunk was cut short). */
  ranges: number;
  /** Ranges matched with ohm because their text was new. */
  matched: number;
  /** Of those, ranges matched by editing the input of ohm's incremental matcher. */
  edited: number;
  /** Ranges that did not match with ohm's incremental matcher, matched again afresh for their syntax error. */
  rematched: number;
}

/** A cached range: its text, and its declarations and diagnostics with spans relative to its start. */
type Entry = { text: string } & (
  | { ok: true; decls: Decl[]; diagnostics: Diagnostic[] }
  | { ok: false; failure: CachedFailure | undefined }
);

export class IncrementalParser {
  private cache = new Map<string, Entry>();
  /** ohm's matcher of the range matched last, with its memo table. */
  private matcher: Matcher | undefined;
  /** Filled by each `parse()`. */
  stats: IncrementalStats = { ranges: 0, matched: 0, edited: 0, rematched: 0 };

  /** `file` is the path put in every span, as `parse(text, file)` does. */
  constructor(readonly file: string) {}

  /** Parses the document's current text: the same result as `parse(text, this.file)`. */
  parse(text: string): ParseResult {
    const used = new Map<string, Entry>();
    const stats: IncrementalStats = { ranges: 0, matched: 0, edited: 0, rematched: 0 };
    const result = parseRanges(text, this.file, (start, end) => {
      stats.ranges++;
      const key = text.slice(start, end);
      let entry = used.get(key) ?? this.cache.get(key);
      if (!entry) {
        stats.matched++;
        entry = this.match(flat(key), stats);
      }
      // Keyed by the entry's own copy of the text: `key` is a view into the whole document.
      used.set(entry.text, entry);
      return at(entry, start);
    });
    for (const entry of used.values()) if (!entry.ok) entry.failure?.release();
    this.cache = used;
    this.stats = stats;
    return result;
  }

  /** Matches a range's text (relative spans), re-using ohm's memo table when it is an edit of the last one. */
  private match(text: string, stats: IncrementalStats): Entry {
    let m: MatchResult | undefined;
    let incremental = false;
    try {
      const last = this.matcher?.getInput();
      const prefix = last === undefined ? 0 : commonPrefix(last, text);
      const suffix = last === undefined ? 0 : Math.min(commonSuffix(last, text), last.length - prefix, text.length - prefix);
      if (this.matcher && last !== undefined && prefix + suffix >= text.length / 2) {
        this.matcher.replaceInputRange(prefix, last.length - suffix, text.slice(prefix, text.length - suffix));
        incremental = true;
      } else {
        this.matcher = flowGrammar().matcher();
        this.matcher.setInput(text);
      }
      m = this.matcher.match('Program');
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      // Too deeply nested to match (F0008): the matcher may be left half-way; start over next time.
      this.matcher = undefined;
      if (incremental) m = match(text, 0, text.length);
    }
    if (m?.failed()) {
      // ohm's incremental matching gives the same tree as a fresh match, but not always the same
      // rightmost failure (memo entries keep the failures found in the input they were made on),
      // so a syntax error comes from a fresh match. And a failed match keeps its matcher: ohm
      // matches its input again to list the expected tokens.
      if (incremental) {
        stats.rematched++;
        m = match(text, 0, text.length);
      } else {
        this.matcher = undefined;
      }
    } else if (incremental) {
      stats.edited++;
    }
    const r = rangeMatch(m, this.file, 0, text.length, text);
    return r.ok ? { text, ...r } : { text, ok: false, failure: r.failure && new CachedFailure(r.failure, text) };
  }
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function commonSuffix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/**
 * The entry placed at `start`: a fresh copy of its declarations and diagnostics with spans moved
 * by `start` (the checker writes types into the AST it is given, so no two results share a node).
 */
function at(entry: Entry, start: number): RangeMatch {
  if (!entry.ok) return { ok: false, failure: entry.failure };
  const copies = new Map<object, object>();
  return { ok: true, decls: shifted(entry.decls, start, copies), diagnostics: shifted(entry.diagnostics, start, copies) };
}

/**
 * A deep copy of AST nodes and diagnostics, with `delta` added to every span (an object with
 * `file`, `start` and `end`). Objects that appear twice (a span shared by a shorthand field and
 * its name, the middle operand of a chained comparison, a span in both a node and a diagnostic)
 * are copied once and shared in the copy as in the original.
 */
function shifted<T>(value: T, delta: number, copies: Map<object, object>): T {
  if (typeof value !== 'object' || value === null) return value;
  const done = copies.get(value);
  if (done) return done as T;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    copies.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = shifted(value[i], delta, copies);
    return out as T;
  }
  const o = value as Record<string, unknown>;
  if (typeof o.start === 'number' && typeof o.end === 'number' && typeof o.file === 'string') {
    const span = { file: o.file, start: o.start + delta, end: o.end + delta };
    copies.set(value, span);
    return span as T;
  }
  const out: Record<string, unknown> = {};
  copies.set(value, out);
  for (const k in o) out[k] = shifted(o[k], delta, copies);
  return out as T;
}

/**
 * A failed match kept in the cache. The chunk loop reads its rightmost failure position, and
 * syntax-errors.ts, for the range it reports, the failures there, which ohm finds by matching
 * again: those are computed once and kept. The match itself is dropped after each parse.
 */
class CachedFailure implements RangeFailure {
  private readonly position: number;
  private failures: unknown[] | undefined;

  constructor(private match: RangeFailure | undefined, private readonly text: string) {
    this.position = match!.getRightmostFailurePosition();
  }

  getRightmostFailurePosition(): number {
    return this.position;
  }

  getRightmostFailures(): unknown[] {
    if (!this.failures) {
      // Dropped before it was ever reported (a range first tried as the longer range of a chunk
      // cut short, then reported on its own): matched again.
      const m = this.match ?? (matchRange(this.text, '', 0, this.text.length) as { failure: RangeFailure }).failure;
      this.failures = m.getRightmostFailures();
      this.match = undefined;
    }
    return this.failures;
  }

  release(): void {
    this.match = undefined;
  }
}

/**
 * A copy of `s` that shares no memory with the text it was sliced from. V8 represents a slice as
 * a view of the whole string, and the AST's names are slices of the chunk: without the copy, a
 * cached chunk would keep the whole document of the version it was parsed in alive.
 */
function flat(s: string): string {
  return s.length < 16 ? s : JSON.parse(JSON.stringify(s)) as string;
}
