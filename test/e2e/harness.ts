/**
 * Builds a .flow file into a standalone bundle and runs it in an empty folder that holds only its
 * inputs (no node_modules anywhere above it), as a user would after `flowc build`.
 */
import { mkdtempSync, writeFileSync, readFileSync, cpSync, readdirSync, statSync, existsSync, mkdirSync } from 'node:fs';
import { join, dirname, relative, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { compile } from '../../compiler/index.ts';
import { nodeHost } from '../../compiler/cli/host.ts';
import { bundle } from '../../compiler/bundle/bundle.ts';

export interface BuiltJob {
  bundlePath: string;
  code: string;
}

/** Compiles and bundles; throws with the rendered diagnostics when the file does not check. */
export async function buildJob(flowFile: string, outDir: string, options: { fuse?: boolean } = {}): Promise<BuiltJob> {
  const path = resolve(flowFile);
  const text = readFileSync(path, 'utf8');
  const c = compile(text, path, nodeHost, { fuse: options.fuse });
  if (!c.ok || !c.ts) throw new Error(`${flowFile} does not compile:\n${c.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  const code = await bundle(c.ts, { flowFile: path, flowText: text });
  mkdirSync(outDir, { recursive: true });
  const bundlePath = join(outDir, 'job.mjs');
  writeFileSync(bundlePath, code);
  return { bundlePath, code };
}

/** A fresh folder under the OS temp dir (never inside the repo, so no node_modules above it). */
export function emptyDir(prefix = 'flowc-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runBundle(bundlePath: string, cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): RunResult {
  const r = spawnSync(process.execPath, [bundlePath, ...args], {
    cwd, encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Copies files (paths relative to `from`) into `to`, keeping their relative layout. */
export function copyInputs(from: string, to: string, files: string[]): void {
  for (const f of files) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    cpSync(join(from, f), join(to, f));
  }
}

/** Every file under `dir`, as paths relative to it, sorted. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}
