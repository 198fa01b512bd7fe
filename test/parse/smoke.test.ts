import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../compiler/index.ts';

describe('the flagship sample', () => {
  it('parses and checks without a diagnostic', () => {
    const file = join(import.meta.dirname, '../../samples/hot_pages.flow');
    const r = analyze(readFileSync(file, 'utf8'), file);
    expect(r.diagnostics).toEqual([]);
  });
});
