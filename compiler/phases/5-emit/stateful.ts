/**
 * Code for the stateful operators other than window aggregates: `top` (at window fire), `dedup`,
 * joins (input sides and the matched-pair stage) and `process` (state, statements, timers).
 */
import type * as A from '../1-parse/ast.ts';
import type { NodeId, PlanNode } from '../3-plan/plan.ts';
import { compileExpr, jsString, commentText, type Scope } from './expr.ts';
import { indent, type JobEmitter } from './emit.ts';

interface Row {
  scope: Scope;
  ts: string;
}

/** The window-fire function of `top N by …`: sort (stable), rank as SQL's RANK, cut at N. */
export function emitTopFire(e: JobEmitter, n: PlanNode & { kind: 'WindowTop' }, fire: string): string {
  const input = e.nodes[n.input]!;
  e.use('rt_cmp');
  const body: string[] = [];
  const keyFields = e.keyFields(n.keys, 'key', body);
  void keyFields;
  body.push(`const rows = a.slice().sort((x: any, y: any) => rt_cmp(x[0], y[0], ${n.descending}));`);
  body.push('const ts = end - 1;');
  body.push('let rank = 0;');
  body.push('for (let j = 0; j < rows.length; j++) {');
  const loop: string[] = [];
  loop.push('const r = rows[j];');
  loop.push(`if (j === 0 || rt_cmp(rows[j - 1][0], r[0], false) !== 0) rank = j + 1;`);
  loop.push(n.withTies ? `if (rank > ${n.n}) break;` : `if (j >= ${n.n}) break;`);
  const fields = new Map<string, string>();
  input.row.fields.forEach((f, i) => fields.set(f.name, `r[${i + 1}]`));
  fields.set('rank', 'rank');
  loop.push(...e.consumers(n.id, { scope: { fields, qualifiers: new Map(), locals: new Map(), params: e.params }, ts: 'ts' }, 'continue'));
  body.push(...indent(loop), '}');
  return `/** Window of ${commentText(n.letName ?? `n${n.id}`)} fired: its top ${n.n} rows per key. */\nfunction ${fire}(key: any, a: any[], start: number, end: number): void {\n${indent(body).join('\n')}\n}`;
}

export function emitDedup(e: JobEmitter, n: PlanNode & { kind: 'Dedup' }, row: Row, exit: string): string[] {
  const store = `DEDUP${n.id}`;
  if (!e.decls.some((d) => d.startsWith(`const ${store} `))) {
    e.use('DedupStore');
    e.decls.push(`const ${store} = new DedupStore<any>(${n.withinMs});`);
    e.operatorBindings.push(e.operatorBinding(n, store));
  }
  const fields = n.fields.length ? n.fields : n.row.fields.map((f) => f.name);
  const key = e.keyExpr(fields.map((name) => ({ name })), row);
  return [`if (!${store}.keep(${key}, ${row.ts})) ${exit};`];
}

/** One input side of a join: buffer the row and match it against the other side's buffer. */
export function emitJoinInput(e: JobEmitter, n: PlanNode & { kind: 'Join' }, row: Row, from: NodeId, occurrence: number): string[] {
  const left = from === n.left && (n.left !== n.right || occurrence === 0);
  const keys = left ? n.leftKeys : n.rightKeys;
  const sideRow = left ? n.leftRow : n.rightRow;
  const scope: Scope = { ...row.scope };
  if (!left) {
    // The right side's key expressions are written against its alias (`a.id`).
    scope.qualifiers = new Map([...row.scope.qualifiers, [n.rightAlias, row.scope.fields]]);
  } else if (row.scope.qualifiers.size === 0) {
    scope.qualifiers = new Map([[n.leftAlias, row.scope.fields]]);
  }
  const keyParts = keys.map((k) => compileExpr(k, scope, e.cx));
  let key: string;
  if (keyParts.length === 1) key = keyParts[0]!;
  else { e.use('rt_key'); key = `rt_key([${keyParts.join(', ')}])`; }
  const values = sideRow.fields.map((f) => row.scope.fields.get(f.name) ?? 'null');
  return [`JOIN${n.id}.${left ? 'left' : 'right'}(${key}, ${row.ts}, [${values.join(', ')}]);`];
}

/** The stage entered with each matched pair of a join, and the join's store. */
export function emitJoinOutput(e: JobEmitter, n: PlanNode & { kind: 'Join' }): void {
  const store = `JOIN${n.id}`;
  const out = `joined${n.id}`;
  if (n.withinMs !== undefined) {
    e.use('IntervalJoin');
    e.decls.push(`const ${store} = new IntervalJoin<any>(${n.withinMs}, ${out});`);
  } else {
    e.use('WindowJoin');
    e.decls.push(`const ${store} = new WindowJoin<any>(${n.windowMs}, ${out});`);
  }
  e.operatorBindings.push(e.operatorBinding(n, store, `, late: ${store}.late`).replace(/, late: \{ count: 0 \}/, ''));
  const fields = new Map<string, string>();
  const leftFields = new Map<string, string>();
  const rightFields = new Map<string, string>();
  n.leftRow.fields.forEach((f, i) => leftFields.set(f.name, `l[${i}]`));
  n.rightRow.fields.forEach((f, i) => rightFields.set(f.name, `r[${i}]`));
  for (const [k, v] of leftFields) if (!n.ambiguous.includes(k)) fields.set(k, v);
  for (const [k, v] of rightFields) if (!n.ambiguous.includes(k)) fields.set(k, v);
  const qualifiers = new Map<string, Map<string, string>>();
  for (const q of n.qualifiers) {
    if (q.alias === n.rightAlias) qualifiers.set(q.alias, rightFields);
    else qualifiers.set(q.alias, leftFields);
  }
  const body = e.consumers(n.id, { scope: { fields, qualifiers, locals: new Map(), params: e.params }, ts: 'ts' }, 'return');
  e.fns.push(`/** A matched pair of join n${n.id}. */\nfunction ${out}(ts: number, l: any[], r: any[]): void {\n${indent(body).join('\n')}\n}`);
}

/** `process`: per-key state object, statements compiled inline, timers through the store. */
export function emitProcess(e: JobEmitter, n: PlanNode & { kind: 'Process' }, row: Row): string[] {
  const store = `PROC${n.id}`;
  const out = `emitted${n.id}`;
  const op = n.op;
  const stateNames = op.states.map((s) => s.name.name);
  if (!e.decls.some((d) => d.startsWith(`const ${store} `))) {
    e.use('ProcessStore');
    const init = `{ ${op.states.map((s, i) => `s${i}: ${compileExpr(s.init, e.paramScope(), e.cx)}`).join(', ')} }`;
    e.decls.push(`const ${store} = new ProcessStore<any, any>(() => (${init}), onTimer${n.id});`);
    e.operatorBindings.push(e.operatorBinding(n, store));
    // The output stage.
    const params = n.row.fields.map((_, i) => `o${i}`);
    const fields = new Map(n.row.fields.map((f, i) => [f.name, params[i]!]));
    const body = e.consumers(n.id, { scope: { fields, qualifiers: new Map(), locals: new Map(), params: e.params }, ts: 'ts' }, 'return');
    e.fns.push(`/** A row emitted by process n${n.id}. */\nfunction ${out}(${['ts: number', ...params.map((p) => `${p}: any`)].join(', ')}): void {\n${indent(body).join('\n')}\n}`);
    // The timer callback.
    const tb: string[] = [];
    const keyLocals = e.keyFields(n.keys, 'key', tb);
    const keyRecord = `{ ${n.keys.map((k) => `${jsString(k.name)}: ${keyLocals.get(k.name)}`).join(', ')} }`;
    const locals = new Map<string, string>(stateNames.map((s, i) => [s, `s.s${i}`]));
    locals.set('key', keyRecord);
    locals.set('timer_time', 'timerTime');
    tb.push('let s = st;', 'let cleared = false;');
    tb.push(...statements(e, op.onTimer ?? [], { fields: new Map(), qualifiers: new Map(), locals, params: e.params }, 'timerTime', n, stateNames));
    tb.push(`if (cleared) ${store}.drop(key);`);
    e.fns.push(`/** on timer of process n${n.id}. */\nfunction onTimer${n.id}(key: any, st: any, timerTime: number): void {\n${indent(tb).join('\n')}\n}`);
  }
  if (!op.onRecord) return [];
  const lines: string[] = [];
  const key = e.fresh('key');
  lines.push(`const ${key} = ${e.keyExpr(n.keys, row)};`);
  const locals = new Map<string, string>(stateNames.map((s, i) => [s, `s.s${i}`]));
  locals.set('key', `{ ${n.keys.map((k) => `${jsString(k.name)}: ${row.scope.fields.get(k.name)}`).join(', ')} }`);
  const scope: Scope = { ...row.scope, locals };
  const body = [`let s = ${store}.state(${key});`, 'let cleared = false;'];
  body.push(...statements(e, op.onRecord, scope, row.ts, n, stateNames, key));
  body.push(`if (cleared) ${store}.drop(${key});`);
  lines.push('{', ...indent(body), '}');
  return lines;
}

function statements(e: JobEmitter, stmts: A.Stmt[], scope: Scope, ts: string, n: PlanNode & { kind: 'Process' }, stateNames: string[], keyVar = 'key'): string[] {
  const out: string[] = [];
  const store = `PROC${n.id}`;
  const local = new Map(scope.locals);
  const s: Scope = { ...scope, locals: local };
  for (const st of stmts) {
    out.push(e.where(st.span));
    switch (st.kind) {
      case 'If': {
        out.push(`if (${compileExpr(st.cond, s, e.cx)}) {`);
        out.push(...indent(statements(e, st.then, s, ts, n, stateNames, keyVar)));
        if (st.else) out.push('} else {', ...indent(statements(e, st.else, s, ts, n, stateNames, keyVar)));
        out.push('}');
        break;
      }
      case 'Emit': {
        const vals = new Map<string, string>();
        for (const item of st.record.items) {
          if (item.kind === 'Spread') {
            const v = e.fresh('r');
            out.push(`const ${v} = ${compileExpr(item.expr, s, e.cx)};`);
            if (item.expr.ty?.kind === 'record') for (const f of item.expr.ty.fields) vals.set(f.name, `${v}[${jsString(f.name)}]`);
          } else {
            const v = e.fresh();
            out.push(`const ${v} = ${compileExpr(item.value, s, e.cx)};`);
            vals.set(item.name.name, v);
          }
        }
        out.push(`emitted${n.id}(${[ts, ...n.row.fields.map((f) => vals.get(f.name) ?? 'null')].join(', ')});`);
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
