/**
 * The flagship sample as a user runs it: `flowc build` through the CLI, then the bundle copied
 * alone into an empty folder holding only its input data, run with plain `node`. Its output must
 * match the golden files byte for byte (FLOWC_UPDATE=1 rewrites them).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { join, dirname, parse as parsePath } from 'node:path';
import { spawnSync } from 'node:child_process';
import { emptyDir, runBundle, copyInputs, listFiles } from './harness.ts';

const repo = join(import.meta.dirname, '..', '..');
const update = process.env.FLOWC_UPDATE === '1';

function hasNodeModulesAbove(dir: string): boolean {
  let d = dir;
  for (;;) {
    if (existsSync(join(d, 'node_modules'))) return true;
    const up = dirname(d);
    if (up === d || d === parsePath(d).root) return false;
    d = up;
  }
}

describe('flagship sample: hot_pages', () => {
  it('builds with the CLI and runs standalone in an empty folder', () => {
    const build = emptyDir('flowc-build-');
    const out = join(build, 'job.mjs');
    const b = spawnSync(process.execPath, [join(repo, 'bin/flowc.mjs'), 'build', 'samples/hot_pages.flow', '-o', out], { cwd: repo, encoding: 'utf8' });
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);

    const work = emptyDir('flowc-run-');
    expect(hasNodeModulesAbove(work)).toBe(false);
    cpSync(out, join(work, 'job.mjs'));
    copyInputs(repo, work, ['samples/data/clicks.jsonl']);
    const r = runBundle(join(work, 'job.mjs'), work, []);
    expect(r.status).toBe(0);

    const golden = join(repo, 'test/e2e/golden/hot_pages');
    const produced = new Map<string, string>();
    for (const f of listFiles(join(work, 'out'))) produced.set(`out/${f}`, readFileSync(join(work, 'out', f), 'utf8'));
    produced.set('stderr', r.stderr);
    if (update) {
      for (const [f, text] of produced) {
        mkdirSync(dirname(join(golden, f)), { recursive: true });
        writeFileSync(join(golden, f), text);
      }
    }
    expect([...produced.keys()].sort()).toEqual(listFiles(golden));
    for (const f of listFiles(golden)) expect(produced.get(f), f).toBe(readFileSync(join(golden, f), 'utf8'));
    // The job reads only its input: no file other than the data and the bundle is needed.
    expect(r.stdout).toBe('');
  });

  it('gives byte-identical output on a second run', () => {
    const build = emptyDir('flowc-build-');
    const out = join(build, 'job.mjs');
    spawnSync(process.execPath, [join(repo, 'bin/flowc.mjs'), 'build', 'samples/hot_pages.flow', '-o', out], { cwd: repo });
    const runs = [0, 1].map(() => {
      const work = emptyDir('flowc-run-');
      copyInputs(repo, work, ['samples/data/clicks.jsonl']);
      runBundle(out, work, []);
      return readFileSync(join(work, 'out/hot_pages.jsonl'), 'utf8');
    });
    expect(runs[0]).toBe(runs[1]);
    expect(runs[0]!.length).toBeGreaterThan(100);
  });
});
