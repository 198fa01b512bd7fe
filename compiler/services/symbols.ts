/**
 * The symbol index of one analysed file: every declared name (top-level declarations of the file
 * and of the files it imports, fn parameters, process state and locals, pipeline aliases, record
 * type fields) and every occurrence of a name in the file, resolved to its declaration the way
 * the checker resolves it. Hover, completion, go-to-definition and find-references all read it.
 *
 * Typed information comes from the slots the checker fills: `Pipeline.stream` / `Op.stream` give
 * the row a name in an operator can refer to (a field wins over an alias or a param of the same
 * name, as in the checker), and `Expr.ty` the type hover shows. Without them (a file that did not
 * check) names still resolve to locals, aliases and params.
 */
import { exprChildren } from '../phases/1-parse/walk.ts';
import type * as A from '../phases/1-parse/ast.ts';
import type { Span } from '../diagnostics/diagnostic.ts';
import type { StreamInfo } from '../../lang/types.ts';
import { builtinByName, aggregateByName } from '../../lang/builtins.ts';

/** What the services need of an analysis: the file's AST and the ASTs of the files it imports. */
export interface AnalysisLike {
  program: A.Program;
  imports?: A.Program[];
}

export type SymbolKind =
  | 'job' | 'type' | 'param' | 'source' | 'table' | 'let' | 'fn' | 'extern fn' | 'test'
  | 'field' | 'parameter' | 'state' | 'local' | 'alias';

export interface FlowSymbol {
  name: string;
  kind: SymbolKind;
  /** The span of the name where it is declared (possibly in an imported file). */
  nameSpan: Span;
  /** The whole declaration. */
  span: Span;
  /** The declaration node, for printing (a Decl, ParamDef, StateDecl, FieldTypeExpr, …). */
  node: unknown;
  /** For fields of a record type: the type declaration they belong to. */
  parent?: FlowSymbol;
}

/** What kind of name an occurrence is, which decides where it is looked up. */
export type OccurrenceRole = 'declaration' | 'type' | 'stream' | 'table' | 'value' | 'call' | 'field' | 'connector';

export interface Occurrence {
  name: string;
  span: Span;
  role: OccurrenceRole;
  /** The declaration it refers to (or is), when known. */
  symbol?: FlowSymbol;
  /** A call of a builtin or aggregate function (not shadowed by a `fn`). */
  builtin?: 'builtin' | 'aggregate';
  /** The expression node, for its checker type. */
  expr?: A.Expr;
  /** The row this name was found in, when the checker provided it. */
  row?: StreamInfo;
  /** For a connector's name or a named argument of it: the connector's name. */
  connector?: string;
}

/** A region where some names are visible: a fn body, a process block, an operator of a pipeline. */
export interface Scope {
  span: Span;
  /** Locals, parameters and state visible here. */
  symbols: FlowSymbol[];
  /** Names that qualify a row here (`as` aliases, the head stream's name), to what they name. */
  qualifiers?: Map<string, FlowSymbol>;
  /** The stream an operator reads, when the checker provided it. */
  input?: StreamInfo;
  /** Fields known by declaration (a source's event time reads its declared type's fields). */
  fields?: Map<string, FlowSymbol>;
  /** Inside a `process` block (`on record` or `on timer`): `key` is visible, and in `on timer` `timer_time` but not the row. */
  process?: 'record' | 'timer';
  /** Inside an `aggregate { … }`. */
  aggregate?: boolean;
}

export interface SymbolIndex {
  program: A.Program;
  /** Top-level value-like declarations (params, sources, tables, lets, fns) by name; the first wins. */
  values: Map<string, FlowSymbol>;
  /** Type declarations by name. */
  types: Map<string, FlowSymbol>;
  /** Every symbol, including fields, parameters, state, locals and aliases. */
  symbols: FlowSymbol[];
  /** Names in this file (never in imported files), each resolved where possible. */
  occurrences: Occurrence[];
  scopes: Scope[];
  /** Every expression, for type hover. */
  exprs: A.Expr[];
  /** Every pipeline operator, for the stream type after it. */
  ops: A.Op[];
}

const cache = new WeakMap<A.Program, SymbolIndex>();

/** The index of an analysis (computed once per program object). */
export function symbolIndex(analysis: AnalysisLike): SymbolIndex {
  let index = cache.get(analysis.program);
  if (!index) {
    index = new IndexBuilder(analysis.program, analysis.imports ?? []).build();
    cache.set(analysis.program, index);
  }
  return index;
}

export function contains(span: Pick<Span, 'start' | 'end'>, offset: number, inclusiveEnd = true): boolean {
  return span.start <= offset && (offset < span.end || (inclusiveEnd && offset === span.end));
}

const declKind: Partial<Record<A.DeclKind, SymbolKind>> = {
  Job: 'job', Param: 'param', TypeDecl: 'type', Source: 'source', Table: 'table', Let: 'let', Fn: 'fn', ExternFn: 'extern fn',
};

class IndexBuilder {
  private readonly index: SymbolIndex;
  /** Scopes enclosing the node being visited, innermost last. */
  private readonly open: Scope[] = [];

  constructor(private readonly program: A.Program, private readonly imports: A.Program[]) {
    this.index = { program, values: new Map(), types: new Map(), symbols: [], occurrences: [], scopes: [], exprs: [], ops: [] };
  }

  build(): SymbolIndex {
    for (const d of this.program.decls) this.declare(d, true);
    // Imported files contribute their types, params, fns, sources, tables and lets (the checker rejects clashes).
    for (const p of this.imports) {
      for (const d of p.decls) if (d.kind !== 'Sink' && d.kind !== 'Test' && d.kind !== 'Job') this.declare(d, false);
    }
    for (const d of this.program.decls) this.decl(d);
    return this.index;
  }

  private symbol(name: A.Ident, kind: SymbolKind, span: Span, node: unknown, parent?: FlowSymbol, here = true): FlowSymbol {
    const s: FlowSymbol = { name: name.name, kind, nameSpan: name.span, span, node, ...(parent ? { parent } : {}) };
    this.index.symbols.push(s);
    if (here) this.occur({ name: name.name, span: name.span, role: 'declaration', symbol: s });
    return s;
  }

  private occur(o: Occurrence): void {
    this.index.occurrences.push(o);
  }

  /** First pass: top-level names, so that declarations may come in any order. */
  private declare(d: A.Decl, here: boolean): void {
    const kind = declKind[d.kind];
    if (!kind || !('name' in d) || typeof d.name !== 'object') return;
    const s = this.symbol(d.name, kind, d.span, d, undefined, here);
    const table = kind === 'type' ? this.index.types : this.index.values;
    if (!table.has(s.name) && kind !== 'job') table.set(s.name, s);
    if (d.kind === 'TypeDecl' && d.type.kind === 'RecordType') {
      for (const f of d.type.fields) this.symbol(f.name, 'field', f.span, f, s, here);
    }
  }

  private decl(d: A.Decl): void {
    switch (d.kind) {
      case 'Job':
        for (const s of d.settings) this.expr(s.value);
        return;
      case 'Import':
        return;
      case 'Param':
        this.typeExpr(d.type);
        if (d.default) this.expr(d.default);
        return;
      case 'TypeDecl':
        this.typeExpr(d.type, true);
        return;
      case 'Source': {
        this.typeExpr(d.type);
        this.connector(d.connector);
        // The event time expression reads the source's own row: its fields are those of the declared type.
        if (d.eventTime) this.scoped({ span: d.span, symbols: [], fields: this.fieldsOf(d.type) }, () => this.expr(d.eventTime!));
        if (d.watermark) this.expr(d.watermark);
        return;
      }
      case 'Table':
        this.typeExpr(d.type);
        this.connector(d.connector);
        this.occur({ name: d.key.name, span: d.key.span, role: 'field' });
        return;
      case 'Let':
        this.pipeline(d.pipeline);
        return;
      case 'Sink':
        this.pipeline(d.pipeline);
        this.connector(d.connector);
        return;
      case 'Fn':
      case 'ExternFn': {
        const params = d.params.map((p) => {
          this.typeExpr(p.type);
          return this.symbol(p.name, 'parameter', p.span, p);
        });
        this.typeExpr(d.returnType);
        if (d.kind === 'Fn') this.scoped({ span: d.body.span, symbols: params }, () => this.expr(d.body));
        return;
      }
      case 'Test':
        for (const step of d.steps) {
          if (step.kind === 'Given') this.ref(step.source, 'stream');
          if (step.kind === 'Expect') this.ref(step.stream, 'stream');
          this.expr(step.kind === 'Advance' ? step.to : step.rows);
        }
        return;
    }
  }

  /** The field symbols of a declared record type (through a `type` name). */
  private fieldsOf(t: A.TypeExpr): Map<string, FlowSymbol> {
    const decl = t.kind === 'NamedType' ? this.index.types.get(t.name) : undefined;
    return new Map(this.index.symbols.filter((f) => f.kind === 'field' && f.parent === decl && decl).map((f) => [f.name, f]));
  }

  private connector(c: A.ConnectorCall): void {
    this.occur({ name: c.name.name, span: c.name.span, role: 'connector', connector: c.name.name });
    for (const a of c.args) {
      if (a.name) this.occur({ name: a.name.name, span: a.name.span, role: 'field', connector: c.name.name });
      this.expr(a.value);
    }
  }

  private typeExpr(t: A.TypeExpr, inTypeDecl = false): void {
    switch (t.kind) {
      case 'NamedType': {
        const symbol = this.index.types.get(t.name);
        this.occur({ name: t.name, span: t.span, role: 'type', ...(symbol ? { symbol } : {}) });
        return;
      }
      case 'NullableType':
        return this.typeExpr(t.inner);
      case 'ListType':
        return this.typeExpr(t.element);
      case 'RecordType':
        for (const f of t.fields) {
          // Fields of a `type` declaration's record are symbols already; nested records' fields are not.
          if (!inTypeDecl) this.occur({ name: f.name.name, span: f.name.span, role: 'field' });
          this.typeExpr(f.type);
        }
        return;
    }
  }

  private ref(name: A.Ident, role: 'stream' | 'table'): FlowSymbol | undefined {
    const symbol = this.index.values.get(name.name);
    const fits = symbol && (role === 'table' ? symbol.kind === 'table' : symbol.kind === 'source' || symbol.kind === 'let');
    this.occur({ name: name.name, span: name.span, role, ...(fits ? { symbol } : {}) });
    return fits ? symbol : undefined;
  }

  private streamRef(r: A.StreamRef): FlowSymbol | undefined {
    switch (r.kind) {
      case 'StreamName':
      case 'Late':
      case 'Errors':
        return this.ref(r.name, 'stream');
      case 'Union':
        for (const p of r.inputs) this.pipeline(p);
        return undefined;
    }
  }

  private pipeline(p: A.Pipeline): void {
    const head = this.streamRef(p.head);
    const qualifiers = new Map<string, FlowSymbol>();
    if (p.alias) qualifiers.set(p.alias.name, this.symbol(p.alias, 'alias', p.span, p));
    // As in the checker, a pipeline without `as` may qualify fields with its head stream's name.
    else if (p.head.kind === 'StreamName' && head) qualifiers.set(head.name, head);
    let input = p.stream;
    for (const op of p.ops) {
      this.index.ops.push(op);
      if (op.kind === 'Join') {
        const right = this.streamRef(op.right);
        // The alias of a join is visible in its own `on` condition and after it.
        if (op.alias) qualifiers.set(op.alias.name, this.symbol(op.alias, 'alias', op.span, op));
        else if (op.right.kind === 'StreamName' && right) qualifiers.set(right.name, right);
      }
      if (op.kind === 'Lookup') {
        const table = this.ref(op.table, 'table');
        if (op.alias) qualifiers.set(op.alias.name, this.symbol(op.alias, 'alias', op.span, op));
        else if (table) qualifiers.set(table.name, table);
      }
      const scope: Scope = {
        span: op.span, symbols: [], qualifiers: new Map(qualifiers),
        ...(input ? { input } : {}), ...(op.kind === 'Aggregate' ? { aggregate: true } : {}),
      };
      this.scoped(scope, () => this.op(op));
      input = op.stream;
    }
  }

  private op(op: A.Op): void {
    switch (op.kind) {
      case 'Where': return this.expr(op.cond);
      case 'Select': case 'Extend': case 'Aggregate': return this.expr(op.record);
      case 'Unnest':
        this.occur({ name: op.field.name, span: op.field.span, role: 'field', ...this.row() });
        if (op.alias) this.occur({ name: op.alias.name, span: op.alias.span, role: 'field' });
        return;
      case 'KeyBy': case 'Dedup':
        for (const f of op.fields ?? []) this.fieldPath(f);
        if (op.kind === 'Dedup') this.expr(op.within);
        return;
      case 'Window': return this.windowSpec(op.spec);
      case 'Top': this.expr(op.n); return this.expr(op.by);
      case 'Join':
        this.expr(op.on);
        if (op.bound.kind === 'within') this.expr(op.bound.within);
        else this.windowSpec(op.bound.spec);
        return;
      case 'Lookup': return this.expr(op.on);
      case 'Process': {
        const states = op.states.map((s) => {
          this.typeExpr(s.type);
          this.expr(s.init);
          return this.symbol(s.name, 'state', s.span, s);
        });
        this.scoped({ span: op.span, symbols: states }, () => {
          if (op.onRecord) this.block(op.onRecord, 'record');
          if (op.onTimer) this.block(op.onTimer, 'timer');
        });
        return;
      }
    }
  }

  private windowSpec(w: A.WindowSpec): void {
    if (w.kind === 'tumbling') this.expr(w.size);
    else if (w.kind === 'sliding') { this.expr(w.size); this.expr(w.every); }
    else this.expr(w.gap);
  }

  private fieldPath(f: A.FieldPath): void {
    const [first, ...rest] = f.parts;
    if (first) this.name(first.name, first.span);
    for (const p of rest) this.occur({ name: p.name, span: p.span, role: 'field' });
  }

  /** Statements of a process block; a `let` is visible in the statements after it. */
  private block(stmts: A.Stmt[], process: 'record' | 'timer'): void {
    const span = stmts.length
      ? { file: this.program.file, start: stmts[0]!.span.start, end: stmts[stmts.length - 1]!.span.end }
      : { file: this.program.file, start: 0, end: 0 };
    const scope: Scope = { span, symbols: [], process };
    this.scoped(scope, () => {
      for (const s of stmts) {
        switch (s.kind) {
          case 'If':
            this.expr(s.cond);
            this.block(s.then, process);
            if (s.else) this.block(s.else, process);
            break;
          case 'Emit': this.expr(s.record); break;
          case 'Timer': this.expr(s.at); break;
          case 'Clear': break;
          case 'LetStmt': {
            this.expr(s.value);
            scope.symbols.push(this.symbol(s.name, 'local', s.span, s));
            break;
          }
          case 'Assign':
            this.name(s.target.name, s.target.span);
            this.expr(s.value);
            break;
        }
      }
    });
  }

  private expr(e: A.Expr): void {
    this.index.exprs.push(e);
    switch (e.kind) {
      case 'Literal': return;
      case 'Name': return this.name(e.name, e.span, e);
      case 'Member':
        this.expr(e.object);
        this.occur({ name: e.field.name, span: e.field.span, role: 'field', expr: e });
        return;
      case 'Call': return this.call(e);
      case 'Unary': case 'Binary': case 'If': case 'List':
        for (const x of exprChildren(e)) this.expr(x);
        return;
      case 'Record':
        for (const item of e.items) {
          if (item.kind === 'Spread') this.expr(item.expr);
          else {
            // `{ user }` is both the field `user` and a reference to `user`: the reference is what matters.
            if (!item.shorthand) this.occur({ name: item.name.name, span: item.name.span, role: 'field', expr: item.value });
            this.expr(item.value);
          }
        }
        return;
    }
  }

  private call(e: A.ExprOf<'Call'>): void {
    const name = e.callee.name;
    const user = this.index.values.get(name);
    const isFn = user && (user.kind === 'fn' || user.kind === 'extern fn');
    const scalarMinMax = (name === 'min' || name === 'max') && e.args.length === 2;
    const inAggregate = this.open.some((s) => s.aggregate);
    const builtin = isFn ? undefined
      : inAggregate && aggregateByName.has(name) && !scalarMinMax ? 'aggregate'
        : builtinByName.has(name) ? 'builtin'
          : aggregateByName.has(name) ? 'aggregate' : undefined;
    this.occur({
      name, span: e.callee.span, role: 'call', expr: e,
      ...(isFn ? { symbol: user } : {}), ...(builtin ? { builtin } : {}),
    });
    for (const a of e.args) this.expr(a.value);
  }

  /** A bare name, looked up as the checker does: locals, then the row's fields, then qualifiers, then params. */
  private name(name: string, span: Span, expr?: A.Expr): void {
    const occ: Occurrence = { name, span, role: 'value', ...(expr ? { expr } : {}) };
    const local = this.lookup((s) => s.symbols.find((x) => x.name === name));
    const declared = this.lookup((s) => s.fields?.get(name));
    const { row } = this.row();
    if (local) occ.symbol = local;
    else if (declared) {
      occ.role = 'field';
      occ.symbol = declared;
    } else if (row && row.row.fields.some((f) => f.name === name)) {
      occ.role = 'field';
      occ.row = row;
    } else {
      const q = this.lookup((s) => s.qualifiers?.get(name));
      const top = this.index.values.get(name);
      if (q) occ.symbol = q;
      else if (top && top.kind === 'param') occ.symbol = top;
    }
    this.occur(occ);
  }

  private lookup<T>(find: (s: Scope) => T | undefined): T | undefined {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const found = find(this.open[i]!);
      if (found) return found;
    }
    return undefined;
  }

  /** The row names are looked up in; none in `on timer`, which runs without a row. */
  private row(): { row?: StreamInfo } {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const s = this.open[i]!;
      if (s.process === 'timer') return {};
      if (s.input) return { row: s.input };
    }
    return {};
  }

  private scoped(scope: Scope, body: () => void): void {
    this.index.scopes.push(scope);
    this.open.push(scope);
    try {
      body();
    } finally {
      this.open.pop();
    }
  }
}

/** The innermost occurrence at `offset` (a name the cursor is in or just after). */
export function occurrenceAt(index: SymbolIndex, offset: number): Occurrence | undefined {
  let best: Occurrence | undefined;
  for (const o of index.occurrences) {
    if (!contains(o.span, offset)) continue;
    // Prefer a name the cursor is inside over one it merely touches the end of, then the shortest.
    const score = (x: Occurrence) => (x.span.end === offset ? 1e9 : 0) + (x.span.end - x.span.start);
    if (!best || score(o) < score(best)) best = o;
  }
  return best;
}

/** The scopes enclosing `offset`, outermost first. */
export function scopesAt(index: SymbolIndex, offset: number): Scope[] {
  return index.scopes.filter((s) => contains(s.span, offset));
}
