/**
 * Bundles carry a source map to the .flow file: an error thrown while a job runs is reported at
 * the .flow line of the operator that threw, fused or unfused, minified or not.
 */
import { describe, it, expect } from 'vitest';
import { runFlow } from './helpers.ts';

const flow = `type Ev = { user: string, pattern: string, at: timestamp }
source ev: Ev = file("ev.jsonl") event time at

let ok = ev | select { user, at }
let bad = ok | where user != "" | extend { m: regex_match(user, "(unclosed") }
sink bad -> file("out/bad.jsonl")
`;

describe('errors point at the .flow line', () => {
  for (const [fuse, minify] of [[true, false], [false, false], [true, true]] as const) {
    it(`${fuse ? 'fused' : 'unfused'}${minify ? ', minified' : ''}`, async () => {
      const r = await runFlow(flow, { 'ev.jsonl': '{"user":"a","pattern":"x","at":0}\n' }, { fuse, minify });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('invalid regular expression "(unclosed"');
      expect(r.stderr).toMatch(/job\.flow:5\b/);
    });
  }
});
