/** The flowc command line as users meet it: messages, code frames and exit codes. */
import { describe, it, expect } from 'vitest';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { emptyDir } from './harness.ts';

const repo = join(import.meta.dirname, '..', '..');
const flowc = (args: string[], cwd = repo) => spawnSync(process.execPath, [join(repo, 'bin/flowc.mjs'), ...args], { cwd, encoding: 'utf8' });

describe('flowc CLI', () => {
  it('check: a syntax error gives file:line:col, a code and a code frame, exit 1, no stack trace', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'bad.flow'), 'type T = { a: int }\nsource s: T = file("x.jsonl")\nlet x = s\n  | wher a > 1\n');
    const r = flowc(['check', 'bad.flow'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[F0002]: expected an operator after `|`, found `wher`');
    expect(r.stderr).toContain('--> bad.flow:4:5');
    expect(r.stderr).toContain('4 |   | wher a > 1');
    expect(r.stderr).toContain('^^^^');
    expect(r.stderr).not.toMatch(/\n\s+at .*\.(ts|js|mjs):\d+/);
  });

  it('check: reports every error of a file, with help lines', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'two.flow'), [
      'type T = { page: string, n: int? }',
      'source s: T = file("x.jsonl")',
      'let a = s | where pgae != ""',
      'let b = s | where n > 3',
      'sink a -> stdout()',
      'sink b -> stdout()',
    ].join('\n'));
    const r = flowc(['check', 'two.flow'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown field or name `pgae`');
    expect(r.stderr).toContain('did you mean `page`?');
    expect(r.stderr).toContain('found `bool?`');
    expect(r.stderr).toContain('?? false');
    expect(r.stderr).toContain('2 errors');
  });

  it('check --format json gives machine-readable diagnostics', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'j.flow'), 'let x = nothing\n');
    const r = flowc(['check', '--format', 'json', 'j.flow'], dir);
    expect(r.status).toBe(1);
    const ds = JSON.parse(r.stdout) as { code: string; start: { line: number; column: number } }[];
    expect(ds.some((d) => d.code === 'F1409' && d.start.line === 1 && d.start.column === 9)).toBe(true);
  });

  it('check on a missing file is a user error', () => {
    const r = flowc(['check', 'nope.flow'], emptyDir());
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot find "nope.flow"');
  });

  it('build writes a bundle; the bundle takes --param and --help', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'p.flow'), 'param n: int = 1\ntype T = { v: int }\nsource s: T = file("in.jsonl")\nsink s | where v > n -> stdout()\n');
    writeFileSync(join(dir, 'in.jsonl'), '{"v":1}\n{"v":2}\n{"v":3}\n');
    expect(flowc(['build', 'p.flow', '-o', 'out/p.mjs'], dir).status).toBe(0);
    expect(existsSync(join(dir, 'out/p.mjs'))).toBe(true);
    const run = (args: string[]) => spawnSync(process.execPath, ['out/p.mjs', ...args], { cwd: dir, encoding: 'utf8' });
    expect(run([]).stdout).toBe('{"v":2}\n{"v":3}\n');
    expect(run(['--param', 'n=2']).stdout).toBe('{"v":3}\n');
    const bad = run(['--param', 'n=two']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--param n=two: expected an int');
    expect(run(['--param', 'm=1']).stderr).toContain('unknown param `m`');
    expect(run(['--bogus']).status).toBe(1);
    expect(run(['--help']).stdout).toContain('--param n=INT');
  });

  it('run builds and runs in one step, passing flags through', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'r.flow'), 'param n: int = 1\ntype T = { v: int }\nsource s: T = file("in.jsonl")\nsink s | where v > n -> file("out.jsonl")\n');
    writeFileSync(join(dir, 'in.jsonl'), '{"v":1}\n{"v":5}\n');
    const r = flowc(['run', 'r.flow', '--param', 'n=0'], dir);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8')).toBe('{"v":1}\n{"v":5}\n');
  });

  it('build of a file with type errors exits 1 and writes nothing', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'e.flow'), 'type T = { v: int }\nsource s: T = file("in.jsonl")\nsink s | where v + "x" -> stdout()\n');
    const r = flowc(['build', 'e.flow', '-o', 'e.mjs'], dir);
    expect(r.status).toBe(1);
    expect(existsSync(join(dir, 'e.mjs'))).toBe(false);
  });

  it('unknown command is a user error with usage', () => {
    const r = flowc(['frobnicate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown command');
  });
});
