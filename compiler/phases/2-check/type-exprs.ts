/** Resolves written types (`string?`, `[int]`, `{ a: T }`, names) to semantic types. */
import type * as A from '../1-parse/ast.ts';
import type { Checker } from './context.ts';
import { T, type Type, type Field } from '../../../lang/types.ts';
import { typeNames } from '../../../lang/keywords.ts';
import { unknownNameHelp } from '../../diagnostics/suggest.ts';

/** Names of the types being resolved, outermost first, to name a cycle. */
const resolving: string[] = [];

export function resolveTypeExpr(c: Checker, t: A.TypeExpr): Type {
  switch (t.kind) {
    case 'NullableType': {
      const inner = resolveTypeExpr(c, t.inner);
      if (inner.kind === 'nullable') c.warn('W1001', t.span, 'a type marked `?` twice is the same as once');
      return T.nullable(inner);
    }
    case 'ListType':
      return T.list(resolveTypeExpr(c, t.element));
    case 'RecordType': {
      const fields: Field[] = [];
      for (const f of t.fields) {
        if (fields.some((x) => x.name === f.name.name)) {
          c.error('F1001', f.name.span, `field \`${f.name.name}\` is declared twice`);
          continue;
        }
        fields.push({ name: f.name.name, type: resolveTypeExpr(c, f.type) });
      }
      return T.record(fields);
    }
    case 'NamedType': {
      if ((typeNames as readonly string[]).includes(t.name)) return { kind: t.name } as Type;
      const sym = c.symbols.types.get(t.name);
      if (!sym && c.symbols.unparsed.has(t.name)) return T.error;
      if (!sym) {
        c.error('F1002', t.span, `unknown type \`${t.name}\``,
          c.globalHelp('types', t.name, () => unknownNameHelp(t.name, [...typeNames, ...c.symbols.types.keys()], 'types')));
        return T.error;
      }
      if (sym.type) return sym.type;
      if (sym.resolving) {
        const cycle = [...resolving.slice(resolving.indexOf(t.name)), t.name];
        c.error('F1003', t.span, `type \`${t.name}\` refers to itself${cycle.length > 2 ? ` (${cycle.join(' → ')})` : ''}`,
          'record types cannot be recursive: use a list of ids, or nest a fixed number of levels', [
            { span: sym.decl.name.span, message: 'declared here' },
          ]);
        return T.error;
      }
      sym.resolving = true;
      resolving.push(t.name);
      const resolved = resolveTypeExpr(c, sym.decl.type);
      resolving.pop();
      sym.resolving = false;
      sym.type = resolved.kind === 'record' ? { ...resolved, name: t.name } : resolved;
      return sym.type;
    }
  }
}
