/**
 * esbuild: generated job code + the runtime → one standalone ESM file that runs with plain node.
 * Only the runtime parts the job imports are kept (the runtime's exports are side-effect free, so
 * esbuild drops the rest). An inline source map points back at the .flow file, and a small
 * prologue maps stack traces through it, so an error thrown inside a job names its .flow line
 * without `--enable-source-maps`.
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flowSourceMap } from './source-map.ts';
import { commentText } from '../phases/5-emit/expr.ts';

export const runtimeModule = 'flowc:runtime';

/** The folder holding `runtime/index.ts`, found upwards from this module (source tree or dist/). */
export function runtimeEntry(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'runtime', 'index.ts');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('internal: cannot find the flowc runtime (runtime/index.ts)');
}

export interface BundleOptions {
  /** The .flow file (its folder resolves extern modules; its text goes into the source map). */
  flowFile: string;
  flowText: string;
  minify?: boolean;
  sourceMap?: boolean;
}

/**
 * Stack traces through the bundle's own inline source map. Node reads a module's source map only
 * when source maps are on before the module loads, which a standalone file cannot arrange; so
 * frames of this file are mapped here, lazily (the map is read from the file on the first stack
 * that needs it). With `--enable-source-maps` Node's own mapping is used instead.
 */
const stackPrologue = `import { SourceMap as __flowcSourceMap } from "node:module";
import { readFileSync as __flowcReadFile } from "node:fs";
import { fileURLToPath as __flowcToPath } from "node:url";
if (!process.sourceMapsEnabled) {
  const self = import.meta.url, selfPath = __flowcToPath(self);
  let map;
  const load = () => {
    if (map !== undefined) return map;
    map = null;
    try {
      const text = __flowcReadFile(selfPath, "utf8");
      const marker = "//# sourceMappingURL=data:application/json;base64,";
      const at = text.lastIndexOf(marker);
      if (at >= 0) map = new __flowcSourceMap(JSON.parse(Buffer.from(text.slice(at + marker.length).trim(), "base64").toString("utf8")));
    } catch {}
    return map;
  };
  Error.prepareStackTrace = (err, frames) => {
    const lines = frames.map((f) => {
      const file = f.getFileName();
      if ((file === self || file === selfPath) && load()) {
        const e = map.findEntry(f.getLineNumber() - 1, f.getColumnNumber() - 1);
        if (e && e.originalSource) {
          const source = e.originalSource.startsWith("file://") ? __flowcToPath(e.originalSource) : e.originalSource;
          const name = f.getFunctionName();
          const where = source + ":" + (e.originalLine + 1) + ":" + (e.originalColumn + 1);
          return "    at " + (name ? name + " (" + where + ")" : where);
        }
      }
      return "    at " + f;
    });
    let head;
    try { head = String(err); } catch { head = "Error"; }
    return head + (lines.length ? "\\n" + lines.join("\\n") : "");
  };
}
`;

export async function bundle(ts: string, options: BundleOptions): Promise<string> {
  const withMap = options.sourceMap !== false;
  const map = withMap ? flowSourceMap(ts, options.flowFile, options.flowText) : '';
  const contents = map
    ? `${ts}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`
    : ts;
  const entry = runtimeEntry();
  const name = commentText(options.flowFile.replace(/^.*[\\/]/, '').replace(/\.flow$/, ''));
  const result = await build({
    stdin: { contents, loader: 'ts', resolveDir: dirname(resolve(options.flowFile)), sourcefile: 'job.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    minify: options.minify === true,
    sourcemap: withMap ? 'inline' : false,
    sourcesContent: true,
    legalComments: 'none',
    logLevel: 'silent',
    banner: {
      js: `#!/usr/bin/env node\n// Built by flowc. Run: node ${name}.mjs --help\n${withMap ? stackPrologue : ''}`,
    },
    plugins: [{
      name: 'flowc-runtime',
      setup(b) {
        b.onResolve({ filter: /^flowc:runtime$/ }, () => ({ path: entry }));
      },
    }],
  });
  return result.outputFiles[0]!.text;
}
