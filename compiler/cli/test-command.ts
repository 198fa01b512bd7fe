/** `flowc test [FILES…] [--filter TEXT]`: runs the test blocks of .flow files (lang/reference.md §9). */
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { nodeHost } from './host.ts';
import { collectFlowFiles, runTestFiles } from '../testing/runner.ts';
import type { Colors } from '../testing/report.ts';

export async function runTests(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { filter: { type: 'string', short: 't' } },
  });
  const { files, missing, explicit } = collectFlowFiles(positionals);
  for (const m of missing) process.stderr.write(`flowc test: cannot find "${m}"\n`);
  if (missing.length) return 1;
  const tty = process.stdout.isTTY === true;
  const colors: Colors | undefined = tty && !process.env.NO_COLOR
    ? { red: pc.red, green: pc.green, yellow: pc.yellow, cyan: pc.cyan, bold: pc.bold, dim: pc.dim }
    : undefined;
  const started = performance.now();
  const summary = await runTestFiles(files, {
    host: nodeHost,
    write: (s) => process.stdout.write(s),
    colors, timings: tty, filter: values.filter,
  }, explicit);
  const total = summary.passed + summary.failed;
  if (total === 0 && summary.broken === 0) {
    process.stdout.write(values.filter ? `no test matches "${values.filter}"\n` : 'no test blocks found\n');
    return 1;
  }
  const parts = [
    summary.failed ? (colors?.red ?? String)(`${summary.failed} failed`) : '',
    summary.broken ? (colors?.red ?? String)(`${summary.broken} file${summary.broken === 1 ? '' : 's'} did not compile`) : '',
    `${summary.passed} passed`,
  ].filter(Boolean);
  const time = tty ? ` in ${((performance.now() - started) / 1000).toFixed(2)}s` : '';
  process.stdout.write(`tests: ${parts.join(', ')} (${total} in ${summary.files} file${summary.files === 1 ? '' : 's'})${time}\n`);
  return summary.failed || summary.broken ? 1 : 0;
}
