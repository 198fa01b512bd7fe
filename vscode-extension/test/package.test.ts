/**
 * Packaging: `scripts/package.mjs` builds the minified bundles and runs `vsce package` offline;
 * the .vsix must hold the manifest, grammar, language configuration, snippets and both bundles,
 * and the packaged server must work on its own.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
// @ts-expect-error plain JavaScript build script
import { packageExtension } from '../scripts/package.mjs';
// @ts-expect-error plain JavaScript helper
import { startLanguageServer } from '../scripts/lsp-client.mjs';
import { zipEntries, zipRead, type ZipEntry } from './zip.ts';

let zip: Buffer;
let entries: ZipEntry[];
const scratch = mkdtempSync(join(tmpdir(), 'flow-vsix-'));

describe('the .vsix package', () => {
  beforeAll(async () => {
    // Packaged in a scratch folder: other builds of vscode-extension/dist may run at the same time.
    const { vsix } = await packageExtension({ stagingDir: join(scratch, 'staging') });
    zip = readFileSync(vsix);
    entries = zipEntries(zip);
  }, 60_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('contains the extension files and nothing from the sources', () => {
    const names = entries.map((e) => e.name);
    for (const f of [
      'extension.vsixmanifest', 'extension/package.json', 'extension/readme.md', 'extension/LICENSE.txt',
      'extension/syntaxes/flow.tmLanguage.json', 'extension/language-configuration.json', 'extension/snippets/flow.json',
      'extension/dist/extension.js', 'extension/dist/server.js',
    ]) {
      expect(names, f).toContain(f);
    }
    expect(names.filter((n) => /\.(ts|map|mjs)$/.test(n) || n.includes('/test/') || n.includes('node_modules'))).toEqual([]);
  });

  it('has a manifest that points at what is packaged', () => {
    const manifest = JSON.parse(zipRead(zip, entries.find((e) => e.name === 'extension/package.json')!).toString('utf8'));
    expect(manifest).toMatchObject({ name: 'flow-lang', publisher: 'flowc', main: './dist/extension.js', engines: { vscode: '^1.91.0' } });
    expect(manifest.contributes.languages[0]).toMatchObject({ id: 'flow', extensions: ['.flow'] });
    expect(manifest.contributes.grammars[0].scopeName).toBe('source.flow');
    expect(manifest.contributes.commands.map((c: { command: string }) => c.command)).toContain('flow.showExplain');
    const paths = [
      manifest.contributes.languages[0].configuration, manifest.contributes.grammars[0].path,
      manifest.contributes.snippets[0].path, manifest.main,
    ].map((p: string) => `extension/${p.replace(/^\.\//, '')}`);
    for (const p of paths) expect(entries.map((e) => e.name), p).toContain(p);
    for (const json of ['extension/syntaxes/flow.tmLanguage.json', 'extension/language-configuration.json', 'extension/snippets/flow.json']) {
      expect(() => JSON.parse(zipRead(zip, entries.find((e) => e.name === json)!).toString('utf8')), json).not.toThrow();
    }
  });

  it('has a client bundle that loads with `vscode` external and exports activate/deactivate', () => {
    const dir = join(scratch, 'client');
    mkdirSync(dir, { recursive: true });
    const js = join(dir, 'extension.js');
    writeFileSync(js, zipRead(zip, entries.find((e) => e.name === 'extension/dist/extension.js')!));
    writeFileSync(join(dir, 'package.json'), '{}');
    // A stand-in for the `vscode` module VS Code provides: any property is another stand-in.
    const fake = (): unknown => new Proxy(function () {}, {
      get: (_t, p) => (p === 'then' ? undefined : p === Symbol.toPrimitive ? () => 0 : fake()),
      apply: () => fake(),
      construct: () => fake() as object,
    });
    const Module = createRequire(import.meta.url)('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
    const load = Module._load;
    Module._load = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? fake() : load.call(this, request, ...rest);
    };
    try {
      const ext = createRequire(js)(js) as { activate: unknown; deactivate: unknown };
      expect(typeof ext.activate).toBe('function');
      expect(typeof ext.deactivate).toBe('function');
    } finally {
      Module._load = load;
    }
  });

  it('runs the packaged language server on its own', async () => {
    const dir = join(scratch, 'unpacked/dist');
    mkdirSync(dir, { recursive: true });
    const js = join(dir, 'server.js');
    writeFileSync(js, zipRead(zip, entries.find((e) => e.name === 'extension/dist/server.js')!));
    // CommonJS, as the extension's package.json (no "type") says.
    writeFileSync(join(scratch, 'unpacked/package.json'), '{}');
    const server = await startLanguageServer(js);
    try {
      const uri = pathToFileURL(join(scratch, 'a.flow')).href;
      const diags = server.nextDiagnostics(uri);
      await server.open(uri, 'let x = y\n  | wher z\n');
      const p = await diags;
      expect(p.diagnostics.map((d: { code: string }) => d.code)).toContain('F0002');
    } finally {
      await server.stop();
    }
  });
});
