/** `unnest F [as G]`: one row per element of a list field (a null list gives no rows). */
import type * as A from '../phases/1-parse/ast.ts';
import { input } from '../phases/3-plan/nodes.ts';
import { WHOLE_ROW } from '../phases/4-fuse/optimize/reads.ts';
import { prop } from '../phases/5-emit/expr.ts';
import { indent } from '../phases/5-emit/code.ts';
import type { Row } from '../phases/5-emit/job-emitter.ts';
import type { Operator } from './operator.ts';

export const unnest: Operator<'Unnest'> = {
  kind: 'Unnest',
  describe: (n) => `unnest ${n.field}${n.as !== n.field ? ` as ${n.as}` : ''}`,
  entry: 'operator',
  shuffle: false,
  sideOutput: false,
  deferred: null,
  mapExprs: (n) => n,
  demand: (n, cx) => {
    cx.need(input(n), cx.all ? [WHOLE_ROW] : [...cx.demanded].filter((f) => f !== n.as).concat(n.field));
  },
  pruned: () => [],
  pushdown: {
    label: () => 'unnest',
    substitutions: (m) => {
      const out = new Map<string, A.Expr | undefined>();
      for (const f of m.row.fields) out.set(f.name, f.name === m.as ? undefined : { kind: 'Name', name: f.name, span: m.span, ty: f.type });
      return out;
    },
  },
  layout: () => null,
  fused: {
    declare: null,
    row: (e, n, row) => {
      const out: string[] = [];
      const lv = e.fresh('list');
      const k = e.fresh('i');
      const el = e.fresh('el');
      const fields = new Map<string, string>();
      for (const f of n.row.fields) {
        if (f.name === n.as) fields.set(f.name, el);
        else if (row.scope.fields.has(f.name)) fields.set(f.name, row.scope.fields.get(f.name)!);
      }
      const inner: Row = { scope: { ...row.scope, fields, qualifiers: new Map() }, ts: row.ts };
      out.push(`const ${lv} = ${e.field(row, n.field)};`);
      out.push(`if (${lv} != null) for (let ${k} = 0; ${k} < ${lv}.length; ${k}++) {`);
      out.push(...indent([`const ${el} = ${lv}[${k}]!;`, ...e.consumers(n.id, inner, 'continue')]));
      out.push('}');
      return out;
    },
  },
  unfused: {
    declare: null,
    build: (e, n, next) => {
      const kept = n.row.fields.filter((f) => e.demanded(n.id, f.name)).map((f): [string, string] => [f.name, f.name === n.as ? 'el' : `r${prop(f.name)}`]);
      e.add(n, `new unfused.Unnest((r: any) => r${prop(n.field)}, (r: any, el: any) => ${e.object(kept)}, ${next()})`);
    },
    qualifiedRows: 'none',
    port: null,
  },
};
