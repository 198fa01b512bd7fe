/**
 * Editor services over an analysed file: pure functions of `analyze()`'s result and a UTF-16
 * offset, returning spans and plain data. The language server (vscode-extension/src/server.ts)
 * only converts positions and shapes; other editors or tests can call these directly.
 */
export { hover, type HoverInfo } from './hover.ts';
export { completions, pipelineOperators, type CompletionEntry, type CompletionKind } from './completion.ts';
export { definition, references, symbolAt } from './navigation.ts';
export { documentSymbols, type OutlineSymbol, type OutlineKind } from './outline.ts';
export { symbolIndex, type AnalysisLike, type FlowSymbol, type SymbolIndex, type Occurrence } from './symbols.ts';
export { cursorContext, type CursorContext, type CompletionPosition } from './context.ts';
