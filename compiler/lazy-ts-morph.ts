/**
 * ts-morph, loaded the first time it is needed: to read the TypeScript module of an `extern fn`
 * (2-check/extern.ts) and to print generated code (5-emit). It holds the TypeScript compiler,
 * 14 of the 15 MB of a bundle that includes it, and takes hundreds of milliseconds to load; the
 * language server and `flowc check` of a file without `extern fn` never need it.
 *
 * The language server's bundle (vscode-extension/scripts/build.mjs) has ts-morph in a file of its
 * own next to it, named by the `FLOWC_TS_MORPH` it defines; everywhere else it is the package.
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';

declare const FLOWC_TS_MORPH: string | undefined;

let loaded: typeof TsMorph | undefined;

export function tsMorph(): typeof TsMorph {
  if (!loaded) {
    const spec = typeof FLOWC_TS_MORPH === 'string' ? FLOWC_TS_MORPH : 'ts-morph';
    // A CommonJS bundle has no import.meta; an ES module (the CLI bundle, vitest) no __filename.
    const from = typeof __filename === 'string' ? __filename : import.meta.url;
    loaded = createRequire(from)(spec) as typeof TsMorph;
  }
  return loaded;
}
