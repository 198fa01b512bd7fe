// A minimal LSP client over stdio for the tests and the benchmark: spawns `node dist/server.js --stdio`
// and talks to it with vscode-languageserver-protocol, the library VS Code's client is built on.
import { spawn } from 'node:child_process';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';

/**
 * @typedef {{ uri: string, version?: number, diagnostics: any[] }} PublishedDiagnostics
 */

/**
 * Starts the server bundle and returns a small driver for it.
 * @param {string} serverJs path of the bundled server
 * @param {{ debounceMs?: number }} [options] initialization options
 */
export async function startLanguageServer(serverJs, options = {}) {
  const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));

  /** @type {Map<string, PublishedDiagnostics[]>} */
  const published = new Map();
  /** @type {{ uri: string, test: (p: PublishedDiagnostics) => boolean, resolve: (p: PublishedDiagnostics) => void }[]} */
  let waiters = [];
  conn.onNotification('textDocument/publishDiagnostics', (/** @type {PublishedDiagnostics} */ p) => {
    const at = performance.now();
    const list = published.get(p.uri) ?? [];
    list.push({ ...p, receivedAt: at });
    published.set(p.uri, list);
    const ready = waiters.filter((w) => w.uri === p.uri && w.test(p));
    waiters = waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve({ ...p, receivedAt: at });
  });
  conn.onRequest('workspace/configuration', () => []);
  conn.onRequest('client/registerCapability', () => null);
  conn.onNotification('window/logMessage', () => {});
  conn.listen();

  const init = await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      textDocument: {
        synchronization: { dynamicRegistration: false },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        completion: { completionItem: { documentationFormat: ['markdown'] } },
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        publishDiagnostics: { relatedInformation: true, versionSupport: true },
      },
    },
    initializationOptions: options,
  });
  await conn.sendNotification('initialized', {});

  return {
    conn,
    child,
    /** @returns {string} */
    stderr: () => stderr,
    capabilities: /** @type {any} */ (init).capabilities,
    /**
     * Resolves with the next diagnostics for `uri` that pass `test` (by default: any).
     * @param {string} uri
     * @param {(p: PublishedDiagnostics) => boolean} [test]
     * @param {number} [timeoutMs]
     * @returns {Promise<PublishedDiagnostics & { receivedAt: number }>}
     */
    nextDiagnostics(uri, test = () => true, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push({ uri, test, resolve: (p) => { clearTimeout(timer); resolve(/** @type {any} */ (p)); } });
      });
    },
    /** @param {string} uri @param {string} text @param {number} [version] */
    open(uri, text, version = 1) {
      return conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'flow', version, text } });
    },
    /**
     * @param {string} uri @param {number} version
     * @param {({ range: any, text: string } | { text: string })[]} changes
     */
    change(uri, version, changes) {
      return conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    },
    /** @param {string} method @param {any} params */
    request(method, params) {
      return conn.sendRequest(method, params);
    },
    async stop() {
      try {
        await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await conn.sendNotification('exit');
      } catch {
        // The server may already be gone.
      }
      conn.dispose();
      if (child.exitCode === null) {
        await new Promise((r) => { child.once('exit', r); setTimeout(() => { child.kill(); r(undefined); }, 2000); });
      }
    },
  };
}

/** The zero-based LSP position of an offset in `text`. */
export function positionOf(/** @type {string} */ text, /** @type {number} */ offset) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}
