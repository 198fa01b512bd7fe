/**
 * What an expression reads from its row: plain field names (`page`) and qualified ones
 * (`c.page`), resolved the way the code generator resolves them (locals, then fields, then
 * params, then qualifiers).
 */
import type * as A from '../../1-parse/ast.ts';
import { forEachExpr } from '../../1-parse/walk.ts';

export interface ReadScope {
  /** Fields of the row. */
  fields: ReadonlySet<string>;
  /** Names bound by the expression's context that are not row fields (params, process state, `key`). */
  locals?: ReadonlySet<string>;
  /** Qualifier aliases readable here. */
  qualifiers: ReadonlySet<string>;
}

/** `*` in a read set: the whole row is read (a qualifier used as a record). */
export const WHOLE_ROW = '*';

/** The demanded output fields of a node (compiler/phases/4-fuse/optimize/demand.ts). */
export type Demand = ReadonlySet<string>;

/** Is `field` in the demand (an unknown demand: every field is)? */
export function demands(d: Demand | undefined, field: string): boolean {
  return d === undefined || d.has(WHOLE_ROW) || d.has(field);
}

export function exprReads(e: A.Expr, s: ReadScope, out = new Set<string>()): Set<string> {
  forEachExpr(e, (x) => {
    if (x.kind === 'Name') {
      if (s.locals?.has(x.name)) return;
      if (s.fields.has(x.name)) out.add(x.name);
      else if (s.qualifiers.has(x.name)) out.add(WHOLE_ROW);
      return;
    }
    if (x.kind === 'Member' && x.object.kind === 'Name' && !s.locals?.has(x.object.name) && !s.fields.has(x.object.name) && s.qualifiers.has(x.object.name)) {
      out.add(`${x.object.name}.${x.field.name}`);
      return false;
    }
    return true;
  });
  return out;
}

/** Every bare name an expression mentions (whatever it resolves to). */
export function namesIn(e: A.Expr, out = new Set<string>()): Set<string> {
  forEachExpr(e, (x) => { if (x.kind === 'Name') out.add(x.name); });
  return out;
}
