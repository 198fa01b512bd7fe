/**
 * The checker's fixture suites (adding a case = adding a folder):
 * - test/fixtures/check-ok/<case>/input.flow must check with no diagnostic at all; `types.snap`
 *   holds the type of every stream, operator by operator;
 * - test/fixtures/check-errors/<case>/input.flow must give at least one diagnostic;
 *   `diagnostics.snap` holds them fully rendered, as `flowc check` prints them.
 * Update the snapshots with `npx vitest run test/check -u` and review the diff.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyze } from '../../compiler/index.ts';
import { nodeHost } from '../../compiler/cli/host.ts';
import { cases, fixturesRoot, renderAll, runCase, streamTypes } from './harness.ts';

describe('check-ok: valid programs check clean', () => {
  for (const name of cases('check-ok')) {
    it(name, async () => {
      const dir = join(fixturesRoot, 'check-ok', name);
      const { analysis, texts } = runCase(dir);
      expect(renderAll(analysis.diagnostics, texts)).toBe('0 errors, 0 warnings\n');
      await expect(streamTypes(analysis)).toMatchFileSnapshot(join(dir, 'types.snap'));
    });
  }
});

describe('check-errors: every problem is reported, rendered for people', () => {
  for (const name of cases('check-errors')) {
    it(name, async () => {
      const dir = join(fixturesRoot, 'check-errors', name);
      const { analysis, texts } = runCase(dir);
      expect(analysis.diagnostics.length).toBeGreaterThan(0);
      expect(analysis.diagnostics.filter((d) => d.code.startsWith('F9'))).toEqual([]);
      await expect(renderAll(analysis.diagnostics, texts)).toMatchFileSnapshot(join(dir, 'diagnostics.snap'));
    });
  }
});

describe('samples: the jobs users copy check clean', () => {
  const root = join(import.meta.dirname, '..', '..');
  const flows = (dir: string): string[] => readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? flows(p) : n.endsWith('.flow') ? [p] : [];
  });
  for (const file of flows(join(root, 'samples'))) {
    it(relative(root, file), () => {
      const a = analyze(readFileSync(file, 'utf8'), file, nodeHost);
      const texts = new Map([[file, readFileSync(file, 'utf8')], ...a.imports.map((p) => [p.file, p.text] as [string, string])]);
      expect(renderAll(a.diagnostics, texts)).toBe('0 errors, 0 warnings\n');
    });
  }
});
