/**
 * Comments are not in the AST: `flowc fmt` collects them from the text (skipping string
 * literals) and puts each back next to the code it was written beside.
 */

export interface Comment {
  start: number;
  end: number;
  text: string;
  /** `// …` runs to the end of the line; a following token must go on the next line. */
  line: boolean;
  /** Only whitespace before it on its line (else it trails code). */
  ownLine: boolean;
}

export function scanComments(text: string): Comment[] {
  const out: Comment[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      // A string literal: it cannot span lines.
      i++;
      while (i < n && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      let end = text.indexOf('\n', i);
      if (end < 0) end = n;
      let stop = end;
      if (text[stop - 1] === '\r') stop--;
      out.push(make(text, i, stop, true));
      i = end;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? n : close + 2;
      out.push(make(text, i, end, false));
      i = end;
      continue;
    }
    i++;
  }
  return out;
}

function make(text: string, start: number, end: number, line: boolean): Comment {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const ownLine = /^[ \t]*$/.test(text.slice(lineStart, start));
  return { start, end, text: text.slice(start, end).replace(/[ \t]+$/gm, ''), line, ownLine };
}

/** Is there an empty line between two offsets? */
export function blankLineBetween(text: string, from: number, to: number): boolean {
  return from < to && /\n[ \t]*\r?\n/.test(text.slice(from, to));
}
