/**
 * Nothing in a .flow file can inject code into the generated job: identifiers and strings that
 * look like JavaScript (quotes, backslashes, `${}`, `*\/`, newlines, U+2028, names such as
 * `constructor`, `__proto__` and `process`) come out as data, in fused and unfused builds alike.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildText, jsonl, runJob, withInputs } from './helpers.ts';

const LS = '\u2028';
const evil = [
  `"); require("fs").writeFileSync("pwned1", "x"); ("`,
  '${require("fs").writeFileSync("pwned2", "x")}',
  '*/ require("fs").writeFileSync("pwned3", "x") /*',
  '\\"); process.exit(41); //',
  `line${LS}sep ${LS}process.exit(42)`,
  "`; process.exit(43); `",
  "'); process.exit(44); ('",
];

/** A Flow string literal for `s` (escapes only what Flow requires). */
const flowString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

const flow = `// A job whose names and strings look like JavaScript. */ process.exit(45); /* ${LS} process.exit(46)
job constructor { checkpoint_interval: 10s }
param require: string = ${flowString(evil[1]!)}
type __proto__ = { constructor: string, __proto__: int, process: string?, toString: [string]?, valueOf: { hasOwnProperty: string }?, at: timestamp }
extern fn shout(s: string): string from "./u\\"df.ts"
source constructor: __proto__ = file("in */ put.jsonl") event time at // ${LS} process.exit(47) */
let globalThis = constructor as prototype
  | where prototype.constructor != ${flowString(evil[0]!)} // */ process.exit(48); /*
  | select { constructor, __proto__, process: process ?? require, hasOwnProperty: shout(constructor), s: ${evil.map(flowString).join(' + ')}, toString, valueOf }
let valueOf = globalThis | key by constructor | window tumbling 1m | aggregate { __proto__: count(), toString: max(__proto__), constructor_: first(process) }
sink globalThis -> file(${flowString('out/"quoted" */ ${x}.jsonl')})
sink valueOf -> file("out/agg.csv")
sink errors(constructor) -> file("out/bad.jsonl")
`;

/** Input records; `__proto__` is spliced into the JSON text (an object literal would set the prototype). */
const record = (proto: number | undefined, rest: Record<string, unknown>) =>
  proto === undefined ? JSON.stringify(rest) : `{"__proto__":${proto},${JSON.stringify(rest).slice(1)}`;
const input = [
  record(1, { constructor: 'a"b', process: null, toString: ['x'], valueOf: { hasOwnProperty: 'yes' }, at: '2024-05-01T10:00:00Z' }),
  record(2, { constructor: evil[0], at: '2024-05-01T10:00:01Z' }),
  record(3, { constructor: `c${LS}d\\`, process: evil[3], at: '2024-05-01T10:00:02Z' }),
  record(4, { at: '2024-05-01T10:00:03Z' }),
].join('\n') + '\n';

describe('no code injection from a .flow file', () => {
  for (const fuse of [true, false]) {
    it(fuse ? 'fused' : 'unfused', async () => {
      const dir = withInputs({ 'in */ put.jsonl': input, 'u"df.ts': 'export function shout(s: string): string { return s.toUpperCase(); }\n' });
      const file = join(dir, `we"ird \${x} \\ ${LS}name.flow`);
      writeFileSync(file, flow);
      const built = await buildText(flow, file, join(dir, '.bin'), { fuse });
      const ts = built.compilation.ts!;
      // Every line-breaking character in the generated module is escaped or in a comment we wrote.
      expect(ts).not.toContain(LS);
      const r = runJob(built.path, dir);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      for (const marker of ['pwned1', 'pwned2', 'pwned3']) expect(existsSync(join(dir, marker))).toBe(false);
      const s = evil.join('');
      const line = (pairs: [string, unknown][]) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}\n`;
      expect(r.files.get('out/"quoted" */ ${x}.jsonl')).toBe(
        line([['constructor', 'a"b'], ['__proto__', 1], ['process', evil[1]], ['hasOwnProperty', 'A"B'], ['s', s], ['toString', ['x']], ['valueOf', { hasOwnProperty: 'yes' }]])
        + line([['constructor', `c${LS}d\\`], ['__proto__', 3], ['process', evil[3]], ['hasOwnProperty', `C${LS}D\\`], ['s', s], ['toString', null], ['valueOf', null]]),
      );
      const q = (x: string) => `"${x.replace(/"/g, '""')}"`;
      expect(r.files.get('out/agg.csv')).toBe([
        'constructor,window_start,window_end,__proto__,toString,constructor_',
        `${q('a"b')},2024-05-01T10:00:00.000Z,2024-05-01T10:01:00.000Z,1,1,${q(evil[1]!)}`,
        `c${LS}d\\,2024-05-01T10:00:00.000Z,2024-05-01T10:01:00.000Z,1,3,${q(evil[3]!)}`,
      ].join('\n') + '\n');
      expect(jsonl(r.files.get('out/bad.jsonl'))).toEqual([{ source: 'constructor', position: 4, raw: '{"__proto__":4,"at":"2024-05-01T10:00:03Z"}', error: 'missing field "constructor"' }]);
    });
  }
});
