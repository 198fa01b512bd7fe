/**
 * flowc's compiler core: the whole pipeline, readable top to bottom. No I/O happens here; the
 * CLI, the language server and the tests supply file contents through a `CompilerHost`.
 *
 *   text ─parse→ Ast ─check→ TypedProgram ─plan→ LogicalPlan ─fuse→ PhysicalPlan ─emit→ TypeScript ─bundle→ .mjs
 */
import { parse, type ParseResult } from './phases/1-parse/parse.ts';
import { loadImports } from './phases/1-parse/imports.ts';
import type { Program } from './phases/1-parse/ast.ts';
import { check, type TypedProgram } from './phases/2-check/check.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.ts';

export type { Diagnostic } from './diagnostics/diagnostic.ts';
export type { TypedProgram } from './phases/2-check/check.ts';

/** How the compiler reaches files other than the one it was given (imports, extern fn modules). */
export interface CompilerHost {
  /** The text of a file, or undefined when it does not exist. */
  readFile(path: string): string | undefined;
  /** Resolves `spec` (as written in an import or extern fn) relative to the file `from`. */
  resolve(from: string, spec: string): string;
}

export interface Analysis {
  program: Program;
  /** Imported files, each after the files it imports. */
  imports: Program[];
  typed: TypedProgram;
  diagnostics: Diagnostic[];
  ok: boolean;
}

export interface AnalyzeOptions {
  /** The parse of `text` when the caller has it already. */
  parsed?: ParseResult;
  /**
   * Parses `text` in place of `parse()`: the language server passes the document's
   * `IncrementalParser` (compiler/phases/1-parse/incremental.ts), made for the same file.
   */
  parser?: { readonly file: string; parse(text: string): ParseResult };
  /** Parses an imported file in place of `parse()` (the server keeps an `IncrementalParser` per imported file). */
  parseImport?: (text: string, file: string) => ParseResult;
}

/** Parse and check one file and its imports: what `flowc check` and the language server run. */
export function analyze(text: string, file: string, host?: CompilerHost, options: AnalyzeOptions = {}): Analysis {
  if (options.parser && options.parser.file !== file) throw new Error(`analyze: the parser is for ${options.parser.file}, not ${file}`);
  const parsed = options.parsed ?? options.parser?.parse(text) ?? parse(text, file);
  const imports = loadImports(parsed.program, host, options.parseImport);
  const externs = host
    ? (from: string, spec: string) => {
        const path = host.resolve(from, spec);
        const t = host.readFile(path);
        return t === undefined ? undefined : { path, text: t };
      }
    : undefined;
  const checked = check(parsed.program, imports.programs, { externs });
  // Type errors in a file that did not parse completely are mostly noise from the missing parts.
  const parseFailed = hasErrors(parsed.diagnostics) || hasErrors(imports.diagnostics);
  const checkDiagnostics = parseFailed
    ? checked.diagnostics.filter((d) => d.severity === 'error' && !d.code.startsWith('F14') && !d.code.startsWith('F12'))
    : checked.diagnostics;
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...imports.diagnostics, ...checkDiagnostics]);
  return { program: parsed.program, imports: imports.programs, typed: checked.typed, diagnostics, ok: !hasErrors(diagnostics) };
}

import { plan as planPhase, type LogicalPlan } from './phases/3-plan/plan.ts';
import { fuse as fusePhase, type PhysicalPlan } from './phases/4-fuse/fuse.ts';
import { emit as emitPhase } from './phases/5-emit/emit.ts';

export interface CompileOptions {
  /** `--no-fuse`: one stage per operator. */
  fuse?: boolean;
  /** Keep these lets and sources observable even without a sink (`flowc test`). */
  observe?: Set<string>;
  /** Emit a module for the test runner instead of a runnable job. */
  testMode?: boolean;
  /** The module generated code imports the runtime from. */
  runtimeModule?: string;
}

export interface Compilation extends Analysis {
  plan?: LogicalPlan;
  physical?: PhysicalPlan;
  /** The generated TypeScript module. */
  ts?: string;
}

/** The whole front and middle of the pipeline: parse → check → plan → fuse → emit (no I/O, no bundling). */
export function compile(text: string, file: string, host?: CompilerHost, options: CompileOptions = {}): Compilation {
  const analysis = analyze(text, file, host);
  if (!analysis.ok) return analysis;
  const plan = planPhase(analysis.typed);
  const physical = fusePhase(plan, { fuse: options.fuse, observe: options.observe });
  const externModules = new Map([...analysis.typed.externs].map(([name, path]) => [name, path]));
  const { code } = emitPhase(physical, analysis.typed, {
    runtimeModule: options.runtimeModule ?? 'flowc:runtime',
    externModules,
    testMode: options.testMode,
    observe: options.observe,
  });
  return { ...analysis, plan, physical, ts: code };
}
