/**
 * Phase 5: PhysicalPlan → TypeScript. One function per fused stage: a source stage is a loop over
 * a batch that parses, validates and pushes each record through every fused operator as plain
 * statements over local variables (no per-record objects, closures or dynamic dispatch); window
 * fires, late rows, errors and unions enter through functions of their own. The module is
 * assembled with ts-morph.
 */
import { Project, StructureKind, VariableDeclarationKind, type StatementStructures } from 'ts-morph';
import type * as A from '../1-parse/ast.ts';
import type { PhysicalPlan } from '../4-fuse/fuse.ts';
import type { NodeId, PlanNode } from '../3-plan/plan.ts';
import type { TypedProgram } from '../2-check/check.ts';
import { nonNull, isNullable, showType, type RecordType, type Type } from '../2-check/types.ts';
import { compileExpr, jsString, commentText, prop, key, type Scope, type ExprContext } from './expr.ts';
import { TypeCode, recordJson } from './records.ts';
import { accumulatorFor } from './aggregates.ts';
import { emitDedup, emitJoinInput, emitJoinOutput, emitProcess, emitTopFire } from './stateful.ts';
import { stateLayout } from './layout.ts';
import { LineIndex } from '../../diagnostics/position.ts';

export interface EmitOptions {
  /** The module the runtime is imported from. */
  runtimeModule: string;
  /** Extern fn name → module specifier to import it from. */
  externModules?: Map<string, string>;
  /** Emit a test harness module (no `runMain`); `flowc test` drives it. */
  testMode?: boolean;
}

export interface EmitResult {
  code: string;
  /** Runtime exports the module imports. */
  uses: string[];
}

/** A stream of rows inside generated code: its fields as JS expressions, plus its event time. */
interface Row {
  scope: Scope;
  ts: string;
}

export class JobEmitter {
  readonly cx: ExprContext = { uses: new Set(), fns: new Map() };
  readonly types = new TypeCode();
  /** Declarations inside `create()`, before the stage functions. */
  readonly decls: string[] = [];
  readonly fns: string[] = [];
  readonly sourceBindings: string[] = [];
  readonly operatorBindings: string[] = [];
  readonly sinkBindings: string[] = [];
  readonly tableBindings: string[] = [];
  /** Module-level functions (user fns). */
  readonly moduleFns: string[] = [];
  private tmp = 0;
  private label = 0;
  readonly params = new Map<string, string>();
  /** Entry functions of stages entered by call (unions, late, errors). */
  readonly entryFn = new Map<NodeId, string>();
  readonly sourceIndex = new Map<NodeId, number>();
  private readonly lines: Map<string, LineIndex> = new Map();

  constructor(readonly physical: PhysicalPlan, readonly typed: TypedProgram, readonly options: EmitOptions) {}

  get nodes(): PlanNode[] {
    return this.physical.logical.nodes;
  }

  fresh(prefix = 'v'): string {
    return `${prefix}${this.tmp++}`;
  }

  use(...names: string[]): void {
    for (const n of names) this.cx.uses.add(n);
  }

  /** `// file.flow:12` for a span, so generated code points back at the source. */
  where(span: A.Span): string {
    let idx = this.lines.get(span.file);
    if (!idx) {
      const prog = this.typed.files.find((f) => f.file === span.file);
      idx = new LineIndex(prog?.text ?? '');
      this.lines.set(span.file, idx);
    }
    const p = idx.position(span.start);
    const text = idx.lineText(p.line).trim();
    return `// ${commentText(span.file.replace(/^.*[\\/]/, ''))}:${p.line}  ${commentText(text)}`;
  }

  paramScope(): Scope {
    return { fields: new Map(), qualifiers: new Map(), locals: new Map(), params: this.params };
  }

  consumersOf(id: NodeId): PlanNode[] {
    return (this.physical.consumers.get(id) ?? []).map((c) => this.nodes[c]!);
  }

  /** Indexes of the sources upstream of a node (its watermark is their minimum). */
  upstreamSources(id: NodeId): number[] {
    const out = new Set<number>();
    const visit = (n: PlanNode) => {
      switch (n.kind) {
        case 'Source': out.add(this.sourceIndex.get(n.id)!); break;
        case 'Late': visit(this.nodes[n.of]!); break;
        case 'Errors': visit(this.nodes[n.source]!); break;
        case 'Join': visit(this.nodes[n.left]!); visit(this.nodes[n.right]!); break;
        case 'Union': n.inputs.forEach((i) => visit(this.nodes[i]!)); break;
        default: visit(this.nodes[n.input]!);
      }
    };
    visit(this.nodes[id]!);
    return [...out].sort((a, b) => a - b);
  }

  // ------------------------------------------------------------------ chains

  /** Code for everything downstream of `id`, given its row. `exit` abandons the current row. */
  consumers(id: NodeId, row: Row, exit: string): string[] {
    const cs = this.consumersOf(id);
    if (cs.length === 1) return this.node(cs[0]!, row, exit, id, 0);
    const out: string[] = [];
    cs.forEach((c, i) => {
      const occurrence = cs.slice(0, i).filter((x) => x === c).length;
      const l = `L${this.label++}`;
      out.push(`${l}: {`, ...indent(this.node(c, row, `break ${l}`, id, occurrence)), '}');
    });
    return out;
  }

  /** Code for one node fed by `row`, then its consumers (when fused). */
  node(n: PlanNode, row: Row, exit: string, from: NodeId, occurrence: number): string[] {
    const out: string[] = [this.where(n.span)];
    switch (n.kind) {
      case 'Where':
        out.push(`if (!(${compileExpr(n.cond, row.scope, this.cx)})) ${exit};`);
        out.push(...this.consumers(n.id, row, exit));
        return out;
      case 'Map': {
        const next = this.mapRecord(n.record, row, n.extend, out);
        out.push(...this.consumers(n.id, next, exit));
        return out;
      }
      case 'KeyBy':
        out.push(...this.consumers(n.id, row, exit));
        return out;
      case 'Unnest': {
        const list = row.scope.fields.get(n.field)!;
        const lv = this.fresh('list');
        const k = this.fresh('i');
        const el = this.fresh('el');
        const fields = new Map<string, string>();
        for (const f of n.row.fields) fields.set(f.name, f.name === n.as ? el : row.scope.fields.get(f.name)!);
        const inner: Row = { scope: { ...row.scope, fields, qualifiers: new Map() }, ts: row.ts };
        out.push(`const ${lv} = ${list};`);
        out.push(`if (${lv} != null) for (let ${k} = 0; ${k} < ${lv}.length; ${k}++) {`);
        out.push(...indent([`const ${el} = ${lv}[${k}];`, ...this.consumers(n.id, inner, 'continue')]));
        out.push('}');
        return out;
      }
      case 'Lookup':
        out.push(...this.lookup(n, row, exit));
        return out;
      case 'WindowAggregate':
        out.push(...this.windowInput(n, row, exit));
        return out;
      case 'WindowTop':
        out.push(...this.windowInput(n, row, exit));
        return out;
      case 'Dedup':
        out.push(...emitDedup(this, n, row, exit));
        out.push(...this.consumers(n.id, row, exit));
        return out;
      case 'Join':
        out.push(...emitJoinInput(this, n, row, from, occurrence));
        return out;
      case 'Process':
        out.push(...emitProcess(this, n, row));
        return out;
      case 'Union':
        out.push(`${this.entryFn.get(n.id)!}(${[row.ts, ...n.row.fields.map((f) => row.scope.fields.get(f.name)!)].join(', ')});`);
        return out;
      case 'Sink':
        out.push(...this.sink(n, row));
        return out;
      default:
        throw new Error(`internal: ${n.kind} cannot be fused`);
    }
  }

  /** `select`/`extend`: computes each output field into a local. */
  mapRecord(record: A.RecordExpr, row: Row, extend: boolean, out: string[]): Row {
    const fields = new Map<string, string>(extend ? row.scope.fields : []);
    for (const item of record.items) {
      if (item.kind === 'Spread') {
        const v = this.fresh('r');
        out.push(`const ${v} = ${compileExpr(item.expr, row.scope, this.cx)};`);
        const t = item.expr.ty;
        if (t?.kind === 'record') for (const f of t.fields) fields.set(f.name, `${v}${prop(f.name)}`);
        continue;
      }
      const v = this.fresh();
      out.push(`const ${v} = ${compileExpr(item.value, row.scope, this.cx)};`);
      fields.set(item.name.name, v);
    }
    return { scope: { ...row.scope, fields, qualifiers: new Map() }, ts: row.ts };
  }

  // ------------------------------------------------------------------ keys

  /** The JS key of a keyed operator: the value itself for one key, a tuple string otherwise. */
  keyExpr(keys: { name: string }[], row: Row): string {
    if (keys.length === 0) return '0';
    if (keys.length === 1) return row.scope.fields.get(keys[0]!.name)!;
    this.use('rt_key');
    return `rt_key([${keys.map((k) => row.scope.fields.get(k.name)!).join(', ')}])`;
  }

  /** Locals for the key fields from a key value (inside a fire or timer callback). */
  keyFields(keys: { name: string }[], keyVar: string, out: string[]): Map<string, string> {
    const m = new Map<string, string>();
    if (keys.length === 1) m.set(keys[0]!.name, keyVar);
    else if (keys.length > 1) {
      const parts = this.fresh('k');
      this.use('rt_unkey');
      out.push(`const ${parts} = rt_unkey(${keyVar});`);
      keys.forEach((k, i) => m.set(k.name, `${parts}[${i}]`));
    }
    return m;
  }

  // ------------------------------------------------------------------ windows

  windowInput(n: PlanNode & { kind: 'WindowAggregate' | 'WindowTop' }, row: Row, exit: string): string[] {
    const out: string[] = [];
    const w = `W${n.id}`;
    const ts = n.window.processingTime ? 'Date.now()' : row.ts;
    const keyJs = this.keyExpr(n.keys, row);
    if (n.window.kind === 'session') {
      const acc = this.fresh('a');
      const t = this.fresh('t');
      out.push(`const ${t} = ${ts};`);
      out.push(`const ${acc} = ${w}.session(${keyJs}, ${t});`);
      out.push(`if (${acc} === undefined) {`, ...indent(this.lateRow(n, row, t)), `  ${exit};`, '}');
      out.push(...this.accumulate(n, row, acc, t));
      return out;
    }
    const pane = this.fresh('pane');
    const t = this.fresh('t');
    out.push(`const ${t} = ${ts};`);
    out.push(`const ${pane} = ${w}.paneOf(${t});`);
    out.push(`if (${pane} !== ${pane}) {`, ...indent(this.lateRow(n, row, t)), `  ${exit};`, '}');
    const acc = this.fresh('a');
    out.push(`const ${acc} = ${w}.acc(${pane}, ${keyJs});`);
    out.push(...this.accumulate(n, row, acc, t));
    return out;
  }

  private lateRow(n: PlanNode, row: Row, ts: string): string[] {
    const out = [`LATE${n.id}.count++;`];
    const late = this.nodes.find((x) => x.kind === 'Late' && x.of === n.id && this.physical.live.has(x.id));
    if (late) {
      const input = this.nodes[(n as { input: NodeId }).input]!;
      out.push(`${this.entryFn.get(late.id)!}(${[ts, ...input.row.fields.map((f) => row.scope.fields.get(f.name)!)].join(', ')});`);
    }
    return out;
  }

  private accumulate(n: PlanNode & { kind: 'WindowAggregate' | 'WindowTop' }, row: Row, acc: string, ts: string): string[] {
    if (n.kind === 'WindowTop') {
      const input = this.nodes[n.input]!;
      const by = compileExpr(n.by, row.scope, this.cx);
      return [`${acc}.push([${by}, ${input.row.fields.map((f) => row.scope.fields.get(f.name)!).join(', ')}]);`];
    }
    const code = this.accumulatorCode(n, row, ts);
    return [`{`, `  const a = ${acc};`, ...indent(code.update), '}'].map((l) => l);
  }

  private accCache = new Map<NodeId, ReturnType<typeof accumulatorFor>>();

  accumulatorCode(n: PlanNode & { kind: 'WindowAggregate' }, row: Row, ts: string): ReturnType<typeof accumulatorFor> {
    // The update code depends on the input row's locals, so it is built where the rows arrive;
    // init/merge/results depend only on the aggregate calls and are shared by the fire function.
    const code = accumulatorFor(n.aggregates.map((a) => a.expr), row.scope, this.cx, ts);
    if (!this.accCache.has(n.id)) this.accCache.set(n.id, code);
    return code;
  }

  /** Declares a window's store and the fire function that runs its output stage. */
  declareWindow(n: PlanNode & { kind: 'WindowAggregate' | 'WindowTop' }): void {
    const w = `W${n.id}`;
    this.decls.push(`const LATE${n.id} = { count: 0 };`);
    const fire = `fire${n.id}`;
    if (n.kind === 'WindowAggregate') {
      const acc = this.accCache.get(n.id);
      const init = acc ? acc.init : [];
      const merge = acc ? acc.merge : [];
      const body: string[] = [];
      const fields = this.keyFields(n.keys, 'key', body);
      fields.set('window_start', 'start');
      fields.set('window_end', 'end');
      const scope: Scope = { fields: new Map(fields), qualifiers: new Map(), locals: new Map([['window_start', 'start'], ['window_end', 'end']]), params: this.params, overrides: acc?.results };
      const outFields = new Map(fields);
      for (const a of n.aggregates) {
        const v = this.fresh();
        body.push(`const ${v} = ${compileExpr(a.expr, scope, this.cx)};`);
        outFields.set(a.name, v);
      }
      const outRow: Row = { scope: { fields: outFields, qualifiers: new Map(), locals: new Map(), params: this.params }, ts: 'ts' };
      body.push('const ts = end - 1;');
      body.push(...this.consumers(n.id, outRow, 'return'));
      this.fns.push(`/** Window of ${commentText(n.letName ?? `n${n.id}`)} fired: one row per key. */\nfunction ${fire}(key: any, a: any, start: number, end: number): void {\n${indent(body).join('\n')}\n}`);
      this.decls.push(`const ${w} = ${this.windowStore(n, `{ ${init.join(', ')} }`, merge)};`);
    } else {
      this.fns.push(emitTopFire(this, n, fire));
      this.decls.push(`const ${w} = ${this.windowStore(n, '[]', ['for (let i = 0; i < b.length; i++) a.push(b[i]);'])};`);
    }
    this.operatorBindings.push(this.operatorBinding(n, w));
  }

  private windowStore(n: PlanNode & { kind: 'WindowAggregate' | 'WindowTop' }, init: string, merge: string[]): string {
    const cb = `{ create: () => (${init}), merge: (a: any, b: any) => { ${merge.join(' ')} }, fire: fire${n.id} }`;
    if (n.window.kind === 'session') {
      this.use('SessionWindows');
      return `new SessionWindows<any, any>(${n.window.size}, ${cb})`;
    }
    this.use('PaneWindows');
    const slide = n.window.kind === 'sliding' ? n.window.every! : n.window.size;
    return `new PaneWindows<any, any>(${n.window.size}, ${slide}, ${cb})`;
  }

  operatorBinding(n: PlanNode, store: string, extra = ''): string {
    const processingTime = (n.kind === 'WindowAggregate' || n.kind === 'WindowTop') && n.window.processingTime;
    return `{ name: ${jsString(n.letName ?? `${n.kind} n${n.id}`)}, inputs: [${this.upstreamSources(n.id).join(', ')}],${processingTime ? ' processingTime: true,' : ''} late: ${n.kind === 'WindowAggregate' || n.kind === 'WindowTop' ? `LATE${n.id}` : '{ count: 0 }'}, advance: (wm: number) => ${store}.advance(wm), nextDeadline: () => ${store}.nextDeadline(), onDeadline: (f: (t: number) => void) => ${store}.onDeadline(f), stateSize: () => ${store}.stateSize(), snapshot: () => ${store}.snapshot(), restore: (s: any) => ${store}.restore(s)${extra} }`;
  }

  // ------------------------------------------------------------------ lookup

  private lookup(n: PlanNode & { kind: 'Lookup' }, row: Row, exit: string): string[] {
    const out: string[] = [];
    const t = this.fresh('tr');
    const table = this.typed.tables.find((x) => x.decl.name.name === n.table)!;
    out.push(`const ${t} = TABLE_${tableIndex(this.typed, n.table)}.get(${compileExpr(n.probe, row.scope, this.cx)});`);
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
      const input = this.nodes[n.input]!;
      for (const q of input.qualifiers) qualifiers.set(q.alias, row.scope.fields);
    }
    qualifiers.set(n.alias, tableFields);
    out.push(...this.consumers(n.id, { scope: { ...row.scope, fields, qualifiers }, ts: row.ts }, exit));
    return out;
  }

  // ------------------------------------------------------------------ sinks

  private sink(n: PlanNode & { kind: 'Sink' }, row: Row): string[] {
    const s = `SINK${n.connector === undefined ? n.id : n.id}`;
    const fields = n.row.fields.map((f) => ({ name: f.name, type: f.type, js: row.scope.fields.get(f.name)! }));
    const line = n.connector.format === 'csv'
      ? fields.length ? fields.map((f) => this.types.csv(f.js, f.type)).join(' + "," + ') : '""'
      : recordJson(this.types, fields);
    return [`${s}.write(${line});`, `${s}.state.rows++;`];
  }

  // ------------------------------------------------------------------ output stages

  /** A function entered with a row as positional arguments (unions, late rows, join / process output). */
  rowEntry(n: PlanNode, name: string, row: RecordType, doc: string): void {
    const params = row.fields.map(() => this.fresh('f'));
    const fields = new Map(row.fields.map((f, i) => [f.name, params[i]!]));
    const r: Row = { scope: { fields, qualifiers: new Map(), locals: new Map(), params: this.params }, ts: 'ts' };
    const body = this.consumers(n.id, r, 'return');
    this.fns.push(`/** ${commentText(doc)} */\nfunction ${name}(${['ts: number', ...params.map((p) => `${p}: any`)].join(', ')}): void {\n${indent(body).join('\n')}\n}`);
  }
}

export function tableIndex(typed: TypedProgram, name: string): number {
  return typed.tables.findIndex((t) => t.decl.name.name === name);
}

export function indent(lines: string[], by = '  '): string[] {
  return lines.map((l) => (l ? by + l.replace(/\n/g, `\n${by}`) : l));
}

/** Assembles the module: imports, the job definition and (for bundles) its entry point. */
export function emit(physical: PhysicalPlan, typed: TypedProgram, options: EmitOptions): EmitResult {
  const e = new JobEmitter(physical, typed, options);
  buildJob(e);
  const uses = [...new Set([...e.cx.uses, ...e.types.uses])].sort();
  const project = new Project({ useInMemoryFileSystem: true });
  const statements: (StatementStructures | string)[] = [];
  statements.push({
    kind: StructureKind.ImportDeclaration,
    moduleSpecifier: options.runtimeModule,
    namedImports: ['runMain', ...uses],
    isTypeOnly: false,
  });
  statements.push({
    kind: StructureKind.ImportDeclaration,
    moduleSpecifier: options.runtimeModule,
    namedImports: ['JobDefinition', 'JobContext', 'JobGraph'],
    isTypeOnly: true,
  });
  for (const [fn, mod] of options.externModules ?? []) {
    statements.push({ kind: StructureKind.ImportDeclaration, moduleSpecifier: mod, namedImports: [{ name: fn, alias: e.cx.fns.get(fn)! }] });
  }
  for (const f of [...e.moduleFns, ...e.types.functions]) statements.push(f);
  const layout = stateLayout(physical);
  statements.push({
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    isExported: true,
    docs: [`The job ${commentText(typed.job.name)}, compiled from ${commentText(typed.main.file.replace(/^.*[\\/]/, ''))}.`],
    declarations: [{
      name: 'job',
      type: 'JobDefinition',
      initializer: [
        '{',
        `  name: ${jsString(typed.job.name)},`,
        `  fingerprint: ${jsString(layout.fingerprint)},`,
        `  layout: [${layout.lines.map(jsString).join(', ')}],`,
        `  params: [${paramDefs(typed).join(', ')}],`,
        `  settings: { ${[
          typed.job.checkpointInterval !== undefined ? `checkpointInterval: ${typed.job.checkpointInterval}` : '',
          typed.job.checkpointDir !== undefined ? `checkpointDir: ${jsString(typed.job.checkpointDir)}` : '',
        ].filter(Boolean).join(', ')} },`,
        '  create,',
        '}',
      ].join('\n'),
    }],
  });
  statements.push(createFunction(e));
  if (!options.testMode) statements.push('await runMain(job);');
  const file = project.createSourceFile('job.ts', { statements });
  const header = `// Generated by flowc from ${commentText(typed.main.file.replace(/^.*[\\/]/, ''))}. Do not edit: change the .flow file and rebuild.\n`;
  let code = header + file.getFullText();
  if (options.testMode) code = code.replace(/import \{ runMain, /, 'import { ');
  return { code, uses };
}

function createFunction(e: JobEmitter): string {
  const body = [
    ...e.decls,
    '',
    ...e.fns.flatMap((f) => [f, '']),
    'return {',
    `  sources: [${e.sourceBindings.join(', ')}],`,
    `  operators: [${e.operatorBindings.join(', ')}],`,
    `  sinks: [${e.sinkBindings.join(', ')}],`,
    `  tables: [${e.tableBindings.join(', ')}],`,
    '};',
  ];
  return `/** Builds the job's state and stage functions for one run. */\nfunction create(ctx: JobContext): JobGraph {\n${indent(body).join('\n')}\n}`;
}

function paramDefs(typed: TypedProgram): string[] {
  return [...typed.symbols.params.values()].map((p) => {
    const base = nonNull(p.type).kind;
    const def = p.decl.default ? compileExpr(p.decl.default, { fields: new Map(), qualifiers: new Map(), locals: new Map(), params: new Map() }, { uses: new Set(), fns: new Map() }) : undefined;
    return `{ name: ${jsString(p.decl.name.name)}, type: ${jsString(base)}, nullable: ${isNullable(p.type)}${def !== undefined ? `, default: ${def}` : ''} }`;
  });
}

/** Fills the emitter: params, user fns, tables, sinks, sources and every stage. */
function buildJob(e: JobEmitter): void {
  const { typed, physical } = e;
  let pi = 0;
  for (const name of typed.symbols.params.keys()) {
    const v = `P${pi++}`;
    e.decls.push(`const ${v}: any = ctx.params[${jsString(name)}];`);
    e.params.set(name, v);
  }
  userFunctions(e);
  typed.tables.forEach((t, i) => {
    const path = compileExpr(t.connector.args.path!, e.paramScope(), e.cx);
    e.use('loadTable');
    const conv = e.types.converter(t.row);
    e.decls.push(`const TABLE_${i} = new Map<any, any>();`);
    e.tableBindings.push(`{ name: ${jsString(t.decl.name.name)}, load: () => loadTable(${jsString(t.decl.name.name)}, ${path}, ${jsString(t.connector.format ?? 'jsonl')}, ${conv}, ${jsString(t.decl.key.name)}, TABLE_${i}) }`);
  });
  // Sources get their index first: operators name the sources they depend on.
  let si = 0;
  for (const n of e.nodes) if (n.kind === 'Source' && physical.live.has(n.id)) e.sourceIndex.set(n.id, si++);
  // Entry functions for rows that arrive by call.
  for (const n of e.nodes) {
    if (!physical.live.has(n.id)) continue;
    if (n.kind === 'Union' || n.kind === 'Late') e.entryFn.set(n.id, `enter${n.id}`);
    if (n.kind === 'Errors') e.entryFn.set(n.id, `bad${n.id}`);
  }
  for (const n of e.nodes) {
    if (!physical.live.has(n.id)) continue;
    switch (n.kind) {
      case 'Sink': declareSink(e, n); break;
      case 'Union': e.rowEntry(n, e.entryFn.get(n.id)!, n.row, `Rows of union n${n.id}.`); break;
      case 'Late': e.rowEntry(n, e.entryFn.get(n.id)!, n.row, `Late rows of ${n.letName ?? `n${n.of}`}.`); break;
      case 'Errors': e.rowEntry(n, e.entryFn.get(n.id)!, n.row, 'Bad input records.'); break;
      default: break;
    }
  }
  for (const n of e.nodes) {
    if (n.kind === 'Source' && physical.live.has(n.id)) declareSource(e, n);
  }
  // Stateful operators after the stages that feed them (their update code is built there).
  for (const n of e.nodes) {
    if (!physical.live.has(n.id)) continue;
    if (n.kind === 'WindowAggregate' || n.kind === 'WindowTop') e.declareWindow(n);
    if (n.kind === 'Join') emitJoinOutput(e, n);
  }
}

function userFunctions(e: JobEmitter): void {
  for (const [name, f] of e.typed.symbols.fns) {
    const js = `fn_${e.cx.fns.size}`;
    e.cx.fns.set(name, f.decl.kind === 'ExternFn' ? `ext_${e.cx.fns.size}` : js);
  }
  for (const [name, f] of e.typed.symbols.fns) {
    if (f.decl.kind !== 'Fn') continue;
    const params = f.params.map((_, i) => `a${i}`);
    const scope: Scope = { fields: new Map(), qualifiers: new Map(), locals: new Map(f.params.map((p, i) => [p.name, params[i]!])), params: new Map() };
    const body = compileExpr(f.decl.body, scope, e.cx);
    e.moduleFns.push(`${e.where(f.decl.span)}\nfunction ${e.cx.fns.get(name)}(${params.map((p) => `${p}: any`).join(', ')}): any {\n  return ${body};\n}`);
  }
}

function declareSink(e: JobEmitter, n: PlanNode & { kind: 'Sink' }): void {
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
  return /[",\r\n]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

function declareSource(e: JobEmitter, n: PlanNode & { kind: 'Source' }): void {
  const i = e.sourceIndex.get(n.id)!;
  const st = `SRC${i}`;
  const c = n.connector;
  e.decls.push(`const ${st} = { maxTs: -Infinity, records: 0, errors: 0, nextWm: Infinity };`);
  const errorsNode = e.nodes.find((x) => x.kind === 'Errors' && x.source === n.id && e.physical.live.has(x.id));
  const badFn = `reject${i}`;
  const badBody = [`${st}.errors++;`];
  if (errorsNode) badBody.push(`${e.entryFn.get(errorsNode.id)!}(0, ${jsString(n.name)}, position, raw, reason);`);
  e.fns.push(`/** A record of ${commentText(n.name)} that does not fit its type goes to errors(${commentText(n.name)}). */\nfunction ${badFn}(position: number, raw: string, reason: string): void {\n${indent(badBody).join('\n')}\n}`);

  const fieldVars = n.row.fields.map(() => e.fresh('f'));
  const scope: Scope = { fields: new Map(n.row.fields.map((f, k) => [f.name, fieldVars[k]!])), qualifiers: new Map(), locals: new Map(), params: e.params };
  const ts = e.fresh('ts');
  const row: Row = { scope, ts };
  const body: string[] = [];
  let open: string;
  let kind: 'json' | 'csv' | 'object';
  if (c.name === 'nexmark') {
    e.use('nexmarkReader');
    const arg = (k: string, d: string) => (c.args[k] ? compileExpr(c.args[k]!, e.paramScope(), e.cx) : d);
    open = `nexmarkReader(${arg('kind', '"bid"')}, ${arg('events', '0')}, ${arg('seed', '0')}, ${arg('rate', '10000')})`;
    kind = 'object';
  } else if (e.options.testMode) {
    e.use('testReader');
    open = `testReader(${jsString(n.name)})`;
    kind = 'object';
  } else if (c.name === 'stdin') {
    e.use('stdinReader');
    open = `stdinReader(${jsString(n.name)}, ${jsString(c.format ?? 'jsonl')})`;
    kind = c.format === 'csv' ? 'csv' : 'json';
  } else {
    e.use('fileReader');
    const path = compileExpr(c.args.path!, e.paramScope(), e.cx);
    const follow = c.args.follow ? compileExpr(c.args.follow, e.paramScope(), e.cx) : 'false';
    open = `fileReader(${jsString(n.name)}, ${path}, ${jsString(c.format ?? 'jsonl')}, ${follow})`;
    kind = c.format === 'csv' ? 'csv' : 'json';
  }
  const fail = (reason: string) => `{ ${badFn}(lines === null ? i + 1 : lines[i]!, ${kind === 'object' ? 'JSON.stringify(o)' : 'raw'}, ${reason}); continue; }`;
  body.push(`const records = batch.records;`, `const lines = batch.lines;`, `${st}.records += records.length;`);
  body.push('for (let i = 0; i < records.length; i++) {');
  const loop: string[] = [];
  if (n.eventTime) {
    // The previous record's watermark takes effect before this record (as a watermark that
    // follows each record): windows it closed fire now.
    loop.push(`if (${st}.maxTs - ${n.watermarkMs} >= ${st}.nextWm) ctx.advance(${i});`);
  }
  if (kind === 'json') {
    loop.push('const raw = records[i] as string;');
    loop.push('let o: any;');
    loop.push(`try { o = JSON.parse(raw); } catch (err) ${fail('"invalid JSON: " + (err as Error).message')}`);
    loop.push(`if (o === null || typeof o !== "object" || Array.isArray(o)) ${fail('"expected a JSON object, found " + rt_describe(o)')}`);
    e.use('rt_describe');
  } else if (kind === 'object') {
    loop.push('const o: any = records[i];');
  } else {
    e.use('parseCsvRecord', 'rt_csvColumns');
    e.decls.push(`let COLS${i}: number[] = [];`);
    loop.push('const raw = records[i] as string;');
    loop.push('const cells = parseCsvRecord(raw);');
    loop.push(`if (!Array.isArray(cells)) ${fail('"invalid CSV: " + cells.error')}`);
  }
  n.row.fields.forEach((f, k) => {
    const v = fieldVars[k]!;
    const expected = jsString(`field ${JSON.stringify(f.name)}: expected ${describeType(f.type)}, found `);
    if (kind === 'csv') {
      loop.push(`let ${v}: any;`);
      loop.push(`{ const s = cells[COLS${i}[${k}]!]; ${e.types.convertCsv(v, 's', f.type, fail(`${expected} + rt_describe(s)`))} }`);
      e.use('rt_describe');
    } else {
      loop.push(`let ${v}: any = o${prop(f.name)};`);
      if (kind === 'object' && c.name === 'nexmark') return;
      const missing = isNullable(f.type) ? '' : `if (${v} === undefined) ${fail(jsString(`missing field ${JSON.stringify(f.name)}`))}\n`;
      loop.push(`${missing}{ const given = ${v}; ${e.types.convertInPlace(v, f.type, fail(`${expected} + rt_describe(given)`))} }`);
      e.use('rt_describe');
    }
  });
  if (n.eventTime) {
    loop.push(`const ${ts} = ${compileExpr(n.eventTime, scope, e.cx)};`);
    loop.push(`if (${ts} > ${st}.maxTs) ${st}.maxTs = ${ts};`);
  } else {
    loop.push(`const ${ts} = 0;`);
  }
  loop.push(...e.consumers(n.id, row, 'continue'));
  body.push(...indent(loop), '}');
  e.fns.push(`/** Stage ${i}: source ${commentText(n.name)} and every operator fused after it. */\nfunction stage${i}(batch: { records: unknown[]; lines: number[] | null }): void {\n${indent(body).join('\n')}\n}`);
  const openBody = kind === 'csv'
    ? `{ const r = ${open}; COLS${i} = rt_csvColumns(r.header(), [${n.row.fields.map((f) => jsString(f.name)).join(', ')}]); return r; }`
    : open;
  e.sourceBindings.push(`{ name: ${jsString(n.name)}, eventTime: ${n.eventTime !== undefined}, delay: ${n.watermarkMs}, state: ${st}, open: () => ${openBody}, stage: stage${i} }`);
}

function describeType(t: Type): string {
  const s = showType(nonNull(t));
  return isNullable(t) ? `${s} or null` : s;
}

export { key };
