/** `flowc explain-error CODE`: prints the catalogue entry of a diagnostic code. */
import { diagnosticCatalogue } from '../../lang/diagnostics.ts';

export function explainError(args: string[]): number {
  const code = (args[0] ?? '').toUpperCase();
  if (!code) {
    process.stdout.write(diagnosticCatalogue.map((d) => `${d.code}  ${d.title}`).join('\n') + '\n');
    return 0;
  }
  const entry = diagnosticCatalogue.find((d) => d.code === code);
  if (!entry) {
    process.stderr.write(`flowc: unknown diagnostic code "${args[0]}" (run \`flowc explain-error\` for the list)\n`);
    return 1;
  }
  process.stdout.write(`${entry.code}: ${entry.title}\n\n${entry.explanation.trim()}\n${entry.example ? `\nexample:\n\n${entry.example.replace(/^/gm, '    ')}\n` : ''}`);
  return 0;
}
