/**
 * `flowc test`: compiles each .flow file in test mode (sources fed by the runner, the streams
 * named by `expect` observed), bundles it once, and runs each of its `test` blocks against a
 * fresh instance of the job (runtime/testing/harness.ts). Prints one line per test and, for a
 * failure, a diff pointing at the `expect`.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyze, compile, type CompilerHost } from '../index.ts';
import { bundle } from '../bundle/bundle.ts';
import type * as A from '../phases/1-parse/ast.ts';
import type { TypedProgram } from '../phases/2-check/check.ts';
import type { RecordType } from '../../lang/types.ts';
import { renderDiagnostic, type SourceText } from '../diagnostics/render.ts';
import { runTestSteps, type HarnessStep } from '../../runtime/testing/harness.ts';
import type { JobDefinition } from '../../runtime/job/graph.ts';
import { compareRows } from './compare.ts';
import { completeRow, literalRows, literalValue, TestValueError } from './values.ts';
import { location, noColors, renderExpectFailure, type Colors, type ExpectFailure, type SourceFile } from './report.ts';

export interface TestRunOptions {
  host: CompilerHost;
  /** Where the report goes (stdout in the CLI). */
  write(text: string): void;
  colors?: Colors;
  /** Show durations (a terminal; snapshots stay stable without them). */
  timings?: boolean;
  /** Run only tests whose name contains this text. */
  filter?: string;
  cwd?: string;
}

export interface TestRunSummary {
  passed: number;
  failed: number;
  /** Files with at least one test that ran, or that did not compile. */
  files: number;
  /** Files that did not compile (each counts as one failure). */
  broken: number;
}

/** The .flow files named, with folders searched recursively (node_modules, dist and dot-folders skipped). */
export function collectFlowFiles(args: string[], cwd = process.cwd()): { files: string[]; missing: string[]; explicit: Set<string> } {
  const files: string[] = [];
  const explicit = new Set<string>();
  const missing: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'dist') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.flow')) files.push(p);
    }
  };
  for (const a of args.length ? args : ['.']) {
    const p = resolve(cwd, a);
    let st;
    try { st = statSync(p); } catch { missing.push(a); continue; }
    if (st.isDirectory()) walk(p);
    else {
      files.push(p);
      explicit.add(p);
    }
  }
  return { files: [...new Set(files)], missing, explicit };
}

/** Runs the tests of every file; `explicit` files without tests are mentioned, discovered ones skipped. */
export async function runTestFiles(files: string[], options: TestRunOptions, explicit = new Set<string>()): Promise<TestRunSummary> {
  const summary: TestRunSummary = { passed: 0, failed: 0, files: 0, broken: 0 };
  const dir = mkdtempSync(join(tmpdir(), 'flowc-test-'));
  try {
    for (const [i, file] of files.entries()) {
      await runFile(file, i, dir, options, summary, explicit.has(file));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return summary;
}

async function runFile(path: string, index: number, dir: string, options: TestRunOptions, summary: TestRunSummary, explicit: boolean): Promise<void> {
  const colors = options.colors ?? noColors;
  const cwd = options.cwd ?? process.cwd();
  const shown = (p: string) => { const r = relative(cwd, p); return r.startsWith('..') ? p : r; };
  const text = options.host.readFile(path);
  const name = shown(path);
  if (text === undefined) {
    options.write(`${colors.red('✗')} ${name}: cannot read the file\n`);
    summary.broken++;
    summary.files++;
    return;
  }
  // Cheap pre-filter: a file that never says `test "` has no test blocks (and may be a fixture
  // that is broken on purpose).
  if (!explicit && !/\btest\s*"/.test(text)) return;
  const prelim = analyze(text, path, options.host);
  const tests = prelim.program.decls.filter((d): d is A.DeclOf<'Test'> => d.kind === 'Test')
    .filter((t) => !options.filter || t.name.includes(options.filter));
  if (!prelim.ok) {
    summary.files++;
    summary.broken++;
    options.write(`${colors.bold(name)}\n  ${colors.red('✗')} the file does not compile\n\n`);
    const texts = new Map<string, string>([[path, text], ...prelim.imports.map((p) => [p.file, p.text] as [string, string])]);
    const lookup = (f: string): SourceText | undefined => {
      const t = texts.get(f) ?? options.host.readFile(f);
      return t === undefined ? undefined : { file: shown(f), text: t };
    };
    for (const d of prelim.diagnostics.filter((x) => x.severity === 'error')) options.write(`${renderDiagnostic(d, lookup)}\n\n`);
    return;
  }
  if (tests.length === 0) {
    if (explicit && !options.filter) options.write(`${colors.bold(name)}\n  ${colors.dim('no test blocks')}\n\n`);
    return;
  }
  summary.files++;
  options.write(`${colors.bold(name)}\n`);

  const observe = observedNames(prelim.typed, tests);
  let job: JobDefinition;
  let typed: TypedProgram;
  try {
    const c = compile(text, path, options.host, { testMode: true, observe });
    if (!c.ts) throw new Error('no code was generated');
    typed = c.typed;
    const js = await bundle(c.ts, { flowFile: path, flowText: text });
    const out = join(dir, `t${index}.mjs`);
    writeFileSync(out, js);
    job = ((await import(pathToFileURL(out).href)) as { job: JobDefinition }).job;
  } catch (e) {
    options.write(`  ${colors.red('✗')} the test job could not be built: ${(e as Error).message}\n\n`);
    summary.failed += tests.length;
    return;
  }
  const file: SourceFile = { name, text };
  let lastFailed = false;
  for (const t of tests) {
    const started = performance.now();
    const report: string[] = [];
    let ok = true;
    try {
      const failures = runOne(job, t, typed);
      ok = failures.length === 0;
      for (const f of failures) report.push(...renderExpectFailure(f, file, colors));
    } catch (e) {
      ok = false;
      const err = e as Error;
      if (e instanceof TestValueError) report.push(...location(file, e.span, colors), `    ${e.message}`);
      else {
        report.push(...location(file, t.nameSpan, colors), `    ${colors.red('error')}: ${err.name === 'UserError' ? err.message : `the job failed: ${err.message}`}`);
        const where = (err.stack ?? '').split('\n').find((l) => /\.flow:\d+/.test(l));
        if (where) report.push(`    at ${where.trim().replace(/^at\s+/, '')}`);
      }
    }
    const ms = performance.now() - started;
    const time = options.timings ? colors.dim(` (${ms < 1 ? '<1' : Math.round(ms)} ms)`) : '';
    options.write(`  ${ok ? colors.green('✓') : colors.red('✗')} ${t.name}${time}\n`);
    if (!ok) options.write(`${report.join('\n')}\n\n`);
    if (ok) summary.passed++;
    else summary.failed++;
    lastFailed = !ok;
  }
  if (!lastFailed) options.write('\n');
}

/** Runs one test block; the failed `expect`s, in order. */
function runOne(job: JobDefinition, t: A.DeclOf<'Test'>, typed: TypedProgram): ExpectFailure[] {
  const steps: HarnessStep[] = t.steps.map((s): HarnessStep => {
    switch (s.kind) {
      case 'Given': return { kind: 'given', source: s.source.name, rows: literalRows(s.rows) };
      case 'Advance': return { kind: 'advance', to: literalValue(s.to) as number };
      case 'Expect': return { kind: 'expect', stream: s.stream.name };
    }
  });
  const { outputs } = runTestSteps(job, steps);
  const failures: ExpectFailure[] = [];
  t.steps.forEach((s, i) => {
    if (s.kind !== 'Expect') return;
    const rowType = streamRow(typed, s.stream.name);
    const expectedRows = literalRows(s.rows).map((r) => completeRow(r, rowType));
    const actualRows = (outputs.get(i) ?? []).map((r) => completeRow(r, rowType));
    const comparison = compareRows(expectedRows, actualRows, s.inOrder);
    if (!comparison.ok) failures.push({ stream: s.stream.name, inOrder: s.inOrder, span: s.span, comparison, rowType, expectedRows, actualRows });
  });
  return failures;
}

function streamRow(typed: TypedProgram, name: string): RecordType | undefined {
  return typed.symbols.lets.get(name)?.stream?.row ?? typed.symbols.sources.get(name)?.stream?.row;
}

/**
 * The streams the tests expect, plus the lets that merely rename them (`let a = b`): the plan
 * shares one node between such names, and the node must stay alive under any of them.
 */
function observedNames(typed: TypedProgram, tests: A.DeclOf<'Test'>[]): Set<string> {
  const names = new Set<string>();
  for (const t of tests) for (const s of t.steps) if (s.kind === 'Expect') names.add(s.stream.name);
  const target = (name: string): string => {
    for (let guard = 0; guard < 100; guard++) {
      const p = typed.symbols.lets.get(name)?.decl.pipeline;
      if (!p || p.ops.length > 0 || p.head.kind !== 'StreamName') return name;
      name = p.head.name.name;
    }
    return name;
  };
  const targets = new Set([...names].map(target));
  for (const l of typed.symbols.lets.keys()) if (targets.has(target(l))) names.add(l);
  return names;
}
