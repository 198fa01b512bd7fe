#!/usr/bin/env -S node --max-semi-space-size=32
// flowc entry point: runs the bundled CLI, rebuilding it first when a source file is newer.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/flowc.mjs');

function newestSource(dir, acc = 0) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) acc = newestSource(p, acc);
    else if (/\.(ts|ohm|md)$/.test(entry.name)) acc = Math.max(acc, statSync(p).mtimeMs);
  }
  return acc;
}

const stale = !existsSync(out) ||
  ['compiler', 'runtime', 'lang'].some((d) => existsSync(join(root, d)) && newestSource(join(root, d)) > statSync(out).mtimeMs);
if (stale) {
  const { buildCli } = await import(pathToFileURL(join(root, 'scripts/build-cli.mjs')).href);
  await buildCli();
}
const { main } = await import(pathToFileURL(out).href);
process.exitCode = await main(process.argv.slice(2));
