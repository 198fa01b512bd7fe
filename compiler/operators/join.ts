/**
 * `join S [as s] on EQ [and EQ …] within D | window tumbling D`: interval and window joins. Each
 * input side buffers its row and matches it against the other side's buffer inline, in the stage
 * that feeds it; matched pairs enter a stage of their own (the store calls it).
 */
import type { NodeId, PlanNodeOf } from '../phases/3-plan/nodes.ts';
import { showDuration, showExpr } from '../phases/3-plan/show.ts';
import { demands, exprReads, WHOLE_ROW } from '../phases/4-fuse/optimize/reads.ts';
import { showRow } from '../../lang/types.ts';
import { compileExpr, commentText, jsString, prop, tsType, type Scope } from '../phases/5-emit/expr.ts';
import { keyValue } from '../phases/5-emit/keys.ts';
import { hidden } from '../phases/5-emit/unfused-emitter.ts';
import type { JobEmitter, Row } from '../phases/5-emit/job-emitter.ts';
import type { Operator } from './operator.ts';

type Join = PlanNodeOf<'Join'>;

const leftOf = (n: Join): NodeId => n.inputs[0]!;
const rightOf = (n: Join): NodeId => n.inputs[1]!;

/** Does a row from `from` enter the left side? (A self-join's first edge is the left one.) */
function isLeft(n: Join, from: NodeId, occurrence: number): boolean {
  return from === leftOf(n) && (leftOf(n) !== rightOf(n) || occurrence === 0);
}

/** Fields of one join side that are buffered: those read after the join. */
function sideFields(e: JobEmitter, n: Join, left: boolean) {
  const side = left ? n.leftRow : n.rightRow;
  const input = e.nodes[left ? leftOf(n) : rightOf(n)]!;
  return side.fields.filter((f) => e.demanded(input.id, f.name));
}

/** One input side: match the row against the other side's buffer, then buffer it. */
function joinInput(e: JobEmitter, n: Join, row: Row, from: NodeId, occurrence: number): string[] {
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

/** The stage entered with each matched pair, and the join's store. */
function joinOutput(e: JobEmitter, n: Join): void {
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

export const join: Operator<'Join'> = {
  kind: 'Join',
  describe: (n) => {
    const on = n.leftKeys.map((l, i) => `${showExpr(l)} == ${showExpr(n.rightKeys[i]!)}`).join(' and ');
    return `join ${n.rightAlias} on ${on} ${n.withinMs !== undefined ? `within ${showDuration(n.withinMs)}` : `window tumbling ${showDuration(n.windowMs!)}`}`;
  },
  entry: 'operator',
  shuffle: false,
  sideOutput: false,
  deferred: {
    stage: 'match',
    explainInput: (p, n) => {
      const stored = (node: number, fields: string[]) => `{ ${fields.filter((f) => demands(p.demand.get(node), f)).join(', ')} }`;
      return `buffer left ${stored(leftOf(n), n.leftRow.fields.map((f) => f.name))}, right ${stored(rightOf(n), n.rightRow.fields.map((f) => f.name))}, match`;
    },
    explainOutput: 'matched pairs',
  },
  mapExprs: (n, f) => {
    const leftKeys = n.leftKeys.map(f);
    const rightKeys = n.rightKeys.map(f);
    return leftKeys.every((k, i) => k === n.leftKeys[i]) && rightKeys.every((k, i) => k === n.rightKeys[i]) ? n : { ...n, leftKeys, rightKeys };
  },
  demand: (n, cx) => {
    const left = new Set<string>();
    const right = new Set<string>();
    const leftFields = new Set(n.leftRow.fields.map((f) => f.name));
    const rightFields = new Set(n.rightRow.fields.map((f) => f.name));
    for (const item of cx.demanded) {
      if (item === WHOLE_ROW) { left.add(WHOLE_ROW); right.add(WHOLE_ROW); continue; }
      const dot = item.indexOf('.');
      if (dot > 0) {
        if (item.slice(0, dot) === n.rightAlias) right.add(item.slice(dot + 1));
        else left.add(item);
        continue;
      }
      if (n.ambiguous.includes(item)) continue;
      if (leftFields.has(item)) left.add(item);
      else if (rightFields.has(item)) right.add(item);
    }
    const leftAliases = new Set(n.qualifiers.filter((q) => q.alias !== n.rightAlias).map((q) => q.alias));
    for (const k of n.leftKeys) exprReads(k, { fields: leftFields, qualifiers: leftAliases }, left);
    for (const k of n.rightKeys) {
      for (const item of exprReads(k, { fields: rightFields, qualifiers: new Set([n.rightAlias]) })) {
        right.add(item.startsWith(`${n.rightAlias}.`) ? item.slice(n.rightAlias.length + 1) : item);
      }
    }
    cx.need(leftOf(n), left);
    cx.need(rightOf(n), right);
  },
  pruned: () => [],
  pushdown: null,
  // The buffers are positional: each side keeps the fields read after the join, in order.
  layout: (n, cx) => {
    const kept = (side: 'left' | 'right') => {
      const row = side === 'left' ? n.leftRow : n.rightRow;
      const id = side === 'left' ? leftOf(n) : rightOf(n);
      return row.fields.filter((f) => cx.demanded(id, f.name)).map((f) => f.name).join(', ');
    };
    return `join ${n.withinMs !== undefined ? `within ${n.withinMs}ms` : `window ${n.windowMs}ms`} ${showRow(n.leftRow)} ⋈ ${showRow(n.rightRow)} on [${n.leftKeys.map(showExpr).join(', ')}] = [${n.rightKeys.map(showExpr).join(', ')}] buffers [${kept('left')}] [${kept('right')}]${n.letName ? ` (let ${n.letName})` : ''}`;
  },
  fused: {
    declare: { pass: 'outputs', emit: joinOutput },
    row: (e, n, row, _exit, from, occurrence) => joinInput(e, n, row, from, occurrence),
  },
  unfused: {
    declare: null,
    build: (e, n, next) => {
      const left = e.nodes[leftOf(n)]!;
      const right = e.nodes[rightOf(n)]!;
      const ls = e.rowScope(n, left);
      if (!ls.qualifiers.has(n.leftAlias)) ls.qualifiers.set(n.leftAlias, ls.fields);
      const rs = e.rowScope(n, right);
      rs.qualifiers.set(n.rightAlias, rs.fields);
      const lk = e.keyFn(n, n.leftKeys.map((k) => compileExpr(k, ls, e.cx)), n.leftKeys.map((k) => k.ty ?? { kind: 'error' }));
      const rightKey = keyValue(lk.shape, n.rightKeys.map((k) => compileExpr(k, rs, e.cx)), `KEYS${n.id}`);
      const fields: [string, string][] = [];
      for (const f of n.leftRow.fields) if (!n.ambiguous.includes(f.name) && e.demanded(n.id, f.name)) fields.push([f.name, `l${prop(f.name)}`]);
      for (const f of n.rightRow.fields) if (!n.ambiguous.includes(f.name) && e.demanded(n.id, f.name)) fields.push([f.name, `r${prop(f.name)}`]);
      const leftHidden = e.hiddenOf(left.id);
      for (const q of n.qualifiers) {
        if (q.alias === n.rightAlias) fields.push([hidden(q.alias), 'r']);
        else fields.push([hidden(q.alias), leftHidden.has(q.alias) ? `l[${jsString(hidden(q.alias))}]` : 'l']);
      }
      const bound = n.withinMs !== undefined ? `{ within: ${n.withinMs} }` : `{ window: ${n.windowMs} }`;
      e.add(n, `new unfused.Join(${bound}, (r: any) => ${lk.js}, (r: any) => ${rightKey}, (l: any, r: any) => ${e.object(fields)})`, [`n${n.id}.next = ${next()};`]);
      e.binding(n, `n${n.id}.store`, [`late: n${n.id}.store.late`, ...(lk.shape.kind === 'table' ? [`keys: KEYS${n.id}`] : [])]);
    },
    qualifiedRows: 'own',
    port: (n, from, occurrence) => (isLeft(n, from, occurrence) ? 'left' : 'right'),
  },
};
