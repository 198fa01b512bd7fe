/**
 * Runs a bundled job through checkpoint → stop → restore, for any end-to-end test: the job is
 * stopped abruptly right after its 1st checkpoint, restarted (it restores), stopped again after
 * the 2nd checkpoint of that run, and restarted until it finishes. Checkpoints are taken after
 * every round of batches (FLOWC_TEST_STOP_AFTER_CHECKPOINT), so where it stops is reproducible.
 *
 *   const plain = await runJobProcess(bundle, dirA, args);
 *   const restored = await runWithRestore(bundle, dirB, args);
 *   expect(restored.files).toEqual(plain.files);
 *
 * Files written to the working directory must be byte-identical to an uninterrupted run's.
 * stdout/stderr sinks are at-least-once: rows written after the last checkpoint of a stopped run
 * are written again by the next one, so compare them only loosely (or not at all).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** Exit code of a job stopped by FLOWC_TEST_STOP_AFTER_CHECKPOINT (runtime/checkpoint/checkpointer.ts). */
export const TEST_STOP_EXIT_CODE = 75;

export interface ProcessRun {
  /** Exit code (null when killed by a signal). */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface JobRun extends ProcessRun {
  /** Every file under the working directory afterwards: path relative to it (with `/`) → bytes. */
  files: Record<string, Buffer>;
}

export interface RestoreRun extends JobRun {
  /** Processes started (stopped ones included). */
  runs: number;
  /** How many of them were stopped after a checkpoint (each followed by a restore). */
  stops: number;
  /** stdout of every run, in order. */
  stdouts: string[];
  /** stderr of every run, in order, with the `restored from checkpoint …` lines. */
  stderrs: string[];
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Text given on stdin (each run gets all of it). */
  stdin?: string;
  timeoutMs?: number;
}

export interface RestoreOptions extends RunOptions {
  /**
   * For each restart in turn, after which checkpoint of that run to stop (default [1, 2]: stop
   * after the 1st checkpoint, then after the 2nd checkpoint of the restored run, then run to the end).
   */
  stopAfter?: number[];
}

/** Runs `node bundle args` in `cwd`. */
export function runProcess(bundlePath: string, cwd: string, args: string[], opts: RunOptions = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundlePath, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Runs the job once, uninterrupted (the reference to compare a restored run with). */
export async function runJobProcess(bundlePath: string, cwd: string, args: string[] = [], opts: RunOptions = {}): Promise<JobRun> {
  const r = await runProcess(bundlePath, cwd, args, opts);
  return { ...r, files: readTree(cwd) };
}

/**
 * Runs the job in `cwd` with stops right after checkpoints and restores, until it exits with
 * anything but the stop code. Checkpoints go to a temporary directory outside `cwd` (removed
 * afterwards), so `files` holds only what the job itself wrote (and its inputs).
 */
export async function runWithRestore(bundlePath: string, cwd: string, args: string[] = [], opts: RestoreOptions = {}): Promise<RestoreRun> {
  const stopAfter = opts.stopAfter ?? [1, 2];
  const ckpt = mkdtempSync(join(tmpdir(), 'flowc-restore-'));
  const stdouts: string[] = [];
  const stderrs: string[] = [];
  let stops = 0;
  try {
    for (let run = 0; ; run++) {
      const stop = stopAfter[run];
      const r = await runProcess(bundlePath, cwd, [...args, '--checkpoint-dir', ckpt], {
        ...opts,
        env: { ...opts.env, FLOWC_TEST_STOP_AFTER_CHECKPOINT: stop === undefined ? '' : String(stop) },
      });
      stdouts.push(r.stdout);
      stderrs.push(r.stderr);
      if (r.status === TEST_STOP_EXIT_CODE && stop !== undefined) {
        stops++;
        continue;
      }
      return {
        ...r,
        stdout: stdouts.join(''),
        // What a user would have seen of errors, without the restore notices.
        stderr: stderrs.join('').replace(/^restored from checkpoint .*\n/gm, ''),
        files: readTree(cwd),
        runs: run + 1,
        stops,
        stdouts,
        stderrs,
      };
    }
  } finally {
    rmSync(ckpt, { recursive: true, force: true });
  }
}

/** Every file under `dir`: relative path (with `/`) → bytes. */
export function readTree(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p);
    }
  };
  walk(dir);
  return out;
}
