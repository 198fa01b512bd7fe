/** The compiled Flow grammar, shared by the compiler and the language server. */
import * as ohm from 'ohm-js';
import source from './flow.ohm';

export const grammarSource: string = source;

let cached: ohm.Grammar | undefined;

export function flowGrammar(): ohm.Grammar {
  cached ??= ohm.grammar(expandKeywords(source));
  return cached;
}

/**
 * `kw<"where">` reads well in flow.ohm, but ohm builds a new application object, a memo key
 * string and a memo entry for a parameterised rule every time it is tried, and keywords are
 * tried at almost every token. Before compiling, each `kw<"word">` is written out as the
 * terminal followed by a lexical lookahead, `("word" #(~identPart))`: the same language (the
 * keyword, not followed by a letter, digit or `_`), and about a fifth less parsing time.
 */
export function expandKeywords(grammar: string): string {
  return grammar.replace(/kw<"([a-z]+)">/g, (_m, w: string) => `("${w}" #(~identPart))`);
}
