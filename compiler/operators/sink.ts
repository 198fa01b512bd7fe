/**
 * `sink PIPELINE -> connector(…)`: each row is serialised inline from its locals by code
 * generated from the row's type (JSON with keys pre-escaped and fields in declared order, or
 * CSV), then written as one line.
 */
import type { PlanNodeOf } from '../phases/3-plan/nodes.ts';
import { input } from '../phases/3-plan/nodes.ts';
import { showConnector } from '../phases/3-plan/show.ts';
import { compileExpr, jsString } from '../phases/5-emit/expr.ts';
import { recordJson } from '../phases/5-emit/records.ts';
import { fieldsDesc } from '../phases/5-emit/unfused-emitter.ts';
import type { JobEmitter } from '../phases/5-emit/job-emitter.ts';
import type { Operator } from './operator.ts';

type Sink = PlanNodeOf<'Sink'>;

function csvHeader(name: string): string {
  return /[",\r\n]/.test(name) || /^[ \t]|[ \t]$/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

/** The sink's binding in `create()` (fused and unfused jobs alike). */
function declareSink(e: JobEmitter, n: Sink): void {
  const c = n.connector;
  const sinkDecl = e.typed.sinks[n.index]!.decl;
  const head = sinkDecl.pipeline.head;
  const label = head.kind === 'StreamName' ? head.name.name : head.kind === 'Union' ? 'union' : `${head.kind.toLowerCase()}(${head.name.name})`;
  const header = c.format === 'csv' ? jsString(n.row.fields.map((f) => csvHeader(f.name)).join(',')) : 'undefined';
  if (c.name === 'file') {
    e.use('fileSinkBinding');
    const path = compileExpr(c.args.path!, e.paramScope(), e.cx);
    e.decls.push(`const SINK${n.id} = fileSinkBinding(${jsString(`${label} -> file`)} + " " + ${path}, ${path}, ${header});`);
  } else {
    e.use('streamSinkBinding');
    e.decls.push(`const SINK${n.id} = streamSinkBinding(${jsString(`${label} -> ${c.name}`)}, ${c.name === 'stdout' ? 1 : 2}, ${header});`);
  }
  e.sinkBindings.push(`SINK${n.id}`);
}

export const sink: Operator<'Sink'> = {
  kind: 'Sink',
  describe: (n) => `sink -> ${showConnector(n.connector)}`,
  entry: 'operator',
  shuffle: false,
  sideOutput: false,
  deferred: null,
  mapExprs: (n) => n,
  // A sink writes every field of its rows.
  demand: (n, cx) => cx.need(input(n), [...n.row.fields.map((f) => f.name), ...cx.demanded]),
  pruned: () => [],
  pushdown: null,
  layout: () => null,
  fused: {
    declare: { pass: 'entries', emit: declareSink },
    row: (e, n, row) => {
      const s = `SINK${n.id}`;
      const fields = n.row.fields.map((f) => ({ name: f.name, type: f.type, js: e.field(row, f.name) }));
      const line = n.connector.format === 'csv'
        ? fields.length ? fields.map((f) => e.types.csv(f.js, f.type)).join(' + "," + ') : '""'
        : recordJson(e.types, fields);
      return [`${s}.write(${line});`, `${s}.state.rows++;`];
    },
  },
  unfused: {
    declare: declareSink,
    build: (e, n) => e.add(n, `new unfused.Sink(SINK${n.id}, ${jsString(n.connector.format === 'csv' ? 'csv' : 'jsonl')}, ${fieldsDesc(n.row.fields)})`),
    qualifiedRows: 'none',
    port: null,
  },
};
