/**
 * `process { state … on record { … } on timer { … } }`: explicit keyed state and event-time
 * timers. Fused: a per-key state object, the statements compiled inline in the feeding stage,
 * emitted rows entering a stage of their own, timers through the store. Unfused: the same
 * statements inside callbacks of the generic `Process` object.
 */
import type * as A from '../phases/1-parse/ast.ts';
import type { PlanNodeOf } from '../phases/3-plan/nodes.ts';
import { input } from '../phases/3-plan/nodes.ts';
import { showKeys } from '../phases/3-plan/show.ts';
import { WHOLE_ROW } from '../phases/4-fuse/optimize/reads.ts';
import { T, showType, type Type } from '../../lang/types.ts';
import { compileExpr, commentText, prop, tsType, type Scope } from '../phases/5-emit/expr.ts';
import { indent } from '../phases/5-emit/code.ts';
import { keyParts } from '../phases/5-emit/keys.ts';
import type { JobEmitter, Row } from '../phases/5-emit/job-emitter.ts';
import type { UnfusedEmitter } from '../phases/5-emit/unfused-emitter.ts';
import { unreachable } from '../unreachable.ts';
import type { Operator } from './operator.ts';

type Process = PlanNodeOf<'Process'>;

/** `process`: per-key state object, statements compiled inline, timers through the store. */
function processInput(e: JobEmitter, n: Process, row: Row): string[] {
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
interface ProcessTarget {
  store: string;
  emit(ts: string, values: string[]): string;
}

function statements(e: JobEmitter, stmts: A.Stmt[], scope: Scope, ts: string, n: Process, stateNames: string[], keyVar: string, target?: ProcessTarget): string[] {
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
      default:
        unreachable(st, 'statement');
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

function processObject(e: UnfusedEmitter, n: Process, next: string): void {
  const input = e.nodes[n.inputs[0]!]!;
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

export const process: Operator<'Process'> = {
  kind: 'Process',
  describe: (n) => `process${showKeys(n.keys)} { ${n.op.states.map((s) => `state ${s.name.name}`).concat(n.op.onRecord ? ['on record'] : [], n.op.onTimer ? ['on timer'] : []).join('; ')} }`,
  entry: 'operator',
  shuffle: false,
  sideOutput: false,
  deferred: { stage: 'emit', explainInput: () => 'update state and timers', explainOutput: 'emitted rows' },
  // Its statements are compiled as written (folding reaches expressions, not statements).
  mapExprs: (n) => n,
  // Statements may read any field of the row.
  demand: (n, cx) => cx.need(input(n), [WHOLE_ROW]),
  pruned: () => [],
  pushdown: null,
  layout: (n) => `process by [${n.keys.map((k) => `${k.name}: ${showType(k.type)}`).join(', ')}] state {${n.op.states.map((s) => `${s.name.name}: ${showType(s.init.ty ?? { kind: 'error' })}`).join(', ')}}${n.letName ? ` (let ${n.letName})` : ''}`,
  fused: {
    // The store, its output stage and timer callback are declared with the first row's code.
    declare: null,
    row: (e, n, row) => processInput(e, n, row),
  },
  unfused: {
    declare: null,
    build: (e, n, next) => processObject(e, n, next()),
    qualifiedRows: 'none',
    port: null,
  },
};
