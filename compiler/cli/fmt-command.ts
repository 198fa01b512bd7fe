/**
 * `flowc fmt [--check] FILES…`: rewrites .flow files in the one canonical layout (folders are
 * searched for .flow files). `--check` writes nothing and exits 1 when a file would change.
 * `-` formats standard input to standard output.
 */
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { formatText } from '../fmt/format.ts';
import { collectFlowFiles } from '../testing/runner.ts';
import { printDiagnostics } from './output.ts';

export function formatCommand(args: string[]): number {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { check: { type: 'boolean', default: false } },
  });
  if (positionals.length === 0) {
    process.stderr.write('flowc fmt: name the .flow files (or folders) to format, or - for stdin\n');
    return 1;
  }
  if (positionals.length === 1 && positionals[0] === '-') {
    const text = readFileSync(0, 'utf8');
    const r = formatText(text, '<stdin>');
    if (!r.ok) {
      printDiagnostics(r.diagnostics, new Map([['<stdin>', text]]));
      return 1;
    }
    if (values.check) return r.changed ? 1 : 0;
    process.stdout.write(r.text);
    return 0;
  }
  const { files, missing } = collectFlowFiles(positionals);
  for (const m of missing) process.stderr.write(`flowc fmt: cannot find "${m}"\n`);
  let failed = missing.length > 0;
  const unformatted: string[] = [];
  for (const file of files) {
    const shown = relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file);
    const text = readFileSync(file, 'utf8');
    const r = formatText(text, file);
    if (!r.ok) {
      printDiagnostics(r.diagnostics, new Map([[file, text]]));
      process.stderr.write(`${shown}: not formatted, it does not parse\n`);
      failed = true;
      continue;
    }
    if (!r.changed) continue;
    if (values.check) unformatted.push(shown);
    else {
      writeFileSync(file, r.text);
      process.stdout.write(`${shown}\n`);
    }
  }
  if (unformatted.length) {
    process.stderr.write(`${unformatted.length === 1 ? 'this file is' : `these ${unformatted.length} files are`} not formatted (run flowc fmt):\n${unformatted.map((f) => `  ${f}\n`).join('')}`);
    return 1;
  }
  return failed ? 1 : 0;
}
