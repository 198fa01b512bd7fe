/** Finding test inputs on disk. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every `.flow` file under `dir` (sorted, recursively; dot folders and node_modules skipped). */
export function flowFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...flowFiles(p));
    else if (name.endsWith('.flow')) out.push(p);
  }
  return out;
}
