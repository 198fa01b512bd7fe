/**
 * The checker's shared state: the global symbols of a program (across imports) and the
 * diagnostics being collected.
 */
import type * as A from '../1-parse/ast.ts';
import type { Diagnostic, Span, Label } from '../../diagnostics/diagnostic.ts';
import type { RecordType, StreamInfo, Type } from '../../../lang/types.ts';

export interface SourceSymbol {
  decl: A.DeclOf<'Source'>;
  row: RecordType;
  stream: StreamInfo;
}

export interface TableSymbol {
  decl: A.DeclOf<'Table'>;
  row: RecordType;
  keyType: Type;
}

export interface LetSymbol {
  decl: A.DeclOf<'Let'>;
  /** Filled once the let's pipeline is checked; undefined while in progress (cycle detection). */
  stream?: StreamInfo;
  checking?: boolean;
}

export interface FnSymbol {
  decl: A.DeclOf<'Fn'> | A.DeclOf<'ExternFn'>;
  params: { name: string; type: Type }[];
  result: Type;
  /** For extern fns: the resolved module path. */
  module?: string;
}

export interface ParamSymbol {
  decl: A.DeclOf<'Param'>;
  type: Type;
}

export interface TypeSymbol {
  decl: A.DeclOf<'TypeDecl'>;
  type?: Type;
  resolving?: boolean;
}

/** Every top-level name of a program, whatever file declared it. */
export interface Symbols {
  types: Map<string, TypeSymbol>;
  params: Map<string, ParamSymbol>;
  sources: Map<string, SourceSymbol>;
  tables: Map<string, TableSymbol>;
  lets: Map<string, LetSymbol>;
  fns: Map<string, FnSymbol>;
  /** Names of declarations that did not parse: using them reports nothing more. */
  unparsed: Set<string>;
}

export class Checker {
  readonly diagnostics: Diagnostic[] = [];
  /** File → text, for messages that quote the source. */
  private readonly texts = new Map<string, string>();

  constructor(files: readonly A.Program[] = []) {
    for (const f of files) this.texts.set(f.file, f.text);
  }

  /** The source text of a span, on one line (for quoting in a `help:`). */
  text(span: Span): string {
    return (this.texts.get(span.file)?.slice(span.start, span.end) ?? '…').replace(/\s+/g, ' ');
  }
  readonly symbols: Symbols = {
    types: new Map(), params: new Map(), sources: new Map(), tables: new Map(), lets: new Map(), fns: new Map(),
    unparsed: new Set(),
  };

  error(code: string, span: Span, message: string, help?: string, labels?: Label[], notes?: string[]): void {
    this.diagnostics.push({
      code, severity: 'error', span, message,
      ...(help ? { help } : {}), ...(labels?.length ? { labels } : {}), ...(notes?.length ? { notes } : {}),
    });
  }

  warn(code: string, span: Span, message: string, help?: string): void {
    this.diagnostics.push({ code, severity: 'warning', span, message, ...(help ? { help } : {}) });
  }

  /**
   * The `help:` for an unknown global name (a stream, type, table or function), computed once per
   * name: the candidates do not change once declarations are read, and a file that uses one
   * unknown name a thousand times would otherwise compare it a thousand times with every name.
   */
  globalHelp(kind: string, name: string, compute: () => string | undefined): string | undefined {
    const key = `${kind}\0${name}`;
    if (!this.helps.has(key)) this.helps.set(key, compute());
    return this.helps.get(key);
  }

  private readonly helps = new Map<string, string | undefined>();

  /** All stream names (sources and lets), for did-you-mean. */
  streamNames(): string[] {
    return [...this.symbols.sources.keys(), ...this.symbols.lets.keys()];
  }
}
