/**
 * Code for the stateful operators other than windows: `dedup` (inline), joins (each input side
 * buffers and matches inline; matched pairs enter a stage of their own) and `process` (per-key
 * state object, statements compiled inline, timers through the store).
 */
import type * as A from '../1-parse/ast.ts';
import type { NodeId, PlanNode } from '../3-plan/plan.ts';
import { compileExpr, commentText, prop, tsType, type Scope } from './expr.ts';
import { indent, type JobEmitter, type Row } from './job-emitter.ts';
import { T, type Type } from '../2-check/types.ts';
import { keyParts, keyValue } from './keys.ts';

export function emitDedup(e: JobEmitter, n: PlanNode & { kind: 'Dedup' }, row: Row, exit: string): string[] {
  const store = `DEDUP${n.id}`;
  const fields = n.fields.length ? n.fields : n.row.fields.map((f) => f.name);
  const types = fields.map((f) => n.row.fields.find((x) => x.name === f)!.type);
  const shape = e.keyShapeOf(n, types);
  if (!e.decls.some((d) => d.startsWith(`const ${store} `))) {
    e.use('DedupStore');
    e.decls.push(`const ${store} = new DedupStore<unknown>(${n.withinMs});`);
    e.addOperator(n, store, { keys: shape.kind === 'table' });
  }
  const key = keyValue(shape, fields.map((f) => e.field(row, f)), `KEYS${n.id}`);
  return [`if (!${store}.keep(${key}, ${row.ts})) ${exit};`, ...e.consumers(n.id, row, exit)];
}

/** Fields of one join side that are buffered: those read after the join. */
function sideFields(e: JobEmitter, n: PlanNode & { kind: 'Join' }, left: boolean) {
  const side = left ? n.leftRow : n.rightRow;
  const input = e.nodes[left ? n.left : n.right]!;
  return side.fields.filter((f) => e.demanded(input.id, f.name));
}

function isLeft(n: PlanNode & { kind: 'Join' }, from: NodeId, occurrence: number): boolean {
  return from === n.left && (n.left !== n.right || occurrence === 0);
}

/** One input side of a join: match the row against the other side's buffer, then buffer it. */
export function emitJoinInput(e: JobEmitter, n: PlanNode & { kind: 'Join' }, row: Row, from: NodeId, occurrence: number): string[] {
  const left = isLeft(n, from, occurrence);
  const keys = left ? n.leftKeys : n.rightKeys;
  const scope: Scope = { ...row.scope };
  if (!left) {
    // The right side's key expressions are written against its alias (`p.order`).
    scope.qualifiers = new Map([...row.scope.qualifiers, [n.rightAlias, row.scope.fields]]);
  } else if (row.scope.qualifiers.size === 0) {
    scope.qualifiers = new Map([[n.leftAlias, row.scope.fields]]);
  }
  const shape = e.keyShapeOf(n, keys.map((k) => k.ty ?? { kind: 'error' }));
  const key = keyValue(shape, keys.map((k) => compileExpr(k, scope, e.cx)), `KEYS${n.id}`);
  const values = sideFields(e, n, left).map((f) => e.field(row, f.name));
  return [`JOIN${n.id}.${left ? 'left' : 'right'}(${key}, ${row.ts}, [${values.join(', ')}]);`];
}

/** The stage entered with each matched pair of a join, and the join's store. */
export function emitJoinOutput(e: JobEmitter, n: PlanNode & { kind: 'Join' }): void {
  const store = `JOIN${n.id}`;
  const out = `joined${n.id}${e.suffix(n)}`;
  const shape = e.keyShapeOf(n, n.leftKeys.map((k) => k.ty ?? { kind: 'error' }));
  if (n.withinMs !== undefined) {
    e.use('IntervalJoin');
    e.decls.push(`const ${store} = new IntervalJoin<unknown[]>(${n.withinMs}, ${out});`);
  } else {
    e.use('WindowJoin');
    e.decls.push(`const ${store} = new WindowJoin<unknown[]>(${n.windowMs}, ${out});`);
  }
  e.addOperator(n, store, { late: `${store}.late`, keys: shape.kind === 'table' });
  const leftFields = new Map<string, string>();
  const rightFields = new Map<string, string>();
  // Each buffered value as a typed local (a null check on it narrows its type).
  const unpack: string[] = [];
  const local = (side: string, i: number, type: string) => {
    const v = e.fresh(side);
    unpack.push(`const ${v} = ${side}[${i}] as ${type};`);
    return v;
  };
  sideFields(e, n, true).forEach((f, i) => leftFields.set(f.name, local('l', i, tsType(f.type))));
  sideFields(e, n, false).forEach((f, i) => rightFields.set(f.name, local('r', i, tsType(f.type))));
  const fields = new Map<string, string>();
  for (const [k, v] of leftFields) if (!n.ambiguous.includes(k)) fields.set(k, v);
  for (const [k, v] of rightFields) if (!n.ambiguous.includes(k)) fields.set(k, v);
  const qualifiers = new Map<string, Map<string, string>>();
  for (const q of n.qualifiers) qualifiers.set(q.alias, q.alias === n.rightAlias ? rightFields : leftFields);
  const body = [...unpack, ...e.consumers(n.id, { scope: { fields, qualifiers, locals: new Map(), params: e.params }, ts: 'ts' }, 'return')];
  e.fn({
    name: out,
    doc: `Stage: a matched pair of join n${n.id}${n.letName ? ` (let ${commentText(n.letName)})` : ''}.`,
    params: [{ name: 'ts', type: 'number' }, { name: 'l', type: 'unknown[]' }, { name: 'r', type: 'unknown[]' }],
    returnType: 'void',
    body,
  });
}

/** `process`: per-key state object, statements compiled inline, timers through the store. */
export function emitProcess(e: JobEmitter, n: PlanNode & { kind: 'Process' }, row: Row): string[] {
  const store = `PROC${n.id}`;
  const out = `emitted${n.id}${e.suffix(n)}`;
  const op = n.op;
  const stateNames = op.states.map((s) => s.name.name);
  const shape = e.keyShapeOf(n, n.keys.map((k) => k.type));
  const stateType = `{ ${op.states.map((s, i) => `s${i}: ${tsType(declaredType(e, s.type))}`).join('; ')} }`;
  if (!e.decls.some((d) => d.startsWith(`const ${store} `))) {
    e.use('ProcessStore');
    const init = `{ ${op.states.map((s, i) => `s${i}: ${compileExpr(s.init, e.paramScope(), e.cx)}`).join(', ')} }`;
    e.decls.push(`const ${store} = new ProcessStore<unknown, State${n.id}>(() => (${init}), onTimer${n.id});`);
    e.typeAliases.push(`/** Per-key state of process n${n.id}. */\ntype State${n.id} = ${stateType};`);
    e.addOperator(n, store, { keys: shape.kind === 'table' });
    // The output stage.
    const params = n.row.fields.map((_, i) => `o${i}`);
    const fields = new Map(n.row.fields.map((f, i) => [f.name, params[i]!]));
    const body = e.consumers(n.id, { scope: { fields, qualifiers: new Map(), locals: new Map(), params: e.params }, ts: 'ts' }, 'return');
    e.fn({
      name: out,
      doc: `Stage: a row emitted by process n${n.id}${n.letName ? ` (let ${commentText(n.letName)})` : ''}.`,
      params: [{ name: 'ts', type: 'number' }, ...n.row.fields.map((f, i) => ({ name: params[i]!, type: tsType(f.type) }))],
      returnType: 'void',
      body,
    });
    // The timer callback.
    const tb: string[] = [];
    const parts = keyParts(shape, 'key', tb, () => e.fresh('k'));
    const keyRecord = new Map(n.keys.map((k, i) => [k.name, parts[i]!]));
    const locals = new Map<string, string>(stateNames.map((s, i) => [s, `s.s${i}`]));
    locals.set('timer_time', 'timerTime');
    tb.push('let s = st;', 'let cleared = false;');
    tb.push(...statements(e, op.onTimer ?? [], { fields: new Map(), qualifiers: new Map(), locals, params: e.params, recordLocals: new Map([['key', keyRecord]]) }, 'timerTime', n, stateNames, 'key'));
    tb.push(`if (cleared) ${store}.drop(key);`);
    e.fn({
      name: `onTimer${n.id}`,
      doc: `\`on timer\` of process n${n.id}: a timer of \`key\` is due.`,
      params: [{ name: 'key', type: 'any' }, { name: 'st', type: `State${n.id}` }, { name: 'timerTime', type: 'number' }],
      returnType: 'void',
      body: tb,
    });
  }
  if (!op.onRecord) return [];
  const lines: string[] = [];
  const key = e.fresh('key');
  lines.push(`const ${key} = ${e.keyOf(n, row).js};`);
  const locals = new Map<string, string>(stateNames.map((s, i) => [s, `s.s${i}`]));
  const keyRecord = new Map(n.keys.map((k) => [k.name, row.scope.fields.get(k.name) ?? compileExpr(k.expr, row.scope, e.cx)]));
  const scope: Scope = { ...row.scope, locals, recordLocals: new Map([['key', keyRecord]]) };
  const body = [`let s = ${store}.state(${key});`, 'let cleared = false;'];
  body.push(...statements(e, op.onRecord, scope, row.ts, n, stateNames, key));
  body.push(`if (cleared) ${store}.drop(${key});`);
  lines.push('{', ...indent(body), '}');
  return lines;
}

/** How compiled `process` statements reach the operator: its store, and the call that emits a row. */
export interface ProcessTarget {
  store: string;
  emit(ts: string, values: string[]): string;
}

export function statements(e: JobEmitter, stmts: A.Stmt[], scope: Scope, ts: string, n: PlanNode & { kind: 'Process' }, stateNames: string[], keyVar: string, target?: ProcessTarget): string[] {
  const out: string[] = [];
  const t: ProcessTarget = target ?? { store: `PROC${n.id}`, emit: (at, values) => `emitted${n.id}${e.suffix(n)}(${[at, ...values].join(', ')});` };
  const store = t.store;
  const local = new Map(scope.locals);
  const s: Scope = { ...scope, locals: local };
  for (const st of stmts) {
    out.push(e.where(st.span));
    switch (st.kind) {
      case 'If': {
        out.push(`if (${compileExpr(st.cond, s, e.cx)}) {`);
        out.push(...indent(statements(e, st.then, s, ts, n, stateNames, keyVar, t)));
        if (st.else) out.push('} else {', ...indent(statements(e, st.else, s, ts, n, stateNames, keyVar, t)));
        out.push('}');
        break;
      }
      case 'Emit': {
        const vals = new Map<string, string>();
        for (const item of st.record.items) {
          if (item.kind === 'Spread') {
            const v = e.fresh('r');
            out.push(`const ${v} = ${compileExpr(item.expr, s, e.cx)};`);
            if (item.expr.ty?.kind === 'record') for (const f of item.expr.ty.fields) vals.set(f.name, `${v}${prop(f.name)}`);
          } else {
            const v = e.fresh();
            out.push(`const ${v} = ${compileExpr(item.value, s, e.cx)};`);
            vals.set(item.name.name, v);
          }
        }
        out.push(t.emit(ts, n.row.fields.map((f) => vals.get(f.name) ?? 'null')));
        break;
      }
      case 'Timer':
        out.push(`${store}.timer(${keyVar}, ${compileExpr(st.at, s, e.cx)});`);
        break;
      case 'Clear':
        out.push(`${store}.drop(${keyVar}); s = ${store}.state(${keyVar}); cleared = true;`);
        break;
      case 'LetStmt': {
        const v = e.fresh('l');
        out.push(`const ${v} = ${compileExpr(st.value, s, e.cx)};`);
        local.set(st.name.name, v);
        break;
      }
      case 'Assign': {
        const i = stateNames.indexOf(st.target.name);
        out.push(`s.s${i} = ${compileExpr(st.value, s, e.cx)}; cleared = false;`);
        break;
      }
    }
  }
  return out;
}

/** The type a `state x: T` declares (its initial value may be narrower: `null`). */
function declaredType(e: JobEmitter, t: A.TypeExpr): Type {
  switch (t.kind) {
    case 'NullableType': return T.nullable(declaredType(e, t.inner));
    case 'ListType': return T.list(declaredType(e, t.element));
    case 'RecordType': return T.record(t.fields.map((f) => ({ name: f.name.name, type: declaredType(e, f.type) })));
    case 'NamedType':
      if (['int', 'float', 'string', 'bool', 'timestamp', 'duration'].includes(t.name)) return { kind: t.name } as Type;
      return e.typed.symbols.types.get(t.name)?.type ?? T.error;
  }
}
