/** How `flowc test` prints results: one line per test, and for a failure a diff at its `expect`. */
import type { Span } from '../phases/1-parse/ast.ts';
import type { RecordType } from '../../lang/types.ts';
import { LineIndex } from '../diagnostics/position.ts';
import type { Row, RowComparison } from './compare.ts';
import { formatRow, formatValue } from './values.ts';

export interface Colors {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

export const noColors: Colors = { red: (s) => s, green: (s) => s, yellow: (s) => s, cyan: (s) => s, bold: (s) => s, dim: (s) => s };

export interface ExpectFailure {
  stream: string;
  inOrder: boolean;
  /** The `expect` step. */
  span: Span;
  comparison: RowComparison;
  rowType?: RecordType;
  expectedRows: Row[];
  actualRows: Row[];
}

/** At most this many rows are listed per group; a test expecting thousands of rows stays readable. */
const MAX_ROWS = 20;

export interface SourceFile {
  /** As printed (relative to the working directory). */
  name: string;
  text: string;
}

/** `--> file:line:col` and the line of the span, indented under the test's name. */
export function location(file: SourceFile, span: Span, colors: Colors, indent = '    '): string[] {
  const index = new LineIndex(file.text);
  const { line, column } = index.position(span.start);
  const text = index.lineText(line).replace(/\s+$/, '');
  const width = String(line).length;
  const end = Math.min(span.end, span.start + Math.max(1, text.length - (column - 1)));
  const firstLineEnd = file.text.indexOf('\n', span.start);
  const caretEnd = firstLineEnd >= 0 && firstLineEnd < end ? firstLineEnd : end;
  const carets = '^'.repeat(Math.max(1, caretEnd - span.start));
  return [
    `${indent}${colors.cyan('-->')} ${file.name}:${line}:${column}`,
    `${indent}${' '.repeat(width)} ${colors.cyan('|')}`,
    `${indent}${colors.cyan(`${line} |`)} ${text}`,
    `${indent}${' '.repeat(width)} ${colors.cyan('|')} ${' '.repeat(column - 1)}${colors.red(carets)}`,
  ];
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** The readable diff of one failed `expect`. */
export function renderExpectFailure(f: ExpectFailure, file: SourceFile, colors: Colors): string[] {
  const c = f.comparison;
  const row = (r: Row) => formatRow(r, f.rowType);
  const fieldType = (name: string) => f.rowType?.fields.find((x) => x.name === name)?.type;
  const out = location(file, { ...f.span, end: stepHeadEnd(file.text, f.span) }, colors);
  const list = (title: string, rows: string[], paint: (s: string) => string) => {
    out.push(`    ${title}`);
    for (const r of rows.slice(0, MAX_ROWS)) out.push(`      ${paint(r)}`);
    if (rows.length > MAX_ROWS) out.push(colors.dim(`      … and ${rows.length - MAX_ROWS} more`));
  };
  if (c.orderDiffers) {
    out.push(`    ${colors.bold(f.stream)} (in order): the ${count(c.expectedCount, 'row')} match, in another order (first difference at row ${(c.firstMismatch ?? 0) + 1})`);
    out.push(...renderOrder(f.expectedRows, f.actualRows, f.rowType, colors));
    return out;
  }
  out.push(`    ${colors.bold(f.stream)}${f.inOrder ? ' (in order)' : ''}: expected ${count(c.expectedCount, 'row')}, got ${c.actualCount}; ${c.matched} matched`);
  if (c.differing.length) {
    out.push(`    ${colors.yellow('differing')} rows (expected, then how the closest produced row differs):`);
    for (const d of c.differing.slice(0, MAX_ROWS)) {
      out.push(`      ${row(d.expected)}`);
      for (const fd of d.fields) {
        const t = fieldType(fd.field);
        out.push(`        ${fd.field}: expected ${colors.green(formatValue(fd.expected, t))}, got ${colors.red(formatValue(fd.actual, t))}`);
      }
    }
    if (c.differing.length > MAX_ROWS) out.push(colors.dim(`      … and ${c.differing.length - MAX_ROWS} more`));
  }
  if (c.missing.length) list(`${colors.green('missing')} (expected, not produced):`, c.missing.map(row), colors.green);
  if (c.unexpected.length) list(`${colors.red('unexpected')} (produced, not expected):`, c.unexpected.map(row), colors.red);
  return out;
}

/** An `in order` failure where the rows are right but the order is not: both orders, numbered. */
export function renderOrder(expected: Row[], actual: Row[], rowType: RecordType | undefined, colors: Colors): string[] {
  const out: string[] = [];
  const numbered = (rows: Row[]) => rows.slice(0, MAX_ROWS).map((r, i) => `      ${colors.dim(`${i + 1}.`)} ${formatRow(r, rowType)}`);
  out.push('    expected order:', ...numbered(expected));
  out.push('    produced order:', ...numbered(actual));
  return out;
}

/** The span of `expect NAME [in order] ==`, for the caret line. */
function stepHeadEnd(text: string, span: Span): number {
  const eq = text.indexOf('==', span.start);
  return eq >= 0 && eq < span.end ? eq + 2 : span.end;
}
