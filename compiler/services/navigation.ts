/** Go to definition and find references, over the symbol index. */
import type { Program, Span } from '../phases/1-parse/ast.ts';
import { symbolIndex, occurrenceAt, type FlowSymbol } from './symbols.ts';

/** The symbol named at `offset` (at a use or at its declaration), if it resolves. */
export function symbolAt(analysis: { program: Program }, offset: number): FlowSymbol | undefined {
  return occurrenceAt(symbolIndex(analysis.program), offset)?.symbol;
}

/** Where the name at `offset` is declared: the span of the declared name. */
export function definition(analysis: { program: Program }, offset: number): Span[] {
  const s = symbolAt(analysis, offset);
  return s ? [s.nameSpan] : [];
}

/** Every span naming the same symbol as the name at `offset`, in text order. */
export function references(analysis: { program: Program }, offset: number, includeDeclaration = true): Span[] {
  const index = symbolIndex(analysis.program);
  const target = occurrenceAt(index, offset)?.symbol;
  if (!target) return [];
  return index.occurrences
    .filter((o) => o.symbol === target && (includeDeclaration || o.role !== 'declaration'))
    .map((o) => o.span)
    .sort((a, b) => a.start - b.start);
}
