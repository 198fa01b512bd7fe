import { describe, it, expect } from 'vitest';
import { analyze } from '../../compiler/index.ts';
import { readFileSync } from 'node:fs';

describe('check smoke', () => {
  it('checks the design examples', () => {
    for (const f of ['/tmp/ex0.flow']) {
      const r = analyze(readFileSync(f, 'utf8'), f);
      console.log(r.diagnostics);
      expect(r.diagnostics).toEqual([]);
    }
  });
});
