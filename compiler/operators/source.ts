/**
 * `source NAME: T = connector(…) [event time E watermark D]`: a loop over a batch of raw records
 * that parses JSON (or CSV), validates each declared field inline into a local (a record that
 * does not fit goes to `errors(S)` with the reason), takes the event time, moves the watermark at
 * the exact record that crosses a deadline, and runs every fused operator after the source.
 */
import type { PlanNodeOf } from '../phases/3-plan/nodes.ts';
import { isNullable } from '../../lang/types.ts';
import { showConnector, showDuration, showExpr } from '../phases/3-plan/show.ts';
import { compileExpr, commentText, jsString, ownField, prop, tsType, type Scope } from '../phases/5-emit/expr.ts';
import { describeType } from '../phases/5-emit/records.ts';
import { indent } from '../phases/5-emit/code.ts';
import { fieldsDesc } from '../phases/5-emit/unfused-emitter.ts';
import type { JobEmitter, Row } from '../phases/5-emit/job-emitter.ts';
import type { Operator } from './operator.ts';

type Source = PlanNodeOf<'Source'>;

/** How a source's records arrive: JSON text, CSV text, or typed objects (the generator, tests). */
type RecordKind = 'json' | 'csv' | 'object';

/**
 * The reader a source opens (fused and unfused jobs alike), the kind of records it yields, and
 * its identity in checkpoints (what it reads; `SourceBinding.identity`).
 */
function reader(e: JobEmitter, n: Source): { open: string; kind: RecordKind; identity?: string } {
  const c = n.connector;
  if (c.name === 'nexmark') {
    e.use('nexmarkReader', 'sourceIdentity');
    const arg = (k: string, d: string) => (c.args[k] ? compileExpr(c.args[k]!, e.paramScope(), e.cx) : d);
    return {
      open: `nexmarkReader(${arg('kind', '"bid"')}, ${arg('events', '0')}, ${arg('seed', '0')}, ${arg('rate', '10000')})`, kind: 'object',
      // More events of the same stream continue it; another kind, seed or rate is another stream.
      identity: `sourceIdentity("nexmark", ${arg('kind', '"bid"')}, ${arg('seed', '0')}, ${arg('rate', '10000')})`,
    };
  }
  if (e.options.testMode) {
    e.use('testReader');
    return { open: `testReader(${jsString(n.name)})`, kind: 'object' };
  }
  const kind = c.format === 'csv' ? 'csv' : 'json';
  if (c.name === 'stdin') {
    e.use('stdinReader');
    return { open: `stdinReader(${jsString(n.name)}, ${jsString(c.format ?? 'jsonl')})`, kind };
  }
  e.use('fileReader', 'sourceIdentity');
  const path = compileExpr(c.args.path!, e.paramScope(), e.cx);
  const follow = c.args.follow ? compileExpr(c.args.follow, e.paramScope(), e.cx) : 'false';
  const format = jsString(c.format ?? 'jsonl');
  return { open: `fileReader(${jsString(n.name)}, ${path}, ${format}, ${follow})`, kind, identity: `sourceIdentity("file", ${path}, ${format})` };
}

/** `identity: …, ` for a source binding, when the source has one. */
const identityField = (identity: string | undefined) => (identity ? `identity: ${identity}, ` : '');

/** The live `errors(S)` node reading this source, if any. */
function errorsOf(e: JobEmitter, n: Source) {
  return e.nodes.find((x) => x.kind === 'Errors' && x.inputs[0] === n.id && e.physical.live.has(x.id));
}

function declareSource(e: JobEmitter, n: Source): void {
  const i = e.sourceIndex.get(n.id)!;
  const st = `SRC${i}`;
  const c = n.connector;
  e.decls.push(`const ${st} = { maxTs: -Infinity, records: 0, errors: 0, nextWm: Infinity };`);
  const errorsNode = errorsOf(e, n);
  const badFn = `reject${i}`;
  const badBody = [`${st}.errors++;`];
  if (errorsNode) badBody.push(`${e.entryFn.get(errorsNode.id)!}(0, ${e.entryFields(errorsNode).map((f) => ({ source: jsString(n.name), position: 'position', raw: 'raw', error: 'reason' })[f.name] ?? 'null').join(', ')});`);
  e.fn({
    name: badFn,
    doc: `A record of ${commentText(n.name)} that does not fit its type goes to errors(${commentText(n.name)}).`,
    params: [{ name: 'position', type: 'number' }, { name: 'raw', type: 'string' }, { name: 'reason', type: 'string' }],
    returnType: 'void',
    body: badBody,
  });

  const fieldVars = n.row.fields.map(() => e.fresh('f'));
  const scope: Scope = { fields: new Map(n.row.fields.map((f, k) => [f.name, fieldVars[k]!])), qualifiers: new Map(), locals: new Map(), params: e.params };
  const ts = e.fresh('ts');
  const row: Row = { scope, ts };
  const body: string[] = [];
  const { open, kind, identity } = reader(e, n);
  const fail = (reason: string) => `{ ${badFn}(lines === null ? i + 1 : lines[i]!, ${kind === 'object' ? 'JSON.stringify(o)' : 'raw'}, ${reason}); continue; }`;
  body.push('const records = batch.records;', 'const lines = batch.lines;', `${st}.records += records.length;`);
  body.push('for (let i = 0; i < records.length; i++) {');
  const loop: string[] = [];
  if (n.eventTime) {
    // The previous record's watermark takes effect before this record (as a watermark that
    // follows each record): windows it closed fire now.
    loop.push(`if (${st}.maxTs - ${n.watermarkMs} >= ${st}.nextWm) ctx.advance(${i});`);
  }
  if (kind === 'json') {
    e.use('rt_describe');
    loop.push('const raw = records[i] as string;');
    loop.push('let o: any;');
    loop.push(`try { o = JSON.parse(raw); } catch (err) ${fail('"invalid JSON: " + (err as Error).message')}`);
    loop.push(`if (o === null || typeof o !== "object" || Array.isArray(o)) ${fail('"expected a JSON object, found " + rt_describe(o)')}`);
  } else if (kind === 'object') {
    loop.push('const o: any = records[i];');
  } else {
    e.use('parseCsvRecord', 'rt_csvColumns', 'rt_describe');
    // Columns by header name, read at the first batch (a followed file may get its header late).
    e.decls.push(`let COLS${i}: number[] | null = null;`, `let NCOLS${i} = 0;`, `let READER${i}: any = null;`);
    body.splice(body.length - 1, 0, `if (COLS${i} === null && records.length > 0) { const h: string[] = READER${i}.header() ?? []; COLS${i} = rt_csvColumns(h, [${n.row.fields.map((f) => jsString(f.name)).join(', ')}]); NCOLS${i} = h.length; }`);
    loop.push('const raw = records[i] as string;');
    loop.push('const cells = parseCsvRecord(raw);');
    loop.push(`if (!Array.isArray(cells)) ${fail('"invalid CSV: " + cells.error')}`);
    loop.push(`if (cells.length !== NCOLS${i}) ${fail(`"expected " + NCOLS${i} + " fields (as in the header), found " + cells.length`)}`);
  }
  const eventTimeField = n.eventTime?.kind === 'Name' ? n.eventTime.name : undefined;
  const readsAll = n.eventTime !== undefined && n.eventTime.kind !== 'Name';
  n.row.fields.forEach((f, k) => {
    const v = fieldVars[k]!;
    const expected = jsString(`field ${JSON.stringify(f.name)}: expected ${describeType(f.type)}, found `);
    if (kind === 'csv') {
      loop.push(`let ${v}: any;`);
      loop.push(`{ const s = cells[COLS${i}![${k}]!]; ${e.types.convertCsv(v, 's', f.type, fail(`${expected} + rt_describe(s)`))} }`);
    } else {
      // The generator's records are typed already: only the fields read downstream are taken.
      if (kind === 'object' && c.name === 'nexmark') {
        if (readsAll || e.demanded(n.id, f.name) || f.name === eventTimeField) loop.push(`const ${v}: ${tsType(f.type)} = o${prop(f.name)};`);
        return;
      }
      loop.push(`let ${v}: any = ${ownField('o', f.name)};`);
      // A missing required field fails the type test too: the reason is told apart only on failure,
      // so a good record pays one test per field.
      const reason = isNullable(f.type)
        ? `${expected} + rt_describe(given)`
        : `(given === undefined ? ${jsString(`missing field ${JSON.stringify(f.name)}`)} : ${expected} + rt_describe(given))`;
      e.use('rt_describe');
      loop.push(`{ const given = ${v}; ${e.types.convertInPlace(v, f.type, fail(reason))} }`);
    }
  });
  if (n.eventTime) {
    loop.push(`const ${ts}: number = ${compileExpr(n.eventTime, scope, e.cx)};`);
    loop.push(`if (${ts} > ${st}.maxTs) ${st}.maxTs = ${ts};`);
  } else {
    loop.push(`const ${ts} = 0;`);
  }
  loop.push(...e.consumers(n.id, row, 'continue'));
  body.push(...indent(loop), '}');
  const name = `stage${i}_${n.name.replace(/[^A-Za-z0-9_]/g, '')}`;
  e.fn({
    name,
    doc: `Stage: source ${commentText(n.name)} and every operator fused after it, one record at a time.`,
    params: [{ name: 'batch', type: '{ records: unknown[]; lines: number[] | null }' }],
    returnType: 'void',
    body,
  });
  const openBody = kind === 'csv'
    ? `{ const r = ${open}; READER${i} = r; COLS${i} = null; return r; }`
    : open;
  e.sourceBindings.push(`{ name: ${jsString(n.name)}, eventTime: ${n.eventTime !== undefined}, delay: ${n.watermarkMs}, ${identityField(identity)}state: ${st}, open: () => ${openBody}, stage: ${name} }`);
}

export const source: Operator<'Source'> = {
  kind: 'Source',
  describe: (n) => `source ${n.name} ${showConnector(n.connector)}${n.eventTime ? `, event time ${showExpr(n.eventTime)} watermark ${showDuration(n.watermarkMs)}` : ', no event time'}`,
  entry: 'source',
  shuffle: false,
  sideOutput: false,
  deferred: null,
  mapExprs: (n, f) => {
    if (!n.eventTime) return n;
    const eventTime = f(n.eventTime);
    return eventTime === n.eventTime ? n : { ...n, eventTime };
  },
  // What a source reads is its input: nothing upstream to demand from.
  demand: () => {},
  pruned: () => [],
  pushdown: null,
  layout: (n, cx) => `source #${cx.sourceIndex} ${n.name}: ${n.connector.name}`,
  fused: {
    declare: { pass: 'sources', emit: declareSource },
    row: null,
  },
  unfused: {
    declare: null,
    build(e, n, next) {
      const i = e.sourceIndex.get(n.id)!;
      const scope = e.rowScope(n, n);
      const errorsNode = errorsOf(e, n);
      const reject = errorsNode
        ? `(position: number, raw: string, reason: string) => n${errorsNode.id}.push(0, { source: ${jsString(n.name)}, position, raw, error: reason })`
        : '() => {}';
      const format = n.connector.name === 'nexmark' || e.options.testMode ? 'object' : n.connector.format === 'csv' ? 'csv' : 'json';
      const eventTime = n.eventTime ? `(r: any) => ${compileExpr(n.eventTime, scope, e.cx)}` : 'null';
      const spec = [
        `index: ${i}`, `name: ${jsString(n.name)}`, `format: ${jsString(format)}`, `trusted: ${n.connector.name === 'nexmark'}`,
        `fields: ${fieldsDesc(n.row.fields, true)}`, `delay: ${n.watermarkMs}`, `eventTime: ${eventTime}`, `reject: ${reject}`,
      ];
      e.add(n, `new unfused.SourceStage({ ${spec.join(', ')} }, ctx, ${next()})`);
      const r = reader(e, n);
      const open = r.kind === 'csv' ? `() => { const r = ${r.open}; n${n.id}.header(r.header()); return r; }` : `() => ${r.open}`;
      e.sourceBindings[i] = `{ name: ${jsString(n.name)}, eventTime: ${n.eventTime !== undefined}, delay: ${n.watermarkMs}, ${identityField(r.identity)}state: n${n.id}.state, open: ${open}, stage: (b) => n${n.id}.stage(b) }`;
    },
    qualifiedRows: 'none',
    port: null,
  },
};
