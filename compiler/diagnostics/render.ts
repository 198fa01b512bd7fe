/** Renders diagnostics for terminals (code frame) and for tools (JSON). */
import type { Diagnostic, Label, Span } from './diagnostic.ts';
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
  let width = 1;
  let pad = '  ';
  if (!src) {
    out.push(`${pad}--> ${d.span.file}`);
  } else {
    const index = new LineIndex(src.text);
    const { line, column } = index.position(d.span.start);
    // Labels on a line the main frame shows are drawn under that line, not in a frame of their own.
    const first = line;
    const last = Math.min(index.position(Math.max(d.span.start, d.span.end - 1)).line, first + 3);
    const inline = (d.labels ?? []).filter((l) => l.span.file === d.span.file && sameLine(index, l.span)
      && index.position(l.span.start).line >= first && index.position(l.span.start).line <= last);
    // One gutter width for every frame of the diagnostic, so that the `|` line up.
    const indexes = new Map<string, LineIndex>([[d.span.file, index]]);
    const indexOf = (file: string): LineIndex | undefined => {
      if (!indexes.has(file)) { const s = sources(file); if (s) indexes.set(file, new LineIndex(s.text)); }
      return indexes.get(file);
    };
    let maxLineNo = last;
    for (const l of d.labels ?? []) {
      const li = indexOf(l.span.file);
      if (li) maxLineNo = Math.max(maxLineNo, Math.min(li.position(Math.max(l.span.start, l.span.end - 1)).line, li.position(l.span.start).line + 3));
    }
    width = String(maxLineNo).length;
    pad = ' '.repeat(width + 1);
    out.push(`${pad}${colors.cyan('-->')} ${src.file}:${line}:${column}`);
    out.push(...frame(index, d.span, undefined, colors, d.severity === 'error' ? colors.red : colors.yellow, width, inline));
    for (const l of d.labels ?? []) {
      if (inline.includes(l)) continue;
      if (l.span.file !== d.span.file) {
        const other = sources(l.span.file);
        const oi = indexOf(l.span.file);
        if (!other || !oi) { out.push(`${pad}${colors.cyan('=')} ${l.message} (${l.span.file})`); continue; }
        const p = oi.position(l.span.start);
        out.push(`${pad}${colors.cyan('-->')} ${other.file}:${p.line}:${p.column}`);
        out.push(...frame(oi, l.span, l.message, colors, colors.cyan, width));
      } else {
        out.push(...frame(index, l.span, l.message, colors, colors.cyan, width));
      }
    }
  }
  if (d.help) out.push(`${pad}${colors.cyan('=')} ${colors.bold('help')}: ${d.help}`);
  for (const n of d.notes ?? []) out.push(`${pad}${colors.cyan('=')} ${colors.bold('note')}: ${n}`);
  return out.join('\n');
}

/** Lines longer than this are cut to a window around the span. */
const maxLine = 120;

function sameLine(index: LineIndex, span: Span): boolean {
  return index.position(span.start).line === index.position(Math.max(span.start, span.end - 1)).line;
}

function frame(
  index: LineIndex, span: Span, label: string | undefined, colors: Colors, mark: (s: string) => string,
  width: number, inline: Label[] = [],
): string[] {
  const start = index.position(span.start);
  const end = index.position(Math.max(span.start, span.end - 1));
  const gutter = (n?: number) => colors.cyan(`${n === undefined ? ' '.repeat(width) : String(n).padStart(width)} |`);
  const lines: string[] = [gutter()];
  const last = Math.min(end.line, start.line + 3);
  for (let l = start.line; l <= last; l++) {
    const full = index.lineText(l).replace(/\t/g, ' ');
    let from = l === start.line ? start.column : 1;
    let to = l === end.line ? end.column : Math.max(full.length, from);
    // A very long line is shown as a window around the span.
    const cut = full.length > maxLine ? Math.max(0, Math.min(from - 1 - 20, full.length - maxLine)) : 0;
    const text = full.length > maxLine
      ? `${cut > 0 ? '…' : ''}${full.slice(cut, cut + maxLine)}${cut + maxLine < full.length ? '…' : ''}`
      : full;
    const shift = cut > 0 ? cut - 1 : 0;
    from = Math.max(1, from - shift);
    to = Math.min(Math.max(from, to - shift), text.length + 1);
    lines.push(`${gutter(l)} ${text}`);
    const carets = '^'.repeat(Math.max(1, to - from + 1));
    const tail = l === last && label ? ` ${label}` : '';
    lines.push(`${gutter()} ${' '.repeat(from - 1)}${mark(carets + tail)}`);
    for (const extra of inline) {
      const p = index.position(extra.span.start);
      if (p.line !== l || p.column - 1 < shift || p.column - shift > text.length + 1) continue;
      const q = index.position(Math.max(extra.span.start, extra.span.end - 1));
      const width = Math.max(1, Math.min(q.column, shift + text.length) - p.column + 1);
      lines.push(`${gutter()} ${' '.repeat(p.column - 1 - shift)}${colors.cyan(`${'-'.repeat(width)} ${extra.message}`)}`);
    }
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
