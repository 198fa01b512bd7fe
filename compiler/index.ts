/**
 * flowc's compiler core: the whole pipeline, readable top to bottom. No I/O happens here; the
 * CLI, the language server and the tests supply file contents through a `CompilerHost`.
 *
 *   text ─parse→ Ast ─check→ TypedProgram ─plan→ LogicalPlan ─fuse→ PhysicalPlan ─emit→ TypeScript ─bundle→ .mjs
 */
import { parse } from './phases/1-parse/parse.ts';
import type { Program } from './phases/1-parse/ast.ts';
import type { Diagnostic } from './diagnostics/diagnostic.ts';
import { sortDiagnostics } from './diagnostics/diagnostic.ts';

export type { Diagnostic } from './diagnostics/diagnostic.ts';

/** How the compiler reaches files other than the one it was given (imports, extern fn modules). */
export interface CompilerHost {
  /** The text of a file, or undefined when it does not exist. */
  readFile(path: string): string | undefined;
  /** Resolves `spec` (as written in an import or extern fn) relative to the file `from`. */
  resolve(from: string, spec: string): string;
}

export interface Analysis {
  program: Program;
  diagnostics: Diagnostic[];
}

/** Parse and check one file: what `flowc check` and the language server run. */
export function analyze(text: string, file: string, _host?: CompilerHost): Analysis {
  const { program, diagnostics } = parse(text, file);
  return { program, diagnostics: sortDiagnostics(diagnostics) };
}
