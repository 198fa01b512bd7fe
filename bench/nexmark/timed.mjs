// Runs a job bundle or a bench/impl script in this process and records how long it took, without
// node's own start-up: `node bench/nexmark/timed.mjs SCRIPT [ARGS…]` with BENCH_TIMING=FILE.
// Both bundles and impl scripts do all their work in top-level code (a bundle ends with
// `await runMain(job)`), so the import resolves when the job is done.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...args];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await import(pathToFileURL(resolve(script)).href);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const timing = {
  wallMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  maxRssKb: peakRssKb(),
  exitCode: process.exitCode ?? 0,
};
/**
 * Peak resident set size of this process in KiB: VmHWM, which starts afresh at exec (getrusage's
 * maxRSS does not on Linux: a child inherits its parent's high-water mark).
 */
function peakRssKb() {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

if (process.env.BENCH_TIMING) writeFileSync(process.env.BENCH_TIMING, JSON.stringify(timing));
else process.stderr.write(`${JSON.stringify(timing)}\n`);
