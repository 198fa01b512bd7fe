/**
 * Sinks: each row is serialised inline from its locals by code generated from the row's type
 * (JSON with keys pre-escaped and fields in declared order, or CSV), then written as one line.
 */
import type { PlanNode } from '../3-plan/plan.ts';
import { compileExpr, jsString } from './expr.ts';
import { recordJson } from './records.ts';
import type { JobEmitter, Row } from './job-emitter.ts';

export function emitSinkWrite(e: JobEmitter, n: PlanNode & { kind: 'Sink' }, row: Row): string[] {
  const s = `SINK${n.id}`;
  const fields = n.row.fields.map((f) => ({ name: f.name, type: f.type, js: e.field(row, f.name) }));
  const line = n.connector.format === 'csv'
    ? fields.length ? fields.map((f) => e.types.csv(f.js, f.type)).join(' + "," + ') : '""'
    : recordJson(e.types, fields);
  return [`${s}.write(${line});`, `${s}.state.rows++;`];
}

export function declareSink(e: JobEmitter, n: PlanNode & { kind: 'Sink' }): void {
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

function csvHeader(name: string): string {
  return /[",\r\n]/.test(name) || /^[ \t]|[ \t]$/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}
