/**
 * The diagnostic catalogue: every code flowc can report, with a title, an explanation and an
 * example that triggers it. `flowc explain-error`, the reference doc and the tests read it.
 */
export interface CatalogueEntry {
  code: string;
  title: string;
  explanation: string;
  example?: string;
}

export const diagnosticCatalogue: CatalogueEntry[] = [
  { code: 'F0001', title: 'expected a declaration', explanation: 'A .flow file is a list of declarations (job, import, param, type, source, table, let, sink, fn, extern fn, test). Something else stands at the top level.', example: 'lett x = clicks' },
  { code: 'F0002', title: 'syntax error', explanation: 'The parser expected something else at this position; the message names what it expected.', example: 'let x = clicks | wher page != ""' },
];
