/**
 * Phase 1: text → AST. Syntax errors are phrased for people from ohm's rightmost failure, and
 * the parser recovers at declaration boundaries so that one file can report several of them.
 */
import type { FailedMatchResult, MatchResult } from 'ohm-js';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { Decl, Program, UnparsedDecl } from './ast.ts';
import { flowGrammar } from '../../../lang/grammar.ts';
import { buildAst } from './semantics.ts';
import { allKeywords, declarationKeywords } from '../../../lang/keywords.ts';
import { editDistance } from '../../diagnostics/suggest.ts';
import { syntaxError } from './syntax-errors.ts';

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** Deeper bracket nesting than this is refused before parsing, so no input can overflow the stack. */
export const maxNesting = 256;

/** How many following chunks a failed chunk may absorb when it failed only because it was cut short. */
const maxMerge = 4;

/**
 * A line that starts, in column 0, with a word followed by a name or a string (`type: string`
 * inside a record type does not match): a declaration begins there when the word is a
 * declaration keyword, or a misspelt one (`lett`, `sorce`), so that its error is reported alone.
 */
const declLine = /^([A-Za-z_]\w*)[ \t]+(?=[A-Za-z_"])/gm;
const declWords: readonly string[] = declarationKeywords.filter((k) => k !== 'from');

function startsDeclaration(word: string): boolean {
  if (declWords.includes(word)) return true;
  // A near miss of three letters or more; `on`, `as`, `and`… continue expressions and stay put.
  return word.length >= 3 && !(allKeywords as readonly string[]).includes(word) && declWords.some((k) => editDistance(word, k) <= 1);
}

/**
 * Parses one .flow file. Never throws for any input text.
 *
 * The text is cut into chunks at lines that start with a declaration keyword, and each chunk is
 * matched on its own: ohm's cost grows faster than linearly with the input (its memo table), so
 * this is about twice as fast, and it is also the error recovery: a chunk that does not parse
 * gives one diagnostic and the next chunk is parsed as usual. A chunk cut in the wrong place (a
 * block comment or a multi-line construct with such a line inside) fails at its very end; it is
 * then retried together with the chunks after it. When every chunk parses, the result is the one
 * the whole file would give, because no declaration can continue with a declaration keyword.
 */
export function parse(text: string, file: string): ParseResult {
  return parseRanges(text, file, (start, end) => matchRange(text, file, start, end));
}

/**
 * What matching `text[start, end)` gives. It depends on the text of that range alone (the spans
 * of `decls` and `diagnostics` are file offsets: the range's own offsets plus `start`), which is
 * what lets incremental.ts re-use it when the same text comes back at another offset.
 */
export type RangeMatch =
  /** The range parsed: its declarations and the literal problems found while building them. */
  | { ok: true; decls: Decl[]; diagnostics: Diagnostic[] }
  /** It did not; `failure` is undefined when it is nested so deeply that matching overflowed the stack. */
  | { ok: false; failure: RangeFailure | undefined };

/**
 * What syntax-errors.ts reads of ohm's failed match of a range (positions relative to the range).
 * `getRightmostFailures` is ohm-js 17 API missing from its typings; it matches the input again.
 */
export interface RangeFailure {
  getRightmostFailurePosition(): number;
  getRightmostFailures(): unknown[];
}

/** Matches `text[start, end)` from scratch (and builds its AST when it parses). */
export function matchRange(text: string, file: string, start: number, end: number): RangeMatch {
  return rangeMatch(match(text, start, end), file, start, end);
}

/**
 * The `RangeMatch` of ohm's match `m` of a range `[start, end)` (undefined when matching overflowed
 * the stack). The AST's names are sliced from `chunk`, the range's text, or else from `m.input`.
 */
export function rangeMatch(m: MatchResult | undefined, file: string, start: number, end: number, chunk?: string): RangeMatch {
  if (!m) return { ok: false, failure: undefined };
  if (m.failed()) return { ok: false, failure: m as unknown as RangeFailure };
  const diagnostics: Diagnostic[] = [];
  try {
    return { ok: true, decls: buildAst(m, file, diagnostics, start, chunk), diagnostics };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    diagnostics.push(tooDeepToParse(file, start, end));
    return { ok: true, decls: [], diagnostics };
  }
}

/**
 * The chunk loop of `parse()`, with the matching of one range supplied by the caller: `parse()`
 * matches every range, incremental.ts answers the ranges whose text it has seen from a cache.
 */
export function parseRanges(text: string, file: string, matchAt: (start: number, end: number) => RangeMatch): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const starts = chunkStarts(text);
  const endOf = (j: number) => starts[j] ?? text.length;
  const decls: Decl[] = [];
  const unparsed: UnparsedDecl[] = [];
  for (let i = 0; i < starts.length;) {
    const start = starts[i]!;
    let next = i + 1;
    // Inputs no real program has are refused before ohm sees them: a chunk too long to parse in
    // reasonable time, or brackets deep enough to exhaust the stack.
    const refused = tooLong(text, file, start, endOf(next)) ?? nestingProblem(text, file, start, endOf(next));
    let m = refused ? undefined : matchAt(start, endOf(next));
    if (m && !m.ok && m.failure && failedAtEnd(m.failure, text, start, endOf(next))) {
      for (let k = next + 1; k <= starts.length && k - next <= maxMerge && endOf(k) - start <= maxChunk; k++) {
        const merged = nestingProblem(text, file, start, endOf(k)) ? undefined : matchAt(start, endOf(k));
        if (merged?.ok) { m = merged; next = k; break; }
        if (!merged?.failure || !failedAtEnd(merged.failure, text, start, endOf(k))) break;
      }
    }
    if (!m || !m.ok) {
      diagnostics.push(refused ?? (m?.failure ? syntaxError(m.failure as unknown as FailedMatchResult, text, file, start, endOf(next)) : tooDeepToParse(file, start, endOf(next))));
      const named = declaredName.exec(text.slice(start, Math.min(endOf(next), start + 2000)));
      if (named) unparsed.push({ keyword: named[1]!.replace(/^extern\s+/, ''), name: named[2]! });
    } else {
      decls.push(...m.decls);
      diagnostics.push(...m.diagnostics);
    }
    i = next;
  }
  const result = program(file, text, decls);
  if (unparsed.length) result.unparsed = unparsed;
  return { program: result, diagnostics };
}

/** The keyword and name a declaration starts with, after blanks and comments. */
const declaredName = /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*(type|let|source|table|param|fn|extern\s+fn)\s+([A-Za-z_]\w*)/;

/** Matches `text[start, end)`; undefined when the input is so deeply nested that the stack overflows. */
export function match(text: string, start: number, end: number): MatchResult | undefined {
  try {
    return flowGrammar().match(text.slice(start, end), 'Program');
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

function tooDeepToParse(file: string, start: number, end: number): Diagnostic {
  return {
    code: 'F0008', severity: 'error', span: { file, start, end: Math.min(end, start + 1) },
    message: 'this declaration is nested too deeply to parse',
    help: 'split deeply nested expressions with `fn` declarations or intermediate `let` streams',
  };
}

function program(file: string, text: string, decls: Decl[]): Program {
  return { kind: 'Program', file, text, decls, span: { file, start: 0, end: text.length } };
}

function chunkStarts(text: string): number[] {
  const starts = [0];
  const comments = blockComments(text);
  let c = 0;
  declLine.lastIndex = 0;
  for (const m of text.matchAll(declLine)) {
    const at = m.index!;
    if (!startsDeclaration(m[1]!)) continue;
    while (c < comments.length && comments[c]![1] <= at) c++;
    if (at > 0 && !(c < comments.length && comments[c]![0] < at)) starts.push(at);
  }
  return starts;
}

/** The `[start, end)` ranges of block comments, outside strings and line comments. */
function blockComments(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  if (!text.includes('/*')) return ranges;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string ends at its closing quote or at the end of its line.
      for (i++; i < text.length && text[i] !== '"' && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
    } else if (c === 47 && text[i + 1] === '/') {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol;
    } else if (c === 47 && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? text.length : close + 2;
      ranges.push([i, end]);
      i = end - 1;
    }
  }
  return ranges;
}

/** Did the match fail only after everything but blanks and comments: is the chunk cut short? */
function failedAtEnd(m: RangeFailure, text: string, start: number, end: number): boolean {
  const pos = start + m.getRightmostFailurePosition();
  return /^(?:\s|\/\/[^\n]*)*$/.test(text.slice(pos, end));
}

/**
 * A declaration longer than this is refused (F0014): ohm's time and memory grow faster than
 * linearly with the length of what it matches, and no hand-written declaration comes near it.
 */
export const maxChunk = 100_000;

function tooLong(text: string, file: string, start: number, end: number): Diagnostic | undefined {
  if (end - start <= maxChunk) return undefined;
  const lineEnd = text.indexOf('\n', start);
  return {
    code: 'F0014', severity: 'error',
    span: { file, start, end: Math.min(lineEnd < 0 ? end : lineEnd, start + 200, end) },
    message: `this declaration is ${end - start} characters long, more than the ${maxChunk} flowc reads in one declaration`,
    help: 'split it: long test data into several tests, long expressions into `fn` declarations or several `let` steps',
  };
}

function nestingProblem(text: string, file: string, start: number, end: number): Diagnostic | undefined {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Brackets inside a string do not nest.
      for (i++; i < end && text.charCodeAt(i) !== 34 && text.charCodeAt(i) !== 10; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      while (i < end && text.charCodeAt(i) !== 10) i++;
    } else if (c === 40 || c === 91 || c === 123) {
      if (++depth > maxNesting) {
        return {
          code: 'F0008', severity: 'error', span: { file, start: i, end: i + 1 },
          message: `brackets are nested more than ${maxNesting} deep`,
          help: 'split the expression with `fn` declarations or intermediate `let` streams',
        };
      }
    } else if (c === 41 || c === 93 || c === 125) depth = Math.max(0, depth - 1);
  }
  return undefined;
}
