/**
 * The connector catalogue (lang/reference.md §7): which connectors exist for sources, tables and
 * sinks, their arguments and types. The emitter builds runtime connectors from `ConnectorInfo`.
 */
import type * as A from '../1-parse/ast.ts';
import type { Checker } from './context.ts';
import { T, type Type, type RecordType, assignable, showType, field, nonNull } from '../../../lang/types.ts';
import { checkExpr, constValue, emptyEnv } from './expressions.ts';
import { unknownNameHelp } from '../../diagnostics/suggest.ts';

export type ConnectorRole = 'source' | 'table' | 'sink';

interface ParamSpec {
  name: string;
  type: Type;
  required: boolean;
  /** Allowed constant values (for `format`, `kind`). */
  oneOf?: string[];
  doc: string;
}

interface ConnectorSpec {
  name: string;
  roles: ConnectorRole[];
  params: ParamSpec[];
  doc: string;
}

const format = (d: string): ParamSpec => ({ name: 'format', type: T.string, required: false, oneOf: ['jsonl', 'csv'], doc: d });

export const connectorSpecs: ConnectorSpec[] = [
  {
    name: 'file', roles: ['source', 'table', 'sink'], doc: 'A JSON Lines or CSV file. As a sink it is exactly-once with checkpoints.',
    params: [
      { name: 'path', type: T.string, required: true, doc: 'relative paths resolve against the working directory' },
      format('`jsonl` or `csv`; defaults from the file extension'),
      { name: 'follow', type: T.bool, required: false, doc: 'keep reading as the file grows (sources only)' },
    ],
  },
  { name: 'stdin', roles: ['source'], doc: 'Standard input.', params: [format('defaults to `jsonl`')] },
  { name: 'stdout', roles: ['sink'], doc: 'Standard output (at-least-once).', params: [format('defaults to `jsonl`')] },
  { name: 'stderr', roles: ['sink'], doc: 'Standard error (at-least-once).', params: [format('defaults to `jsonl`')] },
  {
    name: 'nexmark', roles: ['source'], doc: 'The Nexmark benchmark generator (deterministic).',
    params: [
      { name: 'kind', type: T.string, required: true, oneOf: ['person', 'auction', 'bid'], doc: 'which events to produce' },
      { name: 'events', type: T.int, required: true, doc: 'total number of events (all kinds) to generate' },
      { name: 'seed', type: T.int, required: false, doc: 'random seed (default 0)' },
      { name: 'rate', type: T.int, required: false, doc: 'events per second of event time (default 10000)' },
    ],
  },
];

/** The checked arguments of a connector call, by parameter name. */
export interface ConnectorInfo {
  name: string;
  args: Record<string, A.Expr>;
  /** The file format, for connectors that read or write records. */
  format?: 'jsonl' | 'csv';
  span: A.Span;
}

const nexmarkRows: Record<string, RecordType> = {
  person: T.record([
    { name: 'id', type: T.int }, { name: 'name', type: T.string }, { name: 'emailAddress', type: T.string },
    { name: 'creditCard', type: T.string }, { name: 'city', type: T.string }, { name: 'state', type: T.string },
    { name: 'dateTime', type: T.timestamp }, { name: 'extra', type: T.string },
  ]),
  auction: T.record([
    { name: 'id', type: T.int }, { name: 'itemName', type: T.string }, { name: 'description', type: T.string },
    { name: 'initialBid', type: T.int }, { name: 'reserve', type: T.int }, { name: 'dateTime', type: T.timestamp },
    { name: 'expires', type: T.timestamp }, { name: 'seller', type: T.int }, { name: 'category', type: T.int },
    { name: 'extra', type: T.string },
  ]),
  bid: T.record([
    { name: 'auction', type: T.int }, { name: 'bidder', type: T.int }, { name: 'price', type: T.int },
    { name: 'channel', type: T.string }, { name: 'url', type: T.string }, { name: 'dateTime', type: T.timestamp },
    { name: 'extra', type: T.string },
  ]),
};

export function checkConnector(c: Checker, call: A.ConnectorCall, role: ConnectorRole, row?: RecordType): ConnectorInfo | undefined {
  const spec = connectorSpecs.find((s) => s.name === call.name.name);
  if (!spec || !spec.roles.includes(role)) {
    const fitting = connectorSpecs.filter((s) => s.roles.includes(role)).map((s) => s.name);
    c.error('F1601', call.name.span,
      spec ? `\`${spec.name}\` cannot be used as a ${role}` : `unknown connector \`${call.name.name}\``,
      unknownNameHelp(call.name.name, fitting, `${role} connectors`) ?? `${role} connectors: ${fitting.join(', ')}`);
    return undefined;
  }
  const args: Record<string, A.Expr> = {};
  let ok = true;
  call.args.forEach((a, i) => {
    const p = a.name ? spec.params.find((x) => x.name === a.name!.name) : spec.params[i];
    if (!p) {
      ok = false;
      c.error('F1602', a.span, a.name ? `\`${spec.name}\` has no argument \`${a.name.name}\`` : `\`${spec.name}\` takes at most ${spec.params.length} argument${spec.params.length === 1 ? '' : 's'}`,
        a.name ? unknownNameHelp(a.name.name, spec.params.map((x) => x.name), 'arguments')
          : spec.params.length ? `the arguments are ${spec.params.map((x) => `\`${x.name}\``).join(', ')}` : `\`${spec.name}()\` takes none`);
      return;
    }
    if (p.name === 'follow' && role !== 'source') {
      c.error('F1602', a.span, '`follow` applies to sources only');
    }
    if (args[p.name]) { c.error('F1603', a.span, `argument \`${p.name}\` is given twice`); ok = false; return; }
    args[p.name] = a.value;
    const t = checkExpr(c, a.value, emptyEnv());
    if (!assignable(t, p.type)) {
      ok = false;
      c.error('F1604', a.value.span, `argument \`${p.name}\` of \`${spec.name}\` must be \`${showType(p.type)}\`, found \`${showType(t)}\``);
      return;
    }
    if (p.oneOf) {
      const v = constValue(a.value);
      if (typeof v !== 'string' || !p.oneOf.includes(v)) {
        ok = false;
        c.error('F1605', a.value.span, `\`${p.name}\` must be one of ${p.oneOf.map((x) => `"${x}"`).join(', ')}`);
      }
    }
  });
  for (const p of spec.params) {
    if (p.required && !args[p.name]) {
      ok = false;
      c.error('F1606', call.span, `\`${spec.name}\` needs the argument \`${p.name}\``, `${p.name}: ${p.doc}`);
    }
  }
  if (!ok) return undefined;
  const info: ConnectorInfo = { name: spec.name, args, span: call.span };
  if (spec.params.some((p) => p.name === 'format')) {
    const f = args.format ? (constValue(args.format) as string) : undefined;
    const path = args.path ? constValue(args.path) : undefined;
    info.format = (f as 'jsonl' | 'csv' | undefined)
      ?? (typeof path === 'string' && /\.csv$/i.test(path) ? 'csv' : 'jsonl');
  }
  if (spec.name === 'nexmark' && row) checkNexmarkRow(c, call, args, row);
  if (info.format === 'csv' && row && role !== 'sink') {
    for (const f of row.fields) {
      const k = nonNull(f.type).kind;
      if (k === 'record' || k === 'list') {
        c.error('F1607', call.span, `CSV cannot hold the field \`${f.name}\` of type \`${showType(f.type)}\``, 'use format "jsonl" for nested data');
      }
    }
  }
  return info;
}

function checkNexmarkRow(c: Checker, call: A.ConnectorCall, args: Record<string, A.Expr>, row: RecordType): void {
  const kind = constValue(args.kind!);
  const gen = typeof kind === 'string' ? nexmarkRows[kind] : undefined;
  if (!gen) return;
  for (const f of row.fields) {
    const g = field(gen, f.name);
    if (!g) {
      c.error('F1608', call.span, `nexmark ${kind} events have no field \`${f.name}\``,
        unknownNameHelp(f.name, gen.fields.map((x) => x.name), 'fields') ?? `the fields are ${gen.fields.map((x) => x.name).join(', ')}`);
    } else if (!assignable(g.type, f.type)) {
      c.error('F1608', call.span, `nexmark field \`${f.name}\` is \`${showType(g.type)}\`, declared \`${showType(f.type)}\``);
    }
  }
}
