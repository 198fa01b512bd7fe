/**
 * `extern fn NAME(…): R from "./udfs.ts"`: reads the exported TypeScript signature with ts-morph
 * and checks that it matches the Flow declaration (int/float/timestamp/duration ↔ number,
 * string, bool ↔ boolean, T? ↔ T | null, [T] ↔ T[]).
 */
import type { Project, Type as TsType } from 'ts-morph';
import { tsMorph } from '../../lazy-ts-morph.ts';
import type * as A from '../1-parse/ast.ts';
import type { Checker } from './context.ts';
import { showType, type Type } from '../../../lang/types.ts';

/** Finds an extern module: its resolved path and text, or undefined when it does not exist. */
export type ExternReader = (fromFile: string, spec: string) => { path: string; text: string } | undefined;

let project: Project | undefined;
let modules = 0;

/** Returns the resolved module path when the declaration is usable. */
export function checkExtern(
  c: Checker, decl: A.DeclOf<'ExternFn'>, params: { name: string; type: Type }[], result: Type, read?: ExternReader,
): string | undefined {
  if (!/\.(ts|mts|js|mjs)$/.test(decl.from)) {
    c.error('F1801', decl.fromSpan, 'an extern module must be a .ts or .js file', 'for example `from "./udfs.ts"`');
    return undefined;
  }
  if (!read) return decl.from;
  const mod = read(decl.span.file, decl.from);
  if (!mod) {
    c.error('F1802', decl.fromSpan, `cannot find the module "${decl.from}"`, 'the path is relative to this .flow file');
    return undefined;
  }
  // ts-morph is loaded here, the first time a file declares an extern fn (lazy-ts-morph.ts).
  const { Project: TsProject, Node } = tsMorph();
  project ??= new TsProject({ useInMemoryFileSystem: true, compilerOptions: { strict: true, allowJs: true } });
  const js = /\.m?js$/.test(decl.from);
  const sf = project.createSourceFile(`/extern/m${++modules}.${js ? 'js' : 'ts'}`, mod.text, { overwrite: true });
  try {
    const exported = sf.getExportedDeclarations().get(decl.name.name)?.[0];
    let sig;
    if (exported && Node.isFunctionDeclaration(exported)) sig = exported.getSignature();
    else if (exported && Node.isVariableDeclaration(exported)) sig = exported.getType().getCallSignatures()[0];
    if (!sig) {
      const names = [...sf.getExportedDeclarations().keys()];
      c.error('F1803', decl.name.span, `"${decl.from}" exports no function \`${decl.name.name}\``,
        names.length ? `it exports ${names.map((n) => `\`${n}\``).join(', ')}` : 'export it: `export function name(…) { … }`');
      return undefined;
    }
    const tsParams = sig.getParameters().map((p) => ({ name: p.getName(), type: p.getTypeAtLocation(sf) }));
    if (js) {
      if (tsParams.length !== params.length) {
        c.error('F1804', decl.span, `\`${decl.name.name}\` in "${decl.from}" takes ${tsParams.length} parameter${tsParams.length === 1 ? '' : 's'}, the declaration ${params.length}`,
          'declare the same parameters as the JavaScript function');
        return undefined;
      }
      c.warn('W1801', decl.fromSpan, `"${decl.from}" is JavaScript, so the types of \`${decl.name.name}\` cannot be checked`,
        'write the module in TypeScript (`.ts`) to have its signature checked against the declaration');
      return mod.path;
    }
    const tsResult = sig.getReturnType();
    const tsText = `(${tsParams.map((p) => `${p.name}: ${p.type.getText()}`).join(', ')}) => ${tsResult.getText()}`;
    const flowText = `(${params.map((p) => `${p.name}: ${showType(p.type)}`).join(', ')}): ${showType(result)}`;
    const problems: string[] = [];
    if (tsParams.length !== params.length) problems.push(`it takes ${tsParams.length} parameter(s), the declaration ${params.length}`);
    params.forEach((p, i) => {
      const tp = tsParams[i];
      if (tp && !matches(p.type, tp.type)) problems.push(`parameter ${i + 1} is \`${tp.type.getText()}\` in TypeScript, \`${showType(p.type)}\` in Flow`);
    });
    if (!matches(result, tsResult)) problems.push(`it returns \`${tsResult.getText()}\`, the declaration says \`${showType(result)}\``);
    if (problems.length) {
      c.error('F1804', decl.span, `the TypeScript signature of \`${decl.name.name}\` does not match its declaration`,
        `expected ${expectedTs(params, result)}`, undefined,
        [`Flow:       fn ${decl.name.name}${flowText}`, `TypeScript: ${decl.name.name}${tsText}`, ...problems]);
      return undefined;
    }
    return mod.path;
  } finally {
    project.removeSourceFile(sf);
  }
}

function matches(t: Type, ts: TsType): boolean {
  if (t.kind === 'nullable') {
    if (!ts.isUnion()) return false;
    const parts = ts.getUnionTypes();
    const nonNullParts = parts.filter((p) => !p.isNull() && !p.isUndefined());
    if (nonNullParts.length === parts.length) return false;
    if (t.inner.kind === 'bool') return nonNullParts.every((p) => p.isBoolean() || p.isBooleanLiteral());
    return nonNullParts.length === 1 && matches(t.inner, nonNullParts[0]!);
  }
  switch (t.kind) {
    case 'int': case 'float': case 'timestamp': case 'duration': return ts.isNumber();
    case 'string': return ts.isString();
    case 'bool': return ts.isBoolean();
    case 'list': return ts.isArray() && matches(t.element, ts.getArrayElementTypeOrThrow());
    default: return false;
  }
}

function tsOf(t: Type): string {
  switch (t.kind) {
    case 'nullable': return `${tsOf(t.inner)} | null`;
    case 'list': return `${t.element.kind === 'nullable' ? `(${tsOf(t.element)})` : tsOf(t.element)}[]`;
    case 'bool': return 'boolean';
    case 'string': return 'string';
    default: return 'number';
  }
}

function expectedTs(params: { name: string; type: Type }[], result: Type): string {
  return `\`(${params.map((p) => `${p.name}: ${tsOf(p.type)}`).join(', ')}) => ${tsOf(result)}\``;
}
