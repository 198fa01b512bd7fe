/**
 * esbuild: generated job code + the runtime → one standalone ESM file that runs with plain node.
 * Only the runtime parts the job imports are kept. An inline source map points runtime errors at
 * the .flow file.
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flowSourceMap } from './source-map.ts';

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

export async function bundle(ts: string, options: BundleOptions): Promise<string> {
  const map = options.sourceMap === false ? '' : flowSourceMap(ts, options.flowFile, options.flowText);
  const contents = map
    ? `${ts}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`
    : ts;
  const entry = runtimeEntry();
  const result = await build({
    stdin: { contents, loader: 'ts', resolveDir: dirname(resolve(options.flowFile)), sourcefile: 'job.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    minify: options.minify === true,
    sourcemap: options.sourceMap === false ? false : 'inline',
    sourcesContent: true,
    legalComments: 'none',
    logLevel: 'silent',
    banner: {
      js: `#!/usr/bin/env node\n// Built by flowc. Run: node ${options.flowFile.replace(/^.*[\\/]/, '').replace(/\.flow$/, '')}.mjs --help\n${options.sourceMap === false ? '' : 'process.setSourceMapsEnabled?.(true);\n'}`,
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
