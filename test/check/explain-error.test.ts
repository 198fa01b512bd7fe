/** `flowc explain-error`: one entry with its example, or the list of every code. */
import { describe, it, expect } from 'vitest';
import { explainError } from '../../compiler/cli/explain-error.ts';
import { diagnosticCatalogue } from '../../lang/diagnostics.ts';

function run(args: string[]): { status: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const status = explainError(args, { write: (s: string) => (stdout += s) }, { write: (s: string) => (stderr += s) });
  return { status, stdout, stderr };
}

describe('flowc explain-error', () => {
  it('prints the title, the explanation and an example of a code', () => {
    const r = run(['F1203']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('F1203: stream used as a value');
    expect(r.stdout).toContain('Sources and lets are streams of rows');
    expect(r.stdout).toContain('For example, this file:');
    expect(r.stdout).toContain('    sink clicks | select { n: views } -> stdout()');
    expect(r.stdout).toContain('gives F1203.');
  });

  it('shows the other files an example needs', () => {
    const r = run(['F1804']);
    expect(r.stdout).toContain('with udfs.ts:');
    expect(r.stdout).toContain('    export function score(n: string): number');
  });

  it('accepts lower case', () => {
    expect(run(['w1005']).stdout).toMatch(/^W1005: let never used/);
  });

  it('lists every code, grouped, without an argument', () => {
    const r = run([]);
    expect(r.status).toBe(0);
    for (const d of diagnosticCatalogue) expect(r.stdout).toContain(`  ${d.code}  ${d.title}\n`);
    expect(r.stdout).toContain('streams and operators (F14xx)');
  });

  it('refuses an unknown code, suggesting a near one', () => {
    const r = run(['F1240']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown diagnostic code "F1240"');
    expect(r.stderr).toContain('did you mean F1204?');
  });
});
