/**
 * The Flow language server. It runs `analyze()` (the same parse and check as `flowc check`) on
 * every open .flow document and publishes its diagnostics; hover, completion, definition,
 * references and the outline come from compiler/services, which this file only adapts to the
 * protocol (offsets ↔ positions, service kinds ↔ LSP kinds).
 *
 * Runs over stdio (`node dist/server.js --stdio`) or node IPC (how the VS Code client starts it).
 */
import {
  createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, CompletionItemKind, SymbolKind,
  MarkupKind, DocumentHighlightKind,
  type CompletionItem, type DocumentSymbol, type Location, type InitializeResult, type Connection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyze, type CompilerHost } from '../../compiler/index.ts';
import { IncrementalParser } from '../../compiler/phases/1-parse/incremental.ts';
import type { Diagnostic, Span } from '../../compiler/diagnostics/diagnostic.ts';
import { LineIndex } from '../../compiler/diagnostics/position.ts';
import { toLspDiagnostic, toLspRange } from '../../compiler/diagnostics/lsp.ts';
import * as services from '../../compiler/services/index.ts';

interface Analysed {
  version: number;
  file: string;
  /** What the services read: this file's AST (typed when it checked) and its imports' ASTs. */
  analysis: services.AnalysisLike;
  diagnostics: Diagnostic[];
  lines: LineIndex;
  /** Files this document imports, directly or not, to re-check it when one of them changes. */
  imports: string[];
}

export interface ServerOptions {
  /** Delay between an edit and the diagnostics run (edits in between restart it). */
  debounceMs: number;
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const analysed = new Map<string, Analysed>();
  /** Each open document's parser, which re-matches only the declarations an edit changed. */
  const parsers = new Map<string, IncrementalParser>();
  /** A parser per file imported by an open document, by path. */
  const importParsers = new Map<string, IncrementalParser>();
  const parseImport = (text: string, file: string) => {
    let parser = importParsers.get(file);
    if (!parser) importParsers.set(file, parser = new IncrementalParser(file));
    return parser.parse(text);
  };
  const timers = new Map<string, NodeJS.Timeout>();
  const options: ServerOptions = { debounceMs: 15 };

  const fileOf = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);
  const uriOf = (file: string) => {
    for (const d of documents.all()) if (fileOf(d.uri) === file) return d.uri;
    return /^[a-z][a-z0-9+.-]+:/i.test(file) && !/^[a-z]:[\\/]/i.test(file) ? file : pathToFileURL(file).href;
  };
  const textOf = (file: string): string | undefined => {
    const open = documents.all().find((d) => fileOf(d.uri) === file);
    if (open) return open.getText();
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  const host: CompilerHost = {
    readFile: textOf,
    resolve: (from, spec) => resolve(dirname(from), spec),
  };

  /** The analysis of the document's current version (computed now if the debounced run has not happened yet). */
  function analysisOf(doc: TextDocument): Analysed {
    const cached = analysed.get(doc.uri);
    if (cached && cached.version === doc.version) return cached;
    const file = fileOf(doc.uri);
    const text = doc.getText();
    let analysis: services.AnalysisLike;
    let diagnostics: Diagnostic[];
    let parser = parsers.get(doc.uri);
    if (parser?.file !== file) parsers.set(doc.uri, parser = new IncrementalParser(file));
    try {
      ({ diagnostics, ...analysis } = analyze(text, file, host, { parser, parseImport }));
    } catch (err) {
      parsers.delete(doc.uri);
      // A compiler bug must not take the editor down: report it where the user looks.
      connection.console.error(`flow: analyze failed: ${(err as Error).stack ?? err}`);
      analysis = { program: { kind: 'Program', file, text, decls: [], span: { file, start: 0, end: text.length } } };
      diagnostics = [{
        code: 'F9000', severity: 'error', span: { file, start: 0, end: Math.min(text.length, 1) },
        message: `internal compiler error: ${(err as Error).message}`, help: 'this is a bug in flowc; please report it',
      }];
    }
    const imports = (analysis.imports ?? []).map((p) => p.file);
    const entry: Analysed = { version: doc.version, file, analysis, diagnostics, lines: new LineIndex(text), imports };
    analysed.set(doc.uri, entry);
    // Forget the parsers of files no open document imports any more.
    for (const f of importParsers.keys()) if (![...analysed.values()].some((a) => a.imports.includes(f))) importParsers.delete(f);
    return entry;
  }

  function lineIndexFor(file: string): LineIndex | undefined {
    const open = [...analysed.values()].find((a) => a.file === file);
    if (open) return open.lines;
    const text = textOf(file);
    return text === undefined ? undefined : new LineIndex(text);
  }

  function publish(doc: TextDocument): void {
    const a = analysisOf(doc);
    const diagnostics = a.diagnostics
      .map((d) => (d.span.file === a.file ? d : onImport(d, a)))
      .map((d) => toLspDiagnostic(d, a.lines, { uri: uriOf, lineIndexFor }));
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  /**
   * A problem in an imported file, shown on the `import` that brings it in (the direct import of
   * that file, or the first import when it comes in indirectly), pointing at the real place.
   */
  function onImport(d: Diagnostic, a: Analysed): Diagnostic {
    const imports = a.analysis.program.decls.filter((x): x is Extract<typeof x, { kind: 'Import' }> => x.kind === 'Import');
    const via = imports.find((i) => host.resolve(a.file, i.path) === d.span.file) ?? imports[0];
    const where = d.span.file.replace(/^.*[\\/]/, '');
    return {
      ...d,
      message: `in ${where}: ${d.message}`,
      span: via?.pathSpan ?? { file: a.file, start: 0, end: 0 },
      labels: [{ span: d.span, message: d.message }, ...(d.labels ?? [])],
    };
  }

  function schedule(doc: TextDocument, delay: number): void {
    clearTimeout(timers.get(doc.uri));
    if (delay <= 0) {
      timers.delete(doc.uri);
      publish(doc);
      return;
    }
    timers.set(doc.uri, setTimeout(() => {
      timers.delete(doc.uri);
      const current = documents.get(doc.uri);
      if (current) publish(current);
    }, delay));
  }

  /** Re-checks the open documents that import `file`. */
  function scheduleDependents(file: string): void {
    for (const d of documents.all()) {
      const a = analysed.get(d.uri);
      if (a && a.imports.includes(file)) {
        analysed.delete(d.uri);
        schedule(d, options.debounceMs);
      }
    }
  }

  function location(span: Span, a: Analysed): Location {
    const lines = span.file === a.file ? a.lines : lineIndexFor(span.file);
    const range = lines ? toLspRange(lines, span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { uri: span.file === a.file ? uriOf(a.file) : uriOf(span.file), range };
  }

  function at(params: { textDocument: { uri: string }; position: { line: number; character: number } }) {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return undefined;
    return { a: analysisOf(doc), offset: doc.offsetAt(params.position) };
  }

  connection.onInitialize((params): InitializeResult => {
    const init = params.initializationOptions as Partial<ServerOptions> | undefined;
    if (typeof init?.debounceMs === 'number' && init.debounceMs >= 0) options.debounceMs = init.debounceMs;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['.', '|'] },
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        documentSymbolProvider: true,
      },
      serverInfo: { name: 'flow-language-server', version: '0.1.0' },
    };
  });

  // Compile the grammar and warm the compiler up while the editor is still starting, so that the
  // first file opened is not also the slowest.
  connection.onInitialized(() => {
    setTimeout(() => {
      if (documents.all().length > 0) return;
      try {
        analyze(warmUpText, 'warm-up.flow');
      } catch {
        // Reported when a real file hits it.
      }
    }, 0);
  });

  documents.onDidOpen((e) => {
    schedule(e.document, 0);
    // Files importing this one read it from the editor from now on, which may differ from the disk.
    scheduleDependents(fileOf(e.document.uri));
  });
  documents.onDidChangeContent((e) => {
    // onDidChangeContent also fires on open; the open handler has run the check already.
    if (analysed.get(e.document.uri)?.version === e.document.version) return;
    schedule(e.document, options.debounceMs);
    scheduleDependents(fileOf(e.document.uri));
  });
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    analysed.delete(e.document.uri);
    parsers.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    scheduleDependents(fileOf(e.document.uri));
  });

  connection.onHover((params) => {
    const p = at(params);
    const h = p && services.hover(p.a.analysis, p.offset);
    if (!p || !h) return null;
    return { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: toLspRange(p.a.lines, h.span) };
  });

  connection.onCompletion((params): CompletionItem[] => {
    const p = at(params);
    if (!p) return [];
    return services.completions(p.a.analysis, p.offset).map((c) => ({
      label: c.label,
      kind: completionKind[c.kind],
      sortText: c.sortText,
      ...(c.detail ? { detail: c.detail } : {}),
      ...(c.documentation ? { documentation: { kind: MarkupKind.Markdown, value: c.documentation } } : {}),
    }));
  });

  connection.onDefinition((params) => {
    const p = at(params);
    return p ? services.definition(p.a.analysis, p.offset).map((s) => location(s, p.a)) : [];
  });

  connection.onReferences((params) => {
    const p = at(params);
    return p ? services.references(p.a.analysis, p.offset, params.context.includeDeclaration).map((s) => location(s, p.a)) : [];
  });

  connection.onDocumentHighlight((params) => {
    const p = at(params);
    if (!p) return [];
    const decl = services.definition(p.a.analysis, p.offset)[0];
    return services.references(p.a.analysis, p.offset, true)
      .filter((s) => s.file === p.a.file)
      .map((s) => ({
        range: toLspRange(p.a.lines, s),
        kind: decl && decl.start === s.start ? DocumentHighlightKind.Write : DocumentHighlightKind.Read,
      }));
  });

  connection.onDocumentSymbol((params): DocumentSymbol[] => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const a = analysisOf(doc);
    const convert = (s: services.OutlineSymbol): DocumentSymbol => ({
      name: s.name || '(unnamed)',
      kind: symbolKind[s.kind],
      detail: s.detail,
      range: toLspRange(a.lines, s.span),
      selectionRange: toLspRange(a.lines, s.selectionSpan),
      children: s.children.map(convert),
    });
    return services.documentSymbols(a.analysis).map(convert);
  });

  documents.listen(connection);
  connection.listen();
}

/** A small job using most of the grammar, for the warm-up run. */
const warmUpText = `type R = { k: string, v: int, at: timestamp }
source s: R = file("r.jsonl", format: "jsonl") event time at watermark 5s
let a = s | where v > 0 and k != "" | select { k: lower(k), v: v * 2, at }
let b = a | key by k | window tumbling 1m | aggregate { n: count(), total: sum(v) }
sink b -> file("out.jsonl")
`;

const completionKind: Record<services.CompletionKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  function: CompletionItemKind.Function,
  aggregate: CompletionItemKind.Function,
  type: CompletionItemKind.Struct,
  stream: CompletionItemKind.Variable,
  table: CompletionItemKind.Class,
  param: CompletionItemKind.Constant,
  field: CompletionItemKind.Field,
  variable: CompletionItemKind.Variable,
};

const symbolKind: Record<services.OutlineKind, SymbolKind> = {
  job: SymbolKind.Module,
  import: SymbolKind.File,
  param: SymbolKind.Constant,
  type: SymbolKind.Struct,
  field: SymbolKind.Field,
  source: SymbolKind.Event,
  table: SymbolKind.Object,
  let: SymbolKind.Variable,
  sink: SymbolKind.Interface,
  fn: SymbolKind.Function,
  parameter: SymbolKind.Variable,
  state: SymbolKind.Property,
  test: SymbolKind.Method,
};

startServer(createConnection(ProposedFeatures.all));
