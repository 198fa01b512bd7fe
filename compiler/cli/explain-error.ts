/** `flowc explain-error [CODE]`: the catalogue entry of a diagnostic code, or the list of codes. */
import { diagnosticCatalogue, explainCode, type CatalogueEntry } from '../../lang/diagnostics.ts';
import { closest } from '../diagnostics/suggest.ts';

interface Out {
  write(s: string): unknown;
}

export function explainError(args: string[], stdout: Out = process.stdout, stderr: Out = process.stderr): number {
  const code = (args[0] ?? '').trim().toUpperCase();
  if (!code) {
    stdout.write(listing());
    return 0;
  }
  const entry = explainCode(code);
  if (!entry) {
    const near = closest(code, diagnosticCatalogue.map((d) => d.code));
    stderr.write(`flowc: unknown diagnostic code "${args[0]}"${near ? ` (did you mean ${near}?)` : ''}; run \`flowc explain-error\` for the list\n`);
    return 1;
  }
  stdout.write(explanation(entry));
  return 0;
}

/** Every code with its title, grouped by what it is about. */
export function listing(): string {
  const groups: [RegExp, string][] = [
    [/^F0/, 'syntax (F0xxx)'],
    [/^F10/, 'declarations (F10xx)'],
    [/^F11/, 'expressions and types (F11xx)'],
    [/^F12/, 'names and fields (F12xx)'],
    [/^F13/, 'function calls (F13xx)'],
    [/^F14/, 'streams and operators (F14xx)'],
    [/^F15/, 'process blocks (F15xx)'],
    [/^F16/, 'connectors (F16xx)'],
    [/^F17/, 'test blocks (F17xx)'],
    [/^F18/, 'extern fn (F18xx)'],
    [/^W/, 'warnings (Wxxxx)'],
    [/^F9/, 'internal errors (F9xxx): always a bug in flowc'],
  ];
  const out: string[] = ['Diagnostic codes; `flowc explain-error CODE` explains one.'];
  for (const [re, title] of groups) {
    const entries = diagnosticCatalogue.filter((d) => re.test(d.code));
    if (!entries.length) continue;
    out.push('', title, ...entries.map((d) => `  ${d.code}  ${d.title}`));
  }
  return `${out.join('\n')}\n`;
}

/** `F1204: unknown name`, the explanation wrapped at 100 columns, then the example. */
export function explanation(entry: CatalogueEntry): string {
  const out = [`${entry.code}: ${entry.title}`, '', ...wrap(entry.explanation, 100)];
  if (entry.example) {
    out.push('', 'For example, this file:', '', ...entry.example.split('\n').map((l) => `    ${l}`));
    for (const [name, text] of Object.entries(entry.files ?? {})) {
      out.push('', `with ${name}:`, '', ...text.trimEnd().split('\n').map((l) => `    ${l}`));
    }
    out.push('', `gives ${entry.code}.`);
  }
  return `${out.join('\n')}\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
