/**
 * The short crash test: scripts/crash-test.mjs over 100k Nexmark events, killed 5 times.
 * The long one (1M events, 25 kills) is `npm run test:crash`.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { buildJob, emptyDir } from '../e2e/harness.ts';

describe('crash test', () => {
  it('a job killed with SIGKILL at random moments and restarted writes the bytes of an uninterrupted run', async () => {
    const buildDir = emptyDir('flowc-crash-build-');
    const { bundlePath } = await buildJob(join(__dirname, 'jobs', 'crash.flow'), buildDir);
    const script = join(__dirname, '..', '..', 'scripts', 'crash-test.mjs');
    const r = spawnSync(process.execPath, [script, '--bundle', bundlePath, '--events', '100000', '--kills', '5', '--interval', '30ms', '--seed', '6'], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.stdout + r.stderr).toMatch(/^OK: 8 output files byte-identical after \d+ kills \(seed 6\)$/m);
    expect(r.status).toBe(0);
    rmSync(buildDir, { recursive: true, force: true });
  }, 300_000);
});
