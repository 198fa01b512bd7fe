/**
 * Completion: keywords, builtin and aggregate functions (with their signatures), the names
 * declared in the file and, once the checker has filled the stream slots, the fields of the row.
 * What is offered first depends on the position (after `|` operators, in a type position types…).
 */
import { steps } from '../../lang/steps.ts';
import { builtins, aggregates, builtinByName, aggregateByName } from '../../lang/builtins.ts';
import {
  allKeywords, declarationKeywords, operatorKeywords, reservedKeywords, typeNames,
} from '../../lang/keywords.ts';
import { showType, type StreamInfo } from '../../lang/types.ts';
import { symbolIndex, scopesAt, type AnalysisLike, type FlowSymbol, type SymbolIndex } from './symbols.ts';
import { cursorContext, type CompletionPosition } from './context.ts';
import { signature, kindLabel, connectorSignature } from './print.ts';
import { connectorSpecs } from '../phases/2-check/connectors.ts';
import { keywordDocs, typeDocs, processNames } from './keyword-docs.ts';

export type CompletionKind =
  | 'keyword' | 'function' | 'aggregate' | 'type' | 'stream' | 'table' | 'param' | 'field' | 'variable';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** Shown next to the label: a signature or a type. */
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Orders the list: lower sorts first. */
  sortText: string;
}

/** Operators that can follow `|`. */
export const pipelineOperators = steps.map((s) => s.keyword);

export function completions(analysis: AnalysisLike, offset: number): CompletionEntry[] {
  const index = symbolIndex(analysis);
  const { position } = cursorContext(analysis.program.text, offset);
  const out = new Collector();
  switch (position.kind) {
    case 'none':
      break;
    case 'member':
      memberFields(index, offset, position.object, out);
      break;
    case 'operator':
      for (const k of pipelineOperators) out.keyword(k, '0');
      break;
    case 'stream':
      streams(index, out, '0', position);
      if (position.heads) for (const k of ['union', 'late', 'errors']) out.keyword(k, '1');
      break;
    case 'table':
      for (const s of index.values.values()) if (s.kind === 'table') out.symbol(s, '0');
      break;
    case 'type':
      types(index, out, '0');
      break;
    case 'connector':
      for (const c of connectorSpecs) {
        if (!c.roles.includes(position.role)) continue;
        out.add({ label: c.name, kind: 'function', detail: connectorSignature(c), documentation: c.doc, sortText: `0${c.name}` });
      }
      break;
    case 'declaration':
      for (const k of declarationKeywords) if (k !== 'from') out.keyword(k, '0');
      break;
    case 'expression':
      expression(index, offset, out);
      break;
  }
  return out.entries;
}

class Collector {
  readonly entries: CompletionEntry[] = [];
  private readonly seen = new Set<string>();

  add(e: CompletionEntry): void {
    if (this.seen.has(e.label)) return;
    this.seen.add(e.label);
    this.entries.push(e);
  }

  keyword(k: string, rank: string): void {
    this.add({ label: k, kind: 'keyword', sortText: `${rank}${k}`, ...(keywordDocs[k] ? { documentation: keywordDocs[k] } : {}) });
  }

  symbol(s: FlowSymbol, rank: string): void {
    const kind: CompletionKind = s.kind === 'type' ? 'type' : s.kind === 'source' || s.kind === 'let' ? 'stream'
      : s.kind === 'table' ? 'table' : s.kind === 'param' ? 'param' : s.kind === 'fn' || s.kind === 'extern fn' ? 'function'
        : s.kind === 'field' ? 'field' : 'variable';
    this.add({ label: s.name, kind, detail: signature(s), documentation: kindLabel[s.kind], sortText: `${rank}${s.name}` });
  }
}

function streams(index: SymbolIndex, out: Collector, rank: string, position?: Extract<CompletionPosition, { kind: 'stream' }>): void {
  for (const s of index.values.values()) {
    if (s.kind !== 'source' && s.kind !== 'let') continue;
    if (position?.only && s.kind !== position.only) continue;
    out.symbol(s, rank);
  }
}

function types(index: SymbolIndex, out: Collector, rank: string): void {
  for (const t of typeNames) out.add({ label: t, kind: 'type', detail: t, documentation: typeDocs[t]!, sortText: `${rank}${t}` });
  for (const s of index.types.values()) out.symbol(s, rank);
}

function functions(out: Collector, rank: string, inAggregate: boolean): void {
  const entry = (name: string, kind: 'function' | 'aggregate') => {
    const b = builtinByName.get(name);
    const a = aggregateByName.get(name);
    const main = kind === 'aggregate' ? a! : b!;
    const other = kind === 'aggregate' ? b : a;
    const doc = other ? `${main.doc}\n\nAlso \`${other.signature}\`` : main.doc;
    out.add({ label: name, kind, detail: main.signature, documentation: doc, sortText: `${rank}${name}` });
  };
  if (inAggregate) for (const a of aggregates) entry(a.name, 'aggregate');
  for (const b of builtins) entry(b.name, 'function');
  for (const a of aggregates) entry(a.name, 'aggregate');
}

function rowFields(row: StreamInfo | undefined, out: Collector, rank: string): void {
  for (const f of row?.row.fields ?? []) {
    out.add({ label: f.name, kind: 'field', detail: showType(f.type), documentation: 'field of the row', sortText: `${rank}${f.name}` });
  }
}

function memberFields(index: SymbolIndex, offset: number, object: string, out: Collector): void {
  const scopes = scopesAt(index, offset);
  for (let i = scopes.length - 1; i >= 0; i--) {
    const q = scopes[i]!.input?.qualifiers.find((x) => x.alias === object);
    if (q) {
      for (const f of q.row.fields) out.add({ label: f.name, kind: 'field', detail: showType(f.type), sortText: `0${f.name}` });
      return;
    }
  }
  // A record-typed param or state: its fields, when the type is a declared record.
  const sym = [...scopes.flatMap((s) => s.symbols)].reverse().find((s) => s.name === object) ?? index.values.get(object);
  const typeNode = (sym?.node as { type?: { kind: string; name?: string } } | undefined)?.type;
  const decl = typeNode?.kind === 'NamedType' ? index.types.get(typeNode.name!) : undefined;
  if (decl) for (const f of index.symbols) if (f.parent === decl) out.symbol(f, '0');
}

function expression(index: SymbolIndex, offset: number, out: Collector): void {
  const scopes = scopesAt(index, offset);
  const inner = [...scopes].reverse();
  // Names in scope, innermost first: locals, state, parameters; the row's fields; the names qualifying rows.
  for (const s of inner) for (const sym of s.symbols) if (sym.kind !== 'local' || sym.span.end <= offset) out.symbol(sym, '0');
  const process = inner.find((s) => s.process)?.process;
  if (process !== 'timer') rowFields(inner.find((s) => s.input)?.input, out, '0');
  for (const s of inner) {
    for (const [name, sym] of s.qualifiers ?? []) {
      out.add({ label: name, kind: 'variable', detail: signature(sym), documentation: 'names the row: `' + name + '.field`', sortText: `0${name}` });
    }
  }
  if (process) {
    for (const [name, doc] of Object.entries(processNames)) {
      if (name !== 'timer_time' || process === 'timer') out.add({ label: name, kind: 'variable', documentation: doc, sortText: `0${name}` });
    }
  }
  for (const s of index.values.values()) if (s.kind === 'param') out.symbol(s, '1');
  for (const s of index.values.values()) if (s.kind === 'fn' || s.kind === 'extern fn') out.symbol(s, '2');
  functions(out, '2', scopes.some((s) => s.aggregate));
  for (const k of reservedKeywords) out.keyword(k, '3');
  // Everything else declared in the file, and the other keywords, last.
  streams(index, out, '4');
  for (const s of index.values.values()) if (s.kind === 'table') out.symbol(s, '4');
  types(index, out, '5');
  for (const k of [...operatorKeywords, ...allKeywords]) out.keyword(k, '6');
}
