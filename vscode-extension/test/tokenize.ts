/** Tokenises Flow text with the extension's TextMate grammar, as VS Code does (vscode-textmate + oniguruma). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import textmate from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const require = createRequire(import.meta.url);
export const extensionRoot = fileURLToPath(new URL('..', import.meta.url));
export const grammarPath = join(extensionRoot, 'syntaxes/flow.tmLanguage.json');

export interface Token {
  text: string;
  /** 0-based line and start column. */
  line: number;
  start: number;
  scopes: string[];
}

let grammarPromise: Promise<textmate.IGrammar> | undefined;

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(join(require.resolve('vscode-oniguruma'), '../onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => oniguruma.createOnigScanner(patterns),
      createOnigString: (s: string) => oniguruma.createOnigString(s),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === 'source.flow' ? textmate.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const grammar = await registry.loadGrammar('source.flow');
  if (!grammar) throw new Error('the Flow grammar did not load');
  return grammar;
}

/** Every token of the text, line by line (the rule stack carries over lines, e.g. block comments). */
export async function tokenize(text: string): Promise<Token[]> {
  grammarPromise ??= loadGrammar();
  const grammar = await grammarPromise;
  const out: Token[] = [];
  let stack = textmate.INITIAL;
  text.split(/\r?\n/).forEach((lineText, line) => {
    const r = grammar.tokenizeLine(lineText, stack);
    for (const t of r.tokens) {
      out.push({ text: lineText.slice(t.startIndex, t.endIndex), line, start: t.startIndex, scopes: t.scopes });
    }
    stack = r.ruleStack;
  });
  return out;
}

/** The scopes of the token covering the `nth` occurrence of `needle` in `text`, at `offsetInNeedle`. */
export function scopesAt(tokens: Token[], text: string, needle: string, nth = 0, offsetInNeedle = 0): string[] {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" occurs fewer than ${nth + 1} times`);
  }
  at += offsetInNeedle;
  const before = text.slice(0, at);
  const line = before.split('\n').length - 1;
  const column = at - (before.lastIndexOf('\n') + 1);
  const token = tokens.find((t) => t.line === line && t.start <= column && column < t.start + t.text.length);
  if (!token) throw new Error(`no token at ${line}:${column}`);
  return token.scopes;
}
