/**
 * A running job: the live status line and summary on a terminal (and never when stderr is not
 * one), the Prometheus endpoint of --metrics-port, and start-up errors that name the source or
 * sink at fault.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildJob, fixtures, repo, tempDir } from './helpers.ts';

let slow = '';
let hotPages = '';
beforeAll(async () => {
  const d = tempDir();
  slow = await buildJob(join(fixtures, 'jobs/slow.flow'), join(d, 'slow'));
  hotPages = await buildJob(join(repo, 'samples/hot_pages.flow'), join(d, 'hot'));
});

const env = { PATH: process.env.PATH ?? '' };

function run(bundle: string, args: string[], cwd = tempDir()) {
  const r = spawnSync(process.execPath, [bundle, ...args], { cwd, encoding: 'utf8', env, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, cwd };
}

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/** Runs a command on a pseudo-terminal (util-linux `script`), stdout to a file: what the terminal showed. */
function onTerminal(command: string, cwd: string): { terminal: string; status: number | null } {
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, encoding: 'utf8', env: { ...env, TERM: 'xterm', COLUMNS: '200' }, timeout: 60_000 });
  return { terminal: r.stdout, status: r.status };
}

describe('the status line', () => {
  it('is never written when stderr is not a terminal', () => {
    const r = run(slow, ['--param', 'events=300000']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
  });

  it.skipIf(!hasScript)('is shown on a terminal, on stderr only, and ends in a summary', () => {
    const cwd = tempDir();
    const { terminal, status } = onTerminal(`${process.execPath} ${slow} --param events=600000 > stdout.txt`, cwd);
    expect(status).toBe(0);
    expect(terminal).toMatch(/\r\x1b\[2Kslow \| in [\d.]+[kM]?\/s \([\d.]+[kM]?\) \| out [\d.]+[kM]?\/s \([\d.]+[kM]?\) \| watermark \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(4s behind\) \| checkpoint [^|]+ \| state \d/);
    expect(terminal).toMatch(/slow: done in \d+\.\d\ds\r?\n {2}source bids: 552,000 events\r?\n {2}sink per_auction -> file out\/per_auction\.jsonl: [\d,]+ rows\r?\n {2}late rows: 0\r?\n {2}error rows: 0/);
    expect(readFileSync(join(cwd, 'stdout.txt'), 'utf8')).toBe('');
  });

  it.skipIf(!hasScript)('keeps out of the way of rows written to the terminal, and --quiet turns it off', () => {
    const cwd = tempDir();
    copyFileSync(join(repo, 'samples/data/clicks.jsonl'), join(cwd, 'clicks.jsonl'));
    const shown = onTerminal(`${process.execPath} ${hotPages} --param clicks_path=clicks.jsonl`, cwd);
    expect(shown.status).toBe(0);
    // The late row of the `stderr()` sink is on a line of its own, then the summary.
    expect(shown.terminal).toMatch(/(^|\n|\x1b\[2K)\{"user":"u3","page":"\/","secs":0\.5,"at":"2024-05-01T10:00:10\.000Z"\}\r?\n/);
    expect(shown.terminal).toMatch(/hot_pages: done in .*\r?\n {2}source clicks: 604 events, 3 error rows\r?\n/);
    expect(shown.terminal).toMatch(/late rows: 1 \(per_page 1\)/);
    const quiet = onTerminal(`${process.execPath} ${hotPages} --param clicks_path=clicks.jsonl --quiet`, cwd);
    expect(quiet.status).toBe(0);
    expect(quiet.terminal).not.toMatch(/\x1b|done in/);
  });
});

describe('--metrics-port', () => {
  it('serves Prometheus metrics on 127.0.0.1 while the job runs', async () => {
    const cwd = tempDir();
    const child = spawn(process.execPath, [slow, '--metrics-port', '0', '--param', 'events=3000000'], { cwd, env });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (s: string) => {
        stderr += s;
        const m = /metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error(`the job ended before serving metrics: ${stderr}`)));
    });
    let body = '';
    for (let i = 0; i < 50 && !/flow_source_events_total\{[^}]*\} [1-9]/.test(body); i++) {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      body = await res.text();
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const [name, type] of [
      ['flow_source_events_total', 'counter'], ['flow_source_errors_total', 'counter'], ['flow_source_watermark_seconds', 'gauge'],
      ['flow_sink_events_total', 'counter'], ['flow_operator_late_events_total', 'counter'], ['flow_operator_state_entries', 'gauge'],
      ['flow_checkpoint_duration_seconds', 'summary'],
    ]) {
      expect(body).toContain(`# HELP ${name} `);
      expect(body).toContain(`# TYPE ${name} ${type}\n`);
    }
    expect(body).toMatch(/^flow_source_events_total\{job="slow",source="bids"\} [1-9]\d*$/m);
    expect(body).toMatch(/^flow_operator_state_entries\{job="slow",operator="per_auction"\} \d+$/m);
    expect(body).toMatch(/^flow_source_watermark_seconds\{job="slow",source="bids"\} \d+(\.\d+)?$/m);
    expect(body).toMatch(/^flow_sink_events_total\{job="slow",sink="per_auction -> file out\/per_auction\.jsonl"\} \d+$/m);
    // Every sample line is `name{labels} value`.
    for (const l of body.trimEnd().split('\n')) expect(l).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? (-?\d+(\.\d+)?(e[-+]?\d+)?|[+-]Inf|NaN))$/);
    expect(await exited).toBe(0);
  });
});

describe('start-up errors name the source or sink and exit 1', () => {
  it('a missing input file', () => {
    const r = run(hotPages, ['--param', 'clicks_path=nowhere.jsonl']);
    expect(r.stderr).toMatch(/^error: source clicks: cannot read "nowhere\.jsonl"/);
    expect(r.status).toBe(1);
  });

  it('a bad --param', () => {
    const r = run(slow, ['--param', 'events=many']);
    expect(r.stderr).toBe('error: --param events=many: expected an int\n');
    expect(r.status).toBe(1);
    const unknown = run(slow, ['--param', 'event=1']);
    expect(unknown.stderr).toMatch(/unknown param `event` \(params: events\)/);
    expect(unknown.status).toBe(1);
  });

  it('an output that cannot be written', () => {
    const cwd = tempDir();
    copyFileSync(join(repo, 'samples/data/clicks.jsonl'), join(cwd, 'clicks.jsonl'));
    writeFileSync(join(cwd, 'out'), 'a file where the output folder should be');
    const r = run(hotPages, ['--param', 'clicks_path=clicks.jsonl'], cwd);
    expect(r.stderr).toMatch(/^error: sink hot -> file out\/hot_pages\.jsonl: cannot write "out\/hot_pages\.jsonl"/);
    expect(r.status).toBe(1);
  });

  it('a metrics port that is taken', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    try {
      const r = run(slow, ['--metrics-port', String(port), '--param', 'events=10']);
      expect(r.stderr).toBe(`error: --metrics-port ${port}: cannot listen on 127.0.0.1:${port}: the port is in use\n`);
      expect(r.status).toBe(1);
    } finally {
      server.close();
    }
  });
});
