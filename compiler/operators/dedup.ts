/**
 * `dedup [by F, …] within D`: a row is dropped when a row with the same key was kept less than D
 * earlier in event time (inline: a test against the store, which frees keys as time moves).
 */
import { input } from '../phases/3-plan/nodes.ts';
import { showDuration } from '../phases/3-plan/show.ts';
import { WHOLE_ROW } from '../phases/4-fuse/optimize/reads.ts';
import { prop } from '../phases/5-emit/expr.ts';
import { keyValue } from '../phases/5-emit/keys.ts';
import type { Operator } from './operator.ts';

export const dedup: Operator<'Dedup'> = {
  kind: 'Dedup',
  describe: (n) => `dedup${n.fields.length ? ` by ${n.fields.join(', ')}` : ''} within ${showDuration(n.withinMs)}`,
  entry: 'operator',
  shuffle: false,
  sideOutput: false,
  deferred: null,
  mapExprs: (n) => n,
  // Without `by`, the whole row is the key.
  demand: (n, cx) => cx.need(input(n), n.fields.length ? [...cx.demanded, ...n.fields] : [WHOLE_ROW]),
  pruned: () => [],
  pushdown: null,
  layout: (n) => `dedup [${n.fields.join(', ')}] within ${n.withinMs}ms${n.letName ? ` (let ${n.letName})` : ''}`,
  fused: {
    declare: null,
    row: (e, n, row, exit) => {
      const store = `DEDUP${n.id}`;
      const fields = n.fields.length ? n.fields : n.row.fields.map((f) => f.name);
      const types = fields.map((f) => n.row.fields.find((x) => x.name === f)!.type);
      const shape = e.keyShapeOf(n, types);
      if (!e.decls.some((d) => d.startsWith(`const ${store} `))) {
        e.use('DedupStore');
        e.decls.push(`const ${store} = new DedupStore<unknown>(${n.withinMs});`);
        e.addOperator(n, store, { keys: shape.kind === 'table' });
      }
      const key = keyValue(shape, fields.map((f) => e.field(row, f)), `KEYS${n.id}`);
      return [`if (!${store}.keep(${key}, ${row.ts})) ${exit};`, ...e.consumers(n.id, row, exit)];
    },
  },
  unfused: {
    declare: null,
    build: (e, n, next) => {
      const names = n.fields.length ? n.fields : n.row.fields.map((f) => f.name);
      const k = e.keyFn(n, names.map((f) => `r${prop(f)}`), names.map((f) => n.row.fields.find((x) => x.name === f)!.type));
      e.add(n, `new unfused.Dedup(${n.withinMs}, (r: any) => ${k.js}, ${next()})`);
      e.binding(n, `n${n.id}.store`, k.shape.kind === 'table' ? [`keys: KEYS${n.id}`] : []);
    },
    qualifiedRows: 'input',
    port: null,
  },
};
