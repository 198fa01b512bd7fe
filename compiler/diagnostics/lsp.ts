/**
 * The LSP form of diagnostics, for the language server. The shapes below are the Language Server
 * Protocol's own (structurally identical to vscode-languageserver's types), declared here so that
 * the compiler core does not depend on an editor library.
 */
import type { Diagnostic, Span } from './diagnostic.ts';
import { LineIndex } from './position.ts';

/** Zero-based line and UTF-16 character, as the protocol counts them. */
export interface LspPosition {
  line: number;
  character: number;
}

export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}

export interface LspLocation {
  uri: string;
  range: LspRange;
}

/** 1 = Error, 2 = Warning (DiagnosticSeverity in the protocol). */
export type LspSeverity = 1 | 2;

export interface LspDiagnostic {
  range: LspRange;
  severity: LspSeverity;
  code: string;
  source: string;
  message: string;
  relatedInformation?: { location: LspLocation; message: string }[];
}

export interface LspConversion {
  /** The URI of a file named in a span; defaults to a `file://` URI of the path. */
  uri?(file: string): string;
  /** Line index of another file (labels may point into imported files); unknown files map to 0:0. */
  lineIndexFor?(file: string): LineIndex | undefined;
}

export function toLspPosition(index: LineIndex, offset: number): LspPosition {
  const { line, column } = index.position(offset);
  return { line: line - 1, character: column - 1 };
}

export function toLspRange(index: LineIndex, span: Pick<Span, 'start' | 'end'>): LspRange {
  return { start: toLspPosition(index, span.start), end: toLspPosition(index, Math.max(span.start, span.end)) };
}

/** The offset of an LSP position in the text of `index` (clamped to the text). */
export function fromLspPosition(index: LineIndex, position: LspPosition): number {
  const lineStart = index.offset(position.line + 1, 1);
  const lineEnd = lineStart + index.lineText(position.line + 1).length;
  return Math.min(lineStart + position.character, lineEnd);
}

/** A `file://` URI for a path; anything already looking like a URI is kept. */
export function fileUri(file: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(file) && !/^[a-z]:[\\/]/i.test(file)) return file;
  const path = file.replace(/\\/g, '/');
  const absolute = path.startsWith('/') ? path : `/${path}`;
  return `file://${absolute.split('/').map(encodeURIComponent).join('/').replace(/^\/([a-z])%3A/i, '/$1:')}`;
}

/**
 * Converts one diagnostic. `lineIndex` indexes the text of the diagnostic's file; `help:` and
 * `note:` lines are appended to the message (editors show no separate field for them), and labels
 * become related information.
 */
export function toLspDiagnostic(d: Diagnostic, lineIndex: LineIndex, options: LspConversion = {}): LspDiagnostic {
  const uri = options.uri ?? fileUri;
  const indexFor = (file: string) => (file === d.span.file ? lineIndex : options.lineIndexFor?.(file));
  const lines = [d.message];
  if (d.help) lines.push(`help: ${d.help}`);
  for (const n of d.notes ?? []) lines.push(`note: ${n}`);
  const out: LspDiagnostic = {
    range: toLspRange(lineIndex, d.span),
    severity: d.severity === 'error' ? 1 : 2,
    code: d.code,
    source: 'flow',
    message: lines.join('\n'),
  };
  if (d.labels?.length) {
    out.relatedInformation = d.labels.map((l) => {
      const index = indexFor(l.span.file);
      const range = index ? toLspRange(index, l.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      return { location: { uri: uri(l.span.file), range }, message: l.message };
    });
  }
  return out;
}
