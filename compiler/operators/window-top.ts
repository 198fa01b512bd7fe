/**
 * `key by K | window … | top N by E [asc|desc] [with ties]`: the N best input rows per key and
 * window, ranked as SQL's RANK. The input side buffers candidate rows (for `top 1` only the best
 * so far; otherwise pruned to rank ≤ N as the buffer grows); the fire function sorts by value,
 * then arrival, and cuts at N (or at rank N with ties).
 */
import type { PlanNodeOf } from '../phases/3-plan/nodes.ts';
import { input } from '../phases/3-plan/nodes.ts';
import { showExpr, showKeys, showWindow } from '../phases/3-plan/show.ts';
import { demands, exprReads, WHOLE_ROW } from '../phases/4-fuse/optimize/reads.ts';
import { nonNull, showRow, showType } from '../../lang/types.ts';
import { compileExpr, commentText, prop, tsType } from '../phases/5-emit/expr.ts';
import { indent } from '../phases/5-emit/code.ts';
import { assignWindow, declareWindow, unfusedWindow, windowLayout } from '../phases/5-emit/windows.ts';
import type { GeneratedFunction, JobEmitter } from '../phases/5-emit/job-emitter.ts';
import type { Operator } from './operator.ts';

type WindowTop = PlanNodeOf<'WindowTop'>;

/** Fields a `top` buffers per row: those read downstream, besides `rank`. */
function topFields(e: JobEmitter, n: WindowTop) {
  return e.nodes[input(n)]!.row.fields.filter((f) => e.demanded(n.id, f.name));
}

/** Is the ranking value a number (compared with `-`), or compared with `rt_cmp`? */
function numericBy(n: WindowTop): boolean {
  const byType = n.by.ty ?? { kind: 'error' };
  return !['nullable', 'null'].includes(byType.kind) && ['int', 'float', 'timestamp', 'duration'].includes(nonNull(byType).kind);
}

/** How a `top` compares values: `cmp` (negative: first is better), `better`, `same` (the same rank). */
function topCompare(e: JobEmitter, n: WindowTop) {
  if (numericBy(n)) {
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

/** The fire function: sort (by value, then arrival), rank as SQL's RANK, cut at N (or at rank N with ties). */
function topFire(e: JobEmitter, n: WindowTop, fire: string, keyType: string): GeneratedFunction {
  const body: string[] = [];
  let cmp: string;
  let tie: string;
  if (numericBy(n)) {
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
  topFields(e, n).forEach((f, i) => {
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

export const windowTop: Operator<'WindowTop'> = {
  kind: 'WindowTop',
  describe: (n) => `${showWindow(n.window)}${showKeys(n.keys)} top ${n.n} by ${showExpr(n.by)}${n.descending ? ' desc' : ''}${n.withTies ? ' with ties' : ''}`,
  entry: 'operator',
  shuffle: false,
  sideOutput: false,
  deferred: {
    stage: 'fire',
    explainInput: (p, n) => `buffer { ${p.logical.nodes[input(n)]!.row.fields.map((f) => f.name).filter((f) => demands(p.demand.get(n.id), f)).join(', ')} }`,
    explainOutput: 'window results',
  },
  mapExprs: (n, f) => {
    const by = f(n.by);
    return by === n.by ? n : { ...n, by };
  },
  demand: (n, cx) => {
    const scope = cx.scopeOf(cx.node(input(n)), n);
    const reads = new Set<string>(cx.all ? [WHOLE_ROW] : [...cx.demanded].filter((f) => f !== 'rank'));
    for (const k of n.keys) exprReads(k.expr, scope, reads);
    exprReads(n.by, scope, reads);
    cx.need(input(n), reads);
  },
  pruned: () => [],
  pushdown: null,
  // Buffered rows are positional: the ranking value, then the fields read downstream.
  layout: (n, cx) => {
    const kept = n.row.fields.filter((f) => f.name !== 'rank' && cx.demanded(n.id, f.name)).map((f) => `${f.name}: ${showType(f.type)}`);
    return windowLayout(n, `top ${n.n}`, showRow(n.row), `buffers [${showExpr(n.by)}${n.descending ? ' desc' : ''}; ${kept.join(', ')}]`);
  },
  fused: {
    declare: {
      pass: 'outputs',
      emit: (e, n) => declareWindow(e, n, (fire, keyType) => {
        e.decls.push(`let SEQ${n.id} = 0;`);
        const c = topCompare(e, n);
        e.use('rt_topPrune');
        e.decls.push(`/** Order of window n${n.id}'s top rows: value, then arrival. */\nconst TOPCMP${n.id} = (x: unknown[], y: unknown[]): number => ${c.cmp('x[0]', 'y[0]')} || (x[1] as number) - (y[1] as number);`);
        e.decls.push(`const TOPSAME${n.id} = (a: unknown, b: unknown): boolean => ${c.same('a', 'b')};`);
        const merge = ['for (let i = 0; i < b.length; i++) a.push(b[i]!);'];
        // top 1 keeps only rank-1 rows in a buffer (its first row is a best one): so must a merge.
        if (n.n === 1) merge.push(`if (a.length > 1) rt_topPrune(a, 1, ${n.withTies}, TOPCMP${n.id}, TOPSAME${n.id});`);
        e.fn(topFire(e, n, fire, keyType));
        return { accType: 'unknown[][]', init: '[]', merge, extra: [{ name: 'q', js: `SEQ${n.id}` }] };
      }),
    },
    row: (e, n, row, exit) => {
      const { out, acc } = assignWindow(e, n, row, exit);
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
      return out;
    },
  },
  unfused: {
    declare: null,
    build: (e, n, next) => {
      const { scope: s, spec, after, opts } = unfusedWindow(e, n);
      let cmp: string;
      let same: string;
      if (numericBy(n)) {
        cmp = n.descending ? '(x: any, y: any) => (y[0] - x[0]) || (x[1] - y[1])' : '(x: any, y: any) => (x[0] - y[0]) || (x[1] - y[1])';
        same = '(a: any, b: any) => a === b';
      } else {
        e.use('rt_cmp');
        cmp = `(x: any, y: any) => rt_cmp(x[0], y[0], ${n.descending}) || (x[1] - y[1])`;
        same = '(a: any, b: any) => rt_cmp(a, b, false) === 0';
      }
      const kept = n.row.fields.filter((f) => e.demanded(n.id, f.name)).map((f): [string, string] => [f.name, f.name === 'rank' ? 'rank' : `r${prop(f.name)}`]);
      const output = `(r: any, rank: number) => ${e.object(kept)}`;
      e.add(n, `new unfused.WindowTop(${spec}, (r: any) => ${compileExpr(n.by, s, e.cx)}, ${n.n}, ${n.withTies}, ${cmp}, ${same}, ${output}, ${next()})`, after);
      e.binding(n, `n${n.id}.store`, [...opts, `extra: { get: () => n${n.id}.seq, set: (v: any) => { n${n.id}.seq = v; } }`]);
    },
    qualifiedRows: 'none',
    port: null,
  },
};
