/**
 * The language server end to end: the bundled dist/server.js spawned over stdio and driven with
 * vscode-languageserver-protocol, as VS Code's client drives it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// @ts-expect-error plain JavaScript build script
import { buildExtension } from '../scripts/build.mjs';
// @ts-expect-error plain JavaScript helper
import { startLanguageServer, positionOf } from '../scripts/lsp-client.mjs';

const fixed = `type Click = { user: string, page: string, at: timestamp }

source clicks: Click = file("clicks.jsonl", format: "jsonl")
  event time at watermark 5s

let views = clicks
  | where page != ""
  | select { user, page: lower(page), at }

let counts = views
  | key by page
  | window tumbling 1m
  | aggregate { n: count() }

sink counts -> file("out/counts.jsonl")
`;
// Two syntax errors in two declarations: a missing comma and a misspelt operator.
const broken = fixed.replace('"clicks.jsonl", format', '"clicks.jsonl" format').replace('| where ', '| wher ');

let outdir: string;
let server: Awaited<ReturnType<typeof startLanguageServer>>;
const dir = mkdtempSync(join(tmpdir(), 'flow-lsp-'));
const uri = pathToFileURL(join(dir, 'job.flow')).href;
const pos = (text: string, needle: string, nth = 0, delta = 0) => {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`no ${needle}`);
  return positionOf(text, at + delta);
};
const range = (text: string, needle: string, nth = 0) => ({ start: pos(text, needle, nth), end: pos(text, needle, nth, needle.length) });

describe('language server over stdio', () => {
  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'flow-server-'));
    const { server: js } = await buildExtension({ outdir, sourcemap: false });
    server = await startLanguageServer(js);
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(outdir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('declares its capabilities', () => {
    expect(server.capabilities.textDocumentSync.change).toBe(2); // incremental
    expect(server.capabilities).toMatchObject({
      hoverProvider: true, definitionProvider: true, referencesProvider: true, documentSymbolProvider: true,
    });
    expect(server.capabilities.completionProvider.triggerCharacters).toContain('|');
  });

  it('publishes syntax errors on open, with codes, ranges and help', async () => {
    const diags = server.nextDiagnostics(uri);
    await server.open(uri, broken);
    const p = await diags;
    expect(p.version).toBe(1);
    expect(p.diagnostics.map((d: { code: string }) => d.code)).toEqual(['F0002', 'F0002']);
    const [comma, op] = p.diagnostics;
    expect(comma.range).toEqual(range(broken, 'format', 0));
    expect(comma.severity).toBe(1);
    expect(op.range).toEqual(range(broken, 'wher '.trim()));
    expect(op.message).toMatch(/^expected an operator after `\|`, found `wher`\nhelp: \S/);
    expect(op.source).toBe('flow');
  });

  it('clears them after incremental edits fix the file', async () => {
    const diags = server.nextDiagnostics(uri, (p: { version?: number }) => p.version === 2);
    // Two incremental changes in one notification: add the comma, complete `where`.
    const afterWher = pos(broken, '| wher', 0, 6);
    const afterPath = pos(broken, '"clicks.jsonl"', 0, '"clicks.jsonl"'.length);
    await server.change(uri, 2, [
      { range: { start: afterWher, end: afterWher }, text: 'e' },
      { range: { start: afterPath, end: afterPath }, text: ',' },
    ]);
    const p = await diags;
    expect(p.diagnostics).toEqual([]);
  });

  it('reports type errors from the checker, with related information', async () => {
    const bad = fixed.replace('| where page != ""', '| where pgae != ""');
    const diags = server.nextDiagnostics(uri, (p: { version?: number }) => p.version === 3);
    await server.change(uri, 3, [{ text: bad }]);
    const p = await diags;
    expect(p.diagnostics.length).toBeGreaterThan(0);
    const d = p.diagnostics[0];
    expect(d.code).toMatch(/^F1\d{3}$/);
    expect(d.range).toEqual(range(bad, 'pgae'));
    expect(d.message).toContain('help:');
    // Back to the good text for the rest.
    const again = server.nextDiagnostics(uri, (q: { version?: number }) => q.version === 4);
    await server.change(uri, 4, [{ text: fixed }]);
    expect((await again).diagnostics).toEqual([]);
  });

  it('hover on a builtin shows its signature and doc', async () => {
    const h = await server.request('textDocument/hover', { textDocument: { uri }, position: pos(fixed, 'lower(', 0, 2) });
    expect(h.contents.kind).toBe('markdown');
    expect(h.contents.value).toContain('lower(s: string): string');
    expect(h.contents.value).toContain('Lower case.');
    expect(h.range).toEqual(range(fixed, 'lower'));
    const agg = await server.request('textDocument/hover', { textDocument: { uri }, position: pos(fixed, 'count()', 0, 1) });
    expect(agg.contents.value).toContain('count(e?): int');
  });

  it('hover on a declared name shows its kind and, for types, the fields', async () => {
    const h = await server.request('textDocument/hover', { textDocument: { uri }, position: pos(fixed, 'Click =', 0, 1) });
    expect(h.contents.value).toContain('type Click = {');
    expect(h.contents.value).toContain('page: string,');
    const s = await server.request('textDocument/hover', { textDocument: { uri }, position: pos(fixed, 'clicks\n', 0, 1) });
    expect(s.contents.value).toContain('source clicks: Click');
    // Typed: the checker has filled the let's stream type.
    const l = await server.request('textDocument/hover', { textDocument: { uri }, position: pos(fixed, 'views', 1, 1) });
    expect(l.contents.value).toContain('let views: { user: string, page: string, at: timestamp }');
  });

  it('completion offers keywords, builtins, aggregates and declared names', async () => {
    const list = await server.request('textDocument/completion', { textDocument: { uri }, position: pos(fixed, 'lower(', 0, 1) });
    const items = Array.isArray(list) ? list : list.items;
    const byLabel = new Map(items.map((i: { label: string }) => [i.label, i]));
    for (const k of ['if', 'not', 'null', 'where', 'lower', 'count', 'views', 'clicks', 'page']) expect(byLabel.has(k), k).toBe(true);
    expect(byLabel.get('lower')).toMatchObject({ kind: 3, detail: 'lower(s: string): string' });
    expect(byLabel.get('if')).toMatchObject({ kind: 14 });
    // After `|` only operators.
    const ops = await server.request('textDocument/completion', { textDocument: { uri }, position: pos(fixed, '| key', 0, 2) });
    const labels = (Array.isArray(ops) ? ops : ops.items).map((i: { label: string }) => i.label);
    expect(labels).toContain('window');
    expect(labels).not.toContain('lower');
  });

  it('definition of a let name jumps to its declaration', async () => {
    const defs = await server.request('textDocument/definition', { textDocument: { uri }, position: pos(fixed, 'views\n', 0, 2) });
    expect(defs).toEqual([{ uri, range: range(fixed, 'views', 0) }]);
    const type = await server.request('textDocument/definition', { textDocument: { uri }, position: pos(fixed, 'Click =', 1, 1) });
    expect(type).toEqual([{ uri, range: range(fixed, 'Click', 0) }]);
  });

  it('references of a source', async () => {
    const refs = await server.request('textDocument/references', {
      textDocument: { uri }, position: pos(fixed, 'clicks:', 0, 1), context: { includeDeclaration: true },
    });
    // The declaration (`source clicks:`) and the one use (`let views = clicks`).
    expect(refs).toEqual([
      { uri, range: { start: pos(fixed, 'clicks:'), end: pos(fixed, 'clicks:', 0, 6) } },
      { uri, range: { start: pos(fixed, 'clicks\n'), end: pos(fixed, 'clicks\n', 0, 6) } },
    ]);
    const uses = await server.request('textDocument/references', {
      textDocument: { uri }, position: pos(fixed, 'views', 0, 1), context: { includeDeclaration: false },
    });
    expect(uses).toEqual([{ uri, range: { start: pos(fixed, 'views\n', 0), end: pos(fixed, 'views\n', 0, 5) } }]);
  });

  it('document symbols outline the declarations', async () => {
    const symbols = await server.request('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s: { name: string; kind: number }) => [s.name, s.kind])).toEqual([
      ['Click', 23], ['clicks', 24], ['views', 13], ['counts', 13], ['counts', 11],
    ]);
    expect(symbols[0].children.map((c: { name: string }) => c.name)).toEqual(['user', 'page', 'at']);
    expect(symbols[0].selectionRange).toEqual(range(fixed, 'Click'));
  });

  it('follows imports: definition in the imported file, its errors shown on the import, re-checked on edit', async () => {
    const lib = 'type Page = { page: string, owner: string }\n';
    writeFileSync(join(dir, 'lib.flow'), lib);
    const libUri = pathToFileURL(join(dir, 'lib.flow')).href;
    const mainUri = pathToFileURL(join(dir, 'main.flow')).href;
    const main = 'import "lib.flow"\n\ntype Visit = { url: string }\n\ntable pages: Page = file("pages.csv") key page\n\n'
      + 'source s: Visit = file("s.jsonl")\n\nlet x = s\n  | lookup pages as p on url == p.page\n  | select { url, owner: p.owner }\n\nsink x -> stdout()\n';
    const clean = server.nextDiagnostics(mainUri);
    await server.open(mainUri, main);
    expect((await clean).diagnostics).toEqual([]);
    const defs = await server.request('textDocument/definition', { textDocument: { uri: mainUri }, position: pos(main, 'Page =', 0, 1) });
    expect(defs).toEqual([{ uri: libUri, range: range(lib, 'Page') }]);

    // Opening the imported file with a syntax error re-checks main.flow: the error shows on its import.
    const broken = lib.replace('owner: string', 'owner string');
    const again = server.nextDiagnostics(mainUri, (p: { diagnostics: unknown[] }) => p.diagnostics.length > 0);
    await server.open(libUri, broken);
    const p = await again;
    const onImport = p.diagnostics.find((d: { code: string }) => d.code.startsWith('F0'));
    expect(onImport.range).toEqual(range(main, '"lib.flow"'));
    expect(onImport.message).toMatch(/^in lib\.flow: /);
    expect(onImport.relatedInformation[0].location).toEqual({ uri: libUri, range: range(broken, 'string', 1) });
  });
});
