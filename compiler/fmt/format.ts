/**
 * `flowc fmt`: one canonical layout (print.ts), no options. A file that does not parse is left
 * alone. The result is checked before anyone sees it: it must parse to the same AST (spans
 * aside) and keep every comment, else formatting is refused as an internal error.
 */
import { parse } from '../phases/1-parse/parse.ts';
import type { Program } from '../phases/1-parse/ast.ts';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { printProgram } from './print.ts';
import { scanComments } from './comments.ts';

export type FormatResult =
  | { ok: true; text: string; changed: boolean }
  | { ok: false; diagnostics: Diagnostic[] };

export function formatText(text: string, file: string): FormatResult {
  const parsed = parse(text, file);
  if (hasErrors(parsed.diagnostics)) return { ok: false, diagnostics: parsed.diagnostics };
  const out = printProgram(parsed.program);
  const again = parse(out, file);
  const problem = hasErrors(again.diagnostics)
    ? `the formatted text does not parse: ${again.diagnostics[0]!.message}`
    : !sameAst(parsed.program, again.program)
      ? 'the formatted text has a different syntax tree'
      : !sameComments(text, out)
        ? 'a comment was lost'
        : undefined;
  if (problem) throw new Error(`internal: flowc fmt would change ${file}: ${problem}`);
  return { ok: true, text: out, changed: out !== text };
}

/** The AST without positions (and without what the checker adds), for comparing two parses. */
export function astShape(program: Program): unknown {
  return JSON.parse(JSON.stringify(program.decls, (k, v) => {
    if (k === 'span' || k.endsWith('Span') || k === 'ty' || k === 'stream') return undefined;
    if (k === 'blocks') return (v as unknown[]).length;
    return v;
  }));
}

export function sameAst(a: Program, b: Program): boolean {
  return JSON.stringify(astShape(a)) === JSON.stringify(astShape(b));
}

function sameComments(a: string, b: string): boolean {
  const texts = (t: string) => scanComments(t).map((c) => c.text).join('\n');
  return texts(a) === texts(b);
}
