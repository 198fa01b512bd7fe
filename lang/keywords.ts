/**
 * The words of the Flow language. `reserved` words can never be identifiers; `contextual`
 * words are keywords only where the grammar expects them (so a JSON field called `state`,
 * `source` or `time` stays usable) but cannot name a declaration.
 * lang/flow.ohm, the TextMate grammar and the editor completion all follow this list; a test
 * checks that they agree.
 */
export const reservedKeywords = ['if', 'then', 'else', 'and', 'or', 'not', 'true', 'false', 'null'] as const;

export const declarationKeywords = [
  'job', 'import', 'param', 'type', 'source', 'table', 'let', 'sink', 'fn', 'extern', 'from', 'test',
] as const;

export const operatorKeywords = [
  'where', 'select', 'extend', 'unnest', 'key', 'by', 'window', 'tumbling', 'sliding', 'every', 'session',
  'processing', 'aggregate', 'top', 'asc', 'desc', 'with', 'ties', 'dedup', 'within', 'join', 'on',
  'lookup', 'keep', 'unmatched', 'process', 'as', 'union', 'late', 'errors', 'event', 'time', 'watermark',
] as const;

export const processKeywords = ['state', 'record', 'timer', 'emit', 'clear'] as const;

export const testKeywords = ['given', 'expect', 'in', 'order', 'advance', 'to'] as const;

export const typeNames = ['bool', 'int', 'float', 'string', 'timestamp', 'duration'] as const;

/** Every keyword, reserved or contextual. */
export const allKeywords: readonly string[] = [
  ...reservedKeywords, ...declarationKeywords, ...operatorKeywords, ...processKeywords, ...testKeywords,
];
