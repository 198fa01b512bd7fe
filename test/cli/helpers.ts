/** Helpers of the CLI tests: the flowc command line, and job bundles built in-process. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compile } from '../../compiler/index.ts';
import { nodeHost } from '../../compiler/cli/host.ts';
import { bundle } from '../../compiler/bundle/bundle.ts';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixtures = join(repo, 'test/cli/fixtures');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `flowc ARGS…` (bin/flowc.mjs) in `cwd`, without a terminal. */
export function flowc(args: string[], cwd = repo, input?: string): Run {
  const r = spawnSync(process.execPath, [join(repo, 'bin/flowc.mjs'), ...args], {
    cwd, encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1', FLOWC_STATUS: '' }, timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh folder under the OS temp dir. */
export function tempDir(prefix = 'flowc-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Compiles and bundles a .flow file to `dir/job.mjs`. */
export async function buildJob(flowFile: string, dir: string): Promise<string> {
  const path = resolve(flowFile);
  const text = readFileSync(path, 'utf8');
  const c = compile(text, path, nodeHost);
  if (!c.ok || !c.ts) throw new Error(`${flowFile} does not compile: ${c.diagnostics.map((d) => d.message).join('; ')}`);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'job.mjs');
  writeFileSync(out, await bundle(c.ts, { flowFile: path, flowText: text }));
  return out;
}
