/**
 * Windowed operators. The input side (inline in the stage that feeds the window) finds the pane
 * or session of the row, sends late rows to `late(L)`, and updates a specialised accumulator
 * (`aggregate`) or buffers the row's demanded fields (`top`). The output side is a fire
 * function the window store calls once per key and window, which runs the next stage.
 */
import type { PlanNode } from '../3-plan/plan.ts';
import { nonNull } from '../2-check/types.ts';
import { compileExpr, commentText, tsType, type Scope } from './expr.ts';
import { indent, type JobEmitter, type Row } from './job-emitter.ts';
import { accumulatorLayout, accumulatorUpdate, type AccumulatorLayout } from './aggregates.ts';
import { keyParts } from './keys.ts';

type WindowNode = PlanNode & { kind: 'WindowAggregate' | 'WindowTop' };

const layouts = new WeakMap<JobEmitter, Map<number, AccumulatorLayout>>();

/** The accumulator layout of a window aggregate: only the aggregates someone reads. */
function layoutOf(e: JobEmitter, n: PlanNode & { kind: 'WindowAggregate' }): AccumulatorLayout {
  let m = layouts.get(e);
  if (!m) { m = new Map(); layouts.set(e, m); }
  let l = m.get(n.id);
  if (!l) {
    l = accumulatorLayout(n.aggregates.filter((a) => e.demanded(n.id, a.name)).map((a) => a.expr));
    m.set(n.id, l);
    e.typeAliases.push(`/** Accumulator of window n${n.id}${n.letName ? ` (let ${commentText(n.letName)})` : ''}. */\ntype Acc${n.id} = { ${l.fields.join('; ')} };`);
  }
  return l;
}

/** Fields a `top` buffers per row: those read downstream, besides `rank`. */
function topFields(e: JobEmitter, n: PlanNode & { kind: 'WindowTop' }) {
  return e.nodes[n.input]!.row.fields.filter((f) => e.demanded(n.id, f.name));
}

/** The input side of a window: inline in the stage feeding it. */
export function windowInput(e: JobEmitter, n: WindowNode, row: Row, exit: string): string[] {
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
  if (n.kind === 'WindowTop') {
    const by = compileExpr(n.by, row.scope, e.cx);
    const fields = topFields(e, n).map((f) => e.field(row, f.name));
    if (n.n === 1) {
      // The buffer holds only rank-1 rows (with ties: all of them; without: the first to arrive).
      const v = /^[A-Za-z_$][\w$]*$/.test(by) ? by : e.fresh('v');
      const q = e.fresh('q');
      const keep = e.fresh('keep');
      const b0 = e.fresh('b');
      const c = topCompare(e, n);
      if (v !== by) out.push(`const ${v} = ${by};`);
      out.push(`const ${q} = SEQ${n.id}++;`, `let ${keep} = true;`);
      out.push(`if (${acc}.length !== 0) {`, `  const ${b0} = ${acc}[0]![0];`);
      out.push(`  if (${c.better(v, b0)}) ${acc}.length = 0;`);
      out.push(n.withTies ? `  else ${keep} = ${c.same(v, b0)};` : `  else ${keep} = false;`, '}');
      out.push(`if (${keep}) ${acc}.push([${[v, q, ...fields].join(', ')}]);`);
    } else {
      // Candidates only: pruned to rank <= N once the buffer grows past 2N+16 rows, at powers of two.
      e.use('rt_topPrune');
      out.push(`${acc}.push([${[by, `SEQ${n.id}++`, ...fields].join(', ')}]);`);
      out.push(`if (${acc}.length > ${2 * n.n + 16} && (${acc}.length & (${acc}.length - 1)) === 0) rt_topPrune(${acc}, ${n.n}, ${n.withTies}, TOPCMP${n.id}, TOPSAME${n.id});`);
    }
  } else {
    const layout = layoutOf(e, n);
    const update = accumulatorUpdate(layout, row.scope, e.cx, t);
    if (update.length) out.push('{', `  const a = ${acc};`, ...indent(update), '}');
  }
  return out;
}

function lateRow(e: JobEmitter, n: WindowNode, row: Row, ts: string): string[] {
  const out = [`LATE${n.id}.count++;`];
  const late = e.nodes.find((x) => x.kind === 'Late' && x.of === n.id && e.physical.live.has(x.id));
  if (late) out.push(`${e.entryFn.get(late.id)!}(${[ts, ...e.entryFields(late).map((f) => e.field(row, f.name))].join(', ')});`);
  return out;
}

/** Declares a window's store and the fire function that runs its output stage. */
export function declareWindow(e: JobEmitter, n: WindowNode): void {
  const w = `W${n.id}`;
  e.decls.push(`const LATE${n.id} = { count: 0 };`);
  const fire = `fire${n.id}${e.suffix(n)}`;
  const shape = e.keyShapeOf(n, n.keys.map((k) => k.type));
  const keyType = shape.kind === 'none' ? 'number' : shape.kind === 'value' ? tsType(n.keys[0]!.type) : shape.kind === 'table' ? 'readonly unknown[]' : 'string';
  let accType: string;
  let init: string;
  let merge: string[];
  if (n.kind === 'WindowAggregate') {
    const layout = layoutOf(e, n);
    accType = `Acc${n.id}`;
    init = `{ ${layout.init.join(', ')} }`;
    merge = layout.merge;
    e.fn(aggregateFire(e, n, fire, layout, keyType, shape));
  } else {
    e.decls.push(`let SEQ${n.id} = 0;`);
    const c = topCompare(e, n);
    e.use('rt_topPrune');
    e.decls.push(`/** Order of window n${n.id}'s top rows: value, then arrival. */\nconst TOPCMP${n.id} = (x: unknown[], y: unknown[]): number => ${c.cmp('x[0]', 'y[0]')} || (x[1] as number) - (y[1] as number);`);
    e.decls.push(`const TOPSAME${n.id} = (a: unknown, b: unknown): boolean => ${c.same('a', 'b')};`);
    accType = 'unknown[][]';
    init = '[]';
    merge = ['for (let i = 0; i < b.length; i++) a.push(b[i]!);'];
    // top 1 keeps only rank-1 rows in a buffer (its first row is a best one): so must a merge.
    if (n.n === 1) merge.push(`if (a.length > 1) rt_topPrune(a, 1, ${n.withTies}, TOPCMP${n.id}, TOPSAME${n.id});`);
    e.fn(topFire(e, n, fire, keyType));
  }
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
  const extra = n.kind === 'WindowTop' ? [{ name: 'q', js: `SEQ${n.id}` }] : [];
  e.addOperator(n, w, { late: `LATE${n.id}`, keys: shape.kind === 'table', extra });
}

function aggregateFire(e: JobEmitter, n: PlanNode & { kind: 'WindowAggregate' }, fire: string, layout: AccumulatorLayout, keyType: string, shape: ReturnType<JobEmitter['keyShapeOf']>) {
  const body: string[] = [];
  const parts = keyParts(shape, 'key', body, () => e.fresh('k'));
  const fields = new Map<string, string>(n.keys.map((k, i) => [k.name, parts[i]!]));
  fields.set('window_start', 'start');
  fields.set('window_end', 'end');
  const scope: Scope = {
    fields: new Map(fields), qualifiers: new Map(), params: e.params, overrides: layout.results,
    locals: new Map([['window_start', 'start'], ['window_end', 'end']]),
  };
  const outFields = new Map(fields);
  for (const a of n.aggregates) {
    if (!e.demanded(n.id, a.name)) continue;
    const js = compileExpr(a.expr, scope, e.cx);
    const v = e.fresh();
    body.push(`const ${v} = ${js};`);
    outFields.set(a.name, v);
  }
  body.push('const ts = end - 1;');
  body.push(...e.consumers(n.id, { scope: { fields: outFields, qualifiers: new Map(), locals: new Map(), params: e.params }, ts: 'ts' }, 'return'));
  return {
    name: fire,
    doc: `Stage: window ${commentText(n.letName ?? `n${n.id}`)} fired; one row per key and window.`,
    params: [{ name: 'key', type: keyType }, { name: 'a', type: `Acc${n.id}` }, { name: 'start', type: 'number' }, { name: 'end', type: 'number' }],
    returnType: 'void',
    body,
  };
}

/** How a `top` compares values: `cmp` (negative: first is better), `better`, `same` (the same rank). */
function topCompare(e: JobEmitter, n: PlanNode & { kind: 'WindowTop' }) {
  const byType = n.by.ty ?? { kind: 'error' };
  const numeric = !['nullable', 'null'].includes(byType.kind) && ['int', 'float', 'timestamp', 'duration'].includes(nonNull(byType).kind);
  if (numeric) {
    const num = (x: string) => (/^[A-Za-z_$][\w$]*$/.test(x) ? x : `(${x} as number)`);
    return {
      cmp: (x: string, y: string) => (n.descending ? `(${y} as number) - (${x} as number)` : `(${x} as number) - (${y} as number)`),
      better: (x: string, y: string) => `${num(x)} ${n.descending ? '>' : '<'} (${y} as number)`,
      same: (x: string, y: string) => `${x} === ${y}`,
    };
  }
  e.use('rt_cmp');
  return {
    cmp: (x: string, y: string) => `rt_cmp(${x}, ${y}, ${n.descending})`,
    better: (x: string, y: string) => `rt_cmp(${x}, ${y}, ${n.descending}) < 0`,
    same: (x: string, y: string) => `rt_cmp(${x}, ${y}, false) === 0`,
  };
}

/** `top N by …`: sort (by value, then arrival), rank as SQL's RANK, cut at N (or at rank N with ties). */
function topFire(e: JobEmitter, n: PlanNode & { kind: 'WindowTop' }, fire: string, keyType: string) {
  const body: string[] = [];
  const byType = n.by.ty ?? { kind: 'error' };
  const numeric = !['nullable', 'null'].includes(byType.kind) && ['int', 'float', 'timestamp', 'duration'].includes(nonNull(byType).kind);
  let cmp: string;
  let tie: string;
  if (numeric) {
    cmp = n.descending ? '(y[0] as number) - (x[0] as number)' : '(x[0] as number) - (y[0] as number)';
    tie = 'rows[j - 1]![0] !== r[0]';
  } else {
    e.use('rt_cmp');
    cmp = `rt_cmp(x[0], y[0], ${n.descending})`;
    tie = 'rt_cmp(rows[j - 1]![0], r[0], false) !== 0';
  }
  body.push(`const rows = a.sort((x, y) => ${cmp} || (x[1] as number) - (y[1] as number));`);
  body.push('const ts = end - 1;');
  body.push('let rank = 0;');
  body.push('for (let j = 0; j < rows.length; j++) {');
  const loop: string[] = ['const r = rows[j]!;'];
  loop.push(`if (j === 0 || ${tie}) rank = j + 1;`);
  loop.push(n.withTies ? `if (rank > ${n.n}) break;` : `if (j >= ${n.n}) break;`);
  const fields = new Map<string, string>();
  const stored = topFields(e, n);
  stored.forEach((f, i) => {
    const v = e.fresh('c');
    loop.push(`const ${v} = r[${i + 2}] as ${tsType(f.type)};`);
    fields.set(f.name, v);
  });
  fields.set('rank', 'rank');
  loop.push(...e.consumers(n.id, { scope: { fields, qualifiers: new Map(), locals: new Map(), params: e.params }, ts: 'ts' }, 'continue'));
  body.push(...indent(loop), '}');
  return {
    name: fire,
    doc: `Stage: window ${commentText(n.letName ?? `n${n.id}`)} fired; its top ${n.n} rows per key, ranked.`,
    params: [{ name: '_key', type: keyType }, { name: 'a', type: 'unknown[][]' }, { name: 'start', type: 'number' }, { name: 'end', type: 'number' }],
    returnType: 'void',
    body,
  };
}
