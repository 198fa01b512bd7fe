/**
 * Text helpers for generated code, shared by every emitter (a leaf module: it imports nothing).
 */

export function indent(lines: string[], by = '  '): string[] {
  return lines.map((l) => (l ? by + l.replace(/\n/g, `\n${by}`) : l));
}

/** `(x)` unless `x` is already a name, a call on a name or parenthesised. */
export function paren(js: string): string {
  return /^[\w$.]+$/.test(js) || (/^\(.*\)$/.test(js) && balanced(js.slice(1, -1))) ? js : `(${js})`;
}

function balanced(s: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}
