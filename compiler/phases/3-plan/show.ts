/**
 * Flow spellings of expressions and durations for plan printouts (`flowc explain`, snapshots).
 * Deterministic and on one line; parentheses only where precedence needs them.
 */
import type * as A from '../1-parse/ast.ts';
import type { ConnectorInfo } from '../2-check/connectors.ts';
import type { WindowInfo } from '../../../lang/types.ts';

/** `60000` → `1m`, `1500` → `1500ms`. */
export function showDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const [u, k] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % k === 0) return `${ms / k}${u}`;
  }
  return `${ms}ms`;
}

/** Binding strength of each binary operator (higher binds tighter), as in lang/flow.ohm. */
const precedence: Record<A.BinaryOp, number> = {
  or: 1, and: 2, '==': 4, '!=': 4, '<': 4, '<=': 4, '>': 4, '>=': 4, '??': 5, '+': 6, '-': 6, '*': 7, '/': 7, '%': 7,
};

function level(e: A.Expr): number {
  switch (e.kind) {
    case 'If': return 0;
    case 'Binary': return precedence[e.op];
    case 'Unary': return e.op === 'not' ? 3 : 8;
    case 'Literal': case 'Name': case 'Member': case 'Call': case 'Record': case 'List': return 9;
  }
}

/** A string literal as Flow writes it, with every control or line-breaking character escaped. */
export function showString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029 || (c >= 0xd800 && c <= 0xdfff)) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

function literal(e: A.ExprOf<'Literal'>): string {
  if (e.value === null) return 'null';
  if (typeof e.value === 'string') return showString(e.value);
  if (typeof e.value === 'boolean') return String(e.value);
  switch (e.litType) {
    case 'duration': return showDuration(e.value);
    case 'timestamp': return `@${new Date(e.value).toISOString().replace('.000Z', 'Z')}`;
    case 'float': return Number.isInteger(e.value) && Math.abs(e.value) < 1e21 ? e.value.toFixed(1) : String(e.value);
    default: return String(e.value);
  }
}

export function showExpr(e: A.Expr): string {
  const sub = (x: A.Expr, min: number) => (level(x) < min ? `(${showExpr(x)})` : showExpr(x));
  switch (e.kind) {
    case 'Literal': return literal(e);
    case 'Name': return e.name;
    case 'Member': return `${sub(e.object, 9)}${e.safe ? '?.' : '.'}${e.field.name}`;
    case 'Call': return `${e.callee.name}(${e.args.map((a) => `${a.name ? `${a.name.name}: ` : ''}${showExpr(a.value)}`).join(', ')})`;
    case 'Unary': return e.op === 'not' ? `not ${sub(e.operand, 3)}` : `-${sub(e.operand, 8)}`;
    case 'Binary': {
      const p = precedence[e.op];
      // Left-associative operators: the right operand needs parentheses at equal strength; `??`
      // is right-associative; comparisons do not chain.
      const right = e.op === '??' ? p : p + 1;
      const left = e.op === '??' || p === 4 ? p + 1 : p;
      return `${sub(e.left, left)} ${e.op} ${sub(e.right, right)}`;
    }
    case 'If': return `if ${showExpr(e.cond)} then ${showExpr(e.then)} else ${showExpr(e.else)}`;
    case 'Record': return showRecord(e);
    case 'List': return `[${e.items.map(showExpr).join(', ')}]`;
  }
}

/** `{ user, secs: duration_ms / 1000 }`; a field copied under its own name is shown short. */
export function showRecord(r: A.RecordExpr, only?: Set<string>): string {
  const items = r.items
    .filter((i) => !only || i.kind === 'Spread' || only.has(i.name.name))
    .map((i) => {
      if (i.kind === 'Spread') return `...${showExpr(i.expr)}`;
      const v = showExpr(i.value);
      return v === i.name.name ? v : `${i.name.name}: ${v}`;
    });
  return items.length ? `{ ${items.join(', ')} }` : '{}';
}

/** `window sliding 10s every 2s`, `window tumbling 1m processing time`. */
export function showWindow(w: WindowInfo): string {
  const spec = w.kind === 'sliding' ? `sliding ${showDuration(w.size)} every ${showDuration(w.every!)}` : `${w.kind} ${showDuration(w.size)}`;
  return `window ${spec}${w.processingTime ? ' processing time' : ''}`;
}

/** ` by a, b` (nothing for no keys). */
export function showKeys(ks: { name: string }[]): string {
  return ks.length ? ` by ${ks.map((k) => k.name).join(', ')}` : '';
}

/** `file("x.jsonl") jsonl`: a connector with its arguments as written. */
export function showConnector(c: ConnectorInfo): string {
  const args = Object.entries(c.args).map(([k, v]) => (k === 'path' ? showExpr(v) : `${k}: ${showExpr(v)}`));
  return `${c.name}(${args.join(', ')})${c.format ? ` ${c.format}` : ''}`;
}
