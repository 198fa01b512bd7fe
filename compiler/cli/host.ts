/** The file system as the compiler sees it from the CLI. */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CompilerHost } from '../index.ts';

export const nodeHost: CompilerHost = {
  readFile(path: string): string | undefined {
    try {
      if (!statSync(path).isFile()) return undefined;
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  resolve(from: string, spec: string): string {
    return resolve(dirname(from), spec);
  },
};
