/** Printing diagnostics from the CLI: code frames (colored on a terminal) or JSON. */
import pc from 'picocolors';
import { relative } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { renderDiagnostic, diagnosticToJson, type SourceText } from '../diagnostics/render.ts';
import { nodeHost } from './host.ts';

export function sourceLookup(texts: Map<string, string>): (file: string) => SourceText | undefined {
  return (file) => {
    const text = texts.get(file) ?? nodeHost.readFile(file);
    if (text === undefined) return undefined;
    const rel = relative(process.cwd(), file);
    return { file: rel.startsWith('..') ? file : rel, text };
  };
}

export function printDiagnostics(diagnostics: Diagnostic[], texts: Map<string, string>, stream: NodeJS.WriteStream = process.stderr): void {
  const color = stream.isTTY === true && !process.env.NO_COLOR;
  const colors = color ? { red: pc.red, yellow: pc.yellow, cyan: pc.cyan, bold: pc.bold, dim: pc.dim } : undefined;
  const lookup = sourceLookup(texts);
  for (const d of diagnostics) stream.write(`${renderDiagnostic(d, lookup, colors)}\n\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length) {
    stream.write(`${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n`);
  }
}

export function diagnosticsJson(diagnostics: Diagnostic[], texts: Map<string, string>): string {
  const lookup = sourceLookup(texts);
  return JSON.stringify(diagnostics.map((d) => diagnosticToJson(d, lookup)), null, 2);
}
