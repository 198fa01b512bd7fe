/**
 * End to end: file (jsonl, csv; bounded and followed), stdin, stdout and stderr connectors, and
 * what happens to input that does not fit the declared type.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { writeFileSync, readFileSync, appendFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, run, start, readJsonl, cleanup, waitFor, iso } from './harness.ts';

afterAll(cleanup);

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);
const at = (s: number) => iso(T0 + s * 1000);

describe('csv', () => {
  it('reads a CSV source by header name and writes a CSV sink with a header, quoting where needed', async () => {
    const b = await build(`
type Row = { name: string, n: int, x: float?, ok: bool, at: timestamp }
source rows: Row = file("in.csv") event time at
let out = rows | where ok | select { name, twice: n * 2, x, at }
sink out -> file("out.csv")
sink errors(rows) -> file("bad.jsonl")
`);
    writeFileSync(join(b.dir, 'in.csv'), [
      'at,ok,x,n,name,extra',
      `${at(1)},true,1.5,1,plain,z`,
      `${at(2)},true,,2,"with, comma",z`,
      `${at(3)},false,2,3,skipped,z`,
      `${T0 + 4000},true,-0.25,4,"say ""hi""",z`,
      `${at(5)},true,1,5,"multi`,
      `line",z`,
      '',
    ].join('\r\n'));
    const r = run(b);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(b.dir, 'out.csv'), 'utf8')).toBe([
      'name,twice,x,at',
      `plain,2,1.5,${at(1)}`,
      `"with, comma",4,,${at(2)}`,
      `"say ""hi""",8,-0.25,${at(4)}`,
      `"multi\r\nline",10,1.0,${at(5)}`,
      '',
    ].join('\n'));
    expect(readJsonl(join(b.dir, 'bad.jsonl'))).toEqual([]);
  });
});

describe('bad input goes to errors(S), counted, never a crash', () => {
  it('jsonl: malformed JSON, wrong types, missing fields, not an object', async () => {
    const b = await build(`
type E = { id: string, n: int, tags: [string], at: timestamp, note: string? }
source ev: E = file("in.jsonl") event time at
sink ev -> file("ok.jsonl")
sink errors(ev) -> file("bad.jsonl")
`);
    const lines = [
      JSON.stringify({ id: 'a', n: 1, tags: ['x'], at: at(1) }),
      '{"id": "b", "n": 2,',
      JSON.stringify({ id: 'c', n: 'three', tags: [], at: at(3) }),
      JSON.stringify({ id: 'd', n: 4, tags: [], at: at(4), note: null }),
      JSON.stringify({ id: 'e', tags: [], at: at(5) }),
      '[1, 2]',
      JSON.stringify({ id: 'f', n: 1.5, tags: [], at: at(6) }),
      JSON.stringify({ id: 'g', n: 7, tags: [1], at: at(7) }),
      JSON.stringify({ id: 'h', n: 8, tags: [], at: 'yesterday' }),
      '',
      JSON.stringify({ id: 'i', n: 9, tags: [], at: T0 + 9000 }),
    ];
    writeFileSync(join(b.dir, 'in.jsonl'), lines.join('\n') + '\n');
    const r = run(b);
    expect(r.status, r.stderr).toBe(0);
    expect(readJsonl(join(b.dir, 'ok.jsonl')).map((x) => x.id)).toEqual(['a', 'd', 'i']);
    const bad = readJsonl(join(b.dir, 'bad.jsonl'));
    expect(bad.map((x) => [x.source, x.position])).toEqual([['ev', 2], ['ev', 3], ['ev', 5], ['ev', 6], ['ev', 7], ['ev', 8], ['ev', 9]]);
    for (const x of bad) expect(x.raw).toBe(lines[(x.position as number) - 1]);
    const errors = bad.map((x) => x.error as string);
    expect(errors[0]).toMatch(/^invalid JSON/);
    expect(errors[1]).toBe('field "n": expected int, found "three"');
    expect(errors[2]).toBe('missing field "n"');
    expect(errors[3]).toMatch(/expected a JSON object/);
    expect(errors[4]).toBe('field "n": expected int, found 1.5');
    expect(errors[5]).toMatch(/field "tags"/);
    expect(errors[6]).toMatch(/field "at": expected timestamp, found "yesterday"/);
  });

  it('csv: rows with the wrong number of columns, bad values, an unterminated quote', async () => {
    const b = await build(`
type E = { id: string, n: int, at: timestamp }
source ev: E = file("in.csv") event time at
sink ev -> file("ok.jsonl")
sink errors(ev) -> file("bad.jsonl")
`);
    writeFileSync(join(b.dir, 'in.csv'), [
      'id,n,at', `a,1,${at(1)}`, 'b,2', `c,3,${at(3)},extra`, `d,four,${at(4)}`, `"e,5,${at(5)}`, `f,6,${at(6)}`, '',
    ].join('\n'));
    const r = run(b);
    expect(r.status, r.stderr).toBe(0);
    expect(readJsonl(join(b.dir, 'ok.jsonl')).map((x) => x.id)).toEqual(['a', 'f']);
    expect(readJsonl(join(b.dir, 'bad.jsonl')).map((x) => [x.position, x.error])).toEqual([
      [3, 'expected 3 fields (as in the header), found 2'],
      [4, 'expected 3 fields (as in the header), found 4'],
      [5, 'field "n": expected int, found "four"'],
      [6, 'invalid CSV: unterminated quoted field (field 1)'],
    ]);
  });

  it('a source file that does not exist: a clear error naming the source, exit 1', async () => {
    const b = await build(`
type E = { id: string }
source events: E = file("missing/nope.jsonl")
sink events -> file("out.jsonl")
`);
    const r = run(b);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('error: source events: cannot read "missing/nope.jsonl": no such file\n');
    expect(existsSync(join(b.dir, 'out.jsonl'))).toBe(false);
  });

  it('empty input files give empty outputs', async () => {
    const b = await build(`
type E = { k: string, at: timestamp }
source a: E = file("a.jsonl") event time at
source c: E = file("c.csv") event time at
let n = union(a, c) | key by k | window tumbling 1m | aggregate { n: count() }
sink n -> file("n.jsonl")
sink union(a, c) -> file("all.csv")
`);
    writeFileSync(join(b.dir, 'a.jsonl'), '');
    writeFileSync(join(b.dir, 'c.csv'), '');
    const r = run(b);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(b.dir, 'n.jsonl'), 'utf8')).toBe('');
    expect(readFileSync(join(b.dir, 'all.csv'), 'utf8')).toBe('k,at\n');
  });
});

describe('stdin, stdout, stderr', () => {
  it('reads jsonl from stdin and writes to stdout and stderr', async () => {
    const b = await build(`
type E = { k: string, v: int }
source input: E = stdin()
sink input | where v > 1 -> stdout()
sink input | where v <= 1 | select { k } -> stderr()
sink errors(input) -> stderr()
`);
    const r = run(b, [], { input: '{"k":"a","v":1}\n{"k":"b","v":2}\nnot json\n{"k":"c","v":3}' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"k":"b","v":2}\n{"k":"c","v":3}\n');
    expect(r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l))).toEqual([
      { k: 'a' },
      { source: 'input', position: 3, raw: 'not json', error: expect.stringMatching(/^invalid JSON/) },
    ]);
  });

  it('reads csv from stdin and writes csv to stdout', async () => {
    const b = await build(`
type E = { k: string, v: int }
source input: E = stdin(format: "csv")
sink input | select { v, k } -> stdout(format: "csv")
`);
    const r = run(b, [], { input: 'k,v\nx,1\n"y,z",2\n' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('v,k\n1,x\n2,"y,z"\n');
  });

  it('a quiet stdin pipe does not block the job: processing-time windows fire meanwhile', async () => {
    const b = await build(`
type E = { k: string }
source input: E = stdin()
sink input | key by k | window tumbling 200ms processing time | aggregate { n: count() } -> stdout()
`);
    const p = start(b);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      p.stdin!.write('{"k":"a"}\n{"k":"a"}\n');
      expect(await waitFor(() => out.includes('"n":2'), 5000)).toBe(true);
      expect(p.exitCode).toBe(null);
      p.stdin!.end('{"k":"b"}\n');
      const code = await new Promise((r) => p.on('exit', r));
      expect(code).toBe(0);
      expect(out.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.k, r.n])).toEqual([['a', 2], ['b', 1]]);
    } finally {
      p.kill('SIGKILL');
    }
  });

  it('an empty stdin ends the job at once', async () => {
    const b = await build(`
type E = { k: string, at: timestamp }
source input: E = stdin() event time at
sink input | key by k | window tumbling 1s | aggregate { n: count() } -> stdout()
`);
    const r = run(b, [], { input: '' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('follow: true', () => {
  it('tails a growing file: rows appear as lines are appended, event-time windows fire as time moves', async () => {
    const b = await build(`
type E = { k: string, at: timestamp }
source ev: E = file("in.jsonl", follow: true) event time at
sink ev | select { k } -> file("rows.jsonl")
sink ev | key by k | window tumbling 10s | aggregate { n: count() } -> file("counts.jsonl")
`);
    writeFileSync(join(b.dir, 'in.jsonl'), JSON.stringify({ k: 'a', at: at(1) }) + '\n');
    const p = start(b);
    try {
      const rows = () => readJsonl(join(b.dir, 'rows.jsonl'));
      const counts = () => readJsonl(join(b.dir, 'counts.jsonl'));
      expect(await waitFor(() => rows().length === 1)).toBe(true);
      appendFileSync(join(b.dir, 'in.jsonl'), JSON.stringify({ k: 'a', at: at(5) }) + '\n' + '{"k": "b", "at"');
      expect(await waitFor(() => rows().length === 2)).toBe(true);
      expect(counts()).toEqual([]);
      appendFileSync(join(b.dir, 'in.jsonl'), `: "${at(12)}"}\n`);
      expect(await waitFor(() => rows().length === 3)).toBe(true);
      // The watermark is 12s, past the end of [0,10): the window fires while the job keeps running.
      expect(await waitFor(() => counts().length === 1)).toBe(true);
      expect(counts()).toEqual([{ k: 'a', window_start: at(0), window_end: at(10), n: 2 }]);
      expect(p.exitCode).toBe(null);
    } finally {
      p.kill('SIGKILL');
    }
  });

  it('a followed CSV file that starts empty gets its header later', async () => {
    const b = await build(`
type E = { k: string, n: int }
source ev: E = file("in.csv", follow: true)
sink ev -> file("rows.jsonl")
sink errors(ev) -> file("bad.jsonl")
`);
    writeFileSync(join(b.dir, 'in.csv'), '');
    const p = start(b);
    try {
      const rows = () => readJsonl(join(b.dir, 'rows.jsonl'));
      await new Promise((r) => setTimeout(r, 200));
      appendFileSync(join(b.dir, 'in.csv'), 'n,k\n1,a\n');
      expect(await waitFor(() => rows().length === 1)).toBe(true);
      appendFileSync(join(b.dir, 'in.csv'), '2,b\n3\n');
      expect(await waitFor(() => rows().length === 2 && readJsonl(join(b.dir, 'bad.jsonl')).length === 1)).toBe(true);
      expect(rows()).toEqual([{ k: 'a', n: 1 }, { k: 'b', n: 2 }]);
    } finally {
      p.kill('SIGKILL');
    }
  });

  it('processing-time windows fire on the wall clock while the source idles', async () => {
    const b = await build(`
type E = { k: string }
source ev: E = file("in.jsonl", follow: true)
sink ev | key by k | window tumbling 300ms processing time | aggregate { n: count() } -> file("counts.jsonl")
`);
    writeFileSync(join(b.dir, 'in.jsonl'), '{"k":"a"}\n{"k":"a"}\n{"k":"b"}\n');
    const p = start(b);
    try {
      const counts = () => readJsonl(join(b.dir, 'counts.jsonl'));
      // No more input arrives: the window still fires once its end passes on the wall clock.
      expect(await waitFor(() => counts().length === 2, 5000)).toBe(true);
      const c = counts();
      expect(c.map((x) => [x.k, x.n])).toEqual([['a', 2], ['b', 1]]);
      const start0 = Date.parse(c[0]!.window_start as string);
      expect(Date.parse(c[0]!.window_end as string) - start0).toBe(300);
      expect(start0 % 300).toBe(0);
      appendFileSync(join(b.dir, 'in.jsonl'), '{"k":"c"}\n');
      expect(await waitFor(() => counts().length === 3, 5000)).toBe(true);
      expect(counts()[2]!.k).toBe('c');
      expect(p.exitCode).toBe(null);
    } finally {
      p.kill('SIGKILL');
    }
  });
});

describe('backpressure', () => {
  it('a slow sink slows the source: a paused reader holds the job back, memory bounded; then all rows arrive', async () => {
    const b = await build(`
type E = { k: string, v: int, t: timestamp }
source ev: E = file("in.jsonl") event time t
sink ev | select { k, v } -> stdout()
`);
    const n = 300_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`{"k":"key${i % 97}","v":${i},"t":${1_700_000_000_000 + i}}`);
    writeFileSync(join(b.dir, 'in.jsonl'), lines.join('\n') + '\n');
    const size = statSync(join(b.dir, 'in.jsonl')).size;
    const p = start(b);
    p.stdout!.pause();
    const proc = (f: string) => { try { return readFileSync(`/proc/${p.pid}/${f}`, 'utf8'); } catch { return ''; } };
    await new Promise((r) => setTimeout(r, 1500));
    const readBytes = Number(/rchar:\s+(\d+)/.exec(proc('io'))?.[1] ?? NaN);
    const rssMb = Number(/VmRSS:\s+(\d+) kB/.exec(proc('status'))?.[1] ?? NaN) / 1024;
    expect(p.exitCode).toBe(null);
    // Held back after a chunk or two of a ${size}-byte input (the job itself is a few MB of code).
    expect(readBytes).toBeLessThan(size / 3);
    expect(rssMb).toBeLessThan(150);
    let out = 0;
    p.stdout!.on('data', (d: Buffer) => { for (const c of d) if (c === 10) out++; });
    p.stdout!.resume();
    const code = await new Promise((r) => p.on('exit', r));
    expect(code).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(out).toBe(n);
  });
});
