/**
 * Every end-to-end fixture (test/fixtures/run/<case>) through checkpoint → stop → restore: the
 * job is stopped right after its 1st checkpoint, then after the 2nd of the restored run, and
 * restarted until it finishes (restore-harness.ts). Files must match expected/ byte for byte and
 * the exit code must be the expected one. stdout and stderr sinks are at-least-once, so only the
 * presence of every expected line is checked there.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildJob, copyInputs, emptyDir, listFiles } from '../e2e/harness.ts';
import { runWithRestore } from './restore-harness.ts';

const root = join(__dirname, '..', 'fixtures', 'run');
const cases = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'input.flow'))).sort() : [];

describe('end-to-end fixtures through checkpoint, stop and restore', () => {
  for (const name of cases) {
    it(name, async () => {
      const dir = join(root, name);
      const work = emptyDir('flowc-restore-e2e-');
      const { bundlePath } = await buildJob(join(dir, 'input.flow'), join(work, '.bin'));
      const inputs = listFiles(dir).filter((f) => f !== 'input.flow' && f !== 'args' && !f.startsWith('expected/'));
      copyInputs(dir, work, inputs);
      const args = existsSync(join(dir, 'args')) ? readFileSync(join(dir, 'args'), 'utf8').split('\n').filter(Boolean) : [];
      const r = await runWithRestore(bundlePath, work, args);

      const expectedDir = join(dir, 'expected');
      const expected = listFiles(expectedDir);
      const status = expected.includes('status') ? Number(readFileSync(join(expectedDir, 'status'), 'utf8')) : 0;
      expect(r.status, `${name}: ${r.stderr}`).toBe(status);
      const produced = Object.keys(r.files).filter((f) => !f.startsWith('.bin/') && !inputs.includes(f)).sort();
      expect(produced).toEqual(expected.filter((f) => f !== 'stdout' && f !== 'stderr' && f !== 'status'));
      for (const f of produced) {
        expect(r.files[f]!.toString('utf8'), `${name}: ${f}`).toBe(readFileSync(join(expectedDir, f), 'utf8'));
      }
      for (const stream of ['stdout', 'stderr'] as const) {
        if (!expected.includes(stream)) continue;
        const got = new Set(r[stream].split('\n'));
        const want = readFileSync(join(expectedDir, stream), 'utf8').split('\n');
        expect(want.filter((l) => !got.has(l)), `${name}: ${stream} lines missing after restores`).toEqual([]);
      }
      rmSync(work, { recursive: true, force: true });
    });
  }
});
