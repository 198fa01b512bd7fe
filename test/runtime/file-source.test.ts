import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { FileSource, StdinSource, type RawBatch, type SourcePosition } from '../../runtime/connectors/file-source.ts';
import { UserError } from '../../runtime/errors.ts';
import { parseCsvRecord } from '../../runtime/formats/csv.ts';
import { rng } from '../support/random.ts';

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-source-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function file(content: string | Buffer, ext = 'jsonl'): string {
  const p = path.join(dir, `f${counter++}.${ext}`);
  fs.writeFileSync(p, content);
  return p;
}

interface Collected {
  records: string[];
  lines: number[];
}

/** Reads everything (bounded source) in batches of `max`. */
function drain(src: { read(max: number): RawBatch | null }, max = 1000): Collected {
  const out: Collected = { records: [], lines: [] };
  for (let guard = 0; guard < 1e7; guard++) {
    const b = src.read(max);
    if (b === null) return out;
    expect(b.records.length).toBe(b.lines.length);
    expect(b.records.length).toBeLessThanOrEqual(max);
    out.records.push(...b.records);
    out.lines.push(...b.lines);
  }
  throw new Error('source did not end');
}

function readFile(p: string, format: 'jsonl' | 'csv', chunkSize?: number, max = 1000) {
  const src = new FileSource('clicks', p, { format, ...(chunkSize ? { chunkSize } : {}) });
  src.open();
  const header = src.header();
  const got = drain(src, max);
  const end = src.position();
  src.close();
  return { header, ...got, end };
}

const JSONL = [
  '{"a":1,"s":"plain"}',
  '',
  '{"a":2,"s":"é accent"}\r',
  '   ',
  '{"a":3,"s":"日本語テキスト"}',
  '\r',
  '{"a":4,"s":"emoji 😀 and 🎉"}',
  '{"a":5,"s":"mixed ascii then ü"}',
  '',
  '',
  '{"a":6,"s":"last without newline ✓"}',
].join('\n');

const JSONL_EXPECT = {
  records: [
    '{"a":1,"s":"plain"}',
    '{"a":2,"s":"é accent"}',
    '{"a":3,"s":"日本語テキスト"}',
    '{"a":4,"s":"emoji 😀 and 🎉"}',
    '{"a":5,"s":"mixed ascii then ü"}',
    '{"a":6,"s":"last without newline ✓"}',
  ],
  lines: [1, 3, 5, 7, 8, 11],
};

const CSV = [
  'id,name,note',
  '1,alice,plain',
  '',
  '2,"bob, jr","has ""quotes"""\r',
  '3,carol,"multi',
  'line',
  'note"',
  '4,dörte,"日本😀"\r',
  '5,"e\r',
  'crlf inside",x',
  '6,"",',
  '7,last,"no newline ✓"',
].join('\n');

const CSV_EXPECT = {
  records: [
    '1,alice,plain',
    '2,"bob, jr","has ""quotes"""',
    '3,carol,"multi\nline\nnote"',
    '4,dörte,"日本😀"',
    '5,"e\r\ncrlf inside",x',
    '6,"",',
    '7,last,"no newline ✓"',
  ],
  lines: [2, 4, 5, 8, 9, 11, 12],
};

describe('FileSource: splitting', () => {
  it('splits jsonl: blank lines, CRLF, multi-byte text, final line without newline', () => {
    const p = file(JSONL);
    const r = readFile(p, 'jsonl');
    expect(r.header).toBeNull();
    expect(r.records).toEqual(JSONL_EXPECT.records);
    expect(r.lines).toEqual(JSONL_EXPECT.lines);
    expect(r.end).toEqual({ offset: Buffer.byteLength(JSONL), line: 11 });
  });

  it('splits csv with quote-aware records and reads the header', () => {
    const p = file(CSV, 'csv');
    const r = readFile(p, 'csv');
    expect(r.header).toEqual(['id', 'name', 'note']);
    expect(r.records).toEqual(CSV_EXPECT.records);
    expect(r.lines).toEqual(CSV_EXPECT.lines);
    expect(r.records.map((t) => parseCsvRecord(t))).toEqual([
      ['1', 'alice', 'plain'],
      ['2', 'bob, jr', 'has "quotes"'],
      ['3', 'carol', 'multi\nline\nnote'],
      ['4', 'dörte', '日本😀'],
      ['5', 'e\r\ncrlf inside', 'x'],
      ['6', '', ''],
      ['7', 'last', 'no newline ✓'],
    ]);
    expect(r.end).toEqual({ offset: Buffer.byteLength(CSV), line: 12 });
  });

  it('gives the same records for chunk sizes 1..7, 13, 64 as for 1 MiB', () => {
    for (const [content, format, expected] of [
      [JSONL, 'jsonl', JSONL_EXPECT],
      ['\uFEFF' + JSONL + '\n', 'jsonl', JSONL_EXPECT],
      [CSV, 'csv', CSV_EXPECT],
      ['\uFEFF' + CSV + '\r\n', 'csv', CSV_EXPECT],
    ] as const) {
      const p = file(content, format);
      const big = readFile(p, format);
      expect(big.records).toEqual(expected.records);
      for (const chunk of [1, 2, 3, 4, 5, 6, 7, 13, 64]) {
        for (const max of [1, 2, 1000]) {
          const r = readFile(p, format, chunk, max);
          expect(r.records, `${format} chunk ${chunk} max ${max}`).toEqual(big.records);
          expect(r.lines).toEqual(big.lines);
          expect(r.header).toEqual(big.header);
          expect(r.end).toEqual(big.end);
        }
      }
    }
  });

  it('decodes multi-byte UTF-8 cut at every possible chunk boundary', () => {
    const chars = ['é', '€', '日', '😀', 'a'];
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) lines.push(JSON.stringify({ i, s: chars[i % 5]!.repeat(1 + (i % 7)) + chars[(i + 2) % 5] }));
    const p = file(lines.join('\n') + '\n');
    for (let chunk = 1; chunk <= 12; chunk++) {
      const r = readFile(p, 'jsonl', chunk, 3);
      expect(r.records).toEqual(lines);
      expect(r.lines).toEqual(lines.map((_, i) => i + 1));
    }
  });

  it('switches between latin1 and utf8 decoding correctly across chunks', () => {
    // long ASCII stretches, then a non-ASCII record, then ASCII again
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(i % 50 === 49 ? `{"x":"ü${i}"}` : `{"x":"${'a'.repeat(i % 30)}${i}"}`);
    const p = file(lines.join('\n'));
    for (const chunk of [1, 5, 16, 100, 1 << 20]) {
      expect(readFile(p, 'jsonl', chunk, 7).records).toEqual(lines);
    }
  });

  it('skips a UTF-8 BOM only at the start', () => {
    const p = file('\uFEFF{"a":1}\n\uFEFF{"a":2}\n');
    const r = readFile(p, 'jsonl');
    expect(r.records).toEqual(['{"a":1}', '\uFEFF{"a":2}']);
    const q = file('\uFEFFx,y\n1,2\n', 'csv');
    for (const chunk of [1, 2, 3, 4, 1 << 20]) {
      const c = readFile(q, 'csv', chunk);
      expect(c.header).toEqual(['x', 'y']);
      expect(c.records).toEqual(['1,2']);
    }
    // a file shorter than a BOM
    expect(readFile(file(Buffer.from([0xef])), 'jsonl').records).toEqual(['\uFFFD']);
    expect(readFile(file(Buffer.from([0xef, 0xbb])), 'jsonl', 1).records).toEqual(['\uFFFD']);
    expect(readFile(file('7'), 'jsonl').records).toEqual(['7']);
  });

  it('handles empty and blank-only files', () => {
    expect(readFile(file(''), 'jsonl').records).toEqual([]);
    expect(readFile(file('\n\n\r\n'), 'jsonl')).toMatchObject({ records: [], end: { offset: 4, line: 3 } });
    const e = readFile(file('', 'csv'), 'csv');
    expect(e.header).toEqual([]);
    expect(e.records).toEqual([]);
    const h = readFile(file('a,b\n', 'csv'), 'csv');
    expect(h.header).toEqual(['a', 'b']);
    expect(h.records).toEqual([]);
    const h2 = readFile(file('\n\na,b', 'csv'), 'csv');
    expect(h2.header).toEqual(['a', 'b']);
    expect(h2.end).toEqual({ offset: 5, line: 3 });
  });

  it('read(max) returns at most max records and null only at the end', () => {
    const p = file('1\n2\n3\n4\n5\n');
    const src = new FileSource('n', p, { format: 'jsonl' });
    src.open();
    expect(src.read(2)!.records).toEqual(['1', '2']);
    expect(src.read(0)!.records).toEqual([]);
    expect(src.read(2)!.records).toEqual(['3', '4']);
    expect(src.read(2)!.records).toEqual(['5']);
    expect(src.read(2)).toBeNull();
    expect(src.read(2)).toBeNull();
    src.close();
  });

  it('keeps a stray quote in an unquoted csv field on its line', () => {
    const p = file('a,b\n1,x"y\n2,ok\n', 'csv');
    const r = readFile(p, 'csv');
    expect(r.records).toEqual(['1,x"y', '2,ok']);
    expect(parseCsvRecord(r.records[0]!)).toHaveProperty('error');
  });

  it('cuts an unterminated quoted csv field back to its line at the end of the file', () => {
    const p = file('a,b\n1,ok\n2,"never closed\n3,fine\n4,also fine\n', 'csv');
    for (const chunk of [1, 3, 1 << 20]) {
      const r = readFile(p, 'csv', chunk);
      expect(r.records).toEqual(['1,ok', '2,"never closed', '3,fine', '4,also fine']);
      expect(r.lines).toEqual([2, 3, 4, 5]);
      expect(parseCsvRecord(r.records[1]!)).toEqual({ error: 'unterminated quoted field (field 2)' });
    }
    // the unterminated record is the last line, without newline
    expect(readFile(file('a\n"x', 'csv'), 'csv').records).toEqual(['"x']);
    // a closing quote right at the end of the file closes the field
    const closed = readFile(file('a\n"x\ny"', 'csv'), 'csv');
    expect(closed.records).toEqual(['"x\ny"']);
    expect(closed.lines).toEqual([2]);
    expect(closed.end).toEqual({ offset: 7, line: 3 });
  });

  it('cuts an over-long quoted csv record back to its line (maxRecordBytes)', () => {
    const body = Array.from({ length: 50 }, (_, i) => `${i},row`).join('\n');
    const p = file(`a,b\n1,"open\n${body}\n`, 'csv');
    const src = new FileSource('s', p, { format: 'csv', chunkSize: 16, maxRecordBytes: 64 });
    src.open();
    const r = drain(src);
    expect(r.records[0]).toBe('1,"open');
    expect(r.records.slice(1)).toEqual(body.split('\n'));
    expect(r.lines[1]).toBe(3);
  });

  it('rejects a line longer than maxRecordBytes with a UserError', () => {
    const p = file('{"a":1}\n' + 'x'.repeat(200) + '\n');
    const src = new FileSource('big', p, { format: 'jsonl', chunkSize: 8, maxRecordBytes: 100 });
    src.open();
    expect(() => drain(src)).toThrow(UserError);
    const again = new FileSource('big', p, { format: 'jsonl', chunkSize: 8, maxRecordBytes: 100 });
    again.open();
    expect(again.read(1)!.records).toEqual(['{"a":1}']);
    expect(() => again.read(1)).toThrow(/source big: the record at line 2 of ".*" is longer than 100 bytes/);
  });

  it('stays bounded in memory on a large file (no whole-file reads)', () => {
    const line = JSON.stringify({ ts: '2024-05-01T10:00:00.000Z', user: 'u1', page: '/p/1', pad: 'x'.repeat(100) });
    const n = 40_000;
    const p = file((line + '\n').repeat(n));
    const src = new FileSource('big', p, { format: 'jsonl', chunkSize: 64 * 1024 });
    src.open();
    let count = 0;
    const maxBuf = { v: 0 };
    for (;;) {
      const b = src.read(1000);
      if (b === null) break;
      count += b.records.length;
      maxBuf.v = Math.max(maxBuf.v, (src as unknown as { buf: Buffer }).buf.length);
    }
    expect(count).toBe(n);
    expect(maxBuf.v).toBeLessThanOrEqual(2 * 64 * 1024);
    src.close();
  });
});

describe('FileSource: position and seek', () => {
  function checkResume(content: string, format: 'jsonl' | 'csv', chunkSize: number) {
    const p = file(content, format);
    const all = readFile(p, format);
    for (let k = 0; k <= all.records.length; k++) {
      const a = new FileSource('s', p, { format, chunkSize });
      a.open();
      const first: string[] = [];
      while (first.length < k) first.push(...a.read(k - first.length)!.records);
      const pos: SourcePosition = JSON.parse(JSON.stringify(a.position()));
      a.close();
      const b = new FileSource('s', p, { format, chunkSize });
      b.open();
      b.seek(pos);
      const rest = drain(b, 2);
      b.close();
      expect([...first, ...rest.records], `k=${k}`).toEqual(all.records);
      expect(rest.lines).toEqual(all.lines.slice(k));
    }
  }

  it('resumes jsonl exactly after the consumed records', () => {
    for (const chunk of [1, 3, 1 << 20]) checkResume(JSONL, 'jsonl', chunk);
    checkResume('\uFEFF' + JSONL, 'jsonl', 2);
  });

  it('resumes csv exactly after the consumed records', () => {
    for (const chunk of [1, 4, 1 << 20]) checkResume(CSV, 'csv', chunk);
    checkResume('\uFEFF' + CSV, 'csv', 1 << 20);
  });

  it('positions are exact byte offsets and line counts', () => {
    const p = file('{"a":"é"}\n\n{"b":2}\n');
    const src = new FileSource('s', p, { format: 'jsonl' });
    src.open();
    expect(src.position()).toEqual({ offset: 0, line: 0 });
    src.read(1);
    expect(src.position()).toEqual({ offset: 11, line: 1 });
    src.read(1);
    expect(src.position()).toEqual({ offset: 20, line: 3 });
    src.close();
    const c = new FileSource('s', file('h\n1\n', 'csv'), { format: 'csv' });
    c.open();
    expect(c.position()).toEqual({ offset: 2, line: 1 });
    c.seek({ offset: 0, line: 0 }); // nothing consumed yet: starts after the header
    expect(drain(c)).toEqual({ records: ['1'], lines: [2] });
    c.seek({ offset: 0, line: 0 }); // also after records were read
    expect(drain(c)).toEqual({ records: ['1'], lines: [2] });
    c.close();
    // reopening reads the header again
    c.open();
    expect(c.header()).toEqual(['h']);
    expect(drain(c)).toEqual({ records: ['1'], lines: [2] });
    c.close();
  });

  it('rejects checkpoint positions that no longer fit the file', () => {
    const p = file('{"a":1}\n{"a":2}\n');
    const src = new FileSource('clicks', p, { format: 'jsonl' });
    src.open();
    expect(() => src.seek({ offset: 100, line: 2 })).toThrow(/source clicks: .* less than the checkpoint position 100; the input was modified/);
    expect(() => src.seek({ offset: 3, line: 0 })).toThrow(/not at the start of a line/);
    expect(() => src.seek({ offset: -1, line: 0 })).toThrow(UserError);
    src.seek({ offset: 8, line: 1 });
    expect(drain(src)).toEqual({ records: ['{"a":2}'], lines: [2] });
    src.seek({ offset: 16, line: 2 });
    expect(src.read(10)).toBeNull();
    src.close();
    const c = new FileSource('t', file('abc,def\n1,2\n', 'csv'), { format: 'csv' });
    c.open();
    expect(() => c.seek({ offset: 4, line: 0 })).toThrow(/not at the start of a line/);
    c.close();
  });
});

describe('FileSource: follow mode', () => {
  it('returns empty batches until complete lines are appended, never null', () => {
    const p = file('');
    const src = new FileSource('tail', p, { format: 'jsonl', follow: true, chunkSize: 4 });
    src.open();
    expect(src.read(10)).toEqual({ records: [], lines: [] });
    fs.appendFileSync(p, '{"a":1}\n{"a"');
    expect(src.read(10)).toEqual({ records: ['{"a":1}'], lines: [1] });
    expect(src.read(10)).toEqual({ records: [], lines: [] });
    const mid = src.position();
    expect(mid).toEqual({ offset: 8, line: 1 });
    fs.appendFileSync(p, ':2}\n\n{"a":"');
    expect(src.read(10)).toEqual({ records: ['{"a":2}'], lines: [2] });
    fs.appendFileSync(p, Buffer.from([0xc3])); // first byte of "é"
    expect(src.read(10)!.records).toEqual([]);
    fs.appendFileSync(p, Buffer.concat([Buffer.from([0xa9]), Buffer.from('"}\r\n')]));
    expect(src.read(10)).toEqual({ records: ['{"a":"é"}'], lines: [4] });
    for (let i = 0; i < 3; i++) expect(src.read(10)).toEqual({ records: [], lines: [] });
    // a resumed follower continues from a position
    const again = new FileSource('tail', p, { format: 'jsonl', follow: true });
    again.open();
    again.seek(mid);
    expect(again.read(10)!.records).toEqual(['{"a":2}', '{"a":"é"}']);
    again.close();
    src.close();
  });

  it('waits for the csv header and for a quoted field to close', () => {
    const p = file('', 'csv');
    const src = new FileSource('tail', p, { format: 'csv', follow: true });
    src.open();
    expect(src.header()).toBeNull();
    fs.appendFileSync(p, '\uFEFF');
    expect(src.read(5)).toEqual({ records: [], lines: [] });
    fs.appendFileSync(p, 'id,text');
    expect(src.header()).toBeNull();
    fs.appendFileSync(p, '\n1,"open');
    expect(src.header()).toEqual(['id', 'text']);
    expect(src.read(5)).toEqual({ records: [], lines: [] });
    fs.appendFileSync(p, '\nstill open');
    expect(src.read(5)).toEqual({ records: [], lines: [] });
    fs.appendFileSync(p, '"\n2,x\n');
    expect(src.read(5)).toEqual({ records: ['1,"open\nstill open"', '2,x'], lines: [2, 4] });
    src.close();
  });

  it('a csv follower checkpointed before its header resumes right after the header', () => {
    const p = file('\uFEFF\n', 'csv');
    const src = new FileSource('tail', p, { format: 'csv', follow: true });
    src.open();
    expect(src.read(5)).toEqual({ records: [], lines: [] });
    const pos = src.position();
    expect(pos).toEqual({ offset: 4, line: 1 });
    src.close();
    fs.appendFileSync(p, 'a,b\n1,2\n');
    const again = new FileSource('tail', p, { format: 'csv', follow: true });
    again.open();
    again.seek(pos);
    expect(again.header()).toEqual(['a', 'b']);
    expect(again.read(5)).toEqual({ records: ['1,2'], lines: [3] });
    again.close();
  });

  it('waits for a BOM that could still be completing', () => {
    const p = file(Buffer.from([0xef]));
    const src = new FileSource('tail', p, { format: 'jsonl', follow: true });
    src.open();
    expect(src.read(5)).toEqual({ records: [], lines: [] });
    fs.appendFileSync(p, Buffer.from([0xbb, 0xbf]));
    fs.appendFileSync(p, '1\n');
    expect(src.read(5)).toEqual({ records: ['1'], lines: [1] });
    src.close();
  });

  it('reports a followed file that shrinks', () => {
    const p = file('{"a":1}\n{"a":2}\n');
    const src = new FileSource('tail', p, { format: 'jsonl', follow: true });
    src.open();
    expect(src.read(10)!.records.length).toBe(2);
    fs.truncateSync(p, 3);
    expect(() => src.read(10)).toThrow(/source tail: ".*" shrank while being followed/);
    src.close();
  });
});

describe('FileSource: errors', () => {
  it('names the source and the path when the file is missing', () => {
    const src = new FileSource('clicks', 'no/such/x.jsonl', { format: 'jsonl' });
    expect(() => src.open()).toThrow(UserError);
    expect(() => src.open()).toThrow('source clicks: cannot read "no/such/x.jsonl": no such file');
  });

  it('rejects a directory', () => {
    const src = new FileSource('clicks', dir, { format: 'jsonl' });
    expect(() => src.open()).toThrow(`source clicks: cannot read "${dir}": is a directory`);
  });

  it('rejects a malformed csv header', () => {
    const src = new FileSource('people', file('a,"b\n', 'csv'), { format: 'csv' });
    expect(() => src.open()).toThrow(/source people: bad CSV header in ".*" \(line 1\): unterminated/);
  });
});

describe('StdinSource', () => {
  it('cannot seek', () => {
    const src = new StdinSource('input', { format: 'jsonl' });
    expect(() => src.seek({ offset: 0, line: 0 })).toThrow(UserError);
    expect(() => src.seek({ offset: 0, line: 0 })).toThrow(/source input: stdin/);
  });

  it('reads records from a pipe until the end of input', () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const entry = path.join(dir, 'stdin-entry.ts');
    const modulePath = path.resolve(here, '../../runtime/connectors/file-source.ts');
    fs.writeFileSync(
      entry,
      `import { StdinSource } from ${JSON.stringify(modulePath)};
       const src = new StdinSource('in', { format: (process.argv[2] as 'csv' | 'jsonl'), chunkSize: 3 });
       src.open();
       const out: unknown[] = [src.header()];
       for (;;) { const b = src.read(2); if (b === null) break; out.push(b); }
       out.push(src.position());
       process.stdout.write(JSON.stringify(out));`,
    );
    const bundle = path.join(dir, 'stdin-entry.mjs');
    buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
    const run = (input: string, format: string) => {
      const r = spawnSync(process.execPath, [bundle, format], { input, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as unknown[];
    };
    const jl = run('\uFEFF{"a":"é"}\n\n{"b":2}\r\n{"c":3}', 'jsonl');
    expect(jl[0]).toBeNull();
    const recs = (jl.slice(1, -1) as RawBatch[]).flatMap((b) => b.records);
    const lines = (jl.slice(1, -1) as RawBatch[]).flatMap((b) => b.lines);
    expect(recs).toEqual(['{"a":"é"}', '{"b":2}', '{"c":3}']);
    expect(lines).toEqual([1, 3, 4]);
    expect(jl[jl.length - 1]).toEqual({ offset: Buffer.byteLength('\uFEFF{"a":"é"}\n\n{"b":2}\r\n{"c":3}'), line: 4 });
    const cs = run('x,y\n1,"a\nb"\n', 'csv');
    expect(cs[0]).toEqual(['x', 'y']);
    expect((cs.slice(1, -1) as RawBatch[]).flatMap((b) => b.records)).toEqual(['1,"a\nb"']);
  });
});

describe('FileSource: randomized comparison with a reference splitter', () => {

  /** Straightforward splitting of the whole text, following the documented rules. */
  function reference(text: string, format: 'jsonl' | 'csv'): Collected {
    const s = text.startsWith('\uFEFF') ? text.slice(1) : text;
    const out: Collected = { records: [], lines: [] };
    const emit = (start: number, end: number, line: number) => {
      let t = s.slice(start, end);
      if (t.endsWith('\r')) t = t.slice(0, -1);
      if (t === '' || (format === 'jsonl' && /^[ \t\r]*$/.test(t))) return;
      out.records.push(t);
      out.lines.push(line);
    };
    let i = 0;
    let line = 0;
    while (i < s.length) {
      if (format === 'jsonl') {
        const nl = s.indexOf('\n', i);
        const end = nl < 0 ? s.length : nl;
        emit(i, end, ++line);
        i = end + 1;
        continue;
      }
      let j = i;
      let inQ = false;
      let fieldStart = true;
      let qp = false;
      let inner = 0;
      let end = -1;
      while (j < s.length) {
        const c = s[j];
        if (inQ) {
          if (!qp) {
            if (c === '"') qp = true;
            else if (c === '\n') inner++;
            j++;
            continue;
          }
          qp = false;
          if (c === '"') {
            j++;
            continue;
          }
          inQ = false;
        }
        if (c === '\n') {
          end = j;
          break;
        }
        if (c === ',') fieldStart = true;
        else if (c === '"' && fieldStart) {
          inQ = true;
          fieldStart = false;
        } else fieldStart = false;
        j++;
      }
      if (end < 0 && inQ && !qp && s.indexOf('\n', i) >= 0) {
        const nl = s.indexOf('\n', i);
        emit(i, nl, ++line);
        i = nl + 1;
        continue;
      }
      if (end < 0) end = s.length;
      emit(i, end, line + 1);
      line += 1 + inner;
      i = end + 1;
    }
    return out;
  }

  const TOKENS = ['a', 'bc', '1', ',', ',', '"', '""', '\n', '\n', '\r\n', '\r', ' ', 'é', '€', '😀', '{"k":1}', '\n\n'];

  it('matches the reference for random inputs, chunk sizes, batch sizes and resume points', () => {
    const rand = rng(12345);
    for (let round = 0; round < 300; round++) {
      const format = round % 2 === 0 ? 'csv' : 'jsonl';
      let text = round % 5 === 0 ? '\uFEFF' : '';
      if (format === 'csv') text += 'h1,h2\n';
      const n = Math.floor(rand() * 60);
      for (let k = 0; k < n; k++) text += TOKENS[Math.floor(rand() * TOKENS.length)];
      const expected = reference(text, format);
      if (format === 'csv') {
        expected.records.shift();
        expected.lines.shift();
      }
      const p = file(text, format);
      const chunk = rand() < 0.2 ? 1 << 20 : 1 + Math.floor(rand() * 9);
      const max = 1 + Math.floor(rand() * 4);
      const got = readFile(p, format, chunk, max);
      expect(got.records, JSON.stringify({ text, chunk, max })).toEqual(expected.records);
      expect(got.lines, JSON.stringify({ text, chunk, max })).toEqual(expected.lines);
      expect(got.end.offset).toBe(Buffer.byteLength(text));
      // resume after k records
      const k = Math.floor(rand() * (expected.records.length + 1));
      const a = new FileSource('s', p, { format, chunkSize: chunk });
      a.open();
      const first: string[] = [];
      while (first.length < k) first.push(...a.read(k - first.length)!.records);
      const pos = a.position();
      a.close();
      const b = new FileSource('s', p, { format, chunkSize: 1 + Math.floor(rand() * 9) });
      b.open();
      b.seek(pos);
      const rest = drain(b, max);
      b.close();
      expect([...first, ...rest.records], JSON.stringify({ text, k })).toEqual(expected.records);
      expect(rest.lines).toEqual(expected.lines.slice(k));
    }
  });
});
