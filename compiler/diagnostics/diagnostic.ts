/** A region of a source file, as UTF-16 offsets into its text. */
export interface Span {
  file: string;
  start: number;
  end: number;
}

export type Severity = 'error' | 'warning';

/** A secondary location that helps explain a diagnostic ("declared here"). */
export interface Label {
  span: Span;
  message: string;
}

/**
 * A problem found in a .flow file. Diagnostics are data; the renderers in this folder turn them
 * into a code frame for terminals, JSON for tools and LSP objects for the editor.
 */
export interface Diagnostic {
  /** `F` + 4 digits for errors (F0 parse, F1 check, F2 plan, F3 emit, F9 internal), `W` + 4 for warnings. */
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  labels?: Label[];
  /** The fix or a did-you-mean, printed as `help: …`. */
  help?: string;
  notes?: string[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorts by file, then position, then code, so output is stable. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) =>
    a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1
      : a.span.start - b.span.start || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
