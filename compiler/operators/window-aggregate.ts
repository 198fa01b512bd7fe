/**
 * `key by K | window … | aggregate { name: EXPR, … }`: one row per key and window. The input side
 * updates a specialised accumulator inline (only the aggregates someone reads); the fire
 * function computes each output expression over the accumulator's results.
 */
import type * as A from '../phases/1-parse/ast.ts';
import type { PlanNodeOf } from '../phases/3-plan/nodes.ts';
import { input } from '../phases/3-plan/nodes.ts';
import { showExpr, showKeys, showWindow } from '../phases/3-plan/show.ts';
import { demands, exprReads } from '../phases/4-fuse/optimize/reads.ts';
import { isNullable, showRow, showType } from '../../lang/types.ts';
import { compileExpr, commentText, jsString, type Scope } from '../phases/5-emit/expr.ts';
import { indent } from '../phases/5-emit/code.ts';
import { keyParts, type KeyShape } from '../phases/5-emit/keys.ts';
import { accumulatorLayout, accumulatorUpdate, type AccumulatorLayout } from '../phases/5-emit/aggregates.ts';
import { assignWindow, declareWindow, unfusedWindow, windowLayout } from '../phases/5-emit/windows.ts';
import type { GeneratedFunction, JobEmitter } from '../phases/5-emit/job-emitter.ts';
import type { Operator } from './operator.ts';

type WindowAggregate = PlanNodeOf<'WindowAggregate'>;

const layouts = new WeakMap<JobEmitter, Map<number, AccumulatorLayout>>();

/** The accumulator layout of a window aggregate: only the aggregates someone reads. */
function layoutOf(e: JobEmitter, n: WindowAggregate): AccumulatorLayout {
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

function aggregateFire(e: JobEmitter, n: WindowAggregate, fire: string, layout: AccumulatorLayout, keyType: string, shape: KeyShape): GeneratedFunction {
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

const pruned = (n: WindowAggregate, demanded: (f: string) => boolean) => n.aggregates.filter((a) => !demanded(a.name)).map((a) => a.name);

export const windowAggregate: Operator<'WindowAggregate'> = {
  kind: 'WindowAggregate',
  describe: (n) => `${showWindow(n.window)}${showKeys(n.keys)} aggregate { ${n.aggregates.map((a) => `${a.name}: ${showExpr(a.expr)}`).join(', ')} }`,
  entry: 'operator',
  shuffle: false,
  sideOutput: false,
  deferred: {
    stage: 'fire',
    explainInput: (p, n) => {
      const dropped = pruned(n, (f) => demands(p.demand.get(n.id), f));
      return `accumulate${dropped.length ? `   (pruned: ${dropped.join(', ')})` : ''}`;
    },
    explainOutput: 'window results',
  },
  mapExprs: (n, f) => {
    const aggregates = n.aggregates.map((a) => ({ ...a, expr: f(a.expr) }));
    return aggregates.every((a, i) => a.expr === n.aggregates[i]!.expr) ? n : { ...n, aggregates };
  },
  demand: (n, cx) => {
    const scope = cx.scopeOf(cx.node(input(n)), n);
    const reads = new Set<string>();
    for (const k of n.keys) exprReads(k.expr, scope, reads);
    for (const a of n.aggregates) if (cx.has(a.name)) exprReads(a.expr, scope, reads);
    cx.need(input(n), reads);
  },
  pruned,
  pushdown: null,
  // The accumulators are positional: which aggregates are kept, of what, in which order.
  layout: (n, cx) => {
    const calls = accumulatorLayout(n.aggregates.filter((a) => cx.demanded(n.id, a.name)).map((a) => a.expr)).calls;
    const acc = calls.map((c) => `${showExpr(c)}: ${showType(c.ty ?? { kind: 'error' })}`).join(', ');
    return windowLayout(n, 'aggregate', showRow(n.row), `accumulators [${acc}]`);
  },
  fused: {
    declare: {
      pass: 'outputs',
      emit: (e, n) => declareWindow(e, n, (fire, keyType, shape) => {
        const layout = layoutOf(e, n);
        e.fn(aggregateFire(e, n, fire, layout, keyType, shape));
        return { accType: `Acc${n.id}`, init: `{ ${layout.init.join(', ')} }`, merge: layout.merge };
      }),
    },
    row: (e, n, row, exit) => {
      const { out, acc, t } = assignWindow(e, n, row, exit);
      const update = accumulatorUpdate(layoutOf(e, n), row.scope, e.cx, t);
      if (update.length) out.push('{', `  const a = ${acc};`, ...indent(update), '}');
      return out;
    },
  },
  unfused: {
    declare: null,
    build: (e, n, next) => {
      const { scope: s, key: k, spec, after, opts } = unfusedWindow(e, n);
      const demanded = n.aggregates.filter((a) => e.demanded(n.id, a.name));
      const layout = accumulatorLayout(demanded.map((a) => a.expr));
      const specs = layout.calls.map((call) => {
        const nullableArg = call.callee.name === 'min_by' || call.callee.name === 'max_by' ? 1 : 0;
        const args = call.args.map((a) => `(r: any) => ${compileExpr(a.value, s, e.cx)}`);
        return `{ fn: ${jsString(call.callee.name)}, args: [${args.join(', ')}], nullable: ${isNullable(call.args[nullableArg]?.value.ty ?? { kind: 'error' })} }`;
      });
      // Output row: key parts, window bounds, then each aggregate expression over the results `v`.
      const body: string[] = [];
      const keyJs = keyParts(k.shape, 'k', body, () => e.fresh('k'));
      const fields = new Map<string, string>(n.keys.map((x, i) => [x.name, keyJs[i]!]));
      const overrides = new Map<A.Expr, string>(layout.calls.map((c, i) => [c, `v[${i}]`]));
      const scope: Scope = { fields: new Map([...fields, ['window_start', 'start'], ['window_end', 'end']]), qualifiers: new Map(), locals: new Map([['window_start', 'start'], ['window_end', 'end']]), params: e.params, overrides };
      const out: [string, string][] = [];
      for (const f of n.row.fields) {
        if (!e.demanded(n.id, f.name)) continue;
        const agg = demanded.find((a) => a.name === f.name);
        out.push([f.name, agg ? compileExpr(agg.expr, scope, e.cx) : fields.get(f.name) ?? (f.name === 'window_start' ? 'start' : 'end')]);
      }
      const output = body.length ? `(k: any, start: number, end: number, v: any[]) => { ${body.join(' ')} return ${e.object(out)}; }` : `(k: any, start: number, end: number, v: any[]) => ${e.object(out)}`;
      e.add(n, `new unfused.WindowAggregate(${spec}, [${specs.join(', ')}], ${output}, ${next()})`, after);
      e.binding(n, `n${n.id}.store`, opts);
    },
    qualifiedRows: 'none',
    port: null,
  },
};
