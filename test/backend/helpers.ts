/**
 * Helpers of the back-end tests: compile .flow text (fused or unfused), bundle it, run the bundle
 * in an empty temporary folder holding only its inputs, and read back what it wrote.
 */
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { compile, type Compilation, type CompileOptions } from '../../compiler/index.ts';
import { nodeHost } from '../../compiler/cli/host.ts';
import { bundle } from '../../compiler/bundle/bundle.ts';
import { listFiles } from '../e2e/harness.ts';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** Every sample job of the repository (samples/**.flow that declare a sink), sorted. */
export function sampleFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.flow') && /^\s*sink\b/m.test(readFileSync(p, 'utf8'))) out.push(p);
    }
  };
  walk(join(repoRoot, 'samples'));
  return out;
}

export function compileText(text: string, file: string, options: CompileOptions = {}): Compilation {
  const c = compile(text, file, nodeHost, options);
  if (!c.ok || !c.ts) throw new Error(`${file} does not compile:\n${c.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  return c;
}

export function compileFile(file: string, options: CompileOptions = {}): Compilation {
  return compileText(readFileSync(file, 'utf8'), resolve(file), options);
}

export function tempDir(prefix = 'flowc-backend-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Built {
  path: string;
  code: string;
  compilation: Compilation;
}

/** Compiles and bundles `text` (as the file `file`) into `outDir/job.mjs`. */
export async function buildText(text: string, file: string, outDir: string, options: CompileOptions & { minify?: boolean } = {}): Promise<Built> {
  const compilation = compileText(text, file, options);
  const code = await bundle(compilation.ts!, { flowFile: file, flowText: text, minify: options.minify });
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, options.fuse === false ? 'job.unfused.mjs' : 'job.mjs');
  writeFileSync(path, code);
  return { path, code, compilation };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Files the job wrote (relative path → text), inputs excluded. */
  files: Map<string, string>;
}

/** Runs a bundle in `cwd` with `args`, then reads every file it created there. */
export function runJob(bundlePath: string, cwd: string, args: string[] = [], input?: string, env: Record<string, string> = {}): Run {
  const before = new Set(listFiles(cwd));
  const r = spawnSync(process.execPath, [bundlePath, '--quiet', ...args], {
    cwd, encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 120_000, input,
  });
  const files = new Map<string, string>();
  for (const f of listFiles(cwd)) if (!before.has(f)) files.set(f, readFileSync(join(cwd, f), 'utf8'));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, files };
}

/** `runJob`, without blocking: several jobs can run at once. */
export function runJobAsync(bundlePath: string, cwd: string, args: string[] = []): Promise<Run> {
  const before = new Set(listFiles(cwd));
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bundlePath, '--quiet', ...args], { cwd, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => {
      const files = new Map<string, string>();
      for (const f of listFiles(cwd)) if (!before.has(f)) files.set(f, readFileSync(join(cwd, f), 'utf8'));
      resolveRun({ status, stdout, stderr, files });
    });
  });
}

export { listFiles };

/** Writes input files (name → text) into a fresh folder and returns it. */
export function withInputs(inputs: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(inputs)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/**
 * Builds a job from text, runs it in a folder holding `inputs`, and returns what it produced.
 * The .flow file is written next to the inputs (extern fn modules resolve from there).
 */
export async function runFlow(text: string, inputs: Record<string, string> = {}, options: { fuse?: boolean; minify?: boolean; args?: string[]; stdin?: string } = {}): Promise<Run & { built: Built }> {
  const dir = withInputs(inputs);
  const file = join(dir, 'job.flow');
  writeFileSync(file, text);
  const built = await buildText(text, file, join(dir, '.bin'), { fuse: options.fuse, minify: options.minify });
  const run = runJob(built.path, dir, options.args ?? [], options.stdin);
  for (const k of [...run.files.keys()]) if (k.startsWith('.bin/') || k === 'job.flow') run.files.delete(k);
  return { ...run, built };
}

/** Runs a job both fused and unfused on the same inputs; both runs are returned. */
export async function runBoth(text: string, inputs: Record<string, string> = {}, args: string[] = []): Promise<{ fused: Run; unfused: Run }> {
  const fused = await runFlow(text, inputs, { args });
  const unfused = await runFlow(text, inputs, { args, fuse: false });
  return { fused, unfused };
}

/** The lines of a JSONL output, parsed. */
export function jsonl(text: string | undefined): Record<string, unknown>[] {
  return (text ?? '').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}
