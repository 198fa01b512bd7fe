/**
 * Builds Flow jobs from text into standalone bundles in a temp folder and runs them there, for the
 * runtime semantics tests (test/semantics) and the differential tests (test/differential).
 */
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync, spawn, type ChildProcess } from 'node:child_process';
import { compile } from '../../compiler/index.ts';
import { nodeHost } from '../../compiler/cli/host.ts';
import { bundle } from '../../compiler/bundle/bundle.ts';

export interface Built {
  /** The folder holding job.flow and job.mjs; jobs run with it as their working directory. */
  dir: string;
  job: string;
}

const dirs: string[] = [];

/** A fresh temp folder, removed by `cleanup()`. */
export function tempDir(prefix = 'flowc-sem-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Compiles and bundles `text` as `dir/job.flow`; throws with the diagnostics when it does not check. */
export async function build(text: string, dir = tempDir()): Promise<Built> {
  const file = join(dir, 'job.flow');
  writeFileSync(file, text);
  const c = compile(text, file, nodeHost);
  if (!c.ok || !c.ts) {
    throw new Error(`the job does not compile:\n${c.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}\n${text}`);
  }
  const code = await bundle(c.ts, { flowFile: file, flowText: text });
  const job = join(dir, 'job.mjs');
  writeFileSync(job, code);
  return { dir, job };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built job to completion (in its folder unless `cwd` is given). */
export function run(b: Built, args: string[] = [], opts: { cwd?: string; input?: string; timeoutMs?: number } = {}): Run {
  const r = spawnSync(process.execPath, [b.job, '--quiet', ...args], {
    cwd: opts.cwd ?? b.dir,
    encoding: 'utf8',
    input: opts.input,
    env: { PATH: process.env.PATH },
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 256 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a job in the background (for unbounded sources); the caller kills it. */
export function start(b: Built, args: string[] = []): ChildProcess {
  return spawn(process.execPath, [b.job, '--quiet', ...args], { cwd: b.dir, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
}

/** The rows of a JSONL file (an absent file reads as no rows). */
export function readJsonl(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function writeJsonl(path: string, rows: unknown[]): void {
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, stepMs = 20): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}

/** Milliseconds as the ISO text jobs write. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
