/**
 * Runs the front end (parse + check) over a fixture case folder: `input.flow` is the main file;
 * the other files of the folder (imported .flow files, extern .ts modules) are reachable through
 * a CompilerHost over the folder, under the virtual directory `/case`, so that snapshots show
 * `input.flow:3:5` whatever the machine.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { analyze, type Analysis, type CompilerHost } from '../../compiler/index.ts';
import { renderDiagnostic } from '../../compiler/diagnostics/render.ts';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.ts';
import type * as A from '../../compiler/phases/1-parse/ast.ts';
import { showRow, showType, type StreamInfo } from '../../lang/types.ts';

export const fixturesRoot = join(import.meta.dirname, '..', 'fixtures');

/** The case folders of a suite, sorted. */
export function cases(suite: string): string[] {
  const dir = join(fixturesRoot, suite);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory() && existsSync(join(dir, n, 'input.flow'))).sort();
}

const root = '/case';

/** A host that sees exactly the files of one folder, as `/case/<name>`. */
export function folderHost(dir: string): CompilerHost {
  return {
    readFile(path: string): string | undefined {
      if (!path.startsWith(`${root}/`)) return undefined;
      const file = join(dir, path.slice(root.length + 1));
      try {
        return statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    },
    resolve(from: string, spec: string): string {
      return posix.normalize(posix.join(posix.dirname(from), spec));
    },
  };
}

export interface CaseResult {
  analysis: Analysis;
  texts: Map<string, string>;
}

export function runCase(dir: string): CaseResult {
  const main = `${root}/input.flow`;
  const text = readFileSync(join(dir, 'input.flow'), 'utf8');
  const analysis = analyze(text, main, folderHost(dir));
  const texts = new Map<string, string>([[main, text], ...analysis.imports.map((p) => [p.file, p.text] as [string, string])]);
  return { analysis, texts };
}

/** Every diagnostic rendered as `flowc check` prints it (without color), then the count. */
export function renderAll(diagnostics: Diagnostic[], texts: Map<string, string>): string {
  const lookup = (file: string) => {
    const text = texts.get(file);
    return text === undefined ? undefined : { file: file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file, text };
  };
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const parts = diagnostics.map((d) => renderDiagnostic(d, lookup));
  parts.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return `${parts.join('\n\n')}\n`;
}

/** The stream types of a checked main file: each source, table, let (operator by operator) and sink. */
export function streamTypes(analysis: Analysis): string {
  const program = analysis.program;
  const out: string[] = [];
  let sink = 0;
  for (const d of program.decls) {
    switch (d.kind) {
      case 'Param':
        out.push(`param ${d.name.name}: ${showType(analysis.typed.symbols.params.get(d.name.name)?.type ?? { kind: 'error' })}${d.default ? '' : ' (no default)'}`);
        break;
      case 'Source':
        out.push(`source ${d.name.name}${d.eventTime ? ' (event time)' : ''}`);
        break;
      case 'Let':
        out.push(`let ${d.name.name}`, ...pipelineLines(d.pipeline, '  '));
        break;
      case 'Sink':
        out.push(`sink #${++sink} -> ${d.connector.name.name}`, ...pipelineLines(d.pipeline, '  '));
        break;
      case 'Fn':
        out.push(`fn ${d.name.name}: ${d.body.ty ? showType(d.body.ty) : '?'}`);
        break;
      default:
        break;
    }
  }
  return `${out.join('\n')}\n`;
}

function pipelineLines(p: A.Pipeline, indent: string): string[] {
  const lines = [`${indent}${headText(p.head)}${p.alias ? ` as ${p.alias.name}` : ''}  ${describe(p.stream)}`];
  if (p.head.kind === 'Union') for (const input of p.head.inputs) lines.push(...pipelineLines(input, `${indent}    `));
  let prev = p.stream;
  for (const op of p.ops) {
    lines.push(`${indent}| ${opText(op)}  ${describe(op.stream, prev)}`);
    prev = op.stream;
  }
  return lines;
}

function duration(ms: number): string {
  for (const [u, k] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms !== 0 && ms % k === 0) return `${ms / k}${u}`;
  }
  return `${ms}ms`;
}

function headText(h: A.StreamRef): string {
  switch (h.kind) {
    case 'StreamName': return h.name.name;
    case 'Late': return `late(${h.name.name})`;
    case 'Errors': return `errors(${h.name.name})`;
    case 'Union': return `union(${h.inputs.length} inputs)`;
  }
}

function opText(op: A.Op): string {
  switch (op.kind) {
    case 'KeyBy': return 'key by';
    case 'Window': return `window ${op.spec.kind}${op.processingTime ? ' processing time' : ''}`;
    case 'Join': return `join ${headText(op.right)}${op.alias ? ` as ${op.alias.name}` : ''}`;
    case 'Lookup': return `lookup ${op.table.name}${op.keepUnmatched ? ' keep unmatched' : ''}`;
    case 'Unnest': return `unnest ${op.field.name}${op.alias ? ` as ${op.alias.name}` : ''}`;
    default: return op.kind.toLowerCase();
  }
}

/** A stream's row (or `same row` when it is the previous step's) and what else the checker knows. */
function describe(s: StreamInfo | undefined, prev?: StreamInfo): string {
  if (!s) return '(not checked)';
  const row = showRow(s.row);
  const tags = [
    s.keys ? `keyed by ${s.keys.map((k) => `${k.name}: ${showType(k.type)}`).join(', ')}` : undefined,
    s.window ? `window ${s.window.kind} ${duration(s.window.size)}${s.window.every ? ` every ${duration(s.window.every)}` : ''}${s.window.processingTime ? ' processing time' : ''}` : undefined,
    s.eventTime ? undefined : 'no event time',
    s.qualifiers.length ? `qualifiers ${s.qualifiers.map((q) => q.alias).join(', ')}` : undefined,
    s.ambiguous.length ? `ambiguous ${s.ambiguous.join(', ')}` : undefined,
  ].filter((x) => x !== undefined);
  return `${prev && showRow(prev.row) === row ? 'same row' : row}${tags.length ? `  [${tags.join('; ')}]` : ''}`;
}
