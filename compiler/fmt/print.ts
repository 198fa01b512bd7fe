/**
 * The canonical layout of a .flow file, printed from its AST (the examples of lang/reference.md
 * follow it): 2-space indentation; pipelines one operator per line starting with `| `, the
 * operator's own blocks indented under it; records `{ a: 1, b }` on one line when they fit in
 * 100 columns, else one field per line with a trailing comma; record types of `type`
 * declarations, job settings and the rows of `given`/`expect` always one per line; `event time`
 * on its own line under its source; at most one blank line where the author left one; the
 * fewest parentheses that keep the meaning. Literals keep their spelling (`1_000`, `60s`).
 *
 * Comments come back at the nearest place that can hold them: before the declaration,
 * operator, statement, field or row they precede, or at the end of the line they trailed.
 */
import type * as A from '../phases/1-parse/ast.ts';
import { blankLineBetween, scanComments, type Comment } from './comments.ts';
import { breakParent, group, hardline, ifBreak, indent, join, line, lineSuffix, print, softline, type Doc } from './doc.ts';

export const WIDTH = 100;

/** Something printed in a list or block; its doc is built only once the comments before it are placed. */
interface Item {
  start: number;
  end: number;
  doc: () => Doc;
}

export function printProgram(program: A.Program): string {
  const p = new Printer(program.text);
  const doc = p.top(program.decls);
  const out = print(doc, WIDTH).replace(/^\n+/, '');
  if (out.trim() === '') return '';
  return out.endsWith('\n') ? out : `${out}\n`;
}

class Printer {
  private readonly comments: Comment[];
  private next = 0;
  constructor(private readonly text: string) {
    this.comments = scanComments(text);
  }

  // ------------------------------------------------------------------ comments

  /** Comments not yet printed that start before `pos`. */
  private take(pos: number): Comment[] {
    const out: Comment[] = [];
    while (this.next < this.comments.length && this.comments[this.next]!.start < pos) out.push(this.comments[this.next++]!);
    return out;
  }

  /** Comments that trailed code go to the end of the current line. */
  private trailing(cs: Comment[]): Doc[] {
    return cs.filter((c) => !c.ownLine).map((c) => [lineSuffix(` ${c.text}`), c.line ? breakParent : '']);
  }

  /** Comments on lines of their own, each followed by a line break (the item after them starts a line). */
  private leading(cs: Comment[]): Doc[] {
    return cs.filter((x) => x.ownLine).flatMap((c) => [c.text, hardline]);
  }

  /**
   * Items one per line (declarations, statements, test steps, settings), each preceded by the
   * comments before it; `blank` keeps single empty lines between items. The result starts with a
   * line break before the first item: callers indent it.
   */
  private lines(items: Item[], close: number, blank: boolean): Doc[] {
    const out: Doc[] = [];
    let prevEnd: number | undefined;
    for (const item of items) {
      const cs = this.take(item.start);
      out.push(...this.trailing(cs));
      const lead = cs.filter((c) => c.ownLine);
      let prev = prevEnd;
      for (const c of lead) {
        out.push(hardline);
        if (blank && prev !== undefined && blankLineBetween(this.text, prev, c.start)) out.push(hardline);
        out.push(c.text);
        prev = c.end;
      }
      out.push(hardline);
      if (blank && prev !== undefined && blankLineBetween(this.text, prev, item.start)) out.push(hardline);
      out.push(item.doc());
      prevEnd = item.end;
    }
    out.push(...this.closing(close, prevEnd, blank));
    return out;
  }

  /** Comments after the last item of a block, before its closing bracket. */
  private closing(close: number, prevEnd: number | undefined, blank: boolean): Doc[] {
    const cs = this.take(close);
    const out: Doc[] = [...this.trailing(cs)];
    let prev = prevEnd;
    for (const c of cs.filter((x) => x.ownLine)) {
      out.push(hardline);
      if (blank && prev !== undefined && blankLineBetween(this.text, prev, c.start)) out.push(hardline);
      out.push(c.text);
      prev = c.end;
    }
    return out;
  }

  /** Does a block hold comments (so `{}` must open up)? */
  private hasCommentsBefore(pos: number): boolean {
    return this.next < this.comments.length && this.comments[this.next]!.start < pos;
  }

  /** `{ a, b }` / `[a, b]` / one item per line with a trailing comma when it does not fit (or `force`). */
  private commaList(open: string, closeText: string, items: Item[], close: number, opts: { spaces: boolean; force?: boolean; noTrailingComma?: boolean }): Doc {
    if (items.length === 0 && !this.hasCommentsBefore(close)) return open + closeText;
    const inner: Doc[] = [];
    items.forEach((item, i) => {
      const cs = this.take(item.start);
      if (i > 0) inner.push(',');
      inner.push(...this.trailing(cs));
      inner.push(i === 0 ? (opts.spaces ? line : softline) : line);
      inner.push(...this.leading(cs));
      inner.push(item.doc());
    });
    if (items.length && !opts.noTrailingComma) inner.push(ifBreak(','));
    const end = this.take(close);
    inner.push(...this.trailing(end));
    const own = end.filter((c) => c.ownLine);
    if (own.length) inner.push(hardline, join(hardline, own.map((c) => c.text)));
    return group([open, indent(inner), opts.spaces ? line : softline, closeText], opts.force === true && items.length > 0);
  }

  // ------------------------------------------------------------------ declarations

  /** The file: declarations one per line, the blank lines between them kept (at most one). */
  top(decls: A.Decl[]): Doc {
    const items = decls.map((d): Item => ({ start: d.span.start, end: d.span.end, doc: () => this.decl(d) }));
    return [...this.lines(items, Infinity, true), hardline];
  }

  private raw(span: A.Span): string {
    return this.text.slice(span.start, span.end);
  }

  decl(d: A.Decl): Doc {
    switch (d.kind) {
      case 'Job': {
        const items = d.settings.map((s, i): Item => ({
          start: s.span.start, end: s.span.end,
          doc: () => [s.name.name, ': ', this.expr(s.value), i < d.settings.length - 1 ? ',' : ''],
        }));
        const close = d.span.end - 1;
        if (!items.length && !this.hasCommentsBefore(close)) return `job ${d.name.name} {}`;
        return [`job ${d.name.name} {`, indent(this.lines(items, close, false)), hardline, '}'];
      }
      case 'Import':
        return ['import ', this.raw(d.pathSpan)];
      case 'Param':
        return [`param ${d.name.name}: `, this.type(d.type), d.default ? [' = ', this.expr(d.default)] : ''];
      case 'TypeDecl':
        return [`type ${d.name.name} = `, this.type(d.type, true)];
      case 'Source': {
        const et: Doc = d.eventTime
          ? indent([hardline, 'event time ', this.expr(d.eventTime), d.watermark ? [' watermark ', this.expr(d.watermark)] : ''])
          : '';
        return [`source ${d.name.name}: `, this.type(d.type), ' = ', this.connector(d.connector), et];
      }
      case 'Table':
        return [`table ${d.name.name}: `, this.type(d.type), ' = ', this.connector(d.connector), ` key ${d.key.name}`];
      case 'Let':
        return [`let ${d.name.name} = `, this.pipeline(d.pipeline, false)];
      case 'Sink': {
        const multi = d.pipeline.ops.length > 0;
        return ['sink ', this.pipeline(d.pipeline, false), multi ? indent([hardline, '-> ', this.connector(d.connector)]) : [' -> ', this.connector(d.connector)]];
      }
      case 'Fn':
        return group([
          `fn ${d.name.name}(`, this.params(d.params), '): ', this.type(d.returnType), ' =', indent([line, this.expr(d.body)]),
        ]);
      case 'ExternFn':
        return [`extern fn ${d.name.name}(`, this.params(d.params), '): ', this.type(d.returnType), ' from ', this.raw(d.fromSpan)];
      case 'Test': {
        const close = d.span.end - 1;
        const head = `test ${this.raw(d.nameSpan)} {`;
        if (!d.steps.length && !this.hasCommentsBefore(close)) return `${head}}`;
        const items = d.steps.map((s): Item => ({ start: s.span.start, end: s.span.end, doc: () => this.step(s) }));
        return [head, indent(this.lines(items, close, true)), hardline, '}'];
      }
    }
  }

  private params(ps: A.ParamDef[]): Doc {
    return join(', ', ps.map((p) => [p.name.name, ': ', this.type(p.type)]));
  }

  private step(s: A.TestStep): Doc {
    switch (s.kind) {
      case 'Given': return [`given ${s.source.name} = `, this.rows(s.rows)];
      case 'Expect': return [`expect ${s.stream.name}${s.inOrder ? ' in order' : ''} == `, this.rows(s.rows)];
      case 'Advance': return ['advance watermark to ', this.expr(s.to)];
    }
  }

  /** Test rows: one per line. */
  private rows(e: A.Expr): Doc {
    if (e.kind !== 'List') return this.expr(e);
    return this.commaList('[', ']', e.items.map((x) => this.item(x)), e.span.end - 1, { spaces: false, force: true });
  }

  private connector(c: A.ConnectorCall): Doc {
    return [c.name.name, '(', join(', ', c.args.map((a) => this.arg(a))), ')'];
  }

  private arg(a: A.Arg): Doc {
    return a.name ? [a.name.name, ': ', this.expr(a.value)] : this.expr(a.value);
  }

  // ------------------------------------------------------------------ types

  type(t: A.TypeExpr, topLevel = false): Doc {
    switch (t.kind) {
      case 'NamedType': return t.name;
      case 'NullableType': return [this.type(t.inner), '?'];
      case 'ListType': return ['[', this.type(t.element), ']'];
      case 'RecordType':
        return this.commaList('{', '}', t.fields.map((f) => ({
          start: f.span.start, end: f.span.end, doc: () => [f.name.name, ': ', this.type(f.type)],
        })), t.span.end - 1, { spaces: true, force: topLevel });
    }
  }

  // ------------------------------------------------------------------ pipelines

  /** A pipeline: one operator per line (`nested`: inside `union(…)` or `join`, on one line). */
  pipeline(p: A.Pipeline, nested: boolean): Doc {
    const head: Doc = [this.streamRef(p.head), p.alias ? ` as ${p.alias.name}` : ''];
    if (nested) return [head, ...p.ops.map((op) => [' | ', this.op(op)])];
    if (!p.ops.length) return head;
    const out: Doc[] = [];
    for (const op of p.ops) {
      const cs = this.take(op.span.start);
      out.push(...this.trailing(cs));
      for (const c of cs.filter((x) => x.ownLine)) out.push(hardline, c.text);
      out.push(hardline, '| ', indent(this.op(op)));
    }
    return [head, indent(out)];
  }

  streamRef(r: A.StreamRef): Doc {
    switch (r.kind) {
      case 'StreamName': return r.name.name;
      case 'Late': return `late(${r.name.name})`;
      case 'Errors': return `errors(${r.name.name})`;
      case 'Union':
        return this.commaList('union(', ')', r.inputs.map((p) => ({ start: p.span.start, end: p.span.end, doc: () => this.pipeline(p, true) })), r.span.end - 1, { spaces: false, noTrailingComma: true });
    }
  }

  op(op: A.Op): Doc {
    switch (op.kind) {
      case 'Where': return ['where ', this.expr(op.cond)];
      case 'Select': return ['select ', this.expr(op.record)];
      case 'Extend': return ['extend ', this.expr(op.record)];
      case 'Aggregate': return ['aggregate ', this.expr(op.record)];
      case 'Unnest': return [`unnest ${op.field.name}`, op.alias ? ` as ${op.alias.name}` : ''];
      case 'KeyBy': return ['key by ', this.fieldPaths(op.fields)];
      case 'Window': return ['window ', this.windowSpec(op.spec), op.processingTime ? ' processing time' : ''];
      case 'Top': {
        const tail = stripComments(this.text.slice(op.by.span.end, op.span.end));
        const dir = op.descending ? ' desc' : /\basc\b/.test(tail) ? ' asc' : '';
        return ['top ', this.expr(op.n), ' by ', this.expr(op.by), dir, op.withTies ? ' with ties' : ''];
      }
      case 'Dedup':
        return ['dedup', op.fields ? [' by ', this.fieldPaths(op.fields)] : '', ' within ', this.expr(op.within)];
      case 'Join':
        return [
          'join ', this.joinRight(op.right), op.alias ? ` as ${op.alias.name}` : '', ' on ', this.expr(op.on),
          op.bound.kind === 'within' ? [' within ', this.expr(op.bound.within)] : [' window ', this.windowSpec(op.bound.spec)],
        ];
      case 'Lookup':
        return [`lookup ${op.table.name}`, op.alias ? ` as ${op.alias.name}` : '', ' on ', this.expr(op.on), op.keepUnmatched ? ' keep unmatched' : ''];
      case 'Process':
        return this.process(op);
    }
  }

  private joinRight(r: A.StreamRef): Doc {
    return this.streamRef(r);
  }

  private fieldPaths(fs: A.FieldPath[]): Doc {
    return fs.map((f) => f.parts.map((p) => p.name).join('.')).join(', ');
  }

  private windowSpec(s: A.WindowSpec): Doc {
    switch (s.kind) {
      case 'tumbling': return ['tumbling ', this.expr(s.size)];
      case 'sliding': return ['sliding ', this.expr(s.size), ' every ', this.expr(s.every)];
      case 'session': return ['session ', this.expr(s.gap)];
    }
  }

  // ------------------------------------------------------------------ process

  private process(op: A.OpOf<'Process'>): Doc {
    const items: Item[] = op.states.map((s) => ({
      start: s.span.start, end: s.span.end,
      doc: () => [`state ${s.name.name}: `, this.type(s.type), ' = ', this.expr(s.init)],
    }));
    for (const b of op.blocks) {
      const head = stripComments(this.text.slice(b.start, this.text.indexOf('{', b.start)));
      const timer = /\btimer\b/.test(head);
      const all = (timer ? op.onTimer : op.onRecord) ?? [];
      const stmts = all.filter((s) => s.span.start >= b.start && s.span.end <= b.end);
      items.push({ start: b.start, end: b.end, doc: () => [timer ? 'on timer ' : 'on record ', this.block(stmts, b.end - 1)] });
    }
    items.sort((a, b) => a.start - b.start);
    const close = op.span.end - 1;
    if (!items.length && !this.hasCommentsBefore(close)) return 'process {}';
    return ['process {', indent(this.lines(items, close, true)), hardline, '}'];
  }

  /** `{ statements }`, closing at the `}` at offset `close`. */
  private block(stmts: A.Stmt[], close: number): Doc {
    if (!stmts.length && !this.hasCommentsBefore(close)) return '{}';
    const items = stmts.map((s): Item => ({ start: s.span.start, end: s.span.end, doc: () => this.stmt(s) }));
    return ['{', indent(this.lines(items, close, true)), hardline, '}'];
  }

  private stmt(s: A.Stmt): Doc {
    switch (s.kind) {
      case 'If': {
        const thenClose = this.closeBrace(s.then.length ? s.then[s.then.length - 1]!.span.end : this.openBrace(s.cond.span.end) + 1);
        const head: Doc[] = ['if ', this.expr(s.cond), ' ', this.block(s.then, thenClose)];
        if (!s.else) return head;
        const only = s.else.length === 1 ? s.else[0]! : undefined;
        if (only?.kind === 'If' && !this.elseIsBlock(thenClose, only)) return [...head, ' else ', this.stmt(only)];
        return [...head, ' else ', this.block(s.else, s.span.end - 1)];
      }
      case 'Emit': return ['emit ', this.expr(s.record)];
      case 'Timer': return ['timer ', this.expr(s.at)];
      case 'Clear': return 'clear';
      case 'LetStmt': return [`let ${s.name.name} = `, this.expr(s.value)];
      case 'Assign': return [`${s.target.name} = `, this.expr(s.value)];
    }
  }

  /** `else { if … }` (kept as written) versus `else if …`. */
  private elseIsBlock(thenClose: number, inner: A.Stmt): boolean {
    return stripComments(this.text.slice(thenClose + 1, inner.span.start)).includes('{');
  }

  /** The offset of the next `{` / `}` after `from`, past whitespace and comments. */
  private openBrace(from: number): number {
    return this.nextToken(from, '{');
  }

  private closeBrace(from: number): number {
    return this.nextToken(from, '}');
  }

  private nextToken(from: number, ch: string): number {
    let i = from;
    while (i < this.text.length) {
      const c = this.text[i]!;
      if (c === ch) return i;
      if (c === '/' && this.text[i + 1] === '/') { const nl = this.text.indexOf('\n', i); i = nl < 0 ? this.text.length : nl; continue; }
      if (c === '/' && this.text[i + 1] === '*') { const e = this.text.indexOf('*/', i + 2); i = e < 0 ? this.text.length : e + 2; continue; }
      i++;
    }
    return from;
  }

  // ------------------------------------------------------------------ expressions

  private item(e: A.Expr): Item {
    return { start: e.span.start, end: e.span.end, doc: () => this.expr(e) };
  }

  expr(e: A.Expr, min = 0): Doc {
    const d = this.exprDoc(e);
    return precedence(e) < min ? ['(', d, ')'] : d;
  }

  private exprDoc(e: A.Expr): Doc {
    switch (e.kind) {
      case 'Literal': return this.literal(e);
      case 'Name': return e.name;
      case 'Member': return [this.expr(e.object, 9), e.safe ? '?.' : '.', e.field.name];
      case 'Call': return [e.callee.name, '(', join(', ', e.args.map((a) => this.arg(a))), ')'];
      case 'Unary':
        // `not (a == b)` rather than the equivalent `not a == b`.
        if (e.op === 'not') return ['not ', this.expr(e.operand, e.operand.kind === 'Binary' ? 11 : 3)];
        // `-1` would read back as the literal -1: a minus applied to a number keeps its parentheses.
        if (e.operand.kind === 'Literal' && typeof e.operand.value === 'number') return ['-(', this.expr(e.operand), ')'];
        return ['-', this.expr(e.operand, 8)];
      case 'Binary': {
        const p = precedence(e);
        const [l, r] = e.op === '??' ? [6, 5] : p === 4 ? [5, 5] : [p, p + 1];
        return [this.operand(e.left, l, e.op), ` ${e.op} `, this.operand(e.right, r, e.op)];
      }
      case 'If':
        return ['if ', this.expr(e.cond), ' then ', this.expr(e.then), ' else ', this.expr(e.else)];
      case 'Record':
        return this.commaList('{', '}', e.items.map((it): Item => ({
          start: it.span.start, end: it.span.end,
          doc: () => it.kind === 'Spread' ? ['...', this.expr(it.expr)] : it.shorthand ? this.expr(it.value) : [it.name.name, ': ', this.expr(it.value)],
        })), e.span.end - 1, { spaces: true });
      case 'List':
        return this.commaList('[', ']', e.items.map((x) => this.item(x)), e.span.end - 1, { spaces: false });
    }
  }

  /**
   * An operand of a binary operator. Beyond what precedence needs, parentheses make two mixes
   * read as meant: `(a and b) or c`, and `??` inside other operators (`(x ?? 0) + 1`).
   */
  private operand(e: A.Expr, min: number, parent: A.BinaryOp): Doc {
    const clearer = e.kind === 'Binary' && ((e.op === 'and' && parent === 'or') || (e.op === '??' && parent !== '??'));
    return this.expr(e, clearer ? 11 : min);
  }

  /** Literals keep their spelling; a folded `- 1` is written `-1`. */
  private literal(e: A.ExprOf<'Literal'>): string {
    const raw = this.raw(e.span);
    if (!raw.startsWith('-')) return raw;
    let inner = stripComments(raw.slice(1)).trim();
    while (inner.startsWith('(') && inner.endsWith(')')) inner = inner.slice(1, -1).trim();
    return inner.startsWith('-') ? `-(${inner})` : `-${inner}`;
  }
}

/** Binding strength: if 0, or 1, and 2, not 3, comparisons 4, ?? 5, + - 6, * / % 7, unary minus 8, postfix 9, atoms 10. */
function precedence(e: A.Expr): number {
  switch (e.kind) {
    case 'If': return 0;
    case 'Binary':
      switch (e.op) {
        case 'or': return 1;
        case 'and': return 2;
        case '??': return 5;
        case '+': case '-': return 6;
        case '*': case '/': case '%': return 7;
        default: return 4;
      }
    case 'Unary': return e.op === 'not' ? 3 : 8;
    case 'Literal': return typeof e.value === 'number' && (e.value < 0 || Object.is(e.value, -0)) ? 8 : 10;
    case 'Member': case 'Call': return 9;
    case 'Name': case 'Record': case 'List': return 10;
  }
}

function stripComments(s: string): string {
  return s.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
}
