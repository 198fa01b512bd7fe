/**
 * What kind of position the cursor is at, read from the text around it. Completion runs while
 * the user is typing, when the current declaration usually does not parse, so this looks at the
 * tokens before the cursor rather than at the AST.
 */
import { declarationKeywords } from '../../lang/keywords.ts';

export type CompletionPosition =
  | { kind: 'none' }
  /** After `x.` or `x?.`: the fields of `x`. */
  | { kind: 'member'; object: string }
  /** After `|`: an operator. */
  | { kind: 'operator' }
  /** Where a stream name goes (`let x = …`, `join …`, `given …`); `only` narrows it. */
  | { kind: 'stream'; only?: 'let' | 'source'; heads: boolean }
  | { kind: 'table' }
  /** After `->` of a sink or `=` of a source or table: a connector; `role` says which ones fit. */
  | { kind: 'connector'; role: 'source' | 'table' | 'sink' }
  | { kind: 'type' }
  /** At the start of a top-level line. */
  | { kind: 'declaration' }
  | { kind: 'expression' };

export interface CursorContext {
  /** The identifier characters just before the cursor. */
  prefix: string;
  position: CompletionPosition;
}

/** Is `offset` inside a comment or a string? Scans from the start of the text. */
export function inCommentOrString(text: string, offset: number): boolean {
  let i = 0;
  while (i < offset) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      if (nl < 0 || nl >= offset) return true;
      i = nl + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0 || close + 2 > offset) return true;
      i = close + 2;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      if (j >= offset) return true;
      i = j + 1;
    } else i++;
  }
  return false;
}

/** Depth of `{ [ (` nesting at the offset (strings and comments are not excluded: a heuristic). */
function depthAt(text: string, offset: number): number {
  let depth = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === '{' || c === '[' || c === '(') depth++;
    else if ((c === '}' || c === ']' || c === ')') && depth > 0) depth--;
  }
  return depth;
}

/** The start of the top-level declaration the offset is in, and its keyword. */
function enclosingDeclaration(text: string, offset: number): { keyword: string; start: number } | undefined {
  const re = new RegExp(`^(${declarationKeywords.join('|')})\\b`, 'gm');
  let found: { keyword: string; start: number } | undefined;
  for (const m of text.matchAll(re)) {
    if (m.index! >= offset) break;
    found = { keyword: m[1]!, start: m.index! };
  }
  return found;
}

export function cursorContext(text: string, offset: number): CursorContext {
  const prefix = /[A-Za-z_]\w*$/.exec(text.slice(Math.max(0, offset - 100), offset))?.[0] ?? '';
  if (inCommentOrString(text, offset)) return { prefix, position: { kind: 'none' } };
  const at = offset - prefix.length;
  const before = text.slice(Math.max(0, at - 300), at);
  const trimmed = before.replace(/\s+$/, '');
  const lineBefore = before.slice(before.lastIndexOf('\n') + 1);

  const member = /([A-Za-z_]\w*)\s*\??\.$/.exec(trimmed);
  if (member) return { prefix, position: { kind: 'member', object: member[1]! } };
  if (/(^|[^|])\|$/.test(trimmed)) return { prefix, position: { kind: 'operator' } };
  if (/\blate\s*\(\s*$/.test(trimmed)) return { prefix, position: { kind: 'stream', only: 'let', heads: false } };
  if (/\berrors\s*\(\s*$/.test(trimmed)) return { prefix, position: { kind: 'stream', only: 'source', heads: false } };
  if (/\b(?:given|expect)$/.test(trimmed)) return { prefix, position: { kind: 'stream', heads: false } };
  if (/(?:^|\n)(?:let\s+\w+\s*=|sink)$|\bjoin$|\bunion\s*\((?:[^()]*,)?\s*$/.test(trimmed)) {
    return { prefix, position: { kind: 'stream', heads: true } };
  }
  if (/\blookup$/.test(trimmed)) return { prefix, position: { kind: 'table' } };
  if (/->$/.test(trimmed)) return { prefix, position: { kind: 'connector', role: 'sink' } };
  if (/=$/.test(trimmed)) {
    const decl = enclosingDeclaration(text, at);
    if (decl && (decl.keyword === 'source' || decl.keyword === 'table') && text.slice(decl.start, at).split('=').length === 2) {
      return { prefix, position: { kind: 'connector', role: decl.keyword } };
    }
  }
  if (isTypePosition(text, at, trimmed, lineBefore)) return { prefix, position: { kind: 'type' } };
  if (lineBefore === '' && depthAt(text, at) === 0) return { prefix, position: { kind: 'declaration' } };
  return { prefix, position: { kind: 'expression' } };
}

function isTypePosition(text: string, at: number, trimmed: string, lineBefore: string): boolean {
  if (/^\s*(?:param|source|table|state)\s+\w+\s*:\s*\[*$/.test(lineBefore)) return true;
  if (!/[:[]$/.test(trimmed) && !/\btype\s+\w+\s*=$/.test(trimmed)) return false;
  const decl = enclosingDeclaration(text, at);
  if (!decl) return false;
  if (decl.keyword === 'type') return true;
  // A fn's parameter list and result type come before its `=`.
  if (decl.keyword === 'fn' || decl.keyword === 'extern') return !text.slice(decl.start, at).includes('=');
  return false;
}
