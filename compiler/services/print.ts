/** Flow spellings of declarations and type expressions, for hover, completion details and the outline. */
import type * as A from '../phases/1-parse/ast.ts';
import { showRow, showType, type StreamInfo, type Type } from '../../lang/types.ts';
import type { FlowSymbol, SymbolIndex } from './symbols.ts';

/** `{ user: string, at: timestamp }`, `Click?`, `[string]`, as written. */
export function showTypeExpr(t: A.TypeExpr): string {
  switch (t.kind) {
    case 'NamedType': return t.name;
    case 'NullableType': return `${showTypeExpr(t.inner)}?`;
    case 'ListType': return `[${showTypeExpr(t.element)}]`;
    case 'RecordType': return `{ ${t.fields.map((f) => `${f.name.name}: ${showTypeExpr(f.type)}`).join(', ')} }`;
  }
}

/** A record type with one field per line, for hovers of types. */
export function showRecordBlock(fields: { name: string; type: string }[], indent = ''): string {
  if (fields.length === 0) return '{}';
  return `{\n${fields.map((f) => `${indent}  ${f.name}: ${f.type},`).join('\n')}\n${indent}}`;
}

function params(ps: A.ParamDef[]): string {
  return ps.map((p) => `${p.name.name}: ${showTypeExpr(p.type)}`).join(', ');
}

/** The record fields a type expression stands for, following `type` names (one level). */
export function recordFields(t: A.TypeExpr, index: SymbolIndex, seen = new Set<string>()): A.FieldTypeExpr[] | undefined {
  if (t.kind === 'RecordType') return t.fields;
  if (t.kind === 'NamedType' && !seen.has(t.name)) {
    const decl = index.types.get(t.name)?.node as A.DeclOf<'TypeDecl'> | undefined;
    seen.add(t.name);
    return decl ? recordFields(decl.type, index, seen) : undefined;
  }
  return undefined;
}

/** The stream at the end of a pipeline, when the checker has filled it. */
export function pipelineStream(p: A.Pipeline): StreamInfo | undefined {
  return p.ops.length ? p.ops[p.ops.length - 1]!.stream : p.stream;
}

/** One-line signature of a symbol: `source clicks: Click`, `fn f(x: int): int`, `let views`. */
export function signature(s: FlowSymbol): string {
  const n = s.node as { kind?: string };
  switch (s.kind) {
    case 'job': return `job ${s.name}`;
    case 'type': return `type ${s.name} = ${showTypeExpr((n as A.DeclOf<'TypeDecl'>).type)}`;
    case 'param': {
      const d = n as A.DeclOf<'Param'>;
      return `param ${s.name}: ${showTypeExpr(d.type)}`;
    }
    case 'source': return `source ${s.name}: ${showTypeExpr((n as A.DeclOf<'Source'>).type)}`;
    case 'table': {
      const d = n as A.DeclOf<'Table'>;
      return `table ${s.name}: ${showTypeExpr(d.type)} key ${d.key.name}`;
    }
    case 'let': {
      const stream = pipelineStream((n as A.DeclOf<'Let'>).pipeline);
      return stream ? `let ${s.name}: ${showRow(stream.row)}` : `let ${s.name}`;
    }
    case 'fn': case 'extern fn': {
      const d = n as A.DeclOf<'Fn'> | A.DeclOf<'ExternFn'>;
      return `${s.kind} ${s.name}(${params(d.params)}): ${showTypeExpr(d.returnType)}`;
    }
    case 'test': return `test "${s.name}"`;
    case 'field': return `${s.name}: ${showTypeExpr((n as A.FieldTypeExpr).type)}`;
    case 'parameter': return `${s.name}: ${showTypeExpr((n as A.ParamDef).type)}`;
    case 'state': return `state ${s.name}: ${showTypeExpr((n as A.StateDecl).type)}`;
    case 'local': {
      const ty = (n as Extract<A.Stmt, { kind: 'LetStmt' }>).value.ty;
      return ty ? `let ${s.name}: ${showType(ty)}` : `let ${s.name}`;
    }
    case 'alias': return `${s.name} (the row, named)`;
  }
}

/** A short description of a symbol's kind for hover and completion. */
export const kindLabel: Record<FlowSymbol['kind'], string> = {
  job: 'job', type: 'record type', param: 'run-time parameter', source: 'source stream', table: 'lookup table',
  let: 'stream', fn: 'function', 'extern fn': 'TypeScript function', test: 'test', field: 'field',
  parameter: 'function parameter', state: 'keyed state', local: 'local value', alias: 'row alias',
};

/** `file(path: string, format: string = …, follow: bool = …)`. */
export function connectorSignature(spec: { name: string; params: { name: string; type: Type; required: boolean }[] }): string {
  return `${spec.name}(${spec.params.map((p) => `${p.name}: ${showType(p.type)}${p.required ? '' : ' = …'}`).join(', ')})`;
}
