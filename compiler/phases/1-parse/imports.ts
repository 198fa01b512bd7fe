/**
 * Loads the files a program imports (transitively) through the host, in dependency order, and
 * reports missing files and import cycles.
 */
import type { Program } from './ast.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { parse, type ParseResult } from './parse.ts';

export interface ImportHost {
  readFile(path: string): string | undefined;
  resolve(from: string, spec: string): string;
}

export interface LoadedImports {
  /** Imported programs, each after the files it imports. */
  programs: Program[];
  diagnostics: Diagnostic[];
}

/** `parseFile` parses an imported file (the language server passes one that re-uses earlier parses). */
export function loadImports(
  main: Program, host: ImportHost | undefined, parseFile: (text: string, path: string) => ParseResult = parse,
): LoadedImports {
  const programs: Program[] = [];
  const diagnostics: Diagnostic[] = [];
  const done = new Set<string>([main.file]);
  const visit = (p: Program, stack: string[]): void => {
    for (const d of p.decls) {
      if (d.kind !== 'Import') continue;
      if (!host) {
        diagnostics.push({ code: 'F1020', severity: 'error', span: d.pathSpan, message: `cannot read "${d.path}" here` });
        continue;
      }
      const path = host.resolve(p.file, d.path);
      if (stack.includes(path)) {
        const cycle = [...stack.slice(stack.indexOf(path)), path].map((f) => f.replace(/^.*[\\/]/, ''));
        diagnostics.push({
          code: 'F1019', severity: 'error', span: d.pathSpan, message: `import cycle: ${cycle.join(' → ')}`,
          help: 'move the shared declarations into a third file that both import',
        });
        continue;
      }
      if (done.has(path)) continue;
      const text = host.readFile(path);
      if (text === undefined) {
        diagnostics.push({
          code: 'F1020', severity: 'error', span: d.pathSpan, message: `cannot find "${d.path}"`,
          help: 'import paths are relative to the importing file',
        });
        continue;
      }
      done.add(path);
      const parsed = parseFile(text, path);
      diagnostics.push(...parsed.diagnostics);
      visit(parsed.program, [...stack, path]);
      programs.push(parsed.program);
    }
  };
  visit(main, [main.file]);
  return { programs, diagnostics };
}
