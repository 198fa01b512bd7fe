/**
 * The symbol index of one analysed file: every declared name (top-level declarations, fn
 * parameters, process state and locals, pipeline aliases, record type fields) and every
 * occurrence of a name, resolved to its declaration where the AST alone allows it. Hover,
 * completion, go-to-definition and find-references all read this one index.
 *
 * Typed information is used when the checker has filled the AST's slots: `Pipeline.stream` /
 * `Op.stream` give the row a name in an operator can refer to (a field then wins over a param of
 * the same name), and `Expr.ty` the type hover shows.
 */
import type * as A from '../phases/1-parse/ast.ts';
import type { Span } from '../diagnostics/diagnostic.ts';
import type { StreamInfo } from '../phases/2-check/types.ts';
import { builtinByName, aggregateByName } from '../../lang/builtins.ts';

export type SymbolKind =
  | 'job' | 'type' | 'param' | 'source' | 'table' | 'let' | 'fn' | 'extern fn' | 'test'
  | 'field' | 'parameter' | 'state' | 'local' | 'alias';

export interface FlowSymbol {
  name: string;
  kind: SymbolKind;
  /** The span of the name where it is declared. */
  nameSpan: Span;
  /** The whole declaration. */
  span: Span;
  /** The declaration node, for printing (a Decl, ParamDef, StateDecl, FieldTypeExpr, …). */
  node: unknown;
  /** For fields of a record type: the type declaration they belong to. */
  parent?: FlowSymbol;
}

/** What kind of name an occurrence is, which decides where it is looked up. */
export type OccurrenceRole = 'declaration' | 'type' | 'stream' | 'table' | 'value' | 'call' | 'field';

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
  /** The row this name was looked up in, when the checker provided it. */
  row?: StreamInfo;
}

/** A region where some names are visible: a fn body, a process block, an operator of a pipeline. */
export interface Scope {
  span: Span;
  symbols: FlowSymbol[];
  /** The stream an operator reads, when the checker provided it. */
  input?: StreamInfo;
  /** Inside a `process` block: `key` and `timer_time` are visible. */
  process?: boolean;
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
  occurrences: Occurrence[];
  scopes: Scope[];
  /** Every expression, for type hover. */
  exprs: A.Expr[];
  /** Every pipeline operator, for the stream type after it. */
  ops: A.Op[];
}

const cache = new WeakMap<A.Program, SymbolIndex>();

/** The index of a program (computed once per program object). */
export function symbolIndex(program: A.Program): SymbolIndex {
  let index = cache.get(program);
  if (!index) {
    index = new IndexBuilder(program).build();
    cache.set(program, index);
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
  /** Names visible at the current point, innermost last. */
  private readonly stack: FlowSymbol[][] = [];
  private readonly openScopes: Scope[] = [];
  private input: StreamInfo | undefined;

  constructor(private readonly program: A.Program) {
    this.index = { program, values: new Map(), types: new Map(), symbols: [], occurrences: [], scopes: [], exprs: [], ops: [] };
  }

  build(): SymbolIndex {
    for (const d of this.program.decls) this.declare(d);
    for (const d of this.program.decls) this.decl(d);
    return this.index;
  }

  private symbol(name: A.Ident, kind: SymbolKind, span: Span, node: unknown, parent?: FlowSymbol): FlowSymbol {
    const s: FlowSymbol = { name: name.name, kind, nameSpan: name.span, span, node, ...(parent ? { parent } : {}) };
    this.index.symbols.push(s);
    this.index.occurrences.push({ name: name.name, span: name.span, role: 'declaration', symbol: s });
    return s;
  }

  /** First pass: top-level names, so that declarations may come in any order. */
  private declare(d: A.Decl): void {
    const kind = declKind[d.kind];
    if (!kind || !('name' in d) || typeof d.name !== 'object') return;
    const s = this.symbol(d.name, kind, d.span, d);
    const table = kind === 'type' ? this.index.types : this.index.values;
    if (!table.has(s.name) && kind !== 'job') table.set(s.name, s);
    if (d.kind === 'TypeDecl' && d.type.kind === 'RecordType') {
      for (const f of d.type.fields) this.symbol(f.name, 'field', f.span, f, s);
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
      case 'Source':
        this.typeExpr(d.type);
        this.connector(d.connector);
        if (d.eventTime) this.expr(d.eventTime);
        if (d.watermark) this.expr(d.watermark);
        return;
      case 'Table':
        this.typeExpr(d.type);
        this.connector(d.connector);
        this.index.occurrences.push({ name: d.key.name, span: d.key.span, role: 'field' });
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

  private connector(c: A.ConnectorCall): void {
    for (const a of c.args) this.expr(a.value);
  }

  private typeExpr(t: A.TypeExpr, inTypeDecl = false): void {
    switch (t.kind) {
      case 'NamedType': {
        const symbol = this.index.types.get(t.name);
        this.index.occurrences.push({ name: t.name, span: t.span, role: 'type', ...(symbol ? { symbol } : {}) });
        return;
      }
      case 'NullableType':
        return this.typeExpr(t.inner);
      case 'ListType':
        return this.typeExpr(t.element);
      case 'RecordType':
        for (const f of t.fields) {
          // Fields of a `type` declaration's record are symbols already; nested records' fields are not.
          if (!inTypeDecl) this.index.occurrences.push({ name: f.name.name, span: f.name.span, role: 'field' });
          this.typeExpr(f.type);
        }
        return;
    }
  }

  private ref(name: A.Ident, role: 'stream' | 'table'): void {
    const symbol = this.index.values.get(name.name);
    const fits = symbol && (role === 'table' ? symbol.kind === 'table' : symbol.kind === 'source' || symbol.kind === 'let');
    this.index.occurrences.push({ name: name.name, span: name.span, role, ...(fits ? { symbol } : {}) });
  }

  private streamRef(r: A.StreamRef): void {
    switch (r.kind) {
      case 'StreamName':
      case 'Late':
      case 'Errors':
        return this.ref(r.name, 'stream');
      case 'Union':
        for (const p of r.inputs) this.pipeline(p);
        return;
    }
  }

  private pipeline(p: A.Pipeline): void {
    this.streamRef(p.head);
    const aliases: FlowSymbol[] = [];
    if (p.alias) aliases.push(this.symbol(p.alias, 'alias', p.span, p));
    let input = p.stream;
    for (const op of p.ops) {
      this.index.ops.push(op);
      if (op.kind === 'Join') this.streamRef(op.right);
      if (op.kind === 'Lookup') this.ref(op.table, 'table');
      // The alias of a join or lookup is visible in its own `on` condition and after it.
      if ((op.kind === 'Join' || op.kind === 'Lookup') && op.alias) aliases.push(this.symbol(op.alias, 'alias', op.span, op));
      const scope: Scope = { span: op.span, symbols: [...aliases], ...(input ? { input } : {}), ...(op.kind === 'Aggregate' ? { aggregate: true } : {}) };
      this.scoped(scope, () => this.op(op));
      input = op.stream;
    }
  }

  private op(op: A.Op): void {
    switch (op.kind) {
      case 'Where': return this.expr(op.cond);
      case 'Select': case 'Extend': case 'Aggregate': return this.expr(op.record);
      case 'Unnest':
        this.index.occurrences.push({ name: op.field.name, span: op.field.span, role: 'field', ...this.rowOf() });
        if (op.alias) this.index.occurrences.push({ name: op.alias.name, span: op.alias.span, role: 'field' });
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
          return this.symbol(s.name, 'state', s.span, s);
        });
        for (const s of op.states) this.expr(s.init);
        this.scoped({ span: op.span, symbols: states, process: true }, () => {
          if (op.onRecord) this.block(op.onRecord);
          if (op.onTimer) this.block(op.onTimer);
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
    for (const p of rest) this.index.occurrences.push({ name: p.name, span: p.span, role: 'field' });
  }

  /** Statements of a process block; a `let` is visible in the statements after it. */
  private block(stmts: A.Stmt[]): void {
    const locals: FlowSymbol[] = [];
    this.stack.push(locals);
    try {
      for (const s of stmts) {
        switch (s.kind) {
          case 'If':
            this.expr(s.cond);
            this.block(s.then);
            if (s.else) this.block(s.else);
            break;
          case 'Emit': this.expr(s.record); break;
          case 'Timer': this.expr(s.at); break;
          case 'Clear': break;
          case 'LetStmt': {
            this.expr(s.value);
            const local = this.symbol(s.name, 'local', s.span, s);
            locals.push(local);
            // For completion: visible from here to the end of the enclosing process block.
            const end = this.innermost()?.span.end ?? s.span.end;
            this.index.scopes.push({ span: { file: s.span.file, start: s.span.end, end }, symbols: [local], process: true });
            break;
          }
          case 'Assign':
            this.name(s.target.name, s.target.span);
            this.expr(s.value);
            break;
        }
      }
    } finally {
      this.stack.pop();
    }
  }

  private expr(e: A.Expr): void {
    this.index.exprs.push(e);
    switch (e.kind) {
      case 'Literal': return;
      case 'Name': return this.name(e.name, e.span, e);
      case 'Member':
        this.expr(e.object);
        this.index.occurrences.push({ name: e.field.name, span: e.field.span, role: 'field' });
        return;
      case 'Call': return this.call(e);
      case 'Unary': return this.expr(e.operand);
      case 'Binary': this.expr(e.left); return this.expr(e.right);
      case 'If': this.expr(e.cond); this.expr(e.then); return this.expr(e.else);
      case 'Record':
        for (const item of e.items) {
          if (item.kind === 'Spread') this.expr(item.expr);
          else {
            // `{ user }` is both the field `user` and a reference to `user`: the reference is what matters.
            if (!item.shorthand) this.index.occurrences.push({ name: item.name.name, span: item.name.span, role: 'field' });
            this.expr(item.value);
          }
        }
        return;
      case 'List':
        for (const i of e.items) this.expr(i);
        return;
    }
  }

  private call(e: A.ExprOf<'Call'>): void {
    const user = this.index.values.get(e.callee.name);
    const isFn = user && (user.kind === 'fn' || user.kind === 'extern fn');
    const builtin = isFn ? undefined
      : this.innermost()?.aggregate && aggregateByName.has(e.callee.name) ? 'aggregate'
        : builtinByName.has(e.callee.name) ? 'builtin'
          : aggregateByName.has(e.callee.name) ? 'aggregate' : undefined;
    this.index.occurrences.push({
      name: e.callee.name, span: e.callee.span, role: 'call', expr: e,
      ...(isFn ? { symbol: user } : {}), ...(builtin ? { builtin } : {}),
    });
    for (const a of e.args) this.expr(a.value);
  }

  /** A bare name in an expression: a local, parameter, state or alias; a field of the row; a param. */
  private name(name: string, span: Span, expr?: A.Expr): void {
    const occ: Occurrence = { name, span, role: 'value', ...(expr ? { expr } : {}) };
    const local = this.lookupLocal(name);
    if (local) occ.symbol = local;
    else {
      const row = this.rowOf();
      if (row.row && row.row.row.fields.some((f) => f.name === name)) {
        occ.role = 'field';
        occ.row = row.row;
      } else {
        const top = this.index.values.get(name);
        if (top && top.kind === 'param') occ.symbol = top;
      }
    }
    this.index.occurrences.push(occ);
  }

  private lookupLocal(name: string): FlowSymbol | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const found = this.stack[i]!.find((s) => s.name === name);
      if (found) return found;
    }
    return undefined;
  }

  private rowOf(): { row?: StreamInfo } {
    return this.input ? { row: this.input } : {};
  }

  private innermost(): Scope | undefined {
    return this.openScopes[this.openScopes.length - 1];
  }

  private scoped(scope: Scope, body: () => void): void {
    this.index.scopes.push(scope);
    this.openScopes.push(scope);
    this.stack.push(scope.symbols);
    const savedInput = this.input;
    if (scope.input) this.input = scope.input;
    try {
      body();
    } finally {
      this.input = savedInput;
      this.stack.pop();
      this.openScopes.pop();
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
