/**
 * `process { state …; on record { … }; on timer { … } }` (flow-language.md §6): keyed state,
 * timers, statements, and the type of the rows it emits.
 */
import type * as A from '../1-parse/ast.ts';
import type { Checker } from './context.ts';
import { T, type Type, type StreamInfo, type RecordType, assignable, showType, unify, isNullable, nonNull } from './types.ts';
import { checkExpr, expectBool, expectType, emptyEnv, type Env } from './expressions.ts';
import { resolveTypeExpr } from './type-exprs.ts';

export function checkProcess(c: Checker, op: A.OpOf<'Process'>, s: StreamInfo): StreamInfo {
  const states = new Map<string, Type>();
  for (const st of op.states) {
    const t = resolveTypeExpr(c, st.type);
    if (states.has(st.name.name)) c.error('F1501', st.name.span, `state \`${st.name.name}\` is declared twice`);
    expectType(c, st.init, emptyEnv(), t, `the initial value of \`${st.name.name}\``);
    states.set(st.name.name, t);
  }
  const keyRow = T.record((s.keys ?? []).map((k) => ({ name: k.name, type: k.type })));
  const emits: { record: A.RecordExpr; type: RecordType }[] = [];
  if (!op.onRecord && !op.onTimer) {
    c.error('F1502', op.keywordSpan, '`process` has neither `on record` nor `on timer`', 'add `on record { … }` to handle each row');
  }
  if (op.onRecord) {
    const locals = new Map<string, Type>([...states, ['key', keyRow]]);
    const env: Env = { row: s.row, qualifiers: s.qualifiers, ambiguous: s.ambiguous, locals };
    block(c, op.onRecord, env, states, emits, false);
  }
  if (op.onTimer) {
    const locals = new Map<string, Type>([...states, ['key', keyRow], ['timer_time', T.timestamp]]);
    block(c, op.onTimer, { qualifiers: [], ambiguous: [], locals }, states, emits, true);
  }
  if (op.onTimer && !containsTimer(op.onRecord ?? []) && !containsTimer(op.onTimer)) {
    c.warn('W1501', op.keywordSpan, '`on timer` never runs: no statement sets a timer', 'set one with `timer at + 10m`');
  }
  let out: RecordType | undefined;
  for (const e of emits) {
    if (!out) { out = e.type; continue; }
    const merged = mergeRows(out, e.type);
    if (!merged) {
      c.error('F1503', e.record.span, `every \`emit\` must produce the same fields: \`${showType(out)}\` vs \`${showType(e.type)}\``,
        'emit the same field names with the same types in every branch (use `null` for a missing value of a nullable field)');
      continue;
    }
    out = merged;
  }
  if (!out) c.warn('W1502', op.keywordSpan, '`process` never emits a row, so its output is empty');
  return { row: out ?? T.record([]), kind: 'append', eventTime: s.eventTime, qualifiers: [], ambiguous: [] };
}

function mergeRows(a: RecordType, b: RecordType): RecordType | undefined {
  if (a.fields.length !== b.fields.length) return undefined;
  const fields = [];
  for (const f of a.fields) {
    const g = b.fields.find((x) => x.name === f.name);
    if (!g) return undefined;
    const u = unify(f.type, g.type);
    if (!u) return undefined;
    fields.push({ name: f.name, type: u });
  }
  return T.record(fields);
}

function containsTimer(stmts: A.Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'Timer' || (s.kind === 'If' && (containsTimer(s.then) || containsTimer(s.else ?? []))));
}

function block(
  c: Checker, stmts: A.Stmt[], env: Env, states: Map<string, Type>,
  emits: { record: A.RecordExpr; type: RecordType }[], inTimer: boolean,
): void {
  const scoped: Env = { ...env, locals: new Map(env.locals) };
  for (const st of stmts) {
    switch (st.kind) {
      case 'If':
        expectBool(c, st.cond, scoped, 'the condition of `if`');
        block(c, st.then, scoped, states, emits, inTimer);
        if (st.else) block(c, st.else, scoped, states, emits, inTimer);
        break;
      case 'Emit': {
        const t = checkExpr(c, st.record, scoped) as RecordType;
        if (t.kind === 'record') {
          for (const f of t.fields) {
            if (f.type.kind === 'null') {
              c.error('F1410', st.record.span, `field \`${f.name}\` is always null here, so its type is unknown`,
                'emit a typed value in at least one branch, or drop the field');
            }
          }
          emits.push({ record: st.record, type: t });
        }
        break;
      }
      case 'Timer':
        expectType(c, st.at, scoped, T.timestamp, 'a timer time');
        break;
      case 'Clear':
        break;
      case 'LetStmt': {
        const t = checkExpr(c, st.value, scoped);
        if (states.has(st.name.name)) {
          c.error('F1504', st.name.span, `\`${st.name.name}\` is a state; a \`let\` cannot hide it`, 'pick another name');
        }
        scoped.locals.set(st.name.name, t);
        break;
      }
      case 'Assign': {
        const target = states.get(st.target.name);
        if (!target) {
          const local = scoped.locals.has(st.target.name) || scoped.row?.fields.some((f) => f.name === st.target.name);
          c.error('F1505', st.target.span, local
            ? `\`${st.target.name}\` cannot be assigned; only \`state\` variables can`
            : `unknown state \`${st.target.name}\``,
            local ? 'declare a `state` to keep a value between rows' : [...states.keys()].length ? `the states are ${[...states.keys()].map((k) => `\`${k}\``).join(', ')}` : 'declare it: `state name: type = initial`');
          checkExpr(c, st.value, scoped);
          break;
        }
        const t = checkExpr(c, st.value, scoped);
        if (!assignable(t, target)) {
          c.error('F1101', st.value.span, `\`${st.target.name}\` is \`${showType(target)}\`; cannot assign \`${showType(t)}\``,
            isNullable(t) && assignable(nonNull(t), target) ? 'the value may be null: give a default with `??`' : undefined);
        }
        break;
      }
    }
  }
}
