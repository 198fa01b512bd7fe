/**
 * `--no-fuse`: the same physical plan emitted for the generic operator runtime
 * (runtime/unfused/): one operator object per plan node, built from the sinks back to the
 * sources, rows as plain objects, each expression compiled once into a small function. Used by
 * the differential tests (fused and unfused output must be byte-identical) and by the benchmark
 * (what fusion buys).
 */
import type { FunctionDeclarationStructure } from 'ts-morph';
import { tsMorph } from '../../lazy-ts-morph.ts';
import type { PhysicalPlan } from '../4-fuse/fuse.ts';
import type { NodeId, PlanNode } from '../3-plan/plan.ts';
import type { TypedProgram } from '../2-check/check.ts';
import { isNullable, nonNull, type Field, type Type } from '../2-check/types.ts';
import { compileExpr, jsString, key, prop, type Scope } from './expr.ts';
import { JobEmitter, indent, type EmitOptions } from './job-emitter.ts';
import { assemble, declareCommon, type EmitResult } from './emit.ts';
import { declareSink } from './sinks.ts';
import { describeType } from './sources.ts';
import { keyParts, keyShape, keyUses, keyValue, type KeyShape } from './keys.ts';
import { accumulatorLayout } from './aggregates.ts';
import { statements } from './stateful.ts';
import type * as A from '../1-parse/ast.ts';

/** The JS literal of a type descriptor (runtime/unfused/records.ts). */
function typeDesc(t: Type): string {
  const n = isNullable(t) ? ', n: true' : '';
  const b = nonNull(t);
  switch (b.kind) {
    case 'list': return `{ k: "list", el: ${typeDesc(b.element)}${n} }`;
    case 'record': return `{ k: "record", fields: ${fieldsDesc(b.fields)}${n} }`;
    default: return `{ k: ${jsString(b.kind)}${n} }`;
  }
}

function fieldsDesc(fields: Field[], expected = false): string {
  return `[${fields.map((f) => `{ name: ${jsString(f.name)}, t: ${typeDesc(f.type)}${expected ? `, expected: ${jsString(`field ${JSON.stringify(f.name)}: expected ${describeType(f.type)}, found `)}` : ''} }`).join(', ')}]`;
}

/** Hidden row keys holding the rows behind a qualifier after a join or lookup (`o.id`). */
const hidden = (alias: string) => `\u0000${alias}`;

class UnfusedEmitter extends JobEmitter {
  /** Statements of `create()` building the operators, sinks first. */
  readonly build: string[] = [];
  readonly bindings: { id: NodeId; code: string }[] = [];

  /** Aliases whose rows a node's output carries under hidden keys. */
  hiddenOf(id: NodeId): Set<string> {
    const n = this.nodes[id]!;
    switch (n.kind) {
      case 'Where': case 'KeyBy': case 'Dedup': return this.hiddenOf(n.input);
      case 'Join': case 'Lookup': return new Set(n.qualifiers.map((q) => q.alias));
      default: return new Set();
    }
  }

  /** The scope of `n`'s expressions over the row object `r` of its input `input`. */
  rowScope(n: PlanNode, input: PlanNode, r = 'r'): Scope {
    const fields = new Map(input.row.fields.map((f) => [f.name, `${r}${prop(f.name)}`]));
    const qualifiers = new Map<string, Map<string, string>>();
    for (const a of this.hiddenOf(input.id)) {
      const q = input.qualifiers.find((x) => x.alias === a);
      qualifiers.set(a, new Map((q?.row.fields ?? []).map((f) => [f.name, `${r}[${jsString(hidden(a))}]${prop(f.name)}`])));
    }
    for (const a of n.readable ?? []) if (!qualifiers.has(a)) qualifiers.set(a, fields);
    return { fields, qualifiers, locals: new Map(), params: this.params };
  }

  /** The operator (or join port) that receives rows sent from `from` to `c`. */
  target(c: PlanNode, from: NodeId, occurrence: number): string {
    if (c.kind === 'Join') return `n${c.id}.${from === c.left && (c.left !== c.right || occurrence === 0) ? 'left' : 'right'}`;
    return `n${c.id}`;
  }

  next(id: NodeId): string {
    const cs = this.consumersOf(id);
    this.use('unfused');
    if (cs.length === 0) return 'new unfused.Discard()';
    const targets = cs.map((c, i) => this.target(c, id, cs.slice(0, i).filter((x) => x === c).length));
    return targets.length === 1 ? targets[0]! : `new unfused.FanOut([${targets.join(', ')}])`;
  }

  keyFn(n: PlanNode, parts: string[], types: Type[]): { shape: KeyShape; js: string } {
    const shape = keyShape(types);
    this.use(...keyUses(shape));
    if (shape.kind === 'table') this.decls.push(`const KEYS${n.id} = new KeyTable(${shape.arity});`);
    return { shape, js: keyValue(shape, parts, `KEYS${n.id}`) };
  }

  /** An object literal of demanded fields (keys escaped), plus hidden qualifier rows. */
  object(fields: [string, string][]): string {
    return `({ ${fields.map(([k, v]) => `${key(k)}: ${v}`).join(', ')} })`;
  }

  add(n: PlanNode, code: string, after: string[] = []): void {
    this.build.push(this.where(n.span), `const n${n.id} = ${code};`, ...after);
  }

  binding(n: PlanNode, store: string, opts: string[]): void {
    const name = jsString(n.letName ?? `${n.kind} n${n.id}`);
    this.bindings.push({ id: n.id, code: `unfused.operatorBinding(${name}, [${this.upstreamSources(n.id).join(', ')}], ${store}, { ${opts.join(', ')} })` });
  }
}

export function emitUnfused(physical: PhysicalPlan, typed: TypedProgram, options: EmitOptions): EmitResult {
  const e = new UnfusedEmitter(physical, typed, options);
  declareCommon(e);
  e.use('unfused');
  let si = 0;
  for (const n of e.nodes) if (n.kind === 'Source' && physical.live.has(n.id)) e.sourceIndex.set(n.id, si++);
  for (const n of e.nodes) if (n.kind === 'Sink' && physical.live.has(n.id)) declareSink(e, n);
  for (let id = e.nodes.length - 1; id >= 0; id--) {
    if (!physical.live.has(id)) continue;
    operator(e, e.nodes[id]!);
  }
  const sources = e.nodes.filter((n) => n.kind === 'Source' && physical.live.has(n.id)).map((n) => `{ name: ${jsString((n as { name: string }).name)}, eventTime: ${(n as { eventTime?: unknown }).eventTime !== undefined}, delay: ${(n as { watermarkMs: number }).watermarkMs}, state: n${n.id}.state, open: ${openReader(e, n as PlanNode & { kind: 'Source' })}, stage: (b) => n${n.id}.stage(b) }`);
  const create: FunctionDeclarationStructure = {
    kind: tsMorph().StructureKind.Function,
    name: 'create',
    docs: ["Builds the job's operator objects (from the sinks back to the sources) for one run."],
    parameters: [{ name: 'ctx', type: 'JobContext' }],
    returnType: 'JobGraph',
    statements: [[
      ...e.decls,
      ...e.build,
      'return {',
      `  sources: [${sources.join(', ')}],`,
      `  operators: [${[...e.bindings].sort((a, b) => a.id - b.id).map((b) => `\n    ${b.code}`).join(',')}\n  ],`,
      `  sinks: [${e.sinkBindings.join(', ')}],`,
      `  tables: [${e.tableBindings.join(', ')}],`,
      // Test mode (the in-memory benchmark): the harness expects the observed rows (none here).
      ...(e.options.testMode ? ['  ...({ observed: {} } as {}),'] : []),
      '};',
    ].join('\n')],
  };
  return assemble(e, create);
}

function openReader(e: UnfusedEmitter, n: PlanNode & { kind: 'Source' }): string {
  const c = n.connector;
  if (c.name === 'nexmark') {
    e.use('nexmarkReader');
    const arg = (k: string, d: string) => (c.args[k] ? compileExpr(c.args[k]!, e.paramScope(), e.cx) : d);
    return `() => nexmarkReader(${arg('kind', '"bid"')}, ${arg('events', '0')}, ${arg('seed', '0')}, ${arg('rate', '10000')})`;
  }
  if (e.options.testMode) {
    e.use('testReader');
    return `() => testReader(${jsString(n.name)})`;
  }
  let open: string;
  if (c.name === 'stdin') {
    e.use('stdinReader');
    open = `stdinReader(${jsString(n.name)}, ${jsString(c.format ?? 'jsonl')})`;
  } else {
    e.use('fileReader');
    const path = compileExpr(c.args.path!, e.paramScope(), e.cx);
    const follow = c.args.follow ? compileExpr(c.args.follow, e.paramScope(), e.cx) : 'false';
    open = `fileReader(${jsString(n.name)}, ${path}, ${jsString(c.format ?? 'jsonl')}, ${follow})`;
  }
  return c.format === 'csv' ? `() => { const r = ${open}; n${n.id}.header(r.header()); return r; }` : `() => ${open}`;
}

/** One operator object for node `n` (its consumers exist already). */
function operator(e: UnfusedEmitter, n: PlanNode): void {
  const next = () => e.next(n.id);
  const fn = (params: string, body: string) => `(${params}) => ${body}`;
  switch (n.kind) {
    case 'Sink':
      e.add(n, `new unfused.Sink(SINK${n.id}, ${jsString(n.connector.format === 'csv' ? 'csv' : 'jsonl')}, ${fieldsDesc(n.row.fields)})`);
      return;
    case 'Where': {
      const s = e.rowScope(n, e.nodes[n.input]!);
      e.add(n, `new unfused.Where(${fn('r: any', compileExpr(n.cond, s, e.cx))}, ${next()})`);
      return;
    }
    case 'Map': {
      const s = e.rowScope(n, e.nodes[n.input]!);
      const fields = new Map<string, string>();
      const input = e.nodes[n.input]!;
      if (n.extend) for (const f of input.row.fields) fields.set(f.name, `r${prop(f.name)}`);
      for (const item of n.record.items) {
        if (item.kind === 'Spread') {
          const t = item.expr.ty;
          const names = t?.kind === 'record' ? t.fields.map((f) => f.name) : [];
          for (const f of names) fields.set(f, `${compileExpr(item.expr, s, e.cx)}${prop(f)}`);
        } else fields.set(item.name.name, compileExpr(item.value, s, e.cx));
      }
      const kept = [...fields].filter(([f]) => e.demanded(n.id, f));
      e.add(n, `new unfused.Project(${fn('r: any', e.object(kept))}, ${next()})`);
      return;
    }
    case 'KeyBy': case 'Union': case 'Late': case 'Errors':
      e.add(n, `new unfused.Pass(${next()})`);
      return;
    case 'Unnest': {
      const kept = n.row.fields.filter((f) => e.demanded(n.id, f.name)).map((f): [string, string] => [f.name, f.name === n.as ? 'el' : `r${prop(f.name)}`]);
      e.add(n, `new unfused.Unnest(${fn('r: any', `r${prop(n.field)}`)}, ${fn('r: any, el: any', e.object(kept))}, ${next()})`);
      return;
    }
    case 'Lookup': {
      const input = e.nodes[n.input]!;
      const s = e.rowScope(n, input);
      const table = e.typed.tables.find((x) => x.decl.name.name === n.table)!;
      const ti = e.typed.tables.indexOf(table);
      const fields: [string, string][] = [];
      for (const f of input.row.fields) if (!n.ambiguous.includes(f.name) && e.demanded(n.id, f.name)) fields.push([f.name, `r${prop(f.name)}`]);
      for (const f of table.row.fields) {
        if (n.ambiguous.includes(f.name) || !e.demanded(n.id, f.name)) continue;
        fields.push([f.name, n.keepUnmatched ? `(t === undefined ? null : t${prop(f.name)})` : `t${prop(f.name)}`]);
      }
      const inputHidden = e.hiddenOf(input.id);
      for (const q of n.qualifiers) {
        if (q.alias === n.alias) {
          if (n.keepUnmatched) e.decls.push(`const NULLS${n.id} = ${e.object(table.row.fields.map((f) => [f.name, 'null']))};`);
          fields.push([hidden(q.alias), n.keepUnmatched ? `(t ?? NULLS${n.id})` : 't']);
        } else fields.push([hidden(q.alias), inputHidden.has(q.alias) ? `r[${jsString(hidden(q.alias))}]` : 'r']);
      }
      e.add(n, `new unfused.Lookup(TABLE_${ti}, ${fn('r: any', compileExpr(n.probe, s, e.cx))}, ${n.keepUnmatched}, ${fn('r: any, t: any', e.object(fields))}, ${next()})`);
      return;
    }
    case 'Dedup': {
      const names = n.fields.length ? n.fields : n.row.fields.map((f) => f.name);
      const k = e.keyFn(n, names.map((f) => `r${prop(f)}`), names.map((f) => n.row.fields.find((x) => x.name === f)!.type));
      e.add(n, `new unfused.Dedup(${n.withinMs}, ${fn('r: any', k.js)}, ${next()})`);
      e.binding(n, `n${n.id}.store`, k.shape.kind === 'table' ? [`keys: KEYS${n.id}`] : []);
      return;
    }
    case 'WindowAggregate': case 'WindowTop':
      windowOperator(e, n, next());
      return;
    case 'Join': {
      const left = e.nodes[n.left]!;
      const right = e.nodes[n.right]!;
      const ls = e.rowScope(n, left);
      if (!ls.qualifiers.has(n.leftAlias)) ls.qualifiers.set(n.leftAlias, ls.fields);
      const rs = e.rowScope(n, right);
      rs.qualifiers.set(n.rightAlias, rs.fields);
      const lk = e.keyFn(n, n.leftKeys.map((k) => compileExpr(k, ls, e.cx)), n.leftKeys.map((k) => k.ty ?? { kind: 'error' }));
      const rightKey = keyValue(lk.shape, n.rightKeys.map((k) => compileExpr(k, rs, e.cx)), `KEYS${n.id}`);
      const fields: [string, string][] = [];
      for (const f of n.leftRow.fields) if (!n.ambiguous.includes(f.name) && e.demanded(n.id, f.name)) fields.push([f.name, `l${prop(f.name)}`]);
      for (const f of n.rightRow.fields) if (!n.ambiguous.includes(f.name) && e.demanded(n.id, f.name)) fields.push([f.name, `r${prop(f.name)}`]);
      const leftHidden = e.hiddenOf(left.id);
      for (const q of n.qualifiers) {
        if (q.alias === n.rightAlias) fields.push([hidden(q.alias), 'r']);
        else fields.push([hidden(q.alias), leftHidden.has(q.alias) ? `l[${jsString(hidden(q.alias))}]` : 'l']);
      }
      const bound = n.withinMs !== undefined ? `{ within: ${n.withinMs} }` : `{ window: ${n.windowMs} }`;
      e.add(n, `new unfused.Join(${bound}, ${fn('r: any', lk.js)}, ${fn('r: any', rightKey)}, ${fn('l: any, r: any', e.object(fields))})`, [`n${n.id}.next = ${next()};`]);
      e.binding(n, `n${n.id}.store`, [`late: n${n.id}.store.late`, ...(lk.shape.kind === 'table' ? [`keys: KEYS${n.id}`] : [])]);
      return;
    }
    case 'Process':
      processOperator(e, n, next());
      return;
    case 'Source': {
      const i = e.sourceIndex.get(n.id)!;
      const scope = e.rowScope(n, n);
      const errorsNode = e.nodes.find((x) => x.kind === 'Errors' && x.source === n.id && e.physical.live.has(x.id));
      const reject = errorsNode
        ? `(position: number, raw: string, reason: string) => n${errorsNode.id}.push(0, { source: ${jsString(n.name)}, position, raw, error: reason })`
        : '() => {}';
      const format = n.connector.name === 'nexmark' || e.options.testMode ? 'object' : n.connector.format === 'csv' ? 'csv' : 'json';
      const spec = [
        `index: ${i}`, `name: ${jsString(n.name)}`, `format: ${jsString(format)}`, `trusted: ${n.connector.name === 'nexmark'}`,
        `fields: ${fieldsDesc(n.row.fields, true)}`, `delay: ${n.watermarkMs}`,
        `eventTime: ${n.eventTime ? fn('r: any', compileExpr(n.eventTime, scope, e.cx)) : 'null'}`,
        `reject: ${reject}`,
      ];
      e.add(n, `new unfused.SourceStage({ ${spec.join(', ')} }, ctx, ${next()})`);
      return;
    }
  }
}

function windowOperator(e: UnfusedEmitter, n: PlanNode & { kind: 'WindowAggregate' | 'WindowTop' }, next: string): void {
  const input = e.nodes[n.input]!;
  const s = e.rowScope(n, input);
  const parts = n.keys.map((k) => (input.row.fields.some((f) => f.name === k.name) ? `r${prop(k.name)}` : compileExpr(k.expr, s, e.cx)));
  const k = e.keyFn(n, parts, n.keys.map((x) => x.type));
  const slide = n.window.kind === 'sliding' ? n.window.every! : n.window.size;
  const spec = `{ kind: ${jsString(n.window.kind)}, size: ${n.window.size}, slide: ${slide}, processingTime: ${n.window.processingTime}, key: (r: any) => ${k.js} }`;
  const late = e.nodes.find((x) => x.kind === 'Late' && x.of === n.id && e.physical.live.has(x.id));
  const after = late ? [`n${n.id}.late = n${late.id};`] : [];
  const opts = [`late: n${n.id}.lateCount`, ...(k.shape.kind === 'table' ? [`keys: KEYS${n.id}`] : []), ...(n.window.processingTime ? ['processingTime: true'] : [])];
  if (n.kind === 'WindowAggregate') {
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
    e.add(n, `new unfused.WindowAggregate(${spec}, [${specs.join(', ')}], ${output}, ${next})`, after);
    e.binding(n, `n${n.id}.store`, opts);
    return;
  }
  const byType = n.by.ty ?? { kind: 'error' };
  const numeric = !['nullable', 'null'].includes(byType.kind) && ['int', 'float', 'timestamp', 'duration'].includes(nonNull(byType).kind);
  let cmp: string;
  let same: string;
  if (numeric) {
    cmp = n.descending ? '(x: any, y: any) => (y[0] - x[0]) || (x[1] - y[1])' : '(x: any, y: any) => (x[0] - y[0]) || (x[1] - y[1])';
    same = '(a: any, b: any) => a === b';
  } else {
    e.use('rt_cmp');
    cmp = `(x: any, y: any) => rt_cmp(x[0], y[0], ${n.descending}) || (x[1] - y[1])`;
    same = '(a: any, b: any) => rt_cmp(a, b, false) === 0';
  }
  const kept = n.row.fields.filter((f) => e.demanded(n.id, f.name)).map((f): [string, string] => [f.name, f.name === 'rank' ? 'rank' : `r${prop(f.name)}`]);
  const output = `(r: any, rank: number) => ${e.object(kept)}`;
  e.add(n, `new unfused.WindowTop(${spec}, (r: any) => ${compileExpr(n.by, s, e.cx)}, ${n.n}, ${n.withTies}, ${cmp}, ${same}, ${output}, ${next})`, after);
  e.binding(n, `n${n.id}.store`, [...opts, `extra: { get: () => n${n.id}.seq, set: (v: any) => { n${n.id}.seq = v; } }`]);
}

function processOperator(e: UnfusedEmitter, n: PlanNode & { kind: 'Process' }, next: string): void {
  const input = e.nodes[n.input]!;
  const s = e.rowScope(n, input);
  const op = n.op;
  const stateNames = op.states.map((x) => x.name.name);
  const parts = n.keys.map((k) => (input.row.fields.some((f) => f.name === k.name) ? `r${prop(k.name)}` : compileExpr(k.expr, s, e.cx)));
  const k = e.keyFn(n, parts, n.keys.map((x) => x.type));
  const init = `() => ({ ${op.states.map((st, i) => `s${i}: ${compileExpr(st.init, e.paramScope(), e.cx)}`).join(', ')} })`;
  const target = { store: 'p.store', emit: (ts: string, values: string[]) => `p.emit(${ts}, ${e.object(n.row.fields.map((f, i) => [f.name, values[i]!]))});` };
  const locals = () => new Map<string, string>(stateNames.map((x, i) => [x, `s.s${i}`]));
  let onRecord = 'null';
  if (op.onRecord) {
    const keyRecord = new Map(n.keys.map((x, i) => [x.name, parts[i]!]));
    const body = ['let s = p.store.state(key);', 'let cleared = false;', ...statements(e, op.onRecord, { ...s, locals: locals(), recordLocals: new Map([['key', keyRecord]]) }, 'ts', n, stateNames, 'key', target), 'if (cleared) p.store.drop(key);'];
    onRecord = `(p: any, key: any, r: any, ts: number) => {\n${indent(body).join('\n')}\n}`;
  }
  const tb: string[] = [];
  const keyJs = keyParts(k.shape, 'key', tb, () => e.fresh('k'));
  const keyRecord = new Map(n.keys.map((x, i) => [x.name, keyJs[i]!]));
  const timerLocals = locals();
  timerLocals.set('timer_time', 'timerTime');
  tb.push('let s = st;', 'let cleared = false;');
  tb.push(...statements(e, op.onTimer ?? [], { fields: new Map(), qualifiers: new Map(), locals: timerLocals, params: e.params, recordLocals: new Map([['key', keyRecord]]) }, 'timerTime', n, stateNames, 'key', target));
  tb.push('if (cleared) p.store.drop(key);');
  const onTimer = `(p: any, key: any, st: any, timerTime: number) => {\n${indent(tb).join('\n')}\n}`;
  e.add(n, `new unfused.Process(${init}, (r: any) => ${k.js}, ${onRecord}, ${onTimer})`, [`n${n.id}.next = ${next};`]);
  e.binding(n, `n${n.id}.store`, k.shape.kind === 'table' ? [`keys: KEYS${n.id}`] : []);
}
