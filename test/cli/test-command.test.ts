/**
 * `flowc test`: the test blocks of .flow files (lang/reference.md §9) — passing tests, failing
 * ones with their report snapshotted, the samples' own tests, and files that do not compile.
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flowc, fixtures, repo, tempDir } from './helpers.ts';
import { runTestFiles, type TestRunSummary } from '../../compiler/testing/runner.ts';
import { nodeHost } from '../../compiler/cli/host.ts';

const dir = join(fixtures, 'test-runner');

/** Runs the test runner in-process; its report and summary. */
async function runIn(files: string[], options: { filter?: string; cwd?: string } = {}): Promise<{ out: string; summary: TestRunSummary }> {
  let out = '';
  const summary = await runTestFiles(files, { host: nodeHost, write: (s) => { out += s; }, cwd: options.cwd ?? repo, filter: options.filter }, new Set(files));
  return { out, summary };
}

describe('flowc test', () => {
  it('passes the samples\' tests and tests of windows, lateness, `advance watermark to` and `in order`', () => {
    const r = flowc(['test', 'samples', 'test/cli/fixtures/test-runner/passing.flow']);
    expect(r.stdout).toMatch(/samples\/hot_pages\.flow\n {2}✓ counts views per page and minute\n/);
    expect(r.stdout).toMatch(/✓ filters warm readings, in any order/);
    expect(r.stdout).toMatch(/✓ a window fires when the watermark passes its end; later rows for it are late/);
    expect(r.stdout).toMatch(/✓ sessions: rows exactly the gap apart are one; a row whose gap ends at the watermark is accepted/);
    expect(r.stdout).not.toMatch(/✗/);
    expect(r.stdout).toMatch(/tests: \d+ passed \(\d+ in \d+ files\)\n$/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('reports failures as a diff at the `expect` and exits 1', async () => {
    const r = flowc(['test', 'test/cli/fixtures/test-runner/failing.flow']);
    expect(r.status).toBe(1);
    await expect(r.stdout).toMatchFileSnapshot('__snapshots__/failing.txt');
  });

  it('--filter runs the tests whose name contains the text', async () => {
    const { out, summary } = await runIn([join(dir, 'failing.flow')], { filter: 'passes' });
    expect(out).toBe('test/cli/fixtures/test-runner/failing.flow\n  ✓ passes\n\n');
    expect(summary).toEqual({ passed: 1, failed: 0, files: 1, broken: 0 });
  });

  it('a file that does not compile fails with its diagnostics', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'bad.flow'), 'source s: { a: int } = file("x.jsonl")\nlet x = s | where b > 1\ntest "t" { expect x == [] }\n');
    const { out, summary } = await runIn([join(d, 'bad.flow')], { cwd: d });
    expect(out).toMatch(/✗ the file does not compile/);
    expect(out).toMatch(/error\[F\d{4}\]/);
    expect(out).toMatch(/bad\.flow:2:/);
    expect(summary.broken).toBe(1);
  });

  it('a job that fails while testing fails the test, not the runner', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'table.flow'), [
      'table pages: { page: string, title: string } = file("missing.csv", format: "csv") key page',
      'source s: { page: string } = file("x.jsonl")',
      'let titled = s | lookup pages as p on page == p.page | select { page: p.page, title }',
      'test "needs the table" {',
      '  given s = [{ page: "/" }]',
      '  expect titled == []',
      '}',
      '',
    ].join('\n'));
    const { out, summary } = await runIn([join(d, 'table.flow')], { cwd: d });
    expect(out).toMatch(/✗ needs the table/);
    expect(out).toMatch(/error: .*missing\.csv/);
    expect(summary).toMatchObject({ passed: 0, failed: 1 });
  });

  it('exits 1 when there is no test to run, or a file is missing', () => {
    const d = tempDir();
    writeFileSync(join(d, 'none.flow'), 'source s: { a: int } = file("x.jsonl")\nsink s -> stdout()\n');
    const none = flowc(['test', '.', 'nope.flow'], d);
    expect(none.stderr).toMatch(/cannot find "nope\.flow"/);
    expect(none.status).toBe(1);
  });
});
