import { describe, it, expect } from 'vitest';
import { parse } from '../../compiler/phases/1-parse/parse.ts';
import { readFileSync } from 'node:fs';

describe('parse smoke', () => {
  it('parses the design examples', () => {
    for (const f of ['/tmp/ex0.flow', '/tmp/ex1.flow']) {
      const r = parse(readFileSync(f, 'utf8'), f);
      expect(r.diagnostics).toEqual([]);
      console.log(JSON.stringify(r.program.decls.map((d) => d.kind)));
    }
    const bad = parse('let x = a\n  | \nlet y = b | wher x\nsource s: T = file("x") event time at watermark\n', 'bad.flow');
    console.log(bad.diagnostics);
  });
});
