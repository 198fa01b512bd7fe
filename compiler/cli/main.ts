/**
 * The flowc command line: check | build | run | explain | explain-error | test | fmt.
 * Exit codes: 0 ok, 1 user error (bad input, failed check or test), 2 internal error.
 */
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync, readFileSync, existsSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { dirname, resolve, join, basename } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { analyze, compile, type Compilation } from '../index.ts';
import { nodeHost } from './host.ts';
import { printDiagnostics, diagnosticsJson } from './output.ts';
import { bundle } from '../bundle/bundle.ts';
import { printLogicalPlan, printPhysicalPlan, physicalPlanDot } from '../phases/3-plan/print.ts';
import { explainError } from './explain-error.ts';
import { runTests } from './test-command.ts';
import { formatCommand } from './fmt-command.ts';

const usage = `flowc — compile Flow dataflow jobs to standalone Node.js bundles

usage:
  flowc check FILE… [--format text|json]      parse and type-check; print every diagnostic
  flowc build FILE -o OUT.mjs [--emit-ts] [--minify] [--no-fuse] [--no-source-map]
  flowc run FILE [job flags…]                 build to a temporary bundle and run it
  flowc explain FILE [--stage ast|typed|plan|physical|ts] [--format text|dot] [--no-fuse]
  flowc explain-error CODE                    what a diagnostic code means, with an example
  flowc test [FILE…]                          run the test blocks of .flow files
  flowc fmt [--check] FILE…                   format .flow files in place

job flags (for run, and for the bundle itself): --param NAME=VALUE, --checkpoint-dir DIR,
  --checkpoint-interval D, --restore latest|PATH, --fresh, --quiet, --metrics-port N

exit codes: 0 ok, 1 user error, 2 internal error
`;

class CliError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check': return checkCommand(rest);
      case 'build': return await buildCommand(rest);
      case 'run': return await runCommand(rest);
      case 'explain': return explainCommand(rest);
      case 'explain-error': return explainError(rest);
      case 'test': return await runTests(rest);
      case 'fmt': return formatCommand(rest);
      case undefined: case '--help': case '-h': case 'help':
        process.stdout.write(usage);
        return command === undefined ? 1 : 0;
      case '--version': case '-v':
        process.stdout.write('flowc 0.1.0\n');
        return 0;
      default:
        throw new CliError(`unknown command "${command}"\n\n${usage}`);
    }
  } catch (e) {
    if (e instanceof CliError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      || (e as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
      || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      process.stderr.write(`flowc: ${(e as Error).message}\n`);
      return 1;
    }
    process.stderr.write(`flowc: internal error (F9001): ${(e as Error)?.stack ?? String(e)}\nThis is a bug in flowc; please report it with the .flow file.\n`);
    return 2;
  }
}

function readSource(file: string): string {
  const path = resolve(file);
  const text = nodeHost.readFile(path);
  if (text === undefined) throw new CliError(existsSync(path) ? `"${file}" is not a readable file` : `cannot find "${file}"`);
  return text;
}

function checkCommand(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { format: { type: 'string', default: 'text' } } });
  if (positionals.length === 0) throw new CliError('check needs a .flow file');
  if (values.format !== 'text' && values.format !== 'json') throw new CliError('--format is text or json');
  let failed = false;
  const all = [];
  const texts = new Map<string, string>();
  for (const f of positionals) {
    const path = resolve(f);
    const text = readSource(f);
    texts.set(path, text);
    const a = analyze(text, path, nodeHost);
    for (const p of a.imports) texts.set(p.file, p.text);
    all.push(...a.diagnostics);
    if (!a.ok) failed = true;
  }
  if (values.format === 'json') process.stdout.write(`${diagnosticsJson(all, texts)}\n`);
  else {
    printDiagnostics(all, texts);
    if (!failed) process.stderr.write(`${positionals.length === 1 ? positionals[0] : `${positionals.length} files`}: ok\n`);
  }
  return failed ? 1 : 0;
}

/** Compiles a file, printing diagnostics; undefined when it has errors. */
function compileFile(file: string, options: Parameters<typeof compile>[3] = {}): { c: Compilation; path: string; text: string } | undefined {
  const path = resolve(file);
  const text = readSource(file);
  const c = compile(text, path, nodeHost, options);
  const texts = new Map([[path, text], ...c.imports.map((p) => [p.file, p.text] as [string, string])]);
  if (c.diagnostics.length) printDiagnostics(c.diagnostics, texts);
  if (!c.ok || !c.ts) return undefined;
  return { c, path, text };
}

async function buildCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      'emit-ts': { type: 'boolean', default: false },
      minify: { type: 'boolean', default: false },
      'no-fuse': { type: 'boolean', default: false },
      'no-source-map': { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new CliError('build takes one .flow file');
  const file = positionals[0]!;
  const out = resolve(values.out ?? file.replace(/\.flow$/, '') + '.mjs');
  const built = compileFile(file, { fuse: !values['no-fuse'] });
  if (!built) return 1;
  try {
    mkdirSync(dirname(out), { recursive: true });
    if (values['emit-ts']) writeFileSync(out.replace(/\.m?js$/, '') + '.ts', built.c.ts!);
    const js = await bundle(built.c.ts!, { flowFile: built.path, flowText: built.text, minify: values.minify, sourceMap: !values['no-source-map'] });
    writeFileSync(out, js);
    chmodSync(out, 0o755);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code && /^E[A-Z]+$/.test(err.code)) throw new CliError(`cannot write "${out}": ${err.message}`);
    throw e;
  }
  return 0;
}

async function runCommand(args: string[]): Promise<number> {
  const file = args[0];
  if (!file || file.startsWith('-')) throw new CliError('run needs a .flow file first: flowc run FILE [job flags]');
  const flags = args.slice(1);
  const noFuse = flags.includes('--no-fuse');
  const built = compileFile(file, { fuse: !noFuse });
  if (!built) return 1;
  const dir = mkdtempSync(join(tmpdir(), 'flowc-run-'));
  const job = join(dir, `${basename(file).replace(/\.flow$/, '')}.mjs`);
  try {
    writeFileSync(job, await bundle(built.c.ts!, { flowFile: built.path, flowText: built.text }));
    return await new Promise<number>((resolveExit) => {
      const child = spawn(process.execPath, [job, ...flags.filter((f) => f !== '--no-fuse')], { stdio: 'inherit' });
      const forward = (sig: NodeJS.Signals) => child.kill(sig);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('exit', (code, signal) => {
        process.off('SIGINT', forward);
        process.off('SIGTERM', forward);
        resolveExit(code ?? (signal ? 1 : 2));
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function explainCommand(args: string[]): number {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      stage: { type: 'string', default: 'physical' },
      format: { type: 'string', default: 'text' },
      'no-fuse': { type: 'boolean', default: false },
      out: { type: 'string', short: 'o' },
    },
  });
  if (positionals.length !== 1) throw new CliError('explain takes one .flow file');
  const stages = ['ast', 'typed', 'plan', 'physical', 'ts'];
  if (!stages.includes(values.stage!)) throw new CliError(`--stage is one of ${stages.join(', ')}`);
  const built = compileFile(positionals[0]!, { fuse: !values['no-fuse'] });
  if (!built) return 1;
  const { c } = built;
  let text: string;
  if (values.format === 'dot') text = physicalPlanDot(c.physical!);
  else {
    switch (values.stage) {
      case 'ast': text = JSON.stringify(c.program.decls, (k, v) => (k === 'span' || k === 'ty' || k === 'stream' ? undefined : v), 2) + '\n'; break;
      case 'typed': text = typedSummary(c); break;
      case 'plan': text = printLogicalPlan(c.plan!); break;
      case 'ts': text = c.ts!; break;
      default: text = printPhysicalPlan(c.physical!);
    }
  }
  if (values.out) {
    writeFileSync(values.out, text);
    if (values.format === 'dot' && values.out.endsWith('.svg')) renderSvg(text, values.out);
  } else process.stdout.write(text);
  return 0;
}

function renderSvg(dot: string, out: string): void {
  const r = spawnSync('dot', ['-Tsvg', '-o', out], { input: dot });
  if (r.error) {
    writeFileSync(out.replace(/\.svg$/, '.dot'), dot);
    process.stderr.write(`graphviz (dot) is not installed: wrote ${out.replace(/\.svg$/, '.dot')} instead\n`);
  }
}

function typedSummary(c: Compilation): string {
  const lines: string[] = [];
  for (const d of c.program.decls) {
    if (d.kind === 'Let') lines.push(`let ${d.name.name}: ${d.pipeline.ops.at(-1)?.stream ? describeStream(d.pipeline.ops.at(-1)!.stream!) : describeStream(d.pipeline.stream!)}`);
    if (d.kind === 'Source') lines.push(`source ${d.name.name}: ${describeStream(c.typed.symbols.sources.get(d.name.name)!.stream)}`);
  }
  return lines.join('\n') + '\n';
}

function describeStream(s: import('../../lang/types.ts').StreamInfo): string {
  const fields = s.row.fields.map((f) => `${f.name}: ${showTypeLazy(f.type)}`).join(', ');
  return `{ ${fields} }${s.keys ? ` keyed by ${s.keys.map((k) => k.name).join(', ')}` : ''}${s.eventTime ? '' : ' (no event time)'}`;
}

import { showType as showTypeLazy } from '../../lang/types.ts';

export { readFileSync };
