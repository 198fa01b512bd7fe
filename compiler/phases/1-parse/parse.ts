/**
 * Phase 1: text → AST. Syntax errors are phrased for people from ohm's rightmost failure, and
 * the parser recovers at declaration boundaries so that one file can report several of them.
 */
import type { FailedMatchResult } from 'ohm-js';
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import type { Decl, Program } from './ast.ts';
import { flowGrammar } from '../../../lang/grammar.ts';
import { buildAst } from './semantics.ts';
import { declarationKeywords } from '../../../lang/keywords.ts';
import { editDistance } from '../../diagnostics/suggest.ts';

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** Deeper bracket nesting than this is refused before parsing, so no input can overflow the stack. */
export const maxNesting = 256;

const operatorList = 'where, select, extend, unnest, key by, window, aggregate, top, dedup, join, lookup or process';
const declLine = new RegExp(`^(?=(?:${declarationKeywords.join('|')})\\b)`, 'gm');

/** Parses one .flow file. Never throws for any input text. */
export function parse(text: string, file: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const tooDeep = nestingProblem(text, file);
  if (tooDeep) return { program: program(file, text, []), diagnostics: [tooDeep] };

  const g = flowGrammar();
  const whole = g.match(text, 'Program');
  if (whole.succeeded()) {
    return { program: program(file, text, buildAst(whole, file, diagnostics)), diagnostics };
  }
  // Recovery: parse each top-level declaration on its own (each starts at a line beginning with a
  // declaration keyword), blanking the rest so that offsets stay those of the whole file.
  const decls: Decl[] = [];
  for (const [start, end] of chunks(text)) {
    const piece = blankOutside(text, start, end);
    const m = g.match(piece, 'Program');
    if (m.succeeded()) decls.push(...buildAst(m, file, diagnostics));
    else diagnostics.push(syntaxError(m as FailedMatchResult, text, file, end));
  }
  if (!diagnostics.some((d) => d.code.startsWith('F0')) ) {
    diagnostics.push(syntaxError(whole as FailedMatchResult, text, file));
  }
  return { program: program(file, text, decls), diagnostics };
}

function program(file: string, text: string, decls: Decl[]): Program {
  return { kind: 'Program', file, text, decls, span: { file, start: 0, end: text.length } };
}

function chunks(text: string): [number, number][] {
  const starts = [0];
  for (const m of text.matchAll(declLine)) if (m.index! > 0) starts.push(m.index!);
  return starts.map((s, i) => [s, starts[i + 1] ?? text.length]);
}

function blankOutside(text: string, start: number, end: number): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  return blank(text.slice(0, start)) + text.slice(start, end) + blank(text.slice(end));
}

function nestingProblem(text: string, file: string): Diagnostic | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
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

interface OhmFailure {
  getText(): string;
  type: string;
}

/** Builds the diagnostic of a failed match, in words a user of the language understands. */
function syntaxError(m: FailedMatchResult, text: string, file: string, chunkEnd = text.length): Diagnostic {
  // A failure in the blanked text after a declaration is really at the next declaration.
  const pos = Math.min(m.getRightmostFailurePosition(), chunkEnd);
  const failures = (m as unknown as { getRightmostFailures(): OhmFailure[] }).getRightmostFailures();
  const expected = [...new Set(failures.map(describeFailure).filter((x): x is string => x !== undefined))];
  const found = tokenAt(text, pos);
  const prev = previousToken(text, pos);
  const span: Span = { file, start: pos, end: Math.min(text.length, pos + Math.max(1, found.length)) };
  const foundText = pos >= text.length ? 'the end of the file' : `\`${found}\``;

  if (prev === '|') {
    return {
      code: 'F0002', severity: 'error', span,
      message: `expected an operator after \`|\`, found ${foundText}`,
      help: `a pipeline step is one of ${operatorList}`,
    };
  }
  const atDeclStart = expected.includes('`job`') && expected.includes('`let`');
  if (atDeclStart) {
    const guess = /^[A-Za-z_]\w*$/.test(found) ? closeKeyword(found) : undefined;
    return {
      code: 'F0001', severity: 'error', span,
      message: `expected a declaration, found ${foundText}`,
      help: guess
        ? `did you mean \`${guess}\`?`
        : `a .flow file is a list of declarations: ${declarationKeywords.filter((k) => k !== 'from').join(', ')}`,
    };
  }
  const list = summarise(expected);
  return {
    code: 'F0002', severity: 'error', span,
    message: `expected ${list}${prev ? ` after \`${prev}\`` : ''}, found ${foundText}`,
    help: hintFor(prev, found, expected),
  };
}

const exprStarts = new Set([
  'a name', 'a string', 'a number', 'a timestamp', 'a duration', '`null`', '`true`', '`false`', '`if`', '`not`',
  '`-`', '`(`', '`[`', '`{`',
]);

function describeFailure(f: OhmFailure): string | undefined {
  const t = f.getText();
  if (f.type === 'description') {
    if (/^(a letter|a digit|an alpha-numeric character|any object|a hexadecimal digit|end of input)$/.test(t)) {
      return t === 'end of input' ? 'the end of the file' : undefined;
    }
    return t;
  }
  if (f.type === 'string') {
    if (t === '_' || t === '//' || t === '/*' || t === '\\') return undefined;
    if (/^(ms|s|m|h|d|e|E|T|Z|u\{)$/.test(t)) return undefined;
    return `\`${t}\``;
  }
  return undefined;
}

function summarise(expected: string[]): string {
  if (expected.length === 0) return 'something else';
  if (expected.includes('a number') && expected.includes('a name') && expected.includes('a string')) {
    const rest = expected.filter((x) => !exprStarts.has(x));
    expected = ['an expression', ...rest];
  }
  const order = (x: string) => (x.startsWith('a ') || x.startsWith('an ') ? 0 : 1);
  const sorted = [...expected].sort((a, b) => order(a) - order(b));
  const shown = sorted.slice(0, 7);
  const more = sorted.length > shown.length ? ', …' : '';
  if (shown.length === 1) return shown[0]!;
  return `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}${more}`;
}

function hintFor(prev: string | undefined, found: string, expected: string[]): string | undefined {
  if (found === '=' && expected.includes('`==`')) return 'compare with `==`; `=` only assigns state inside `process`';
  if (found === '&&' || found === '&') return 'write `and`';
  if (found === '||') return 'write `or` (and `??` for a default value)';
  if (found === '!') return 'write `not` (and `!=` for inequality)';
  if (found === "'") return 'strings use double quotes: "text"';
  if (prev === 'window') return 'a window is `tumbling D`, `sliding D every S` or `session GAP`';
  if (prev === 'key') return 'write `key by field, …`';
  if (expected.includes('`->`')) return 'a sink is `sink STREAM -> connector(args)`';
  return undefined;
}

function tokenAt(text: string, pos: number): string {
  const rest = text.slice(pos);
  const m = /^(?:[A-Za-z_]\w*|\d[\w.]*|"(?:[^"\\\n]|\\.)*"?|->|\?\?|\?\.|==|!=|<=|>=|&&|\|\||\.\.\.|\S)/.exec(rest);
  return m ? m[0].slice(0, 40) : '';
}

function previousToken(text: string, pos: number): string | undefined {
  let i = pos;
  for (;;) {
    while (i > 0 && /\s/.test(text[i - 1]!)) i--;
    // Skip a line comment ending just before.
    const lineStart = text.lastIndexOf('\n', i - 1) + 1;
    const line = text.slice(lineStart, i);
    const c = line.indexOf('//');
    if (c >= 0 && !line.slice(0, c).includes('"')) { i = lineStart + c; continue; }
    break;
  }
  if (i === 0) return undefined;
  const before = text.slice(Math.max(0, i - 40), i);
  const m = /(?:[A-Za-z_]\w*|\d[\w.]*|->|\?\?|==|!=|<=|>=|\S)$/.exec(before);
  return m?.[0];
}

const declWords = declarationKeywords.filter((k) => k !== 'from');

function closeKeyword(word: string): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of declWords) {
    const d = editDistance(word.toLowerCase(), k);
    if (d < bestD && d <= Math.max(1, Math.floor(k.length / 3))) { best = k; bestD = d; }
  }
  return best;
}
