/**
 * Keys of keyed operators in generated code. One key part of a scalar type is the value itself;
 * several scalar parts are interned through a `KeyTable` (nested Maps leading to one tuple per
 * key, no string built per record); only keys holding records or lists (a `dedup` of whole rows)
 * fall back to their JSON text.
 */
import { nonNull, type Type } from '../../../lang/types.ts';

export interface KeyPart {
  js: string;
  type: Type;
}

/** How an operator's key is represented. */
export type KeyShape =
  | { kind: 'none' }
  | { kind: 'value' }
  | { kind: 'table'; arity: number }
  | { kind: 'json'; arity: number };

export function isScalar(t: Type): boolean {
  const k = nonNull(t).kind;
  return k !== 'record' && k !== 'list' && k !== 'error';
}

export function keyShape(types: Type[]): KeyShape {
  if (types.length === 0) return { kind: 'none' };
  if (!types.every(isScalar)) return { kind: 'json', arity: types.length };
  if (types.length === 1) return { kind: 'value' };
  return { kind: 'table', arity: types.length };
}

/** A JS expression giving the key (`table` names the operator's KeyTable). */
export function keyValue(shape: KeyShape, parts: string[], table: string): string {
  switch (shape.kind) {
    case 'none': return '0';
    case 'value': return parts[0]!;
    case 'json': return `rt_key([${parts.join(', ')}])`;
    case 'table':
      if (parts.length === 2) return `${table}.get2(${parts.join(', ')})`;
      if (parts.length === 3) return `${table}.get3(${parts.join(', ')})`;
      return `${table}.get([${parts.join(', ')}])`;
  }
}

/**
 * Statements binding the parts of key `keyVar` (inside fire and timer callbacks); returns the JS
 * expression of each part.
 */
export function keyParts(shape: KeyShape, keyVar: string, out: string[], fresh: () => string): string[] {
  switch (shape.kind) {
    case 'none': return [];
    case 'value': return [keyVar];
    case 'table': return Array.from({ length: shape.arity }, (_, i) => `${keyVar}[${i}]`);
    case 'json': {
      const v = fresh();
      out.push(`const ${v} = rt_unkey(${keyVar});`);
      return Array.from({ length: shape.arity }, (_, i) => `${v}[${i}]`);
    }
  }
}

/** Runtime helpers a key shape needs. */
export function keyUses(shape: KeyShape): string[] {
  return shape.kind === 'json' ? ['rt_key', 'rt_unkey'] : shape.kind === 'table' ? ['KeyTable'] : [];
}
