/**
 * Syntax errors phrased for people. Ohm reports the rightmost position where matching failed and
 * what it expected there, as grammar terminals; this turns that into "expected an operator after
 * `|`, found `wher`", with a `help:` showing the form of the declaration or operator being
 * written, and labels pointing at an unclosed bracket.
 */
import type { FailedMatchResult } from 'ohm-js';
import type { Diagnostic, Label, Span } from '../../diagnostics/diagnostic.ts';
import { declarationKeywords, allKeywords } from '../../../lang/keywords.ts';
import { steps, stepList } from '../../../lang/steps.ts';
import { editDistance } from '../../diagnostics/suggest.ts';

interface OhmFailure {
  getText(): string;
  type: string;
}

const declForms: Record<string, string> = {
  job: '`job NAME { setting: value, … }`',
  import: '`import "other.flow"`',
  param: '`param NAME: TYPE = default`',
  type: '`type Name = { field: TYPE, … }`',
  source: '`source NAME: TYPE = connector(args) [event time EXPR [watermark DURATION]]`',
  table: '`table NAME: TYPE = connector(args) key FIELD`',
  let: '`let NAME = STREAM | operator | …`',
  sink: '`sink STREAM | operator | … -> connector(args)`',
  fn: '`fn NAME(param: TYPE, …): TYPE = EXPR`',
  extern: '`extern fn NAME(param: TYPE, …): TYPE from "./module.ts"`',
  test: '`test "name" { given SOURCE = [rows] … expect STREAM [in order] == [rows] … }`',
};

const opForms: Record<string, string> = Object.fromEntries(steps.map((st) => [st.keyword, st.form]));
const pipelineOps = steps.map((st) => st.keyword);
const operatorList = stepList;
const declWords: string[] = declarationKeywords.filter((k) => k !== 'from');

const binaryOps = new Set(['`+`', '`-`', '`*`', '`/`', '`%`', '`==`', '`!=`', '`<`', '`<=`', '`>`', '`>=`', '`??`', '`and`', '`or`']);
const exprStarts = new Set([
  'a name', 'a string', 'a number', 'a timestamp', 'a duration', '`null`', '`true`', '`false`', '`if`', '`not`',
  '`-`', '`(`', '`[`', '`{`',
]);
const streamStarts = new Set(['a name', '`union`', '`late`', '`errors`']);

/** Builds the diagnostic of a failed match of `text[chunkStart, chunkEnd)`. */
export function syntaxError(m: FailedMatchResult, text: string, file: string, chunkStart: number, chunkEnd: number): Diagnostic {
  // A failure at the end of a chunk is really at the next declaration, or the end of the file.
  let pos = Math.min(chunkStart + m.getRightmostFailurePosition(), chunkEnd);
  const failures = (m as unknown as { getRightmostFailures(): OhmFailure[] }).getRightmostFailures();
  const scan = scanTo(text, chunkStart, pos);
  const error = (span: Span, message: string, help?: string, labels?: Label[]): Diagnostic =>
    ({ code: 'F0002', severity: 'error', span, message, ...(help ? { help } : {}), ...(labels?.length ? { labels } : {}) });

  // Problems of the characters themselves come first: an open string or comment, a bad number.
  const openString = scan.openString ?? (text[pos] === '"' && !/^"(?:[^"\\\n]|\\.)*"/.test(text.slice(pos, pos + 10_000)) ? pos : undefined);
  if (openString !== undefined) {
    return { ...error({ file, start: openString, end: openString + 1 }, 'this string has no closing `"` on its line',
      'a string ends on the line where it starts; write `\\n` for a line break'), code: 'F0010' };
  }
  const openComment = scan.openComment ?? (text.startsWith('/*', pos) && text.indexOf('*/', pos + 2) < 0 ? pos : undefined);
  if (openComment !== undefined) {
    return { ...error({ file, start: openComment, end: openComment + 2 }, 'this comment is never closed', 'end it with `*/`'), code: 'F0011' };
  }
  const badNumber = numberAround(text, pos);
  if (badNumber) return numberError(badNumber.word, { file, start: badNumber.start, end: badNumber.start + badNumber.word.length }, error);

  // A keyword or a number followed by more letters (`lett`, `wheree`, `0.5s`): the failure is
  // inside a word; speak about the whole word.
  const insideWord = failures.some((f) => f.getText().startsWith('not ')) && isWordChar(text, pos - 1) && isWordChar(text, pos);
  let wordStart = pos;
  if (insideWord) {
    while (wordStart > chunkStart && (isWordChar(text, wordStart - 1) || (text[wordStart - 1] === '.' && /\d/.test(text[wordStart - 2] ?? '')))) wordStart--;
    let end = pos;
    while (end < text.length && isWordChar(text, end)) end++;
    pos = wordStart;
  }

  const found = tokenAt(text, pos);
  const prev = previousToken(text, chunkStart, pos);
  const span: Span = { file, start: pos, end: Math.min(text.length, pos + Math.max(1, found.length)) };
  const foundText = pos >= text.length ? 'the end of the file' : `\`${found}\``;
  const context = contextOf(text, chunkStart, pos);
  const word = /^[A-Za-z_]\w*$/.test(found) ? found : undefined;
  const labels: Label[] = [];
  const unclosed = scan.brackets[scan.brackets.length - 1];
  // Point at an open bracket when the text ends, or a new line starts with something that can
  // only come after it was closed (a declaration in column 0, or another keyword).
  if (unclosed !== undefined && atLineStart(text, pos)
    && (pos >= text.length || text[pos - 1] === '\n' || (word !== undefined && allKeywords.includes(word)))) {
    labels.push({ span: { file, start: unclosed, end: unclosed + 1 }, message: `this \`${text[unclosed]}\` is not closed` });
  }

  if (found === '||' || text.slice(pos - 1, pos + 1) === '||') {
    return error(span, '`||` is not an operator in Flow', 'write `or` (and `??` for a default value)');
  }
  if (prev === '|' && !insideWordOf(text, pos, '|')) {
    const guess = word ? closest(word, pipelineOps) : undefined;
    return error(span, `expected an operator after \`|\`, found ${foundText}`,
      guess ? `did you mean \`${guess === 'key' ? 'key by' : guess}\`?` : `a pipeline step is one of ${operatorList}`, labels);
  }

  const expected = [...new Set(failures.map(describeFailure).filter((x): x is string => x !== undefined))];
  // `views = clicks | …` on a line of its own: a declaration without its keyword.
  if (word && atLineStart(text, pos) && /^\s*=[^=]/.test(text.slice(pos + word.length, pos + word.length + 10))
    && declWords.some((k) => expected.includes(`\`${k}\``))) {
    return {
      code: 'F0001', severity: 'error', span, message: `expected a declaration, found \`${word}\``,
      help: `declare a named stream with \`let ${word} = …\` (or a function with \`fn\`, a type with \`type\`)`,
    };
  }
  const declCount = declWords.filter((k) => expected.includes(`\`${k}\``)).length;
  // Only a new declaration can come here: the top level of the file.
  if (declCount >= 5 && expected.every((x) => x === 'the end of the file' || declWords.includes(x.slice(1, -1)))) {
    const guess = word ? closest(word, declWords) : undefined;
    return {
      code: 'F0001', severity: 'error', span,
      message: `expected a declaration, found ${foundText}`,
      help: guess
        ? `did you mean \`${guess}\`?`
        : found.startsWith('#') ? 'comments start with `//`' : `a .flow file is a list of declarations: ${declWords.join(', ')}`,
    };
  }
  if (insideWord && word && (atChunkStart(text, chunkStart, pos) || (atLineStart(text, pos) && declWords.some((k) => word.startsWith(k))))) {
    return {
      code: 'F0001', severity: 'error', span, message: `expected a declaration, found \`${word}\``,
      help: closest(word, declWords) ? `did you mean \`${closest(word, declWords)}\`?` : `a .flow file is a list of declarations: ${declWords.join(', ')}`,
    };
  }
  if (context.op === 'top' && prev === 'by' && /\btop\s+by\s*$/.test(text.slice(Math.max(chunkStart, pos - 200), pos).replace(/\s+$/, ' '))) {
    const by = text.lastIndexOf('by', pos - 1);
    return error({ file, start: by, end: by + 2 }, '`top` needs the number of rows to keep before `by`', 'for example `top 3 by views desc`');
  }
  if (prev === '->') {
    return error(span, `expected a connector after \`->\`, found ${foundText}`,
      'a sink writes to `file("out.jsonl")`, `stdout()` or `stderr()`', labels);
  }
  if (word === 'in' && !expected.includes('`in`')) {
    return error(span, 'Flow has no `in` operator', 'compare each value: `a == 1 or a == 2`; for text, `contains(s, part)`');
  }
  if (insideWord && word) {
    const guess = closest(word, allKeywords);
    return error(span, `unexpected \`${word}\`${prev ? ` after \`${prev}\`` : ''}`,
      guess ? `did you mean \`${guess}\`?` : formHelp(context), labels);
  }
  // A misspelt keyword among those expected here: `on recrd`, `gven`.
  const expectedWords = expected.filter((x) => /^`[a-z]+`$/.test(x)).map((x) => x.slice(1, -1));
  const guess = word ? closest(word, expectedWords) : undefined;
  return error(span, `expected ${summarise(expected)}${prev ? ` after \`${prev}\`` : ''}, found ${foundText}`,
    guess ? `did you mean \`${guess}\`?` : labels.length ? formHelp(context) : hintFor(found, text.slice(pos + found.length), expected, context), labels);
}

/** A malformed number or duration (`0.5s`, `1mo`, `12abc`) at or just before `pos`. */
function numberAround(text: string, pos: number): { word: string; start: number } | undefined {
  const from = Math.max(0, pos - 40);
  const re = /(?<![A-Za-z_\d])\d\w*(?:\.\w+)?/g;
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index <= pos; m = re.exec(text)) {
    const end = m.index + m[0].length;
    if (end < pos) continue;
    const valid = /^\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?$/.test(m[0]) || /^\d[\d_]*(?:ms|s|m|h|d)$/.test(m[0]);
    // `1.5e+3` is cut at the sign by the pattern; leave it to the grammar.
    if (!valid && !/[eE]$/.test(m[0])) return { word: m[0], start: m.index };
  }
  return undefined;
}

function atChunkStart(text: string, start: number, pos: number): boolean {
  return /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*$/.test(text.slice(start, pos));
}

function numberError(word: string, span: Span, make: (s: Span, m: string, h?: string) => Diagnostic): Diagnostic {
  const error = (s: Span, m: string, h?: string): Diagnostic => ({ ...make(s, m, h), code: 'F0012' });
  const frac = /^(\d[\d_]*)\.(\d+)(ms|s|m|h|d)$/.exec(word);
  if (frac) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[frac[3] as 'ms'];
    const ms = Number(`${frac[1]!.replace(/_/g, '')}.${frac[2]}`) * unit;
    const better = Number.isInteger(ms) ? wholeDuration(ms) : undefined;
    return error(span, `\`${word}\`: a duration is a whole number of one unit`,
      better ? `write \`${better}\`` : 'write it in a smaller unit, like `1500ms`');
  }
  return error(span, `\`${word}\` is not a number or a duration`,
    'numbers are written 42, 1_000, 3.5 or 1e6; durations 250ms, 5s, 10m, 2h or 1d');
}

function wholeDuration(ms: number): string {
  for (const [u, k] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % k === 0) return `${ms / k}${u}`;
  }
  return `${ms}ms`;
}

function isWordChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function insideWordOf(text: string, pos: number, ch: string): boolean {
  return text[pos] === ch && text[pos - 1] === ch;
}

function atLineStart(text: string, pos: number): boolean {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  return /^\s*$/.test(text.slice(lineStart, pos));
}

interface Scan {
  /** Offsets of the brackets still open at the position, outermost first. */
  brackets: number[];
  /** A string opened before the position and not closed on its line. */
  openString?: number;
  /** A block comment opened before the position and never closed. */
  openComment?: number;
}

/** Reads the chunk up to `pos` the way the grammar reads it: strings, comments and brackets. */
function scanTo(text: string, start: number, pos: number): Scan {
  const brackets: number[] = [];
  for (let i = start; i < pos; i++) {
    const c = text[i]!;
    if (c === '"') {
      const open = i;
      for (i++; i < text.length && text[i] !== '"' && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
      if (i >= text.length || text[i] === '\n') return { brackets, openString: open };
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return { brackets, openComment: i };
      i = close + 1;
    } else if (c === '(' || c === '[' || c === '{') brackets.push(i);
    else if (c === ')' || c === ']' || c === '}') brackets.pop();
  }
  return { brackets };
}

interface Context {
  /** The declaration keyword the chunk starts with. */
  decl?: string;
  /** The pipeline operator being written, when inside one. */
  op?: string;
}

/** Which declaration and which pipeline operator the position is in, for the help line. */
function contextOf(text: string, start: number, pos: number): Context {
  const decl = /^\s*(?:\/\/[^\n]*\n\s*)*([a-z]+)/.exec(text.slice(start, Math.min(pos + 1, start + 2000)))?.[1];
  // The nearest `|` before the position, at the position's bracket level or outside it.
  let depth = 0;
  let op: string | undefined;
  for (let i = pos - 1; i >= start && i > pos - 5000; i--) {
    const c = text[i]!;
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') depth--;
    else if (c === '>' && text[i - 1] === '-' && depth <= 0) break; // past `->`: the sink's connector
    else if (c === '|' && depth <= 0 && text[i - 1] !== '|' && text[i + 1] !== '|') {
      op = /^\s*([a-z]+)/.exec(text.slice(i + 1, i + 40))?.[1];
      break;
    }
  }
  return { decl: decl && declForms[decl] ? decl : undefined, op: op && opForms[op] ? op : undefined };
}

function formHelp(context: Context): string | undefined {
  if (context.op) return `the form is ${opForms[context.op]}`;
  if (context.decl) return `the form is ${declForms[context.decl]}`;
  return undefined;
}

function describeFailure(f: OhmFailure): string | undefined {
  const t = f.getText();
  if (f.type === 'description') {
    if (t.startsWith('not ')) return undefined;
    if (/^(a letter|a digit|an alpha-numeric character|any object|a hexadecimal digit|end of input)$/.test(t)) {
      return t === 'end of input' ? 'the end of the file' : undefined;
    }
    return t;
  }
  if (f.type === 'string') {
    if (t === '_' || t === '//' || t === '/*' || t === '\\' || t === '"') return undefined;
    if (/^(ms|s|m|h|d|e|E|T|Z|u\{|\.)$/.test(t)) return undefined;
    return `\`${t}\``;
  }
  return undefined;
}

/** `a name, \`)\` or an operator`: what was expected, grouped the way users think of it. */
function summarise(expected: string[]): string {
  let items = [...expected];
  const tail: string[] = [];
  if (['a number', 'a name', 'a string'].every((x) => items.includes(x))) {
    items = ['an expression', ...items.filter((x) => !exprStarts.has(x))];
  } else if ([...streamStarts].every((x) => items.includes(x))) {
    items = ['a stream (a name, `union(…)`, `late(…)` or `errors(…)`)', ...items.filter((x) => !streamStarts.has(x))];
  }
  // That an expression could go on with a call or `?.f` goes without saying.
  if (items.length > 2) items = items.filter((x) => x !== '`(`' && x !== '`?.`');
  if (items.filter((x) => binaryOps.has(x)).length >= 4) {
    items = items.filter((x) => !binaryOps.has(x));
    tail.push('an operator');
  }
  if (declWords.filter((k) => items.includes(`\`${k}\``)).length >= 5) {
    items = items.filter((x) => !declWords.includes(x.slice(1, -1)));
    tail.push('a new declaration');
  }
  if (items.includes('the end of the file')) {
    items = items.filter((x) => x !== 'the end of the file');
    if (!tail.includes('a new declaration')) tail.push('the end of the file');
  }
  const order = (x: string) => (x.startsWith('a ') || x.startsWith('an ') ? 0 : 1);
  items.sort((a, b) => order(a) - order(b));
  const all = [...items.slice(0, 6), ...tail];
  if (all.length === 0) return 'something else';
  if (all.length === 1) return all[0]!;
  return `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`;
}

function hintFor(found: string, after: string, expected: string[], context: Context): string | undefined {
  if (found === '=' && (expected.includes('`==`') || expected.length === 0)) return 'compare with `==`; `=` only assigns a state inside `process`';
  if (found === '&&' || found === '&') return 'write `and`';
  if (found === '!') return 'write `not` (and `!=` for inequality)';
  if (found === "'") return 'strings use double quotes: "text"';
  if (found === ';') return 'no `;` is needed: statements and declarations end at the next one';
  if (found === '#') return 'comments start with `//`';
  if (/^[A-Za-z_]\w*$/.test(found) && expected.includes('`,`') && (/^\s*:/.test(after) || expected.includes('`}`'))) {
    return 'separate fields with `,`';
  }
  return formHelp(context);
}

/** The token at `pos`, as the user would name it. */
function tokenAt(text: string, pos: number): string {
  const rest = text.slice(pos, pos + 60);
  const m = /^(?:[A-Za-z_]\w*|@[\d:TZ.+-]*|\d[\w.]*|"(?:[^"\\\n]|\\.)*"?|->|=>|\?\?|\?\.|==|!=|<=|>=|&&|\|\||\.\.\.|\S)/.exec(rest);
  return m ? m[0].slice(0, 40) : '';
}

/** The token before `pos`, skipping blanks and comments, within the chunk. */
function previousToken(text: string, start: number, pos: number): string | undefined {
  let i = pos;
  for (;;) {
    while (i > start && /\s/.test(text[i - 1]!)) i--;
    if (text.slice(i - 2, i) === '*/') {
      const open = text.lastIndexOf('/*', i - 2);
      if (open >= start) { i = open; continue; }
    }
    // A line comment ending just before.
    const lineStart = Math.max(start, text.lastIndexOf('\n', i - 1) + 1);
    const line = text.slice(lineStart, i);
    const c = line.indexOf('//');
    if (c >= 0 && !line.slice(0, c).includes('"')) { i = lineStart + c; continue; }
    break;
  }
  if (i <= start) return undefined;
  const before = text.slice(Math.max(start, i - 40), i);
  const m = /(?:[A-Za-z_]\w*|\d[\w.]*|"(?:[^"\\\n]|\\.)*"|->|\?\?|==|!=|<=|>=|\S)$/.exec(before);
  return m?.[0];
}

/** The keyword closest to a misspelt word, when it is close enough to be a typo. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of candidates) {
    if (word.startsWith(k) && word.length <= k.length + 2) return k;
    const d = editDistance(word.toLowerCase(), k);
    if (d < bestD && d <= Math.max(1, Math.floor(k.length / 3))) { best = k; bestD = d; }
  }
  return best;
}

