import { defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';

/** Lets `import src from './flow.ohm'` give the grammar text, as esbuild's text loader does in bundles. */
const ohmText = {
  name: 'ohm-text',
  transform(_code: string, id: string) {
    if (!id.endsWith('.ohm')) return null;
    return { code: `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`, map: null };
  },
};

export default defineConfig({
  plugins: [ohmText],
  test: {
    include: ['test/**/*.test.ts', 'vscode-extension/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
