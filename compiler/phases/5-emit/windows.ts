/**
 * Machinery shared by the windowed operators (compiler/operators/window-aggregate.ts and
 * window-top.ts). The input side, inline in the stage that feeds the window, finds the pane or
 * session of the row and sends late rows to `late(L)`; the operator then updates its
 * accumulator or buffer. The output side is a fire function the window store calls once per key
 * and window.
 */
import type { PlanNodeOf } from '../3-plan/nodes.ts';
import { showType } from '../../../lang/types.ts';
import { prop, tsType, compileExpr, jsString, type Scope } from './expr.ts';
import { indent } from './code.ts';
import type { JobEmitter, Row } from './job-emitter.ts';
import type { UnfusedEmitter } from './unfused-emitter.ts';
import type { KeyShape } from './keys.ts';

export type WindowNode = PlanNodeOf<'WindowAggregate'> | PlanNodeOf<'WindowTop'>;

/** The live `late(L)` node of a window, if any. */
function lateOf(e: JobEmitter, n: WindowNode) {
  return e.nodes.find((x) => x.kind === 'Late' && x.inputs[0] === n.id && e.physical.live.has(x.id));
}

/** The window's state-layout line: its kind, size, keys, output row and what it keeps per key and window. */
export function windowLayout(n: WindowNode, what: string, row: string, kept: string): string {
  const keys = `[${n.keys.map((k) => `${k.name}: ${showType(k.type)}`).join(', ')}]`;
  // Sessions merge rows at most the gap apart (runtime/windows/session-store.ts): the line says
  // so, so that a checkpoint of sessions merged by the earlier rule (closer than the gap) is
  // refused, naming the change, rather than misread.
  const rule = n.window.kind === 'session' ? ` (merging rows at most ${n.window.size}ms apart)` : '';
  return `window ${n.window.kind} ${n.window.size}ms${n.window.every ? `/${n.window.every}ms` : ''}${rule} ${what} by ${keys} ${row} ${kept}${n.letName ? ` (let ${n.letName})` : ''}`;
}

/**
 * The input side's window assignment: statements that find the row's accumulator (`acc`) for
 * its key and pane (or session), a late row going to `late(L)` and leaving by `exit`.
 */
export function assignWindow(e: JobEmitter, n: WindowNode, row: Row, exit: string): { out: string[]; acc: string; t: string } {
  const out: string[] = [];
  const w = `W${n.id}`;
  const t = e.fresh('t');
  out.push(`const ${t} = ${n.window.processingTime ? 'Date.now()' : row.ts};`);
  const key = e.keyOf(n, row);
  const acc = e.fresh('a');
  if (n.window.kind === 'session') {
    out.push(`const ${acc} = ${w}.session(${key.js}, ${t});`);
    out.push(`if (${acc} === undefined) {`, ...indent(lateRow(e, n, row, t)), `  ${exit};`, '}');
  } else {
    const pane = e.fresh('pane');
    out.push(`const ${pane} = ${w}.paneOf(${t});`);
    // NaN: every window holding the row has fired already.
    out.push(`if (${pane} !== ${pane}) {`, ...indent(lateRow(e, n, row, t)), `  ${exit};`, '}');
    out.push(`const ${acc} = ${w}.acc(${pane}, ${key.js});`);
  }
  return { out, acc, t };
}

function lateRow(e: JobEmitter, n: WindowNode, row: Row, ts: string): string[] {
  const out = [`LATE${n.id}.count++;`];
  const late = lateOf(e, n);
  if (late) out.push(`${e.entryFn.get(late.id)!}(${[ts, ...e.entryFields(late).map((f) => e.field(row, f.name))].join(', ')});`);
  return out;
}

/** What a windowed operator keeps per key and window, and how its fire function is made. */
export interface WindowContents {
  /** The TypeScript type of the per-window accumulator or buffer. */
  accType: string;
  init: string;
  /** Statements merging accumulator `b` into `a` (sliding panes, merged sessions). */
  merge: string[];
  /** Extra state joining the operator's snapshot. */
  extra?: { name: string; js: string }[];
}

/** Declares a window's store and registers its operator; `contents` declares what it keeps and its fire function. */
export function declareWindow(e: JobEmitter, n: WindowNode, contents: (fire: string, keyType: string, shape: KeyShape) => WindowContents): void {
  const w = `W${n.id}`;
  e.decls.push(`const LATE${n.id} = { count: 0 };`);
  const fire = `fire${n.id}${e.suffix(n)}`;
  const shape = e.keyShapeOf(n, n.keys.map((k) => k.type));
  const keyType = shape.kind === 'none' ? 'number' : shape.kind === 'value' ? tsType(n.keys[0]!.type) : shape.kind === 'table' ? 'readonly unknown[]' : 'string';
  const { accType, init, merge, extra } = contents(fire, keyType, shape);
  const cb = `{ create: (): ${accType} => (${init}), merge: (a: ${accType}, b: ${accType}) => { ${merge.join(' ')} }, fire: ${fire} }`;
  let store: string;
  if (n.window.kind === 'session') {
    e.use('SessionWindows');
    store = `new SessionWindows<${keyType}, ${accType}>(${n.window.size}, ${cb})`;
  } else {
    e.use('PaneWindows');
    const slide = n.window.kind === 'sliding' ? n.window.every! : n.window.size;
    store = `new PaneWindows<${keyType}, ${accType}>(${n.window.size}, ${slide}, ${cb})`;
  }
  e.decls.push(`const ${w} = ${store};`);
  e.addOperator(n, w, { late: `LATE${n.id}`, keys: shape.kind === 'table', extra: extra ?? [] });
}

/** The unfused window object's common parts: its spec, key, late wiring and binding options. */
export function unfusedWindow(e: UnfusedEmitter, n: WindowNode): { scope: Scope; key: { shape: KeyShape; js: string }; spec: string; after: string[]; opts: string[] } {
  const input = e.nodes[n.inputs[0]!]!;
  const scope = e.rowScope(n, input);
  const parts = n.keys.map((k) => (input.row.fields.some((f) => f.name === k.name) ? `r${prop(k.name)}` : compileExpr(k.expr, scope, e.cx)));
  const key = e.keyFn(n, parts, n.keys.map((x) => x.type));
  const slide = n.window.kind === 'sliding' ? n.window.every! : n.window.size;
  const spec = `{ kind: ${jsString(n.window.kind)}, size: ${n.window.size}, slide: ${slide}, processingTime: ${n.window.processingTime}, key: (r: any) => ${key.js} }`;
  const late = lateOf(e, n);
  const after = late ? [`n${n.id}.late = n${late.id};`] : [];
  const opts = [`late: n${n.id}.lateCount`, ...(key.shape.kind === 'table' ? [`keys: KEYS${n.id}`] : []), ...(n.window.processingTime ? ['processingTime: true'] : [])];
  return { scope, key, spec, after, opts };
}
