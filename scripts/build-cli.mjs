// Bundles the flowc CLI (TypeScript sources) into dist/flowc.mjs so that `npx flowc` runs on plain node.
// Run by `npm install` (prepare) and, when sources changed since, by bin/flowc.mjs itself.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildCli() {
  await build({
    entryPoints: [join(root, 'compiler/cli/main.ts')],
    outfile: join(root, 'dist/flowc.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    loader: { '.ohm': 'text' },
    sourcemap: 'linked',
    logLevel: 'error',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli();
}
