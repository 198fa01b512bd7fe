/**
 * The state of one fused-code generation: the declarations and functions of `create()`, and the
 * walk that turns a chain of plan nodes into straight-line statements over local variables. What
 * each operator contributes is in its file under compiler/operators/ (`fused` facet), reached
 * through the operator table; module assembly is in emit.ts.
 */
import type * as A from '../1-parse/ast.ts';
import type { PhysicalPlan } from '../4-fuse/fuse.ts';
import type { NodeId, PlanNode } from '../3-plan/nodes.ts';
import type { OperatorTable } from '../../operators/operator.ts';
import type { TypedProgram } from '../2-check/check.ts';
import type { Type } from '../../../lang/types.ts';
import { compileExpr, commentText, jsString, key, tsType, type Scope, type ExprContext } from './expr.ts';
import { TypeCode } from './records.ts';
import { indent } from './code.ts';
import { demands } from '../4-fuse/optimize/reads.ts';
import { LineIndex } from '../../diagnostics/position.ts';
import { keyShape, keyUses, keyValue, type KeyShape } from './keys.ts';

export interface EmitOptions {
  /** The module the runtime is imported from. */
  runtimeModule: string;
  /** Extern fn name → module specifier to import it from. */
  externModules?: Map<string, string>;
  /** Emit a test harness module (no `runMain`); `flowc test` drives it. */
  testMode?: boolean;
  /**
   * Test mode: lets and sources whose rows are captured, as `{ field: value }` objects (timestamps
   * and durations as ms numbers), into `graph.observed[name]`.
   */
  observe?: Set<string>;
}

/** A stream of rows inside generated code: its fields as JS expressions, plus its event time. */
export interface Row {
  scope: Scope;
  ts: string;
}

/** A function of `create()`: a stage, an entry, a fire or timer callback. */
export interface GeneratedFunction {
  name: string;
  doc: string;
  params: { name: string; type: string }[];
  returnType: string;
  body: string[];
}

export class JobEmitter {
  readonly cx: ExprContext = { uses: new Set(), fns: new Map() };
  readonly types = new TypeCode();
  /** Declarations inside `create()`, before the stage functions. */
  readonly decls: string[] = [];
  readonly fns: GeneratedFunction[] = [];
  readonly sourceBindings: string[] = [];
  /** Stateful operators the driver schedules, by node id (emitted in plan order: topological). */
  readonly operators: { id: NodeId; code: string }[] = [];
  readonly sinkBindings: string[] = [];
  readonly tableBindings: string[] = [];
  /** Module-level functions (user fns, per-type converters and serialisers). */
  readonly moduleFns: string[] = [];
  /** Module-level type aliases (accumulators). */
  readonly typeAliases: string[] = [];
  private tmp = 0;
  private label = 0;
  readonly params = new Map<string, string>();
  /** Entry functions of stages entered by call (unions, shuffles, late rows, errors). */
  readonly entryFn = new Map<NodeId, string>();
  readonly sourceIndex = new Map<NodeId, number>();
  private readonly lines = new Map<string, LineIndex>();

  constructor(readonly physical: PhysicalPlan, readonly typed: TypedProgram, readonly options: EmitOptions, readonly ops: OperatorTable) {}

  get nodes(): PlanNode[] {
    return this.physical.logical.nodes;
  }

  fresh(prefix = 'v'): string {
    return `${prefix}${this.tmp++}`;
  }

  use(...names: string[]): void {
    for (const n of names) this.cx.uses.add(n);
  }

  fn(f: GeneratedFunction): void {
    this.fns.push(f);
  }

  /** A readable suffix for generated names: the let a node ends (letters, digits, `_` only). */
  suffix(n: PlanNode): string {
    const s = (n.letName ?? '').replace(/[^A-Za-z0-9_]/g, '');
    return s ? `_${s}` : '';
  }

  /** `// file.flow:12  text of line 12`, so generated code (and its source map) points back at the source. */
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

  /** Is output field `field` of node `id` read downstream (projection pruning)? */
  demanded(id: NodeId, field: string): boolean {
    return demands(this.physical.demand.get(id), field);
  }

  /** Indexes of the sources upstream of a node (its watermark is their minimum). */
  upstreamSources(id: NodeId): number[] {
    const out = new Set<number>();
    const seen = new Set<NodeId>();
    const visit = (n: PlanNode) => {
      if (seen.has(n.id)) return;
      seen.add(n.id);
      if (n.kind === 'Source') out.add(this.sourceIndex.get(n.id)!);
      for (const i of n.inputs) visit(this.nodes[i]!);
    };
    visit(this.nodes[id]!);
    return [...out].sort((a, b) => a - b);
  }

  // ------------------------------------------------------------------ chains

  /** Code for everything downstream of `id`, given its row. `exit` abandons the current row. */
  consumers(id: NodeId, row: Row, exit: string): string[] {
    const cs = this.consumersOf(id);
    const observed = this.observeRow(id, row);
    if (cs.length === 1) return [...observed, ...this.node(cs[0]!, row, exit, id, 0)];
    const out: string[] = [...observed];
    // Fan-out: each reader gets a labelled block of the same loop; `break` leaves one reader.
    cs.forEach((c, i) => {
      const occurrence = cs.slice(0, i).filter((x) => x === c).length;
      const l = `L${this.label++}`;
      out.push(`${l}: {`, ...indent(this.node(c, row, `break ${l}`, id, occurrence)), '}');
    });
    return out;
  }

  /** Names (lets, sources) under which `flowc test` observes a node's rows. */
  observedNames(id: NodeId): string[] {
    const observe = this.options.testMode ? this.options.observe : undefined;
    if (!observe?.size) return [];
    return [...observe].filter((name) => this.streamNode(name) === id);
  }

  /** The node whose rows a source or let name stands for (`let a = b` shares b's node). */
  private streamNode(name: string): NodeId | undefined {
    const target = this.aliasTarget(name);
    const src = this.nodes.find((x) => x.kind === 'Source' && x.name === target);
    if (src) return src.id;
    // The plan names a shared node after the last let that reads it unchanged.
    return this.nodes.find((x) => x.letName !== undefined && this.aliasTarget(x.letName) === target)?.id;
  }

  private aliasTarget(name: string): string {
    for (let guard = 0; guard < 100; guard++) {
      const p = this.typed.symbols.lets.get(name)?.decl.pipeline;
      if (!p || p.ops.length > 0 || p.head.kind !== 'StreamName' || p.alias) return name;
      name = p.head.name.name;
    }
    return name;
  }

  /** Test mode: copies an observed node's row into `OBSERVED[name]`. */
  private observeRow(id: NodeId, row: Row): string[] {
    const names = this.observedNames(id);
    if (!names.length) return [];
    const n = this.nodes[id]!;
    const obj = `{ ${n.row.fields.map((f) => `${key(f.name)}: ${row.scope.fields.get(f.name) ?? 'null'}`).join(', ')} }`;
    return names.map((name) => `OBSERVED[${jsString(name)}]!.push(${obj});`);
  }

  /** Code for one node fed by `row`, then its consumers (when fused). */
  node(n: PlanNode, input: Row, exit: string, from: NodeId, occurrence: number): string[] {
    const row = this.qualify(n, input);
    const entry = this.entryFn.get(n.id);
    if (entry !== undefined) {
      // A stage of its own (a union, a shuffle), entered by call with the fields it reads.
      return [this.where(n.span), `${entry}(${[row.ts, ...this.entryFields(n).map((f) => this.field(row, f.name))].join(', ')});`];
    }
    const inline = (this.ops[n.kind].fused.row as ((e: JobEmitter, n: PlanNode, row: Row, exit: string, from: NodeId, occurrence: number) => string[]) | null);
    if (!inline) throw new Error(`internal: rows of ${n.kind} n${n.id} cannot arrive inline`);
    return [this.where(n.span), ...inline(this, n, row, exit, from, occurrence)];
  }

  /**
   * The row as `n`'s expressions see it: an alias given at the head of a pipeline
   * (`clicks as c | where c.page …`) reads the row's own fields.
   */
  qualify(n: PlanNode, row: Row): Row {
    const missing = (n.readable ?? []).filter((a) => !row.scope.qualifiers.has(a));
    if (!missing.length) return row;
    const qualifiers = new Map(row.scope.qualifiers);
    for (const a of missing) qualifiers.set(a, row.scope.fields);
    return { ...row, scope: { ...row.scope, qualifiers } };
  }

  /** The JS expression of a field of a row (a pruned field that someone still reads is a compiler bug). */
  field(row: Row, name: string): string {
    const js = row.scope.fields.get(name);
    if (js === undefined) throw new Error(`internal: field ${JSON.stringify(name)} is not available here`);
    return js;
  }

  /** Fields a stage entered by call receives: those read downstream of it (and its own keys). */
  entryFields(n: PlanNode): { name: string; type: Type }[] {
    const keys = new Set(n.kind === 'KeyBy' ? n.keys.map((k) => k.name) : []);
    return n.row.fields.filter((f) => this.demanded(n.id, f.name) || keys.has(f.name));
  }

  // ------------------------------------------------------------------ keys

  /** The key shape of a keyed operator, and the KeyTable it needs (declared once). */
  keyShapeOf(n: PlanNode, types: Type[]): KeyShape {
    const shape = keyShape(types);
    this.use(...keyUses(shape));
    const table = `KEYS${n.id}`;
    if (shape.kind === 'table' && !this.decls.some((d) => d.startsWith(`const ${table} `))) {
      this.decls.push(`const ${table} = new KeyTable(${shape.arity});`);
    }
    return shape;
  }

  /** The key of a keyed operator for the row in `row`: its key fields (or key expressions). */
  keyOf(n: PlanNode & { keys: { name: string; type: Type; expr: A.Expr }[] }, row: Row): { shape: KeyShape; js: string } {
    const shape = this.keyShapeOf(n, n.keys.map((k) => k.type));
    const parts = n.keys.map((k) => row.scope.fields.get(k.name) ?? compileExpr(k.expr, row.scope, this.cx));
    return { shape, js: keyValue(shape, parts, `KEYS${n.id}`) };
  }

  /** Registers the operator binding the driver schedules; `keys` adds the operator's KeyTable to its snapshot. */
  addOperator(n: PlanNode, store: string, opts: { late?: string; keys?: boolean; extra?: { name: string; js: string }[] } = {}): void {
    this.operators.push({ id: n.id, code: this.operatorBinding(n, store, opts) });
  }

  operatorBinding(n: PlanNode, store: string, opts: { late?: string; keys?: boolean; extra?: { name: string; js: string }[] } = {}): string {
    const processingTime = 'window' in n && n.window.processingTime;
    const table = `KEYS${n.id}`;
    const parts = [`s: ${store}.snapshot()`, ...(opts.keys ? [`k: ${table}.tuples()`] : []), ...(opts.extra ?? []).map((x) => `${x.name}: ${x.js}`)];
    const restore = [`${store}.restore(x.s);`, ...(opts.keys ? [`${table}.adopt(x.k);`] : []), ...(opts.extra ?? []).map((x) => `${x.js} = x.${x.name};`)];
    const advance = opts.keys ? `{ ${store}.advance(wm); ${table}.maybeCompact(() => ${store}.snapshot()); }` : `${store}.advance(wm)`;
    return [
      `{ // n${n.id} ${n.kind}`,
      `  name: ${jsString(n.letName ?? `${n.kind} n${n.id}`)},`,
      `  inputs: [${this.upstreamSources(n.id).join(', ')}],`,
      ...(processingTime ? ['  processingTime: true,'] : []),
      `  late: ${opts.late ?? '{ count: 0 }'},`,
      `  advance: (wm: number) => ${advance},`,
      `  nextDeadline: () => ${store}.nextDeadline(),`,
      `  onDeadline: (f: (t: number) => void) => ${store}.onDeadline(f),`,
      `  stateSize: () => ${store}.stateSize(),`,
      `  snapshot: () => ({ ${parts.join(', ')} }),`,
      `  restore: (x: any) => { ${restore.join(' ')} },`,
      '}',
    ].join('\n');
  }

  // ------------------------------------------------------------------ output stages

  /**
   * A function entered with a row as positional arguments (unions, shuffles, late rows, bad
   * records): `fields` are the parameters, in order.
   */
  rowEntry(n: PlanNode, name: string, fields: { name: string; type: Type }[], doc: string): void {
    const params = fields.map(() => this.fresh('f'));
    const scope: Scope = { fields: new Map(fields.map((f, i) => [f.name, params[i]!])), qualifiers: new Map(), locals: new Map(), params: this.params };
    // Qualified names that stay readable after this point (a shuffle keeps them) read the same fields.
    for (const q of n.qualifiers) scope.qualifiers.set(q.alias, scope.fields);
    const body = this.consumers(n.id, { scope, ts: 'ts' }, 'return');
    this.fn({
      name, doc,
      params: [{ name: 'ts', type: 'number' }, ...fields.map((f, i) => ({ name: params[i]!, type: tsType(f.type) }))],
      returnType: 'void',
      body,
    });
  }
}

export function tableIndex(typed: TypedProgram, name: string): number {
  return typed.tables.findIndex((t) => t.decl.name.name === name);
}
