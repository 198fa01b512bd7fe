/**
 * `process { state …; on record { … }; on timer { … } }` (lang/reference.md §5): keyed state,
 * timers, statements, and the type of the rows it emits.
 */
import type * as A from '../1-parse/ast.ts';
import type { Checker } from './context.ts';
import { T, type Type, type StreamInfo, type RecordType, assignable, showType, unify, isNullable, nonNull, field } from '../../../lang/types.ts';
import { reservedKeywords } from '../../../lang/keywords.ts';
import { checkExpr, expectBool, expectType, emptyEnv, type Env } from './expressions.ts';
import { resolveTypeExpr } from './type-exprs.ts';

export function checkProcess(c: Checker, op: A.OpOf<'Process'>, s: StreamInfo): StreamInfo {
  const states = new Map<string, Type>();
  for (const st of op.states) {
    const t = resolveTypeExpr(c, st.type);
    const name = st.name.name;
    if ((reservedKeywords as readonly string[]).includes(name)) {
      c.error('F1007', st.name.span, `\`${name}\` is a keyword and cannot name a state`, `pick another name, like \`${name}_\``);
    } else if (states.has(name)) {
      c.error('F1501', st.name.span, `state \`${name}\` is declared twice`);
    } else if (field(s.row, name)) {
      c.error('F1506', st.name.span, `state \`${name}\` has the name of a field of the row, which it would hide`,
        `pick another name, like \`last_${name}\``);
    } else if (name === 'key' || name === 'timer_time') {
      c.error('F1506', st.name.span, `\`${name}\` is a name \`process\` already defines`, `pick another name, like \`my_${name}\``);
    }
    expectType(c, st.init, emptyEnv(), t, `the initial value of \`${name}\``);
    if (!states.has(name)) states.set(name, t);
  }
  const keyRow = T.record((s.keys ?? []).map((k) => ({ name: k.name, type: k.type })));
  for (const hidden of ['key', 'timer_time']) {
    if (field(s.row, hidden)) {
      c.warn('W1503', op.keywordSpan, `the row's field \`${hidden}\` cannot be read inside \`process\`, where \`${hidden}\` means ${hidden === 'key' ? 'the key record' : 'the time of the timer'}`,
        `rename it before the process, e.g. \`| extend { ${hidden}_: ${hidden} }\``);
    }
  }
  const emits: { record: A.RecordExpr; type: RecordType }[] = [];
  for (const on of ['record', 'timer'] as const) {
    const hs = (op.handlers ?? []).filter((h) => h.on === on);
    for (const extra of hs.slice(1)) {
      c.error('F1509', extra.span, `a second \`on ${on}\` block`, `put all the statements of \`on ${on}\` in one block`,
        [{ span: hs[0]!.span, message: 'the first one' }]);
    }
  }
  if (!op.onRecord && !op.onTimer) {
    c.error('F1502', op.keywordSpan, '`process` has neither `on record` nor `on timer`', 'add `on record { … }` to handle each row');
  }
  if (op.onRecord) {
    const locals = new Map<string, Type>([...states, ['key', keyRow]]);
    const env: Env = { row: s.row, qualifiers: s.qualifiers, ambiguous: s.ambiguous, locals };
    block(c, op.onRecord, env, states, emits, s.eventTime);
  }
  if (op.onTimer) {
    const locals = new Map<string, Type>([...states, ['key', keyRow], ['timer_time', T.timestamp]]);
    block(c, op.onTimer, { qualifiers: [], ambiguous: [], locals, noRow: s.row }, states, emits, s.eventTime);
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
  if (!out && (op.onRecord || op.onTimer)) c.warn('W1502', op.keywordSpan, '`process` never emits a row, so its output is empty');
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
  emits: { record: A.RecordExpr; type: RecordType }[], eventTime: boolean,
): void {
  const scoped: Env = { ...env, locals: new Map(env.locals) };
  for (const st of stmts) {
    switch (st.kind) {
      case 'If':
        expectBool(c, st.cond, scoped, 'the condition of `if`');
        block(c, st.then, scoped, states, emits, eventTime);
        if (st.else) block(c, st.else, scoped, states, emits, eventTime);
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
        if (!eventTime) {
          c.error('F1508', st.span, '`timer` needs a stream with event time',
            'timers fire when the watermark passes them; give the source an `event time FIELD` clause');
        }
        break;
      case 'Clear':
        break;
      case 'LetStmt': {
        const t = checkExpr(c, st.value, scoped);
        if ((reservedKeywords as readonly string[]).includes(st.name.name)) {
          c.error('F1007', st.name.span, `\`${st.name.name}\` is a keyword and cannot name a value`, `pick another name, like \`${st.name.name}_\``);
        } else if (states.has(st.name.name)) {
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
