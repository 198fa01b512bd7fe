/**
 * Builds the Nexmark sample queries (as written, and as their file-source variant) into bundles
 * and runs them in scratch folders.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { compile } from '../../compiler/index.ts';
import { nodeHost } from '../../compiler/cli/host.ts';
import { bundle } from '../../compiler/bundle/bundle.ts';
import { fileVariant, samplesDir } from '../../bench/nexmark/lib.mjs';

/** A run that takes longer is killed (it would be a hang: each takes about a second). */
const RUN_TIMEOUT = 200_000;

export type Variant = 'generator' | 'file';

/** Compiles samples/nexmark/<query>.flow (or its file variant) and writes the bundle into `dir`. */
export async function buildQuery(query: string, variant: Variant, dir: string, fuse = true): Promise<string> {
  const path = join(samplesDir, `${query}.flow`);
  const original = readFileSync(path, 'utf8');
  const text = variant === 'file' ? fileVariant(original) : original;
  const c = compile(text, path, nodeHost, { fuse });
  if (!c.ok || !c.ts) throw new Error(`${query} (${variant}) does not compile:\n${c.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  const code = await bundle(c.ts, { flowFile: path, flowText: text });
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${query}.${variant}${fuse ? '' : '.unfused'}.mjs`);
  writeFileSync(out, code);
  return out;
}

export interface JobRun {
  status: number | null;
  stderr: string;
  /** The lines of out/nexmark/<query>.jsonl. */
  lines: string[];
}

/** Runs a bundle (asynchronously, so several run at once) in `cwd` and reads its output file. */
export function runJob(bundlePath: string, cwd: string, query: string, params: Record<string, string | number>): Promise<JobRun> {
  mkdirSync(cwd, { recursive: true });
  const args = [bundlePath, '--quiet', ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: RUN_TIMEOUT });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (signal) stderr += `killed by ${signal} (timeout ${RUN_TIMEOUT} ms?)`;
      const file = join(cwd, 'out', 'nexmark', `${query}.jsonl`);
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      resolve({ status, stderr, lines: text === '' ? [] : text.replace(/\n$/, '').split('\n') });
    });
  });
}

/** Runs a hand-written or RxJS implementation (bench/impl) over JSONL inputs. */
export function runImpl(implPath: string, cwd: string, outFile: string, inputs: Record<string, string>): Promise<JobRun> {
  mkdirSync(cwd, { recursive: true });
  const args = [implPath, '--out', outFile, ...Object.entries(inputs).flatMap(([k, v]) => [`--${k}`, v])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: RUN_TIMEOUT });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (signal) stderr += `killed by ${signal} (timeout ${RUN_TIMEOUT} ms?)`;
      const text = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
      resolve({ status, stderr, lines: text === '' ? [] : text.replace(/\n$/, '').split('\n') });
    });
  });
}
