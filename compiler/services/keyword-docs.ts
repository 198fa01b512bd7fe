/** Short documentation of keywords and primitive types, for hover and completion (lang/reference.md). */
import { steps } from '../../lang/steps.ts';

export const keywordDocs: Readonly<Record<string, string>> = {
  // declarations
  job: '`job NAME { setting: value, … }`: at most one; settings `checkpoint_interval`, `checkpoint_dir`, `parallelism`.',
  import: '`import "other.flow"`: brings in that file\'s types, params, fns, sources and lets.',
  param: '`param NAME: T = default`: a value set at run time with `--param NAME=value`.',
  type: '`type Name = { … }`: a record type.',
  source: '`source NAME: T = connector(args) [event time EXPR [watermark DURATION]]`: an input stream.',
  table: '`table NAME: T = connector(args) key FIELD`: a bounded input loaded before the job starts, for `lookup`.',
  let: '`let NAME = PIPELINE`: a named stream.',
  sink: '`sink PIPELINE -> connector(args)`: an output.',
  fn: '`fn NAME(p: T, …): R = EXPR`: a pure function.',
  extern: '`extern fn NAME(p: T, …): R from "./udfs.ts"`: a TypeScript function, bundled into the job.',
  test: '`test "name" { given S = [records] … expect L == [records] }`: run by `flowc test`.',
  // pipeline steps (lang/steps.ts)
  ...Object.fromEntries(steps.map((st) => [st.keyword, st.doc])),
  union: '`union(a, b, …)`: the rows of several streams of the same type.',
  late: '`late(L)`: the rows that arrived after every window of `L` had fired.',
  errors: '`errors(S)`: the input of source `S` that did not parse or match its type, as `{ source, position, raw, error }`.',
  // process
  state: '`state NAME: T = INIT`: per-key state, part of every checkpoint.',
  emit: '`emit { … }`: outputs a row.',
  timer: '`timer T`: sets an event-time timer for this key; `on timer` runs when the watermark passes it.',
  clear: '`clear`: resets this key\'s state.',
  // tests
  given: '`given S = [records]`: replaces source `S` with these records.',
  expect: '`expect L [in order] == [records]`: compares the whole output of `L` (as a multiset unless `in order`).',
  advance: '`advance watermark to T`: moves the watermark in a test.',
};

export const typeDocs: Readonly<Record<string, string>> = {
  bool: '`true` or `false`.',
  int: 'An integer within ±2^53; widens to `float`.',
  float: 'An IEEE double.',
  string: 'Text; `+` concatenates.',
  timestamp: 'Milliseconds since the Unix epoch, UTC; literals like `@2024-05-01T10:00:00Z`.',
  duration: 'Milliseconds; literals like `250ms 5s 10m 2h 1d`.',
};

/** Names a `process` block sees besides its state. */
export const processNames: Readonly<Record<string, string>> = {
  key: 'The key fields of the current row: `key.sensor`.',
  timer_time: 'In `on timer`: the time the timer was set for.',
};

/** Fields every aggregate output row has. */
export const windowFields: Readonly<Record<string, string>> = {
  window_start: 'Start of the window (inclusive).',
  window_end: 'End of the window (exclusive).',
};
