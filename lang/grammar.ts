/** The compiled Flow grammar, shared by the compiler and the language server. */
import * as ohm from 'ohm-js';
import source from './flow.ohm';

export const grammarSource: string = source;

let cached: ohm.Grammar | undefined;

export function flowGrammar(): ohm.Grammar {
  cached ??= ohm.grammar(source);
  return cached;
}
