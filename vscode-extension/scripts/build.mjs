// Bundles the extension client (src/extension.ts) and the language server (src/server.ts, with the
// whole compiler inlined) into dist/, as CommonJS for VS Code's Node. `node scripts/build.mjs`.
// ts-morph, which holds the TypeScript compiler, goes to dist/ts-morph.js: the server loads it only
// when a file declares an `extern fn` (compiler/lazy-ts-morph.ts), so it starts without reading it.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { rmSync } from 'node:fs';

export const extensionRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds both bundles. `outdir` defaults to vscode-extension/dist; tests build elsewhere so that
 * they do not race with the packaging test. `minify` is used for the .vsix.
 */
export async function buildExtension({ outdir = join(extensionRoot, 'dist'), minify = false, sourcemap = true } = {}) {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    loader: { '.ohm': 'text' },
    sourcemap: sourcemap ? 'linked' : false,
    minify,
    logLevel: 'error',
    // Not `keepNames`: it wraps every function created at run time in a defineProperty call and
    // makes analyze() about 4× slower (measured on the 500-line benchmark file).
  };
  const out = resolve(outdir);
  // Without source maps, drop maps of an earlier build so that none is left pointing at other code.
  if (!sourcemap) for (const f of ['extension.js.map', 'server.js.map', 'ts-morph.js.map']) rmSync(join(out, f), { force: true });
  await Promise.all([
    build({ ...common, entryPoints: [join(extensionRoot, 'src/extension.ts')], outfile: join(out, 'extension.js'), external: ['vscode'] }),
    build({ ...common, entryPoints: [join(extensionRoot, 'src/server.ts')], outfile: join(out, 'server.js'), define: { FLOWC_TS_MORPH: '"./ts-morph.js"' } }),
    build({ ...common, stdin: { contents: "module.exports = require('ts-morph');", resolveDir: extensionRoot, sourcefile: 'ts-morph.js' }, outfile: join(out, 'ts-morph.js') }),
  ]);
  return { extension: join(out, 'extension.js'), server: join(out, 'server.js') };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const started = Date.now();
  const { server } = await buildExtension({ minify: process.argv.includes('--minify') });
  console.log(`built ${dirname(server)} in ${Date.now() - started} ms`);
}
