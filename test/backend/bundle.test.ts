/**
 * Bundles: standalone (they run in an empty folder with plain node), holding only the runtime
 * parts a job uses; and the CLI around the back end (`build --emit-ts`, `explain`, `--format dot`).
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildText, runFlow, tempDir } from './helpers.ts';
import { main } from '../../compiler/cli/main.ts';

const passThrough = `type E = { user: string, n: int }
source e: E = file("e.jsonl")
sink e | where n > 1 | select { user } -> file("out/e.jsonl")
`;

describe('bundles', () => {
  it('a stateless job carries no window, join, process or unfused runtime code', async () => {
    const dir = tempDir();
    const fused = await buildText(passThrough, join(dir, 'job.flow'), dir);
    for (const absent of ['PaneWindows', 'SessionWindows', 'IntervalJoin', 'WindowJoin', 'ProcessStore', 'DedupStore', 'KeyTable', 'SourceStage', 'WindowAggregate']) {
      expect(fused.code, absent).not.toMatch(new RegExp(`\\b${absent}\\b`));
    }
    const unfused = await buildText(passThrough, join(dir, 'job.flow'), dir, { fuse: false });
    expect(unfused.code).toMatch(/\bSourceStage\b/);
    const minified = await buildText(passThrough, join(dir, 'job.flow'), join(dir, 'min'), { minify: true });
    expect(minified.code.length).toBeLessThan(fused.code.length);
  });

  it('runs in an empty folder with plain node', async () => {
    const r = await runFlow(passThrough, { 'e.jsonl': '{"user":"a","n":1}\n{"user":"b","n":2}\n' });
    expect(r.status).toBe(0);
    expect(r.files.get('out/e.jsonl')).toBe('{"user":"b"}\n');
  });
});

describe('CLI', () => {
  /** Runs the CLI in-process in `cwd`, capturing what it prints. */
  async function flowc(args: string[], cwd: string): Promise<{ status: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    const before = process.cwd();
    process.stdout.write = ((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => { err.push(String(chunk)); return true; }) as typeof process.stderr.write;
    try {
      process.chdir(cwd);
      const status = await main(args);
      return { status, stdout: out.join(''), stderr: err.join('') };
    } finally {
      process.chdir(before);
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
  }

  it('build --emit-ts writes the generated TypeScript next to the bundle; explain prints stages and a dot graph', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'job.flow'), passThrough.replace('sink e', 'let big = e | key by user | window tumbling 1m processing time | aggregate { c: count() }\nsink big -> stdout()\nsink e'));
    const built = await flowc(['build', 'job.flow', '-o', 'out/job.mjs', '--emit-ts'], dir);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(existsSync(join(dir, 'out/job.mjs'))).toBe(true);
    expect(readFileSync(join(dir, 'out/job.ts'), 'utf8')).toContain('function stage0_e(');
    const explain = await flowc(['explain', 'job.flow'], dir);
    expect(explain.stdout).toContain('stage 0: source e');
    expect(explain.stdout).toContain('⤨ key by user');
    expect(explain.stdout).toContain('◂ n');
    const dot = await flowc(['explain', 'job.flow', '--format', 'dot'], dir);
    expect(dot.stdout).toMatch(/^digraph flow \{/);
    expect(dot.stdout).toContain('subgraph cluster_0');
    const unfused = await flowc(['explain', 'job.flow', '--no-fuse'], dir);
    expect(unfused.stdout).toMatch(/^unfused \(--no-fuse\)/);
  });
});
