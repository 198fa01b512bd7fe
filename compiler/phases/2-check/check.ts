/**
 * Phase 2: AST → TypedProgram. Declares every top-level name (across imports), then checks each
 * declaration; expression and stream types are written into the AST's `ty` / `stream` slots.
 */
import type * as A from '../1-parse/ast.ts';
import { forEachExpr } from '../1-parse/walk.ts';
import { unreachable } from '../../unreachable.ts';
import { Checker, type Symbols } from './context.ts';
import { T, type Type, type StreamInfo, type RecordType, assignable, showType, isNullable, nonNull, field } from '../../../lang/types.ts';
import { resolveTypeExpr } from './type-exprs.ts';
import { checkExpr, expectType, emptyEnv, rowEnv, constValue } from './expressions.ts';
import { checkPipeline, streamByName } from './pipelines.ts';
import { checkConnector, type ConnectorInfo } from './connectors.ts';
import { checkExtern, type ExternReader } from './extern.ts';
import { allKeywords, reservedKeywords, typeNames } from '../../../lang/keywords.ts';
import { builtinByName, aggregateByName } from '../../../lang/builtins.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { unknownNameHelp } from '../../diagnostics/suggest.ts';

export interface JobSettings {
  name: string;
  checkpointInterval?: number;
  checkpointDir?: string;
  parallelism: number;
}

export interface TypedSink {
  decl: A.DeclOf<'Sink'>;
  stream: StreamInfo;
  connector: ConnectorInfo;
}

export interface TypedSource {
  decl: A.DeclOf<'Source'>;
  row: RecordType;
  connector: ConnectorInfo;
}

export interface TypedTable {
  decl: A.DeclOf<'Table'>;
  row: RecordType;
  connector: ConnectorInfo;
}

export interface TypedProgram {
  main: A.Program;
  files: A.Program[];
  symbols: Symbols;
  job: JobSettings;
  sources: TypedSource[];
  tables: TypedTable[];
  sinks: TypedSink[];
  tests: A.DeclOf<'Test'>[];
  /** Extern fn name → resolved module path. */
  externs: Map<string, string>;
}

export interface CheckResult {
  typed: TypedProgram;
  diagnostics: Diagnostic[];
}

export interface CheckOptions {
  /** Reads an extern fn's TypeScript module; without it extern signatures are not verified. */
  externs?: ExternReader;
}

/** Checks a main file together with the files it imports (imported first, in dependency order). */
export function check(main: A.Program, imported: A.Program[] = [], options: CheckOptions = {}): CheckResult {
  const files = [...imported, main];
  const c = new Checker(files);
  for (const f of files) for (const u of f.unparsed ?? []) c.symbols.unparsed.add(u.name);
  const decls = files.flatMap((f) => f.decls.filter((d) => f === main || (d.kind !== 'Sink' && d.kind !== 'Test' && d.kind !== 'Job')));
  declare(c, decls);

  const externs = new Map<string, string>();
  // Types and params first (others use them), then functions, sources, tables, lets.
  for (const s of c.symbols.types.values()) resolveTypeExpr(c, { kind: 'NamedType', name: s.decl.name.name, span: s.decl.name.span });
  for (const p of c.symbols.params.values()) {
    if (p.type.kind === 'record' || p.type.kind === 'list') {
      c.error('F1004', p.decl.type.span, `a param must be a scalar type, found \`${showType(p.type)}\``, 'params are set on the command line as text');
    }
    if (p.decl.default) {
      const t = expectType(c, p.decl.default, emptyEnv(), p.type, `the default of \`${p.decl.name.name}\``);
      if (t.kind !== 'error' && p.type.kind !== 'record' && p.type.kind !== 'list' && constValue(p.decl.default) === undefined) {
        c.error('F1016', p.decl.default.span, `the default of \`${p.decl.name.name}\` must be a constant`,
          'write a literal, like `10_000` or `"data/in.jsonl"`; it can be overridden with `--param`');
      }
    }
  }
  for (const f of c.symbols.fns.values()) {
    if (f.decl.kind === 'Fn') {
      const locals = new Map(f.params.map((p) => [p.name, p.type] as [string, Type]));
      const t = checkExpr(c, f.decl.body, emptyEnv(locals));
      if (!assignable(t, f.result)) {
        c.error('F1101', f.decl.body.span, `\`${f.decl.name.name}\` returns \`${showType(f.result)}\`, but its body is \`${showType(t)}\``,
          isNullable(t) && assignable(nonNull(t), f.result) ? 'the body may be null: give a default with `??`, or declare the result nullable' : undefined);
      }
    } else {
      const module = checkExtern(c, f.decl, f.params, f.result, options.externs);
      if (module) externs.set(f.decl.name.name, module);
    }
  }
  checkFnCycles(c);

  const sources: TypedSource[] = [];
  for (const s of c.symbols.sources.values()) {
    const connector = checkConnector(c, s.decl.connector, 'source', s.row);
    if (s.decl.eventTime) {
      const t = checkExpr(c, s.decl.eventTime, rowEnv(s.row));
      if (t.kind !== 'error' && t.kind !== 'timestamp') {
        c.error('F1005', s.decl.eventTime.span, `event time must be a \`timestamp\`, found \`${showType(t)}\``,
          isNullable(t) ? 'rows without a time cannot be placed in windows: write `at ?? @1970-01-01T00:00:00Z` or make the field required'
            : t.kind === 'int' ? 'epoch milliseconds in JSON are read as timestamps when the field is declared `timestamp`' : undefined);
      }
    }
    if (s.decl.watermark) {
      const t = checkExpr(c, s.decl.watermark, emptyEnv());
      const v = constValue(s.decl.watermark);
      if (t.kind !== 'error' && (t.kind !== 'duration' || typeof v !== 'number' || v < 0)) {
        c.error('F1006', s.decl.watermark.span, 'the watermark delay must be a constant duration ≥ 0, like `5s`',
          t.kind === 'int' ? `write a unit: \`${typeof v === 'number' ? Math.abs(v) : 5}s\``
            : t.kind !== 'duration' ? `found \`${showType(t)}\``
              : typeof v !== 'number' ? 'it shapes how long windows wait for late rows, so it is written as a literal'
                : 'a delay cannot be negative; `0s` means rows arrive in order');
      }
    }
    if (connector) sources.push({ decl: s.decl, row: s.row, connector });
  }
  const tables: TypedTable[] = [];
  for (const t of c.symbols.tables.values()) {
    const connector = checkConnector(c, t.decl.connector, 'table', t.row);
    if (connector) tables.push({ decl: t.decl, row: t.row, connector });
  }
  for (const l of c.symbols.lets.values()) streamByName(c, l.decl.name);

  const job = checkJob(c, main);
  const sinks: TypedSink[] = [];
  for (const d of main.decls) {
    if (d.kind !== 'Sink') continue;
    const stream = checkPipeline(c, d.pipeline);
    if (stream.window) {
      c.error('F1401', d.pipeline.span, 'a windowed stream must be aggregated before it is written',
        'add `| aggregate { … }` or `| top N by …` after the window');
    }
    const connector = checkConnector(c, d.connector, 'sink');
    if (connector?.format === 'csv') {
      for (const f of stream.row.fields) {
        const k = nonNull(f.type).kind;
        if (k === 'record' || k === 'list') {
          c.error('F1607', d.connector.span, `CSV cannot hold the field \`${f.name}\` of type \`${showType(f.type)}\``, 'select scalar fields, or write jsonl');
        }
      }
    }
    if (connector) sinks.push({ decl: d, stream, connector });
  }
  const tests = main.decls.filter((d): d is A.DeclOf<'Test'> => d.kind === 'Test');
  const testNames = new Map<string, A.DeclOf<'Test'>>();
  for (const t of tests) checkTest(c, t, testNames);
  // An unused let is worth a word only once the file has no errors left.
  if (!c.diagnostics.some((d) => d.severity === 'error')) warnUnused(c, main);

  return {
    typed: { main, files, symbols: c.symbols, job, sources, tables, sinks, tests, externs },
    diagnostics: c.diagnostics,
  };
}

function declare(c: Checker, decls: A.Decl[]): void {
  const seen = new Map<string, A.Ident>();
  const claim = (name: A.Ident, what: string): boolean => {
    if (allKeywords.includes(name.name) || (typeNames as readonly string[]).includes(name.name)) {
      const kind = allKeywords.includes(name.name) ? 'a keyword' : 'a builtin type';
      c.error('F1007', name.span, `\`${name.name}\` is ${kind} and cannot name a ${what}`, `pick another name, like \`${name.name}_\``);
      // Still declared, so that its uses give no follow-on errors.
    }
    const prev = seen.get(name.name);
    if (prev) {
      c.error('F1008', name.span, `\`${name.name}\` is already declared`, 'every top-level name must be unique',
        [{ span: prev.span, message: 'first declared here' }]);
      return false;
    }
    seen.set(name.name, name);
    return true;
  };
  for (const d of decls) if (d.kind === 'TypeDecl' && claim(d.name, 'type')) c.symbols.types.set(d.name.name, { decl: d });
  for (const d of decls) {
    switch (d.kind) {
      case 'Param':
        if (claim(d.name, 'param')) c.symbols.params.set(d.name.name, { decl: d, type: resolveTypeExpr(c, d.type) });
        break;
      case 'Source': {
        if (!claim(d.name, 'source')) break;
        const row = rowOf(c, d.type, 'a source');
        c.symbols.sources.set(d.name.name, {
          decl: d, row,
          stream: { row, kind: 'append', eventTime: d.eventTime !== undefined, qualifiers: [], ambiguous: [] },
        });
        break;
      }
      case 'Table': {
        if (!claim(d.name, 'table')) break;
        const row = rowOf(c, d.type, 'a table');
        const key = field(row, d.key.name);
        if (!key && row.fields.length) {
          c.error('F1009', d.key.span, `the table has no field \`${d.key.name}\` to use as key`,
            unknownNameHelp(d.key.name, row.fields.map((f) => f.name), 'fields'));
        }
        c.symbols.tables.set(d.name.name, { decl: d, row, keyType: key ? nonNull(key.type) : T.error });
        break;
      }
      case 'Let':
        if (claim(d.name, 'let')) c.symbols.lets.set(d.name.name, { decl: d });
        break;
      case 'Fn':
      case 'ExternFn': {
        if (!claim(d.name, 'function')) break;
        if (builtinByName.has(d.name.name) || aggregateByName.has(d.name.name)) {
          c.error('F1010', d.name.span, `\`${d.name.name}\` is a builtin function`, 'pick another name');
          break;
        }
        const params = d.params.map((p) => ({ name: p.name.name, type: resolveTypeExpr(c, p.type) }));
        for (const p of d.params) {
          if ((reservedKeywords as readonly string[]).includes(p.name.name)) {
            c.error('F1007', p.name.span, `\`${p.name.name}\` is a keyword and cannot name a parameter`, `pick another name, like \`${p.name.name}_\``);
          }
        }
        const names = params.map((p) => p.name);
        const dup = d.params.find((p, i) => names.indexOf(p.name.name) !== i);
        if (dup) c.error('F1011', dup.name.span, `parameter \`${dup.name.name}\` is declared twice`);
        c.symbols.fns.set(d.name.name, { decl: d, params, result: resolveTypeExpr(c, d.returnType) });
        break;
      }
      case 'Job': case 'Import': case 'TypeDecl': case 'Sink': case 'Test':
        // Declared elsewhere (job settings, imports, types first) or naming nothing.
        break;
      default:
        unreachable(d, 'declaration');
    }
  }
}

function rowOf(c: Checker, t: A.TypeExpr, what: string): RecordType {
  const r = resolveTypeExpr(c, t);
  if (r.kind === 'record') return r;
  if (r.kind !== 'error') c.error('F1012', t.span, `${what} must have a record type, found \`${showType(r)}\``, 'declare `type Row = { field: type, … }`');
  return T.record([]);
}

const jobSettings: Record<string, Type> = {
  checkpoint_interval: T.duration, checkpoint_dir: T.string, parallelism: T.int,
};

function checkJob(c: Checker, main: A.Program): JobSettings {
  const jobs = main.decls.filter((d): d is A.DeclOf<'Job'> => d.kind === 'Job');
  const fileName = main.file.replace(/^.*[\\/]/, '').replace(/\.flow$/, '');
  const settings: JobSettings = { name: jobs[0]?.name.name ?? fileName, parallelism: 1 };
  for (const extra of jobs.slice(1)) {
    c.error('F1013', extra.name.span, 'a file has at most one `job` block', undefined, [{ span: jobs[0]!.name.span, message: 'first job here' }]);
  }
  const job = jobs[0];
  if (!job) return settings;
  const seen = new Set<string>();
  for (const s of job.settings) {
    const expected = jobSettings[s.name.name];
    if (!expected) {
      c.error('F1014', s.name.span, `unknown job setting \`${s.name.name}\``,
        unknownNameHelp(s.name.name, Object.keys(jobSettings), 'settings'));
      continue;
    }
    if (seen.has(s.name.name)) c.error('F1015', s.name.span, `\`${s.name.name}\` is set twice`);
    seen.add(s.name.name);
    expectType(c, s.value, emptyEnv(), expected, `\`${s.name.name}\``);
    const v = constValue(s.value);
    if (v === undefined) {
      c.error('F1016', s.value.span, `\`${s.name.name}\` must be a constant`);
      continue;
    }
    if (s.name.name === 'checkpoint_interval' && typeof v === 'number') {
      if (v < 10) c.error('F1017', s.value.span, 'the checkpoint interval must be at least 10ms');
      else settings.checkpointInterval = v;
    }
    if (s.name.name === 'checkpoint_dir' && typeof v === 'string') settings.checkpointDir = v;
    if (s.name.name === 'parallelism' && typeof v === 'number') {
      if (v < 1) c.error('F1017', s.value.span, 'parallelism must be at least 1');
      else {
        settings.parallelism = v;
        if (v > 1) c.warn('W1003', s.value.span, 'flowc v0 runs a job on one core; `parallelism` above 1 is accepted but not used yet');
      }
    }
  }
  return settings;
}

function checkFnCycles(c: Checker): void {
  const calls = (e: A.Expr, out: Set<string>): void => {
    forEachExpr(e, (x) => { if (x.kind === 'Call') out.add(x.callee.name); });
  };
  const graph = new Map<string, Set<string>>();
  for (const [name, f] of c.symbols.fns) {
    const out = new Set<string>();
    if (f.decl.kind === 'Fn') calls(f.decl.body, out);
    graph.set(name, out);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') {
      const f = c.symbols.fns.get(n)!;
      c.error('F1018', f.decl.name.span, `\`${n}\` calls itself (${[...path.slice(path.indexOf(n)), n].join(' → ')})`,
        'functions cannot be recursive: every call must finish in a bounded number of steps');
      return;
    }
    state.set(n, 'visiting');
    for (const m of graph.get(n) ?? []) if (graph.has(m)) visit(m, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of graph.keys()) visit(n, []);
}

function checkTest(c: Checker, t: A.DeclOf<'Test'>, earlier: Map<string, A.DeclOf<'Test'>>): void {
  const twin = earlier.get(t.name);
  if (twin) {
    c.error('F1708', t.nameSpan, `there is already a test named "${t.name}"`, 'give each test its own name, so that `flowc test` can report it',
      [{ span: twin.nameSpan, message: 'the other test' }]);
  } else earlier.set(t.name, t);
  if (!t.steps.some((s) => s.kind === 'Expect')) c.warn('W1004', t.nameSpan, `test "${t.name}" has no \`expect\`, so it cannot fail`);
  const given = new Map<string, A.Span>();
  for (const step of t.steps) {
    if (step.kind === 'Given') {
      const src = c.symbols.sources.get(step.source.name);
      if (!src && c.symbols.unparsed.has(step.source.name)) continue;
      if (!src) {
        c.error('F1701', step.source.span, `\`given\` replaces a source; \`${step.source.name}\` is ${c.symbols.lets.has(step.source.name) ? 'a let' : c.symbols.tables.has(step.source.name) ? 'a table' : 'not a source'}`,
          c.globalHelp('sources', step.source.name, () => unknownNameHelp(step.source.name, [...c.symbols.sources.keys()], 'sources')));
        continue;
      }
      const first = given.get(step.source.name);
      if (first) {
        c.error('F1709', step.source.span, `\`${step.source.name}\` is given twice in this test`,
          'put all of its rows in one list, or move time between the two with `advance watermark to`',
          [{ span: first, message: 'first given here' }]);
      }
      given.set(step.source.name, step.source.span);
      checkRows(c, step.rows, src.row, `rows of \`${step.source.name}\``);
    } else if (step.kind === 'Expect') {
      // Rows given after an `expect` (or an `advance`) are a later batch of input, not a duplicate.
      given.clear();
      const known = c.symbols.lets.get(step.stream.name)?.stream ?? c.symbols.sources.get(step.stream.name)?.stream;
      if (!known && c.symbols.unparsed.has(step.stream.name)) continue;
      if (!known) {
        c.error('F1702', step.stream.span, `\`expect\` compares a stream; \`${step.stream.name}\` is not a let or source`,
          c.globalHelp('streams', step.stream.name, () => unknownNameHelp(step.stream.name, c.streamNames(), 'streams')));
        continue;
      }
      if (known.window) c.error('F1401', step.stream.span, `\`${step.stream.name}\` ends in a window; it has no output rows until aggregated`);
      checkRows(c, step.rows, known.row, `expected rows of \`${step.stream.name}\``);
    } else {
      given.clear();
      const ty = checkExpr(c, step.to, emptyEnv());
      if (ty.kind !== 'timestamp' || constValue(step.to) === undefined) {
        c.error('F1703', step.to.span, '`advance watermark to` needs a timestamp literal like `@2024-05-01T10:05:00Z`');
      }
    }
  }
}

/** Test rows: a list of record literals, each fitting the row type (nullable fields may be left out). */
function checkRows(c: Checker, rows: A.Expr, row: RecordType, what: string): void {
  if (rows.kind !== 'List') {
    c.error('F1704', rows.span, `${what} must be a list of records: \`[{ … }, …]\``);
    return;
  }
  for (const item of rows.items) {
    if (item.kind !== 'Record') {
      c.error('F1704', item.span, `${what} must be records \`{ field: value, … }\``);
      continue;
    }
    const t = checkExpr(c, item, emptyEnv());
    if (t.kind !== 'record') continue;
    // Point at the field as written when there is one (spreads have no span of their own).
    const at = (name: string, value = false): A.Span => {
      const f = item.items.find((i): i is Extract<A.RecordItem, { kind: 'Field' }> => i.kind === 'Field' && i.name.name === name);
      return f ? (value ? f.value.span : f.name.span) : item.span;
    };
    for (const f of t.fields) {
      const target = field(row, f.name);
      if (!target) {
        c.error('F1705', at(f.name), `${what}: the row has no field \`${f.name}\``,
          unknownNameHelp(f.name, row.fields.map((x) => x.name), 'fields'));
      } else if (f.type.kind !== 'error' && !assignable(f.type, target.type)) {
        c.error('F1706', at(f.name, true), `${what}: \`${f.name}\` must be \`${showType(target.type)}\`, found \`${showType(f.type)}\``,
          target.type.kind === 'timestamp' && f.type.kind === 'string' ? 'write a timestamp literal, like `@2024-05-01T10:00:00Z`'
            : target.type.kind === 'duration' && nonNull(f.type).kind === 'int' ? 'write a duration literal, like `5s`' : undefined);
      }
    }
    const missing = row.fields.filter((f) => !field(t, f.name) && !isNullable(f.type));
    if (missing.length) {
      c.error('F1707', item.span, `${what}: missing ${missing.length === 1 ? 'field' : 'fields'} ${missing.map((f) => `\`${f.name}\` (\`${showType(f.type)}\`)`).join(', ')}`,
        'only nullable fields may be left out');
    }
  }
}

function warnUnused(c: Checker, main: A.Program): void {
  const used = new Set<string>();
  const visitPipeline = (p: A.Pipeline): void => {
    visitRef(p.head);
    for (const op of p.ops) if (op.kind === 'Join') visitRef(op.right);
  };
  const visitRef = (r: A.StreamRef): void => {
    if (r.kind === 'Union') r.inputs.forEach(visitPipeline);
    else used.add(r.name.name);
  };
  for (const l of c.symbols.lets.values()) visitPipeline(l.decl.pipeline);
  for (const d of main.decls) {
    if (d.kind === 'Sink') visitPipeline(d.pipeline);
    if (d.kind === 'Test') for (const s of d.steps) if (s.kind === 'Expect') used.add(s.stream.name);
  }
  for (const l of c.symbols.lets.values()) {
    if (l.decl.span.file === main.file && !used.has(l.decl.name.name)) {
      c.warn('W1005', l.decl.name.span, `\`${l.decl.name.name}\` is never used`, 'write it with a `sink`, or test it with `expect`');
    }
  }
}

export type { Type };
