/**
 * Type-checks generated TypeScript against the runtime's own types: a ts-morph Project where the
 * module `flowc:runtime` is the repository's runtime/index.ts. Each generated module is placed
 * (in memory) next to its .flow file, so relative extern fn imports resolve.
 */
import { Project, ts } from 'ts-morph';
import { dirname, join } from 'node:path';
import { repoRoot } from './helpers.ts';

let project: Project | undefined;

function getProject(): Project {
  project ??= new Project({
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts'],
      types: ['node'],
      typeRoots: [join(repoRoot, 'node_modules/@types')],
      strict: true,
      noImplicitOverride: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      paths: { 'flowc:runtime': [join(repoRoot, 'runtime/index.ts')] },
    },
  });
  return project;
}

/** Diagnostics of generated modules, rendered one per line (empty when they type-check). */
export function typecheckGenerated(modules: { flowFile: string; code: string; name: string }[]): string[] {
  const p = getProject();
  const files = modules.map((m) => p.createSourceFile(join(dirname(m.flowFile), `__flowc_typecheck_${m.name}.ts`), m.code, { overwrite: true }));
  const out: string[] = [];
  try {
    for (const f of files) {
      for (const d of f.getPreEmitDiagnostics()) {
        const m = d.getMessageText();
        const msg = typeof m === "string" ? m : ts.flattenDiagnosticMessageText(m.compilerObject, "\n");
        const where = d.getSourceFile() ? `${d.getSourceFile()!.getBaseName()}:${d.getLineNumber()}` : '';
        const line = d.getSourceFile() && d.getLineNumber() ? d.getSourceFile()!.getFullText().split('\n')[d.getLineNumber()! - 1]?.trim() : '';
        out.push(`${where}: ${msg}${line ? `\n    ${line}` : ''}`);
      }
    }
  } finally {
    for (const f of files) p.removeSourceFile(f);
  }
  return out;
}
