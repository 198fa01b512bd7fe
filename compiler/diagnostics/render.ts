/** Renders diagnostics for terminals (code frame) and for tools (JSON). */
import type { Diagnostic, Span } from './diagnostic.ts';
import { LineIndex } from './position.ts';

export interface SourceText {
  /** The name printed in `file:line:col`. */
  file: string;
  text: string;
}

interface Colors {
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const plain: Colors = { red: (s) => s, yellow: (s) => s, cyan: (s) => s, bold: (s) => s, dim: (s) => s };

/**
 * `error[F1203]: unknown field \`pgae\``, then ` --> file:line:col`, a code frame with the span
 * underlined, the labels, and `help:` / `note:` lines.
 */
export function renderDiagnostic(d: Diagnostic, sources: (file: string) => SourceText | undefined, colors: Colors = plain): string {
  const src = sources(d.span.file);
  const sev = d.severity === 'error' ? colors.red(`error[${d.code}]`) : colors.yellow(`warning[${d.code}]`);
  const out: string[] = [`${colors.bold(sev)}${colors.bold(`: ${d.message}`)}`];
  if (!src) {
    out.push(`  --> ${d.span.file}`);
  } else {
    const index = new LineIndex(src.text);
    const { line, column } = index.position(d.span.start);
    out.push(`  ${colors.cyan('-->')} ${src.file}:${line}:${column}`);
    out.push(...frame(index, d.span, undefined, colors, d.severity === 'error' ? colors.red : colors.yellow));
    for (const l of d.labels ?? []) {
      if (l.span.file !== d.span.file) {
        const other = sources(l.span.file);
        if (!other) { out.push(`  ${colors.cyan('=')} ${l.message} (${l.span.file})`); continue; }
        const oi = new LineIndex(other.text);
        const p = oi.position(l.span.start);
        out.push(`  ${colors.cyan('-->')} ${other.file}:${p.line}:${p.column}`);
        out.push(...frame(oi, l.span, l.message, colors, colors.cyan));
      } else {
        out.push(...frame(index, l.span, l.message, colors, colors.cyan));
      }
    }
  }
  if (d.help) out.push(`  ${colors.cyan('=')} ${colors.bold('help')}: ${d.help}`);
  for (const n of d.notes ?? []) out.push(`  ${colors.cyan('=')} ${colors.bold('note')}: ${n}`);
  return out.join('\n');
}

function frame(index: LineIndex, span: Span, label: string | undefined, colors: Colors, mark: (s: string) => string): string[] {
  const start = index.position(span.start);
  const end = index.position(Math.max(span.start, span.end - 1));
  const width = String(end.line + 1).length;
  const gutter = (n?: number) => colors.cyan(`${n === undefined ? ' '.repeat(width) : String(n).padStart(width)} |`);
  const lines: string[] = [gutter()];
  const last = Math.min(end.line, start.line + 3);
  for (let l = start.line; l <= last; l++) {
    const text = index.lineText(l).replace(/\t/g, ' ');
    lines.push(`${gutter(l)} ${text}`);
    const from = l === start.line ? start.column : 1;
    const to = l === end.line ? end.column : Math.max(text.length, from);
    const carets = '^'.repeat(Math.max(1, to - from + 1));
    const tail = l === last && label ? ` ${label}` : '';
    lines.push(`${gutter()} ${' '.repeat(from - 1)}${mark(carets + tail)}`);
  }
  if (last < end.line) lines.push(`${gutter()} ${colors.dim('…')}`);
  return lines;
}

/** The machine form: one object per diagnostic with 1-based line/column ranges. */
export function diagnosticToJson(d: Diagnostic, sources: (file: string) => SourceText | undefined): object {
  const src = sources(d.span.file);
  const index = src ? new LineIndex(src.text) : undefined;
  const pos = (o: number) => index?.position(o) ?? { line: 0, column: 0 };
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: src?.file ?? d.span.file,
    start: pos(d.span.start),
    end: pos(d.span.end),
    ...(d.help ? { help: d.help } : {}),
    ...(d.notes?.length ? { notes: d.notes } : {}),
    ...(d.labels?.length
      ? { labels: d.labels.map((l) => ({ message: l.message, file: l.span.file, start: pos(l.span.start), end: pos(l.span.end) })) }
      : {}),
  };
}
