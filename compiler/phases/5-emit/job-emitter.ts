/**
 * The state of one fused-code generation: the declarations and functions of `create()`, and the
 * walk that turns a chain of plan nodes into straight-line statements over local variables.
 * Operators with files of their own: sources.ts, windows.ts, stateful.ts (dedup, joins,
 * process), sinks.ts; module assembly is in emit.ts.
 */
import type * as A from '../1-parse/ast.ts';
import type { PhysicalPlan } from '../4-fuse/fuse.ts';
import type { NodeId, PlanNode } from '../3-plan/plan.ts';
import type { TypedProgram } from '../2-check/check.ts';
import type { Type } from '../2-check/types.ts';
import { compileExpr, commentText, jsString, key, prop, tsType, type Scope, type ExprContext } from './expr.ts';
import { TypeCode } from './records.ts';
import { demands } from '../4-fuse/optimize/demand.ts';
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
    if (entry !== undefined && (n.kind === 'Union' || n.kind === 'KeyBy')) {
      // A stage of its own, entered by call with the fields it reads.
      return [this.where(n.span), `${entry}(${[row.ts, ...this.entryFields(n).map((f) => this.field(row, f.name))].join(', ')});`];
    }
    const out: string[] = [this.where(n.span)];
    switch (n.kind) {
      case 'Where':
        out.push(`if (!${paren(compileExpr(n.cond, row.scope, this.cx))}) ${exit};`);
        out.push(...this.consumers(n.id, row, exit));
        return out;
      case 'Map': {
        const next = this.mapRecord(n, row, out);
        out.push(...this.consumers(n.id, next, exit));
        return out;
      }
      case 'KeyBy':
        out.push(...this.consumers(n.id, row, exit));
        return out;
      case 'Unnest':
        out.push(...this.unnest(n, row));
        return out;
      case 'Lookup':
        out.push(...this.lookup(n, row, exit));
        return out;
      default: {
        const stateful = this.statefulInput.get(n.kind);
        if (!stateful) throw new Error(`internal: ${n.kind} cannot be fused`);
        out.push(...stateful(n, row, exit, from, occurrence));
        return out;
      }
    }
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

  /** Input sides of stateful operators and sinks, registered by their modules (windows.ts, …). */
  readonly statefulInput = new Map<string, (n: PlanNode, row: Row, exit: string, from: NodeId, occurrence: number) => string[]>();

  /** The JS expression of a field of a row (a pruned field that someone still reads is a compiler bug). */
  field(row: Row, name: string): string {
    const js = row.scope.fields.get(name);
    if (js === undefined) throw new Error(`internal: field ${JSON.stringify(name)} is not available here`);
    return js;
  }

  /** Fields a stage entered by call receives: those read downstream of it (and its own keys). */
  entryFields(n: PlanNode): { name: string; type: Type }[] {
    const keys = n.kind === 'KeyBy' ? new Set(n.keys.map((k) => k.name)) : new Set<string>();
    return n.row.fields.filter((f) => this.demanded(n.id, f.name) || keys.has(f.name));
  }

  /** `select`/`extend`: computes each demanded output field into a local. */
  mapRecord(n: PlanNode & { kind: 'Map' }, row: Row, out: string[]): Row {
    const fields = new Map<string, string>(n.extend ? row.scope.fields : []);
    for (const item of n.record.items) {
      if (item.kind === 'Spread') {
        const t = item.expr.ty;
        const names = t?.kind === 'record' ? t.fields.map((f) => f.name) : [];
        if (!names.some((f) => this.demanded(n.id, f))) continue;
        const v = this.fresh('r');
        out.push(`const ${v} = ${compileExpr(item.expr, row.scope, this.cx)};`);
        for (const f of names) fields.set(f, `${v}${prop(f)}`);
        continue;
      }
      const name = item.name.name;
      if (!this.demanded(n.id, name)) { fields.delete(name); continue; }
      const js = compileExpr(item.value, row.scope, this.cx);
      if (/^[A-Za-z_$][\w$]*$/.test(js) && js !== 'undefined') { fields.set(name, js); continue; }
      const v = this.fresh();
      out.push(`const ${v} = ${js};`);
      fields.set(name, v);
    }
    return { scope: { ...row.scope, fields, qualifiers: new Map(), recordLocals: undefined }, ts: row.ts };
  }

  private unnest(n: PlanNode & { kind: 'Unnest' }, row: Row): string[] {
    const out: string[] = [];
    const lv = this.fresh('list');
    const k = this.fresh('i');
    const el = this.fresh('el');
    const fields = new Map<string, string>();
    for (const f of n.row.fields) {
      if (f.name === n.as) fields.set(f.name, el);
      else if (row.scope.fields.has(f.name)) fields.set(f.name, row.scope.fields.get(f.name)!);
    }
    const inner: Row = { scope: { ...row.scope, fields, qualifiers: new Map() }, ts: row.ts };
    out.push(`const ${lv} = ${this.field(row, n.field)};`);
    out.push(`if (${lv} != null) for (let ${k} = 0; ${k} < ${lv}.length; ${k}++) {`);
    out.push(...indent([`const ${el} = ${lv}[${k}]!;`, ...this.consumers(n.id, inner, 'continue')]));
    out.push('}');
    return out;
  }

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
    const processingTime = (n.kind === 'WindowAggregate' || n.kind === 'WindowTop') && n.window.processingTime;
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

export function indent(lines: string[], by = '  '): string[] {
  return lines.map((l) => (l ? by + l.replace(/\n/g, `\n${by}`) : l));
}

/** `(x)` unless `x` is already a name, a call on a name or parenthesised. */
export function paren(js: string): string {
  return /^[\w$.]+$/.test(js) || (/^\(.*\)$/.test(js) && balanced(js.slice(1, -1))) ? js : `(${js})`;
}

function balanced(s: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}
