/**
 * The end-to-end fixture suite: each folder of test/fixtures/run/ is a case.
 *   input.flow          the job
 *   <any other files>   its inputs, copied into an empty folder where the bundle runs
 *   args                optional: flags for the bundle, one per line
 *   expected/           every file the run must produce, byte for byte; `stdout` and `stderr`
 *                       (when present) are the process's streams; `status` the exit code (default 0)
 * Adding a case is adding a folder. FLOWC_UPDATE=1 writes the expected files from the current run.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { buildJob, emptyDir, runBundle, copyInputs, listFiles } from './harness.ts';

const root = join(import.meta.dirname, '..', 'fixtures', 'run');
const cases = readdirSync(root).filter((d) => existsSync(join(root, d, 'input.flow'))).sort();
const update = process.env.FLOWC_UPDATE === '1';

describe('end-to-end fixtures', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(5));
  for (const name of cases) {
    it(name, async () => {
      const dir = join(root, name);
      const work = emptyDir();
      const { bundlePath } = await buildJob(join(dir, 'input.flow'), join(work, '.bin'));
      const inputs = listFiles(dir).filter((f) => f !== 'input.flow' && f !== 'args' && !f.startsWith('expected/'));
      copyInputs(dir, work, inputs);
      const args = existsSync(join(dir, 'args')) ? readFileSync(join(dir, 'args'), 'utf8').split('\n').filter(Boolean) : [];
      const r = runBundle(bundlePath, work, args);
      const produced = new Map<string, string>();
      for (const f of listFiles(work)) {
        if (f.startsWith('.bin') || inputs.includes(f)) continue;
        produced.set(f, readFileSync(join(work, f), 'utf8'));
      }
      if (r.stdout) produced.set('stdout', r.stdout);
      if (r.stderr) produced.set('stderr', r.stderr);
      if (r.status !== 0) produced.set('status', `${r.status}\n`);
      const expectedDir = join(dir, 'expected');
      if (update) {
        for (const [f, text] of produced) {
          mkdirSync(dirname(join(expectedDir, f)), { recursive: true });
          writeFileSync(join(expectedDir, f), text);
        }
      }
      const expectedFiles = listFiles(expectedDir);
      expect([...produced.keys()].sort()).toEqual(expectedFiles);
      for (const f of expectedFiles) {
        expect(produced.get(f), `${name}: ${f}`).toBe(readFileSync(join(expectedDir, f), 'utf8'));
      }
    });
  }
});
