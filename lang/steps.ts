/**
 * The catalogue of pipeline steps (the operators written after `|`): each step's keyword, the
 * words it uses, the form syntax errors show, and the documentation hover and completion show.
 * Syntax errors (compiler/phases/1-parse/syntax-errors.ts), completion and hover
 * (compiler/services/), and the TextMate grammar test (vscode-extension/test/grammar.test.ts)
 * all read this one list; lang/reference.md documents each step in full.
 */
export interface Step {
  /** The word that starts the step (`key` for `key by`). */
  keyword: string;
  /** How messages name the step: `key by`. */
  name: string;
  /** Every keyword the step's syntax uses, its first word included. */
  words: readonly string[];
  /** The syntax, as a syntax error shows it. */
  form: string;
  /** One paragraph for hover and completion. */
  doc: string;
}

export const steps: readonly Step[] = [
  { keyword: 'where', name: 'where', words: ['where'], form: '`where CONDITION`', doc: '`where COND`: keeps the rows where `COND` is true.' },
  { keyword: 'select', name: 'select', words: ['select'], form: '`select { field: EXPR, … }`', doc: '`select { … }`: projects and computes a new record; the row\'s event time is kept.' },
  { keyword: 'extend', name: 'extend', words: ['extend'], form: '`extend { field: EXPR, … }`', doc: '`extend { … }`: adds or replaces fields.' },
  { keyword: 'unnest', name: 'unnest', words: ['unnest', 'as'], form: '`unnest FIELD [as NAME]`', doc: '`unnest F [as G]`: one row per element of the list field `F`.' },
  { keyword: 'key', name: 'key by', words: ['key', 'by'], form: '`key by FIELD, …`', doc: '`key by F1, F2`: partitions by the fields (a shuffle).' },
  {
    keyword: 'window', name: 'window', words: ['window', 'tumbling', 'sliding', 'every', 'session', 'processing', 'time'],
    form: '`window tumbling D`, `window sliding D every S` or `window session GAP`, each optionally followed by `processing time`',
    doc: '`window tumbling D` / `sliding D every S` / `session GAP` [`processing time`]: event-time windows.',
  },
  {
    keyword: 'aggregate', name: 'aggregate', words: ['aggregate'], form: '`aggregate { name: EXPR, … }`',
    doc: '`aggregate { name: EXPR, … }`: one row per key and window: key fields, `window_start`, `window_end`, then the aggregates.',
  },
  {
    keyword: 'top', name: 'top', words: ['top', 'by', 'asc', 'desc', 'with', 'ties'], form: '`top N by EXPR [asc|desc] [with ties]`',
    doc: '`top N by EXPR [asc|desc] [with ties]`: the N best rows per key and window, plus `rank: int`.',
  },
  {
    keyword: 'dedup', name: 'dedup', words: ['dedup', 'by', 'within'], form: '`dedup [by FIELD, …] within D`',
    doc: '`dedup [by F, …] within D`: the first row per key seen within `D` of event time.',
  },
  {
    keyword: 'join', name: 'join', words: ['join', 'as', 'on', 'and', 'within', 'window', 'tumbling'],
    form: '`join STREAM [as NAME] on A == B [and …] within D` (or `window tumbling D` instead of `within D`)',
    doc: '`join S [as s] on EQ … within D` (interval join) or `… window tumbling D` (window join).',
  },
  {
    keyword: 'lookup', name: 'lookup', words: ['lookup', 'as', 'on', 'keep', 'unmatched'], form: '`lookup TABLE [as NAME] on EXPR == NAME.KEY [keep unmatched]`',
    doc: '`lookup T [as t] on EXPR == t.KEY [keep unmatched]`: enriches rows from a table.',
  },
  {
    keyword: 'process', name: 'process', words: ['process', 'state', 'on', 'record', 'timer', 'emit', 'clear'],
    form: '`process { state NAME: TYPE = INIT … on record { … } on timer { … } }`',
    doc: '`process { state …; on record { … }; on timer { … } }`: explicit keyed state and timers.',
  },
];

export const stepByKeyword: ReadonlyMap<string, Step> = new Map(steps.map((s) => [s.keyword, s]));

/** `where, select, …, lookup or process`: the steps as a message lists them. */
export const stepList = `${steps.slice(0, -1).map((s) => s.name).join(', ')} or ${steps[steps.length - 1]!.name}`;
