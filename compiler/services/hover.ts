/** Hover: what the name, call or keyword under the cursor is. */
import type { Span } from '../phases/1-parse/ast.ts';
import { builtinByName, aggregateByName } from '../../lang/builtins.ts';
import { allKeywords } from '../../lang/keywords.ts';
import { showRow, showType } from '../../lang/types.ts';
import { symbolIndex, occurrenceAt, contains, type AnalysisLike, type FlowSymbol, type Occurrence, type SymbolIndex } from './symbols.ts';
import { signature, kindLabel, recordFields, showTypeExpr, showRecordBlock, pipelineStream, connectorSignature } from './print.ts';
import { connectorSpecs } from '../phases/2-check/connectors.ts';
import { inCommentOrString } from './context.ts';
import { keywordDocs, typeDocs, processNames, windowFields } from './keyword-docs.ts';
import type * as A from '../phases/1-parse/ast.ts';

export interface HoverInfo {
  /** The text the hover is about. */
  span: Span;
  /** Markdown. */
  markdown: string;
}

const code = (text: string) => `\`\`\`flow\n${text}\n\`\`\``;

/** The hover for the position `offset` of the analysed file, if there is anything to say. */
export function hover(analysis: AnalysisLike, offset: number): HoverInfo | undefined {
  const index = symbolIndex(analysis);
  const occ = occurrenceAt(index, offset);
  if (occ) {
    const markdown = occurrenceHover(occ, index);
    if (markdown) return { span: occ.span, markdown };
  }
  return keywordHover(index, offset) ?? exprTypeHover(index, offset);
}

function occurrenceHover(occ: Occurrence, index: SymbolIndex): string | undefined {
  if (occ.builtin) return functionHover(occ.name, occ.builtin, occ.expr);
  if (occ.connector) return connectorHover(occ);
  if (occ.symbol) return symbolHover(occ.symbol, index, occ.expr);
  const ty = occ.expr?.ty;
  if (occ.role === 'field' && occ.row) {
    const f = occ.row.row.fields.find((x) => x.name === occ.name);
    if (f) return `${code(`${f.name}: ${showType(f.type)}`)}\nfield of the row`;
  }
  if (occ.role === 'type' && typeDocs[occ.name]) return `${code(occ.name)}\n${typeDocs[occ.name]}`;
  if (occ.role === 'value' && processNames[occ.name]) return `${code(occ.name)}\n${processNames[occ.name]}`;
  if (occ.role === 'field' && windowFields[occ.name]) return `${code(`${occ.name}: timestamp`)}\n${windowFields[occ.name]}`;
  if (ty) return code(`${occ.name}: ${showType(ty)}`);
  return undefined;
}

function functionHover(name: string, kind: 'builtin' | 'aggregate', call: A.Expr | undefined): string {
  const b = builtinByName.get(name);
  const a = aggregateByName.get(name);
  const first = kind === 'aggregate' ? a : b;
  const other = kind === 'aggregate' ? b : a;
  const parts = [code(first!.signature), `${kind === 'aggregate' ? '(aggregate) ' : ''}${first!.doc}`];
  if (other) parts.push(`Also ${kind === 'aggregate' ? 'a scalar function' : 'an aggregate'}: \`${other.signature}\``);
  if (call?.ty) parts.push(`Here: \`${showType(call.ty)}\``);
  return parts.join('\n\n');
}

function connectorHover(occ: Occurrence): string | undefined {
  const spec = connectorSpecs.find((c) => c.name === occ.connector);
  if (!spec) return undefined;
  if (occ.role === 'connector') {
    const params = spec.params.map((p) => `- \`${p.name}: ${showType(p.type)}\`${p.required ? '' : ' (optional)'}: ${p.doc}${p.oneOf ? ` (${p.oneOf.map((v) => `"${v}"`).join(', ')})` : ''}`);
    return [code(connectorSignature(spec)), `${spec.doc} Usable as ${spec.roles.join(', ')}.`, ...(params.length ? [params.join('\n')] : [])].join('\n\n');
  }
  const p = spec.params.find((x) => x.name === occ.name);
  return p ? `${code(`${p.name}: ${showType(p.type)}`)}\n\nargument of \`${spec.name}\`: ${p.doc}` : undefined;
}

function symbolHover(s: FlowSymbol, index: SymbolIndex, expr: A.Expr | undefined): string {
  const parts: string[] = [];
  switch (s.kind) {
    case 'type': {
      const d = s.node as A.DeclOf<'TypeDecl'>;
      const fields = recordFields(d.type, index);
      parts.push(code(fields ? `type ${s.name} = ${showRecordBlock(fields.map((f) => ({ name: f.name.name, type: showTypeExpr(f.type) })))}` : signature(s)));
      break;
    }
    case 'source':
    case 'table': {
      const d = s.node as A.DeclOf<'Source'> | A.DeclOf<'Table'>;
      parts.push(code(signature(s)));
      const fields = d.type.kind === 'NamedType' ? recordFields(d.type, index) : undefined;
      if (fields) parts.push(`${code(`${showTypeExpr(d.type)} = ${showRecordBlock(fields.map((f) => ({ name: f.name.name, type: showTypeExpr(f.type) })))}`)}`);
      break;
    }
    case 'let': {
      const stream = pipelineStream((s.node as A.DeclOf<'Let'>).pipeline);
      parts.push(code(stream ? `let ${s.name}: ${showRow(stream.row)}` : `let ${s.name}`));
      if (stream) {
        const extra = [stream.kind === 'updating' ? 'updating' : 'append-only'];
        if (stream.keys?.length) extra.push(`keyed by ${stream.keys.map((k) => k.name).join(', ')}`);
        if (stream.window) extra.push(`${stream.window.kind} window`);
        parts.push(extra.join(', '));
      }
      break;
    }
    case 'field':
      parts.push(code(signature(s)));
      if (s.parent) parts.push(`field of \`${s.parent.name}\``);
      return parts.join('\n\n');
    default:
      parts.push(code(signature(s)));
  }
  parts.push(`${kindLabel[s.kind]}${s.kind === 'param' ? ' (set with `--param`)' : ''}`);
  if (expr?.ty && s.kind !== 'let') parts.push(`Here: \`${showType(expr.ty)}\``);
  return parts.join('\n\n');
}

function wordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && /\w/.test(text[start - 1]!)) start--;
  while (end < text.length && /\w/.test(text[end]!)) end++;
  return start < end ? { word: text.slice(start, end), start, end } : undefined;
}

const keywordSet = new Set(allKeywords);

function keywordHover(index: SymbolIndex, offset: number): HoverInfo | undefined {
  const w = wordAt(index.program.text, offset);
  if (!w || !keywordSet.has(w.word) || inCommentOrString(index.program.text, w.start)) return undefined;
  const span: Span = { file: index.program.file, start: w.start, end: w.end };
  const op = index.ops.find((o) => contains(o.keywordSpan, offset));
  const parts: string[] = [];
  const doc = keywordDocs[w.word];
  if (doc) parts.push(doc);
  if (op?.stream) parts.push(`Rows after \`${index.program.text.slice(op.keywordSpan.start, op.keywordSpan.end)}\`:\n${code(showRow(op.stream.row))}`);
  return parts.length ? { span, markdown: parts.join('\n\n') } : undefined;
}

/** The type of the innermost typed expression at the offset (once the checker fills `ty`). */
function exprTypeHover(index: SymbolIndex, offset: number): HoverInfo | undefined {
  let best: A.Expr | undefined;
  for (const e of index.exprs) {
    if (!e.ty || !contains(e.span, offset, false)) continue;
    if (!best || e.span.end - e.span.start < best.span.end - best.span.start) best = e;
  }
  return best?.ty ? { span: best.span, markdown: code(showType(best.ty)) } : undefined;
}
