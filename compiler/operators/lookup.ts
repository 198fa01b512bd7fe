/**
 * `lookup T [as t] on EXPR == t.KEY [keep unmatched]`: enriches each row from a table loaded
 * before the job starts; unmatched rows are dropped, or kept with the table's fields null.
 */
import type { ReadScope } from '../phases/4-fuse/optimize/reads.ts';
import { exprReads, WHOLE_ROW } from '../phases/4-fuse/optimize/reads.ts';
import { input } from '../phases/3-plan/nodes.ts';
import { showExpr } from '../phases/3-plan/show.ts';
import { compileExpr, jsString, prop } from '../phases/5-emit/expr.ts';
import { tableIndex } from '../phases/5-emit/job-emitter.ts';
import { hidden } from '../phases/5-emit/unfused-emitter.ts';
import type { Operator } from './operator.ts';

export const lookup: Operator<'Lookup'> = {
  kind: 'Lookup',
  describe: (n) => `lookup ${n.table}${n.alias !== n.table ? ` as ${n.alias}` : ''} on ${showExpr(n.probe)}${n.keepUnmatched ? ' keep unmatched' : ''}`,
  entry: 'operator',
  shuffle: false,
  sideOutput: false,
  deferred: null,
  mapExprs: (n, f) => {
    const probe = f(n.probe);
    return probe === n.probe ? n : { ...n, probe };
  },
  demand: (n, cx) => {
    const inputNode = cx.node(input(n));
    const inputFields = new Set(inputNode.row.fields.map((f) => f.name));
    const reads = new Set<string>();
    for (const item of cx.demanded) {
      if (item === WHOLE_ROW) reads.add(WHOLE_ROW);
      else if (item.startsWith(`${n.alias}.`)) continue;
      else if (item.includes('.') || (inputFields.has(item) && !n.ambiguous.includes(item))) reads.add(item);
    }
    const scope: ReadScope = { fields: inputFields, qualifiers: new Set(inputNode.qualifiers.map((q) => q.alias).concat(n.qualifiers.filter((q) => q.alias !== n.alias).map((q) => q.alias))) };
    exprReads(n.probe, scope, reads);
    cx.need(input(n), reads);
  },
  pruned: () => [],
  pushdown: null,
  layout: () => null,
  fused: {
    declare: null,
    row: (e, n, row, exit) => {
      const out: string[] = [];
      const t = e.fresh('tr');
      const table = e.typed.tables.find((x) => x.decl.name.name === n.table)!;
      out.push(`const ${t} = TABLE_${tableIndex(e.typed, n.table)}.get(${compileExpr(n.probe, row.scope, e.cx)});`);
      if (!n.keepUnmatched) out.push(`if (${t} === undefined) ${exit};`);
      const tableFields = new Map<string, string>();
      for (const f of table.row.fields) {
        tableFields.set(f.name, n.keepUnmatched ? `(${t} === undefined ? null : ${t}${prop(f.name)})` : `${t}${prop(f.name)}`);
      }
      const fields = new Map<string, string>();
      for (const [k, v] of row.scope.fields) if (!n.ambiguous.includes(k)) fields.set(k, v);
      for (const [k, v] of tableFields) if (!n.ambiguous.includes(k)) fields.set(k, v);
      const qualifiers = new Map(row.scope.qualifiers);
      if (qualifiers.size === 0) {
        for (const q of e.nodes[input(n)]!.qualifiers) qualifiers.set(q.alias, row.scope.fields);
      }
      qualifiers.set(n.alias, tableFields);
      out.push(...e.consumers(n.id, { scope: { ...row.scope, fields, qualifiers }, ts: row.ts }, exit));
      return out;
    },
  },
  unfused: {
    declare: null,
    build: (e, n, next) => {
      const inputNode = e.nodes[input(n)]!;
      const s = e.rowScope(n, inputNode);
      const table = e.typed.tables.find((x) => x.decl.name.name === n.table)!;
      const ti = e.typed.tables.indexOf(table);
      const fields: [string, string][] = [];
      for (const f of inputNode.row.fields) if (!n.ambiguous.includes(f.name) && e.demanded(n.id, f.name)) fields.push([f.name, `r${prop(f.name)}`]);
      for (const f of table.row.fields) {
        if (n.ambiguous.includes(f.name) || !e.demanded(n.id, f.name)) continue;
        fields.push([f.name, n.keepUnmatched ? `(t === undefined ? null : t${prop(f.name)})` : `t${prop(f.name)}`]);
      }
      const inputHidden = e.hiddenOf(inputNode.id);
      for (const q of n.qualifiers) {
        if (q.alias === n.alias) {
          if (n.keepUnmatched) e.decls.push(`const NULLS${n.id} = ${e.object(table.row.fields.map((f) => [f.name, 'null']))};`);
          fields.push([hidden(q.alias), n.keepUnmatched ? `(t ?? NULLS${n.id})` : 't']);
        } else fields.push([hidden(q.alias), inputHidden.has(q.alias) ? `r[${jsString(hidden(q.alias))}]` : 'r']);
      }
      e.add(n, `new unfused.Lookup(TABLE_${ti}, (r: any) => ${compileExpr(n.probe, s, e.cx)}, ${n.keepUnmatched}, (r: any, t: any) => ${e.object(fields)}, ${next()})`);
    },
    qualifiedRows: 'own',
    port: null,
  },
};
