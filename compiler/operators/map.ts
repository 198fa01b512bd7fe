/**
 * `select { … }` and `extend { … }`: computes each output field that someone reads into a local
 * (fused) or a new row object (unfused); the row's event time is kept.
 */
import type * as A from '../phases/1-parse/ast.ts';
import { input } from '../phases/3-plan/nodes.ts';
import { showRecord } from '../phases/3-plan/show.ts';
import { compileExpr, prop } from '../phases/5-emit/expr.ts';
import { exprReads } from '../phases/4-fuse/optimize/reads.ts';
import { isCopy } from '../phases/4-fuse/optimize/pushdown.ts';
import type { Operator } from './operator.ts';

/** The fields a spread `...e` brings in. */
const spreadFields = (i: A.RecordItem & { kind: 'Spread' }) => (i.expr.ty?.kind === 'record' ? i.expr.ty.fields.map((f) => f.name) : []);

export const map: Operator<'Map'> = {
  kind: 'Map',
  describe: (n) => `${n.extend ? 'extend' : 'select'} ${showRecord(n.record)}`,
  entry: 'operator',
  shuffle: false,
  sideOutput: false,
  deferred: null,
  mapExprs: (n, f) => {
    const record = f(n.record) as A.RecordExpr;
    return record === n.record ? n : { ...n, record };
  },
  demand: (n, cx) => {
    const inputNode = cx.node(input(n));
    const scope = cx.scopeOf(inputNode, n);
    const reads = new Set<string>();
    const produced = new Set<string>();
    for (const item of n.record.items) {
      if (item.kind === 'Spread') {
        const fields = spreadFields(item);
        for (const f of fields) produced.add(f);
        if (cx.all || fields.some((f) => cx.has(f))) exprReads(item.expr, scope, reads);
      } else {
        produced.add(item.name.name);
        if (cx.has(item.name.name)) exprReads(item.value, scope, reads);
      }
    }
    if (n.extend) for (const f of inputNode.row.fields) if (!produced.has(f.name) && cx.has(f.name)) reads.add(f.name);
    cx.need(input(n), reads);
  },
  pruned: (n, demanded) => n.record.items.flatMap((i) => (i.kind === 'Field' && !demanded(i.name.name) ? [i.name.name] : [])),
  pushdown: {
    label: (n) => (n.extend ? 'extend' : 'select'),
    substitutions: (m) => {
      const out = new Map<string, A.Expr | undefined>();
      if (m.extend) for (const f of m.row.fields) out.set(f.name, { kind: 'Name', name: f.name, span: m.span, ty: f.type });
      for (const item of m.record.items) {
        if (item.kind === 'Spread') {
          for (const f of spreadFields(item)) out.set(f, undefined);
          continue;
        }
        out.set(item.name.name, isCopy(item.value) ? item.value : undefined);
      }
      return out;
    },
  },
  layout: () => null,
  fused: {
    declare: null,
    row: (e, n, row, exit) => {
      const out: string[] = [];
      const fields = new Map<string, string>(n.extend ? row.scope.fields : []);
      for (const item of n.record.items) {
        if (item.kind === 'Spread') {
          const names = spreadFields(item);
          if (!names.some((f) => e.demanded(n.id, f))) continue;
          const v = e.fresh('r');
          out.push(`const ${v} = ${compileExpr(item.expr, row.scope, e.cx)};`);
          for (const f of names) fields.set(f, `${v}${prop(f)}`);
          continue;
        }
        const name = item.name.name;
        if (!e.demanded(n.id, name)) { fields.delete(name); continue; }
        const js = compileExpr(item.value, row.scope, e.cx);
        if (/^[A-Za-z_$][\w$]*$/.test(js) && js !== 'undefined') { fields.set(name, js); continue; }
        const v = e.fresh();
        out.push(`const ${v} = ${js};`);
        fields.set(name, v);
      }
      const next = { scope: { ...row.scope, fields, qualifiers: new Map(), recordLocals: undefined }, ts: row.ts };
      return [...out, ...e.consumers(n.id, next, exit)];
    },
  },
  unfused: {
    declare: null,
    build: (e, n, next) => {
      const inputNode = e.nodes[input(n)]!;
      const s = e.rowScope(n, inputNode);
      const fields = new Map<string, string>();
      if (n.extend) for (const f of inputNode.row.fields) fields.set(f.name, `r${prop(f.name)}`);
      for (const item of n.record.items) {
        if (item.kind === 'Spread') {
          for (const f of spreadFields(item)) fields.set(f, `${compileExpr(item.expr, s, e.cx)}${prop(f)}`);
        } else fields.set(item.name.name, compileExpr(item.value, s, e.cx));
      }
      const kept = [...fields].filter(([f]) => e.demanded(n.id, f));
      e.add(n, `new unfused.Project((r: any) => ${e.object(kept)}, ${next()})`);
    },
    qualifiedRows: 'none',
    port: null,
  },
};
