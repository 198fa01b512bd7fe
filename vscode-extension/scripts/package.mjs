// Builds the bundles (minified) and packages the extension as dist/flow-lang.vsix with vsce, offline:
// `node scripts/package.mjs`. Everything is bundled, so vsce runs with --no-dependencies.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildExtension, extensionRoot } from './build.mjs';

/** What the .vsix is made of besides the bundles (the rest of the folder is sources and tests). */
const packagedFiles = ['package.json', 'README.md', 'LICENSE', 'language-configuration.json', '.vscodeignore', 'syntaxes', 'snippets'];

/** The vsce of the repository root's node_modules (the extension has no node_modules of its own). */
function vsceBin() {
  const candidates = [join(extensionRoot, '../node_modules/.bin/vsce'), join(extensionRoot, 'node_modules/.bin/vsce')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('vsce not found: run `npm install` at the repository root (@vscode/vsce is a devDependency)');
  return found;
}

/**
 * Packages the extension. By default in place (vscode-extension/dist/flow-lang.vsix); with
 * `stagingDir`, the packaged files are copied there and built and packaged there, so that tests do
 * not race with other builds of vscode-extension/dist.
 */
export async function packageExtension({ stagingDir } = {}) {
  const root = stagingDir ? resolve(stagingDir) : extensionRoot;
  if (stagingDir) for (const f of packagedFiles) cpSync(join(extensionRoot, f), join(root, f), { recursive: true });
  await buildExtension({ outdir: join(root, 'dist'), minify: true, sourcemap: false });
  const vsix = join(root, 'dist/flow-lang.vsix');
  rmSync(vsix, { force: true });
  const { stdout, stderr } = await promisify(execFile)(
    vsceBin(), ['package', '--no-dependencies', '--allow-missing-repository', '-o', vsix],
    { cwd: root, env: { ...process.env, VSCE_TELEMETRY_DISABLED: '1' }, maxBuffer: 16 * 1024 * 1024 },
  );
  if (!existsSync(vsix)) throw new Error(`vsce did not write ${vsix}\n${stdout}\n${stderr}`);
  return { vsix, log: `${stdout}${stderr}` };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const started = Date.now();
  const { vsix, log } = await packageExtension();
  process.stdout.write(log);
  console.log(`packaged ${vsix} in ${Date.now() - started} ms`);
}
