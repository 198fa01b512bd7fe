/**
 * The generated TypeScript of every sample type-checks against the runtime's types (strict), in
 * both the fused and the unfused mode.
 */
import { describe, it, expect } from 'vitest';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { everything } from './jobs.ts';
import { compileFile, compileText, sampleFiles } from './helpers.ts';
import { typecheckGenerated } from './typecheck.ts';

describe('generated TypeScript type-checks against the runtime', () => {
  it('for every sample, fused and unfused', () => {
    const modules = sampleFiles().flatMap((f) => [
      { flowFile: f, name: `${basename(f, '.flow')}_fused`, code: compileFile(f).ts! },
      { flowFile: f, name: `${basename(f, '.flow')}_unfused`, code: compileFile(f, { fuse: false }).ts! },
    ]);
    // And a job that uses every operator (test/backend/jobs.ts).
    const file = join(tmpdir(), 'everything.flow');
    modules.push({ flowFile: file, name: 'everything_fused', code: compileText(everything, file).ts! });
    modules.push({ flowFile: file, name: 'everything_unfused', code: compileText(everything, file, { fuse: false }).ts! });
    expect(modules.length).toBeGreaterThan(2);
    expect(typecheckGenerated(modules)).toEqual([]);
  });
});
