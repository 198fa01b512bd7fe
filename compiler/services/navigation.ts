/** Go to definition and find references, over the symbol index. */
import type { Span } from '../phases/1-parse/ast.ts';
import { symbolIndex, occurrenceAt, type AnalysisLike, type FlowSymbol } from './symbols.ts';

/** The symbol named at `offset` (at a use or at its declaration), if it resolves. */
export function symbolAt(analysis: AnalysisLike, offset: number): FlowSymbol | undefined {
  return occurrenceAt(symbolIndex(analysis), offset)?.symbol;
}

/** Where the name at `offset` is declared: the span of the declared name (maybe in an imported file). */
export function definition(analysis: AnalysisLike, offset: number): Span[] {
  const s = symbolAt(analysis, offset);
  return s ? [s.nameSpan] : [];
}

/**
 * Every span naming the same symbol as the name at `offset`: the uses in this file, in text
 * order, and the declaration when asked for (first, when it is in an imported file).
 */
export function references(analysis: AnalysisLike, offset: number, includeDeclaration = true): Span[] {
  const index = symbolIndex(analysis);
  const target = occurrenceAt(index, offset)?.symbol;
  if (!target) return [];
  const spans = index.occurrences
    .filter((o) => o.symbol === target && (includeDeclaration || o.role !== 'declaration'))
    .map((o) => o.span)
    .sort((a, b) => a.start - b.start);
  if (includeDeclaration && target.nameSpan.file !== index.program.file) spans.unshift(target.nameSpan);
  return spans;
}
