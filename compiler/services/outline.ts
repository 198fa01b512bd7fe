/** The outline of a file: its declarations, with the fields of record types and the parameters of fns. */
import type * as A from '../phases/1-parse/ast.ts';
import { showRow } from '../../lang/types.ts';
import { showTypeExpr, pipelineStream } from './print.ts';

export type OutlineKind =
  | 'job' | 'import' | 'param' | 'type' | 'field' | 'source' | 'table' | 'let' | 'sink' | 'fn' | 'parameter' | 'state' | 'test';

export interface OutlineSymbol {
  name: string;
  kind: OutlineKind;
  detail: string;
  /** The whole declaration. */
  span: A.Span;
  /** The part to select and reveal: the declared name. */
  selectionSpan: A.Span;
  children: OutlineSymbol[];
}

export function documentSymbols(analysis: { program: A.Program }): OutlineSymbol[] {
  const text = analysis.program.text;
  return analysis.program.decls.map((d) => declSymbol(d, text));
}

function sym(name: string, kind: OutlineKind, detail: string, span: A.Span, selectionSpan: A.Span, children: OutlineSymbol[] = []): OutlineSymbol {
  return { name, kind, detail, span, selectionSpan, children };
}

function fieldSymbols(t: A.TypeExpr): OutlineSymbol[] {
  if (t.kind !== 'RecordType') return [];
  return t.fields.map((f) => sym(f.name.name, 'field', showTypeExpr(f.type), f.span, f.name.span, fieldSymbols(f.type)));
}

function streamRefText(r: A.StreamRef): string {
  switch (r.kind) {
    case 'StreamName': return r.name.name;
    case 'Late': return `late(${r.name.name})`;
    case 'Errors': return `errors(${r.name.name})`;
    case 'Union': return `union(${r.inputs.map((p) => streamRefText(p.head)).join(', ')})`;
  }
}

/** `clicks | where | select`, or the row type once the checker has filled it. */
function pipelineDetail(p: A.Pipeline, text: string): string {
  const stream = pipelineStream(p);
  if (stream) return showRow(stream.row);
  const ops = p.ops.map((o) => text.slice(o.keywordSpan.start, o.keywordSpan.end));
  return [streamRefText(p.head), ...ops].join(' | ');
}

function clip(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function declSymbol(d: A.Decl, text: string): OutlineSymbol {
  switch (d.kind) {
    case 'Job':
      return sym(d.name.name, 'job', 'job', d.span, d.name.span,
        d.settings.map((s) => sym(s.name.name, 'field', clip(text.slice(s.value.span.start, s.value.span.end)), s.span, s.name.span)));
    case 'Import':
      return sym(d.path, 'import', 'import', d.span, d.pathSpan);
    case 'Param':
      return sym(d.name.name, 'param', showTypeExpr(d.type), d.span, d.name.span);
    case 'TypeDecl':
      return sym(d.name.name, 'type', d.type.kind === 'RecordType' ? 'record' : showTypeExpr(d.type), d.span, d.name.span, fieldSymbols(d.type));
    case 'Source':
      return sym(d.name.name, 'source', `${showTypeExpr(d.type)} = ${d.connector.name.name}(…)`, d.span, d.name.span);
    case 'Table':
      return sym(d.name.name, 'table', `${showTypeExpr(d.type)} key ${d.key.name}`, d.span, d.name.span);
    case 'Let': {
      const states = d.pipeline.ops.flatMap((o) => (o.kind === 'Process' ? o.states : []))
        .map((s) => sym(s.name.name, 'state', showTypeExpr(s.type), s.span, s.name.span));
      return sym(d.name.name, 'let', clip(pipelineDetail(d.pipeline, text)), d.span, d.name.span, states);
    }
    case 'Sink':
      return sym(streamRefText(d.pipeline.head), 'sink', `-> ${clip(text.slice(d.connector.span.start, d.connector.span.end))}`,
        d.span, d.pipeline.head.span);
    case 'Fn':
    case 'ExternFn':
      return sym(d.name.name, 'fn', `(${d.params.map((p) => `${p.name.name}: ${showTypeExpr(p.type)}`).join(', ')}): ${showTypeExpr(d.returnType)}`,
        d.span, d.name.span, d.params.map((p) => sym(p.name.name, 'parameter', showTypeExpr(p.type), p.span, p.name.span)));
    case 'Test':
      return sym(d.name, 'test', 'test', d.span, d.nameSpan);
  }
}
