/**
 * The record type and kind of every stream through every operator (lang/reference.md §4, §6).
 * Each operator's rule is one function; `checkPipeline` threads the stream through them.
 */
import type * as A from '../1-parse/ast.ts';
import { someExpr } from '../1-parse/walk.ts';
import { isAggregateName } from '../../../lang/builtins.ts';
import type { Checker } from './context.ts';
import {
  T, type Type, type RecordType, type StreamInfo, type Qualifier, type WindowInfo, type Field,
  field, showType, typeEquals, isNullable, nonNull,
} from '../../../lang/types.ts';
import {
  checkExpr, expectBool, constDuration, constValue, rowEnv, type Env,
} from './expressions.ts';
import { checkProcess } from './process.ts';
import { unknownNameHelp } from '../../diagnostics/suggest.ts';

/** The row of `errors(S)`: what a bad input record becomes. */
export const errorRow: RecordType = T.record([
  { name: 'source', type: T.string },
  { name: 'position', type: T.int },
  { name: 'raw', type: T.string },
  { name: 'error', type: T.string },
]);

export const poisoned: StreamInfo = { row: T.record([]), kind: 'append', eventTime: true, qualifiers: [], ambiguous: [] };

export function checkPipeline(c: Checker, p: A.Pipeline): StreamInfo {
  let s = headStream(c, p.head);
  // A head that could not be checked stays `poisoned`, so that its operators report nothing more.
  if (s !== poisoned && p.alias) s = { ...s, qualifiers: [...s.qualifiers, { alias: p.alias.name, row: s.row }] };
  else if (s !== poisoned && p.head.kind === 'StreamName') s = { ...s, qualifiers: [...s.qualifiers, { alias: p.head.name.name, row: s.row }] };
  p.stream = s;
  // The join or lookup that left fields on both sides, until a `select` resolves them.
  let ambiguousAt: A.Op | undefined;
  for (const op of p.ops) {
    if (s.window && op.kind !== 'Aggregate' && op.kind !== 'Top' && s !== poisoned) {
      c.error('F1401', op.keywordSpan, `a window must be followed by \`aggregate\` or \`top\`, found \`${opWord(op)}\``,
        'a window groups rows; say what to compute per window: `| aggregate { n: count() }` or `| top 3 by …`');
      s = { ...s, window: undefined };
    }
    if (ambiguousAt && s.ambiguous.length && !resolvesAmbiguity(op, s.ambiguous)) {
      unresolved(c, s.ambiguous, ambiguousAt, op);
      s = { ...s, ambiguous: [] };
    }
    s = checkOp(c, op, s);
    op.stream = s;
    if ((op.kind === 'Join' || op.kind === 'Lookup') && s.ambiguous.length) ambiguousAt = op;
  }
  if (ambiguousAt && s.ambiguous.length) unresolved(c, s.ambiguous, ambiguousAt);
  return s;
}

/** The operator as written, for messages: `key by`, `window`, `where`. */
function opWord(op: A.Op): string {
  return op.kind === 'KeyBy' ? 'key by' : op.kind.toLowerCase();
}

/** `where` keeps both sides readable; `select` (or an `extend` naming every such field) resolves them. */
function resolvesAmbiguity(op: A.Op, ambiguous: string[]): boolean {
  if (op.kind === 'Where' || op.kind === 'Select') return true;
  if (op.kind !== 'Extend') return false;
  const named = new Set(op.record.items.flatMap((i) => (i.kind === 'Field' ? [i.name.name] : [])));
  return ambiguous.every((f) => named.has(f));
}

function unresolved(c: Checker, fields: string[], at: A.Op, next?: A.Op): void {
  const list = fields.map((f) => `\`${f}\``).join(', ');
  const quals = at.stream?.qualifiers ?? [];
  const example = fields.slice(0, 2).flatMap((f) => quals.filter((q) => field(q.row, f)).map((q) => `${q.alias}_${f}: ${q.alias}.${f}`));
  c.error('F1434', next ? next.keywordSpan : at.keywordSpan,
    next
      ? `${list} ${fields.length === 1 ? 'is a field' : 'are fields'} of both sides of the ${opWord(at)}; resolve ${fields.length === 1 ? 'it' : 'them'} with a \`select\` before \`${opWord(next)}\``
      : `${list} ${fields.length === 1 ? 'is a field' : 'are fields'} of both sides of the ${opWord(at)}, and the pipeline ends without resolving ${fields.length === 1 ? 'it' : 'them'}`,
    `pick or rename each side with a \`select\` right after the ${opWord(at)}, e.g. \`| select { ${example.length ? example.join(', ') : '…'}, … }\``,
    next ? [{ span: at.keywordSpan, message: `both sides meet here` }] : undefined);
}

function headStream(c: Checker, ref: A.StreamRef): StreamInfo {
  switch (ref.kind) {
    case 'StreamName':
      return streamByName(c, ref.name);
    case 'Late': {
      const l = c.symbols.lets.get(ref.name.name);
      if (!l && c.symbols.unparsed.has(ref.name.name)) return poisoned;
      if (!l) {
        c.error('F1402', ref.name.span, `\`late(…)\` needs a let holding a window; \`${ref.name.name}\` is ${c.symbols.sources.has(ref.name.name) ? 'a source' : 'not declared'}`,
          c.globalHelp('lets', ref.name.name, () => unknownNameHelp(ref.name.name, [...c.symbols.lets.keys()], 'lets')));
        return poisoned;
      }
      streamByName(c, ref.name);
      const w = l.decl.pipeline.ops.findIndex((o) => o.kind === 'Window' && !o.processingTime);
      if (w < 0) {
        c.error('F1403', ref.name.span, `\`${ref.name.name}\` has no event-time window, so it has no late rows`,
          'late(L) reads the rows that arrived after their window of L had fired', [{ span: l.decl.name.span, message: 'declared here' }]);
        return poisoned;
      }
      const before = l.decl.pipeline.ops[w - 1]?.stream ?? l.decl.pipeline.stream ?? poisoned;
      return { row: before.row, kind: 'append', eventTime: true, qualifiers: [], ambiguous: [] };
    }
    case 'Errors': {
      if (!c.symbols.sources.has(ref.name.name)) {
        if (c.symbols.unparsed.has(ref.name.name)) return poisoned;
        c.error('F1404', ref.name.span, `\`errors(…)\` needs a source; \`${ref.name.name}\` is ${c.symbols.lets.has(ref.name.name) ? 'a let' : 'not declared'}`,
          c.globalHelp('sources', ref.name.name, () => unknownNameHelp(ref.name.name, [...c.symbols.sources.keys()], 'sources')));
        return poisoned;
      }
      return { row: errorRow, kind: 'append', eventTime: false, qualifiers: [], ambiguous: [] };
    }
    case 'Union': {
      const inputs = ref.inputs.map((p) => ({ p, s: checkPipeline(c, p) }));
      const first = inputs[0]!.s;
      for (const { p, s } of inputs.slice(1)) {
        if (s === poisoned || first === poisoned) continue;
        if (!sameRow(first.row, s.row)) {
          c.error('F1405', p.span, `every input of \`union\` must have the same fields: \`${showType(first.row)}\` vs \`${showType(s.row)}\``,
            'make them agree with a `select` on each input');
        }
        if (s.eventTime !== first.eventTime) {
          c.error('F1406', p.span, 'inputs of `union` must all have event time, or none', 'give every source an `event time` clause');
        }
        if (s.window || first.window) c.error('F1401', p.span, 'a windowed stream cannot go into `union`');
      }
      if (inputs.some(({ s }) => s === poisoned)) return poisoned;
      return { row: first.row, kind: 'append', eventTime: first.eventTime, qualifiers: [], ambiguous: [] };
    }
  }
}

/** The stream a source or let name refers to (checking the let first when needed). */
export function streamByName(c: Checker, name: A.Ident): StreamInfo {
  const src = c.symbols.sources.get(name.name);
  if (src) return { ...src.stream, qualifiers: [] };
  const l = c.symbols.lets.get(name.name);
  if (l) {
    if (l.checking) {
      c.error('F1407', name.span, `\`${name.name}\` is defined in terms of itself`, 'streams cannot form a cycle', [
        { span: l.decl.name.span, message: 'declared here' },
      ]);
      return poisoned;
    }
    if (!l.stream) {
      l.checking = true;
      l.stream = checkPipeline(c, l.decl.pipeline);
      l.checking = false;
    }
    return l.stream === poisoned ? poisoned : { ...l.stream, qualifiers: [] };
  }
  if (c.symbols.tables.has(name.name)) {
    c.error('F1408', name.span, `\`${name.name}\` is a table; tables are read with \`lookup\``,
      `write \`… | lookup ${name.name} on x == ${name.name}.${c.symbols.tables.get(name.name)!.decl.key.name}\``);
    return poisoned;
  }
  if (c.symbols.unparsed.has(name.name)) return poisoned;
  c.error('F1409', name.span, `unknown stream \`${name.name}\``,
    c.globalHelp('streams', name.name, () => unknownNameHelp(name.name, c.streamNames(), 'streams')));
  return poisoned;
}

function sameRow(a: RecordType, b: RecordType): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f) => {
    const g = field(b, f.name);
    return g !== undefined && typeEquals(f.type, g.type);
  });
}

function envOf(s: StreamInfo): Env {
  return rowEnv(s.row, s.qualifiers, s.ambiguous);
}

function checkOp(c: Checker, op: A.Op, s: StreamInfo): StreamInfo {
  if (s === poisoned) {
    // Still visit expressions loosely so that hover has types where possible; no further errors.
    return poisoned;
  }
  switch (op.kind) {
    case 'Where':
      expectBool(c, op.cond, envOf(s), 'the condition of `where`');
      return s;
    case 'Select':
    case 'Extend': {
      const t = checkExpr(c, op.record, envOf(s)) as RecordType;
      const row = op.kind === 'Select' ? t : mergeFields(s.row, t.fields);
      for (const f of t.fields) {
        if (f.type.kind === 'null') {
          c.error('F1410', op.record.span, `field \`${f.name}\` is always null, so its type is unknown`,
            'give the type with a typed default, e.g. `if false then "" else null`, or drop the field');
        }
      }
      return keepKeys({ ...s, row, qualifiers: [], ambiguous: [] }, s);
    }
    case 'Unnest':
      return unnest(c, op, s);
    case 'KeyBy':
      return keyBy(c, op, s);
    case 'Window':
      return windowOp(c, op, s);
    case 'Aggregate':
      return aggregate(c, op, s);
    case 'Top':
      return top(c, op, s);
    case 'Dedup':
      return dedup(c, op, s);
    case 'Join':
      return join(c, op, s);
    case 'Lookup':
      return lookup(c, op, s);
    case 'Process':
      if (!s.keys) {
        c.error('F1411', op.keywordSpan, '`process` needs a keyed stream', 'add `| key by field` before it: state and timers are kept per key');
        return poisoned;
      }
      return checkProcess(c, op, s);
  }
}

function mergeFields(row: RecordType, extra: Field[]): RecordType {
  const fields = row.fields.map((f) => ({ ...f }));
  const at = new Map(fields.map((f, i) => [f.name, i] as [string, number]));
  for (const f of extra) {
    const i = at.get(f.name);
    if (i !== undefined) fields[i] = { ...f };
    else { at.set(f.name, fields.length); fields.push({ ...f }); }
  }
  return T.record(fields);
}

/** Keys survive a projection when every key field is still there with the same type. */
function keepKeys(next: StreamInfo, prev: StreamInfo): StreamInfo {
  if (!prev.keys) return next;
  const ok = prev.keys.every((k) => {
    const f = field(next.row, k.name);
    return f && typeEquals(f.type, k.type);
  });
  return ok ? next : { ...next, keys: undefined };
}

function unnest(c: Checker, op: A.OpOf<'Unnest'>, s: StreamInfo): StreamInfo {
  const f = field(s.row, op.field.name);
  if (!f) {
    c.error('F1412', op.field.span, `unknown field \`${op.field.name}\``, unknownNameHelp(op.field.name, s.row.fields.map((x) => x.name), 'fields'));
    return poisoned;
  }
  const base = nonNull(f.type);
  if (base.kind !== 'list') {
    c.error('F1413', op.field.span, `\`unnest\` needs a list field; \`${op.field.name}\` is \`${showType(f.type)}\``);
    return poisoned;
  }
  const name = op.alias?.name ?? op.field.name;
  const fields = s.row.fields.filter((x) => x.name !== op.field.name && x.name !== name);
  const at = s.row.fields.findIndex((x) => x.name === op.field.name);
  fields.splice(Math.min(at, fields.length), 0, { name, type: base.element });
  return keepKeys({ ...s, row: T.record(fields), qualifiers: [], ambiguous: [] }, s);
}

function keyBy(c: Checker, op: A.OpOf<'KeyBy'>, s: StreamInfo): StreamInfo {
  const keys: { name: string; type: Type }[] = [];
  const env = envOf(s);
  for (const path of op.fields) {
    let t: Type | undefined;
    const [first, ...rest] = path.parts;
    const expr: A.Expr = rest.reduce<A.Expr>(
      (obj, part) => ({ kind: 'Member', object: obj, field: part, safe: false, span: { ...path.span, end: part.span.end } }),
      { kind: 'Name', name: first!.name, span: first!.span },
    );
    t = checkExpr(c, expr, env);
    if (t.kind === 'error') return poisoned;
    if (t.kind === 'record' || t.kind === 'list') {
      c.error('F1414', path.span, `cannot key by \`${showType(t)}\`; keys are scalar fields`);
      return poisoned;
    }
    if (rest.length > 0 && path.parts.length !== 2) {
      c.error('F1415', path.span, 'key by takes fields of the row (or `alias.field`)');
      return poisoned;
    }
    keys.push({ name: path.parts[path.parts.length - 1]!.name, type: t });
  }
  const names = keys.map((k) => k.name);
  const dupAt = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (dupAt >= 0) {
    c.error('F1416', op.fields[dupAt]!.span, `\`${names[dupAt]}\` appears twice in \`key by\``, 'each key field is named once',
      [{ span: op.fields[names.indexOf(names[dupAt]!)]!.span, message: 'first here' }]);
  }
  return { ...s, keys };
}

function windowOp(c: Checker, op: A.OpOf<'Window'>, s: StreamInfo): StreamInfo {
  const spec = op.spec;
  let info: WindowInfo | undefined;
  if (spec.kind === 'tumbling') {
    const size = constDuration(c, spec.size, 'the window size');
    if (size !== undefined) info = { kind: 'tumbling', size, processingTime: op.processingTime };
  } else if (spec.kind === 'sliding') {
    const size = constDuration(c, spec.size, 'the window size');
    const every = constDuration(c, spec.every, 'the slide (`every`)');
    if (size !== undefined && every !== undefined) {
      if (every > size) {
        c.error('F1417', spec.every.span, `the slide (${durationText(every)}) is longer than the window (${durationText(size)}): rows between windows would be lost`,
          'use a tumbling window, or slide by at most the window size');
      } else if (size % every !== 0) {
        c.error('F1418', spec.every.span, 'the window size must be a whole multiple of the slide',
          `for example \`sliding ${spec.size.kind === 'Literal' ? durationText(size) : 'D'} every ${durationText(gcd(size, every))}\``);
      } else info = { kind: 'sliding', size, every, processingTime: op.processingTime };
    }
  } else {
    const gap = constDuration(c, spec.gap, 'the session gap');
    if (gap !== undefined) {
      if (!s.keys) c.warn('W1401', op.keywordSpan, 'a session window without `key by` makes one session of all rows', 'sessions are usually per user: `| key by user | window session 10m`');
      info = { kind: 'session', size: gap, processingTime: op.processingTime };
    }
  }
  if (!op.processingTime && !s.eventTime) {
    c.error('F1419', op.keywordSpan, 'an event-time window needs a stream with event time',
      'give the source an `event time FIELD` clause, or write `… processing time` for a wall-clock window');
    return poisoned;
  }
  if (!info) return poisoned;
  return { ...s, window: info };
}

function durationText(ms: number): string {
  for (const [u, k] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % k === 0) return `${ms / k}${u}`;
  }
  return `${ms}ms`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function needWindow(c: Checker, op: A.Op, s: StreamInfo, what: string): boolean {
  if (s.window) return true;
  c.error('F1420', op.keywordSpan, `\`${what}\` needs a window before it`,
    `add \`| window tumbling 1m\` (or sliding/session) before \`${what}\`; results without a window need updating streams, which come after v0`);
  return false;
}

function aggregate(c: Checker, op: A.OpOf<'Aggregate'>, s: StreamInfo): StreamInfo {
  if (!needWindow(c, op, s, 'aggregate')) return poisoned;
  const keyNames = (s.keys ?? []).map((k) => k.name);
  const env: Env = { ...envOf(s), aggregate: { allowed: new Set(keyNames) } };
  env.locals = new Map([['window_start', T.timestamp], ['window_end', T.timestamp]]);
  const fields: Field[] = [
    ...(s.keys ?? []).map((k) => ({ name: k.name, type: k.type })),
    { name: 'window_start', type: T.timestamp },
    { name: 'window_end', type: T.timestamp },
  ];
  for (const item of op.record.items) {
    if (item.kind === 'Spread') {
      c.error('F1421', item.span, '`aggregate` fields must be named aggregate expressions; a spread has no meaning here');
      continue;
    }
    const t = checkExpr(c, item.value, env);
    if (fields.some((f) => f.name === item.name.name)) {
      c.error('F1422', item.name.span, `\`${item.name.name}\` is already an output field (keys and window bounds come first)`, 'pick another name');
      continue;
    }
    if (t.kind !== 'error' && !containsAggregate(item.value) && !readsWindow(item.value, keyNames)) {
      c.warn('W1402', item.value.span, `\`${item.name.name}\` reads no row, key or window bound: it is the same for every window`,
        'aggregate a field of the rows, like `count()` or `sum(x)`');
    }
    fields.push({ name: item.name.name, type: t });
  }
  op.record.ty = T.record(fields);
  return { row: T.record(fields), kind: 'append', eventTime: s.eventTime, qualifiers: [], ambiguous: [] };
}

/** Does `e` read a key field or a window bound? */
function readsWindow(e: A.Expr, keys: string[]): boolean {
  return someExpr(e, (x) => x.kind === 'Name' && (keys.includes(x.name) || x.name === 'window_start' || x.name === 'window_end'));
}

function containsAggregate(e: A.Expr): boolean {
  return someExpr(e, (x) => x.kind === 'Call' && isAggregateName(x.callee.name, x.args.length));
}

function top(c: Checker, op: A.OpOf<'Top'>, s: StreamInfo): StreamInfo {
  if (!needWindow(c, op, s, 'top')) return poisoned;
  const nt = checkExpr(c, op.n, rowEnv(T.record([])));
  const n = constValue(op.n);
  if (nt.kind !== 'int' || typeof n !== 'number' || n < 1) {
    c.error('F1423', op.n.span, '`top N` needs a constant whole number N ≥ 1', 'for example `top 3 by views desc`');
  }
  const t = checkExpr(c, op.by, envOf(s));
  if (t.kind !== 'error' && !['int', 'float', 'string', 'timestamp', 'duration'].includes(nonNull(t).kind)) {
    c.error('F1424', op.by.span, `cannot rank by \`${showType(t)}\``, 'rank by a number, string, timestamp or duration');
  }
  if (field(s.row, 'rank')) c.error('F1425', op.keywordSpan, 'the row already has a field `rank`, which `top` adds', 'rename it with a `select` first');
  const row = T.record([...s.row.fields, { name: 'rank', type: T.int }]);
  return { row, kind: 'append', eventTime: s.eventTime, qualifiers: [], ambiguous: [] };
}

function dedup(c: Checker, op: A.OpOf<'Dedup'>, s: StreamInfo): StreamInfo {
  constDuration(c, op.within, 'the dedup interval');
  for (const path of op.fields ?? []) {
    const name = path.parts[path.parts.length - 1]!;
    if (path.parts.length > 1 || !field(s.row, name.name)) {
      c.error('F1412', path.span, `unknown field \`${path.parts.map((p) => p.name).join('.')}\``,
        unknownNameHelp(name.name, s.row.fields.map((f) => f.name), 'fields'));
    }
  }
  if (!s.eventTime) {
    c.error('F1426', op.keywordSpan, '`dedup … within D` needs a stream with event time', 'give the source an `event time FIELD` clause');
  }
  return { ...s, qualifiers: [], ambiguous: [] };
}

function join(c: Checker, op: A.OpOf<'Join'>, s: StreamInfo): StreamInfo {
  const right = headStream(c, op.right);
  if (right === poisoned) return poisoned;
  if (right.window) {
    c.error('F1401', op.right.span, 'the right side of a join ends in a window; aggregate it first',
      'a window must be followed by `aggregate` or `top` before its rows can be joined');
    return poisoned;
  }
  const rightAlias = op.alias?.name ?? (op.right.kind === 'StreamName' ? op.right.name.name : 'right');
  if (op.bound.kind === 'within') constDuration(c, op.bound.within, 'the join interval', true);
  else {
    const spec = op.bound.spec;
    if (spec.kind !== 'tumbling') c.error('F1427', spec.span, 'a window join takes a tumbling window', 'write `window tumbling D`');
    else constDuration(c, spec.size, 'the window size');
  }
  if (!s.eventTime || !right.eventTime) {
    c.error('F1428', op.keywordSpan, 'a join needs event time on both sides', 'give both sources an `event time FIELD` clause');
  }
  const leftQualifiers: Qualifier[] = s.qualifiers.length ? s.qualifiers : [{ alias: 'left', row: s.row }];
  if (leftQualifiers.some((q) => q.alias === rightAlias)) {
    c.error('F1429', op.alias?.span ?? op.right.span, `both sides of the join are called \`${rightAlias}\``,
      `name the sides: \`${rightAlias} as a | join ${op.right.kind === 'StreamName' ? op.right.name.name : 'other'} as b on …\``);
    return poisoned;
  }
  return { ...joinRows(c, op.on, s, leftQualifiers, { alias: rightAlias, row: right.row }), eventTime: s.eventTime && right.eventTime };
}

/** The row after a join or lookup: both sides' fields; names on both sides readable only qualified. */
function joinRows(c: Checker, on: A.Expr, s: StreamInfo, leftQ: Qualifier[], rightQ: Qualifier, nullableRight = false): StreamInfo {
  const ambiguous = s.row.fields.filter((f) => field(rightQ.row, f.name)).map((f) => f.name);
  const rightRow = nullableRight ? T.record(rightQ.row.fields.map((f) => ({ name: f.name, type: T.nullable(f.type) }))) : rightQ.row;
  const rq = { alias: rightQ.alias, row: rightRow };
  // `on`: a conjunction of equalities, each side reading one input only.
  const conjuncts = splitAnd(on);
  for (const eq of conjuncts) {
    if (eq.kind !== 'Binary' || eq.op !== '==') {
      c.error('F1430', eq.span, 'a join condition is `left_expr == right_expr`, joined with `and`',
        'put other conditions in a `where` after the join');
      continue;
    }
    const sideOf = (e: A.Expr): Set<string> => {
      const sides = new Set<string>();
      // Fields of one side only can be read unqualified; the others need `alias.field`.
      const env: Env = {
        row: T.record([
          ...s.row.fields.filter((f) => !ambiguous.includes(f.name)),
          ...rightQ.row.fields.filter((f) => !ambiguous.includes(f.name)),
        ]),
        qualifiers: [...leftQ, { alias: rightQ.alias, row: rightQ.row }],
        ambiguous, locals: new Map(),
        onRowAccess: (q, name) => sides.add(
          q === rightQ.alias || (q === '' && !field(s.row, name)) ? 'right' : 'left'),
      };
      const t = checkExpr(c, e, env);
      if (t.kind === 'error') sides.add('error');
      return sides;
    };
    const l = sideOf(eq.left);
    const r = sideOf(eq.right);
    if (l.has('error') || r.has('error')) continue;
    const lt = eq.left.ty!, rt = eq.right.ty!;
    const oneSide = (x: Set<string>) => x.size === 1;
    if (!oneSide(l) || !oneSide(r) || [...l][0] === [...r][0]) {
      c.error('F1431', eq.span, 'each side of a join equality must read exactly one input',
        `for example \`${leftQ[0]?.alias ?? 'left'}.id == ${rightQ.alias}.id\``);
      continue;
    }
    if (!typeEquals(nonNull(lt), nonNull(rt)) && !(['int', 'float'].includes(nonNull(lt).kind) && ['int', 'float'].includes(nonNull(rt).kind))) {
      c.error('F1107', eq.span, `cannot join \`${showType(lt)}\` with \`${showType(rt)}\``);
    }
    eq.ty = T.bool;
  }
  on.ty = T.bool;
  const fields: Field[] = [
    ...s.row.fields.filter((f) => !ambiguous.includes(f.name)),
    ...rightRow.fields.filter((f) => !ambiguous.includes(f.name)),
  ];
  return {
    row: T.record(fields), kind: 'append', eventTime: s.eventTime,
    qualifiers: [...leftQ, rq], ambiguous,
  };
}

function splitAnd(e: A.Expr): A.Expr[] {
  return e.kind === 'Binary' && e.op === 'and' ? [...splitAnd(e.left), ...splitAnd(e.right)] : [e];
}

function lookup(c: Checker, op: A.OpOf<'Lookup'>, s: StreamInfo): StreamInfo {
  const table = c.symbols.tables.get(op.table.name);
  if (!table && c.symbols.unparsed.has(op.table.name)) return poisoned;
  if (!table) {
    c.error('F1432', op.table.span, `unknown table \`${op.table.name}\``,
      c.globalHelp('tables', op.table.name, () => unknownNameHelp(op.table.name, [...c.symbols.tables.keys()], 'tables'))
        ?? 'declare it with `table NAME: Type = file(…) key FIELD`');
    return poisoned;
  }
  const alias = op.alias?.name ?? op.table.name;
  const on = op.on;
  const isKey = (e: A.Expr | undefined): boolean => e?.kind === 'Member' && e.object.kind === 'Name'
    && e.object.name === alias && e.field.name === table.decl.key.name;
  const keyRef = on.kind === 'Binary' && on.op === '==' ? on.right : undefined;
  if (!keyRef || keyRef.kind !== 'Member' || !isKey(keyRef)) {
    const keyText = `${alias}.${table.decl.key.name}`;
    const reversed = on.kind === 'Binary' && on.op === '==' && isKey(on.left);
    c.error('F1433', on.span, `a lookup condition is \`EXPR == ${keyText}\`, comparing with the table's key`,
      reversed
        ? `write the table's key on the right: \`on ${on.kind === 'Binary' ? c.text(on.right.span) : 'x'} == ${keyText}\``
        : `for example \`lookup ${op.table.name}${op.alias ? ` as ${alias}` : ''} on x == ${keyText}\`; other conditions go in a \`where\` after it`);
    return poisoned;
  }
  const leftQ = s.qualifiers.length ? s.qualifiers : [];
  const probe = checkExpr(c, (on as A.ExprOf<'Binary'>).left, envOf(s));
  keyRef.ty = table.keyType;
  keyRef.object.ty = table.row;
  on.ty = T.bool;
  if (probe.kind !== 'error' && !typeEquals(nonNull(probe), table.keyType)
    && !(['int', 'float'].includes(nonNull(probe).kind) && ['int', 'float'].includes(table.keyType.kind))) {
    c.error('F1107', on.span, `cannot look up \`${showType(probe)}\` in a table keyed by \`${showType(table.keyType)}\``);
  }
  const ambiguous = s.row.fields.filter((f) => field(table.row, f.name)).map((f) => f.name);
  const rightRow = op.keepUnmatched ? T.record(table.row.fields.map((f) => ({ name: f.name, type: T.nullable(f.type) }))) : table.row;
  const fields: Field[] = [
    ...s.row.fields.filter((f) => !ambiguous.includes(f.name)),
    ...rightRow.fields.filter((f) => !ambiguous.includes(f.name)),
  ];
  return {
    row: T.record(fields), kind: 'append', eventTime: s.eventTime,
    qualifiers: [...leftQ, { alias, row: rightRow }], ambiguous, keys: undefined,
  };
}

export { isNullable };
