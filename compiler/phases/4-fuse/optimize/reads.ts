/**
 * What an expression reads from its row: plain field names (`page`) and qualified ones
 * (`c.page`), resolved the way the code generator resolves them (locals, then fields, then
 * params, then qualifiers).
 */
import type * as A from '../../1-parse/ast.ts';

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

export function exprReads(e: A.Expr, s: ReadScope, out = new Set<string>()): Set<string> {
  switch (e.kind) {
    case 'Literal': break;
    case 'Name':
      if (s.locals?.has(e.name)) break;
      if (s.fields.has(e.name)) out.add(e.name);
      else if (s.qualifiers.has(e.name)) out.add(WHOLE_ROW);
      break;
    case 'Member':
      if (e.object.kind === 'Name' && !s.locals?.has(e.object.name) && !s.fields.has(e.object.name) && s.qualifiers.has(e.object.name)) {
        out.add(`${e.object.name}.${e.field.name}`);
      } else exprReads(e.object, s, out);
      break;
    case 'Call': for (const a of e.args) exprReads(a.value, s, out); break;
    case 'Unary': exprReads(e.operand, s, out); break;
    case 'Binary': exprReads(e.left, s, out); exprReads(e.right, s, out); break;
    case 'If': exprReads(e.cond, s, out); exprReads(e.then, s, out); exprReads(e.else, s, out); break;
    case 'Record': for (const i of e.items) exprReads(i.kind === 'Field' ? i.value : i.expr, s, out); break;
    case 'List': for (const i of e.items) exprReads(i, s, out); break;
  }
  return out;
}

/** Every bare name an expression mentions (whatever it resolves to). */
export function namesIn(e: A.Expr, out = new Set<string>()): Set<string> {
  switch (e.kind) {
    case 'Literal': break;
    case 'Name': out.add(e.name); break;
    case 'Member': namesIn(e.object, out); break;
    case 'Call': for (const a of e.args) namesIn(a.value, out); break;
    case 'Unary': namesIn(e.operand, out); break;
    case 'Binary': namesIn(e.left, out); namesIn(e.right, out); break;
    case 'If': namesIn(e.cond, out); namesIn(e.then, out); namesIn(e.else, out); break;
    case 'Record': for (const i of e.items) namesIn(i.kind === 'Field' ? i.value : i.expr, out); break;
    case 'List': for (const i of e.items) namesIn(i, out); break;
  }
  return out;
}
