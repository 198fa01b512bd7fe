/**
 * Every sample at every back-end stage, as readable golden files:
 * test/fixtures/backend/<sample>/{plan,physical,ts}.snap (the logical plan, the physical plan with
 * fused stages and optimizations, and the generated TypeScript). Update with `vitest -u`.
 */
import { describe, it, expect } from 'vitest';
import { join, relative } from 'node:path';
import { compileFile, repoRoot, sampleFiles } from './helpers.ts';
import { printLogicalPlan, printPhysicalPlan } from '../../compiler/phases/3-plan/print.ts';

const fixtures = join(repoRoot, 'test', 'fixtures', 'backend');

describe('samples at each stage', () => {
  for (const file of sampleFiles()) {
    const name = relative(join(repoRoot, 'samples'), file).replace(/\.flow$/, '').replace(/[\\/]/g, '-');
    it(name, async () => {
      const c = compileFile(file);
      await expect(printLogicalPlan(c.plan!)).toMatchFileSnapshot(join(fixtures, name, 'plan.snap'));
      await expect(printPhysicalPlan(c.physical!)).toMatchFileSnapshot(join(fixtures, name, 'physical.snap'));
      await expect(c.ts!).toMatchFileSnapshot(join(fixtures, name, 'ts.snap'));
    });
  }
});
