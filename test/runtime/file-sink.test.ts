import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { FileSink } from '../../runtime/connectors/file-sink.ts';
import { UserError } from '../../runtime/errors.ts';

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-sink-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
const fresh = (ext = 'jsonl') => path.join(dir, `out${counter++}.${ext}`);
const read = (p: string) => fs.readFileSync(p, 'utf8');

describe('FileSink', () => {
  it('creates parent directories and writes lines', () => {
    const p = path.join(dir, 'a', 'b', 'c', 'out.jsonl');
    const sink = new FileSink('out', p);
    sink.open();
    sink.write('{"a":1}');
    sink.write('{"s":"é"}');
    const pos = sink.commit();
    expect(read(p)).toBe('{"a":1}\n{"s":"é"}\n');
    expect(pos).toEqual({ offset: Buffer.byteLength('{"a":1}\n{"s":"é"}\n') });
    expect(sink.bytesWritten()).toBe(pos.offset);
    sink.close();
    sink.close(); // idempotent
  });

  it('truncates an existing file on a fresh open', () => {
    const p = fresh();
    fs.writeFileSync(p, 'old content that is longer\n');
    const sink = new FileSink('out', p);
    sink.open();
    expect(read(p)).toBe('');
    sink.write('new');
    sink.close();
    expect(read(p)).toBe('new\n');
  });

  it('buffers until flush, and flushes by itself past 64 KiB', () => {
    const p = fresh();
    const sink = new FileSink('out', p);
    sink.open();
    sink.write('x');
    expect(read(p)).toBe('');
    sink.flush();
    expect(read(p)).toBe('x\n');
    const line = 'y'.repeat(1000);
    for (let i = 0; i < 70; i++) sink.write(line);
    expect(fs.statSync(p).size).toBeGreaterThan(64 * 1024);
    sink.close();
    expect(fs.statSync(p).size).toBe(2 + 70 * 1001);
  });

  it('writes the csv header when the file starts empty', () => {
    const p = fresh('csv');
    const sink = new FileSink('out', p, { header: 'id,name' });
    sink.open();
    sink.write('1,a');
    const pos = sink.commit();
    sink.write('2,b');
    sink.close();
    expect(read(p)).toBe('id,name\n1,a\n2,b\n');
    const again = new FileSink('out', p, { header: 'id,name' });
    again.open(pos); // not empty: no second header
    again.write('3,c');
    again.close();
    expect(read(p)).toBe('id,name\n1,a\n3,c\n');
    const empty = new FileSink('out', p, { header: 'id,name' });
    empty.open({ offset: 0 });
    empty.close();
    expect(read(p)).toBe('id,name\n');
  });

  it('restores to a checkpoint: drops the uncommitted tail and appends from there', () => {
    const p = fresh();
    const a = new FileSink('out', p);
    a.open();
    a.write('1');
    a.write('2');
    const pos = a.commit();
    a.write('3-uncommitted');
    a.flush(); // reached the file, but no checkpoint recorded it
    a.close();
    expect(read(p)).toBe('1\n2\n3-uncommitted\n');
    const b = new FileSink('out', p);
    b.open(pos);
    expect(read(p)).toBe('1\n2\n');
    b.write('3');
    expect(b.commit()).toEqual({ offset: 6 });
    b.close();
    expect(read(p)).toBe('1\n2\n3\n');
  });

  it('refuses to restore when the output is shorter than the checkpoint', () => {
    const p = fresh();
    fs.writeFileSync(p, 'short\n');
    const sink = new FileSink('totals', p);
    expect(() => sink.open({ offset: 100 })).toThrow(UserError);
    expect(() => sink.open({ offset: 100 })).toThrow(/sink totals: ".*" has 6 bytes.*output was modified since the checkpoint/);
    expect(read(p)).toBe('short\n'); // untouched
    // a missing output file counts as modified too (unless nothing had been committed)
    const gone = fresh();
    expect(() => new FileSink('totals', gone).open({ offset: 5 })).toThrow(/modified since the checkpoint/);
    expect(fs.existsSync(gone)).toBe(false);
    const empty = new FileSink('totals', gone);
    empty.open({ offset: 0 });
    empty.close();
    expect(read(gone)).toBe('');
  });

  it('reports an unwritable path with the sink name and the path', () => {
    const blocker = fresh('txt');
    fs.writeFileSync(blocker, 'a file, not a directory');
    const p = path.join(blocker, 'sub', 'out.jsonl');
    const sink = new FileSink('report', p);
    expect(() => sink.open()).toThrow(UserError);
    expect(() => sink.open()).toThrow(new RegExp(`^sink report: cannot write "${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}": `));
    const d = path.join(dir, 'is-a-dir');
    fs.mkdirSync(d);
    expect(() => new FileSink('report', d).open()).toThrow(`sink report: cannot write "${d}": is a directory`);
  });

  it('reports a read-only directory (when not running as root)', () => {
    if (process.getuid?.() === 0) return; // root can write anywhere
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o500);
    try {
      expect(() => new FileSink('report', path.join(ro, 'x.jsonl')).open()).toThrow(/permission denied/);
    } finally {
      fs.chmodSync(ro, 0o700);
    }
  });

  it('writes to a character device such as /dev/null', () => {
    if (!fs.existsSync('/dev/null')) return;
    const sink = new FileSink('devnull', '/dev/null');
    sink.open();
    sink.write('x');
    sink.commit();
    sink.close();
  });
});

describe('StreamSink', () => {
  function runScript(body: string, opts: { pipeToHead?: boolean } = {}) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const modulePath = path.resolve(here, '../../runtime/connectors/file-sink.ts');
    const entry = path.join(dir, `stream${counter++}.ts`);
    fs.writeFileSync(entry, `import { StreamSink, stdoutSink, stderrSink } from ${JSON.stringify(modulePath)};\n void StreamSink; void stdoutSink; void stderrSink;\n${body}`);
    const bundle = entry.replace(/\.ts$/, '.mjs');
    buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
    if (opts.pipeToHead) {
      return spawnSync('sh', ['-c', `"${process.execPath}" "${bundle}" | head -c 10 >/dev/null`], { encoding: 'utf8' });
    }
    return spawnSync(process.execPath, [bundle], { encoding: 'utf8', maxBuffer: 64 << 20 });
  }

  it('writes buffered lines to stdout and stderr', () => {
    const r = runScript(`
      const out = stdoutSink('out'); const err = stderrSink();
      out.open(); err.open();
      out.write('a'); err.write('e1'); out.write('b é');
      const p = out.commit(); out.write(String(p.offset));
      err.close(); out.close();
    `);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('a\nb é\n7\n');
    expect(r.stderr).toBe('e1\n');
  });

  it('writes large output through a full non-blocking pipe without losing data (EAGAIN)', () => {
    const r = runScript(`
      void process.stdout; // node makes a piped stdout non-blocking: writes now hit EAGAIN
      const s = new StreamSink(1);
      const line = 'z'.repeat(99);
      for (let i = 0; i < 50000; i++) s.write(line);
      s.close();
      process.stderr.write(String(s.bytesWritten()));
    `);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe(50000 * 100);
    expect(r.stderr).toBe(String(50000 * 100));
  });

  it('turns a closed reader into a UserError', () => {
    const r = runScript(`
      const s = new StreamSink(1, 'out');
      try {
        for (let i = 0; i < 200000; i++) s.write('line ' + i);
        s.close();
      } catch (e) {
        process.stderr.write((e as Error).name + ': ' + (e as Error).message);
      }
    `, { pipeToHead: true });
    expect(r.stderr).toMatch(/UserError: sink out: stdout was closed by the reader/);
  });
});
