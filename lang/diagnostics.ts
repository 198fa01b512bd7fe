/**
 * The diagnostic catalogue: every code flowc can report, with a title, an explanation and an
 * example that triggers it. `flowc explain-error`, the reference doc and the tests read it; a
 * test checks that every code the compiler emits is here, that every example gives its code, and
 * that a fixture in test/fixtures/check-errors covers each code.
 *
 * Codes by phase: F0xxx parse, F1xxx check (F10 declarations, F11 expressions, F12 names,
 * F13 calls, F14 streams and operators, F15 process, F16 connectors, F17 tests, F18 extern fn),
 * F9xxx internal errors (always a bug in flowc); W… warnings.
 */
export interface CatalogueEntry {
  code: string;
  title: string;
  explanation: string;
  /** A complete .flow file that gives this diagnostic. */
  example?: string;
  /** Other files the example needs (an imported .flow, an extern module), by name. */
  files?: Record<string, string>;
}

const click = `type Click = { user: string, page: string, ms: int, referrer: string?, at: timestamp }
source clicks: Click = file("clicks.jsonl") event time at watermark 5s`;

const e = (code: string, title: string, explanation: string, example?: string, files?: Record<string, string>): CatalogueEntry =>
  ({ code, title, explanation: explanation.replace(/\s*\n\s*/g, ' ').trim(), ...(example ? { example } : {}), ...(files ? { files } : {}) });

export const diagnosticCatalogue: CatalogueEntry[] = [
  // ---------------------------------------------------------------- F0: parse
  e('F0001', 'expected a declaration', `A .flow file is a list of declarations, each starting with its keyword: job, import,
    param, type, source, table, let, sink, fn, extern fn or test. Something else stands where a new declaration should
    begin — often a misspelt keyword, or a stream written without \`let\`.`, 'lett views = clicks'),
  e('F0002', 'syntax error', `The parser expected something else at this position; the message says what it expected
    and what it found, and the help line shows the form of the declaration or operator being written. Flow writes
    \`and\`, \`or\`, \`not\` (not \`&&\`, \`||\`, \`!\`), compares with \`==\` and separates record fields with commas.`,
    `${click}\nlet views = clicks\n  | wher page != ""`),
  e('F0003', 'unknown escape in a string', `Inside a string, a backslash starts an escape: \\" \\\\ \\n \\t \\r or
    \\u{1F600} (a Unicode code point in hex). Any other letter after a backslash is an error; write \\\\ for a
    backslash itself.`, `${click}\nsink clicks | select { path: "C:\\data" } -> stdout()`),
  e('F0004', 'invalid timestamp', `A timestamp literal is an ISO 8601 instant after \`@\`: a date, optionally a time
    with seconds, a fraction and an offset (\`@2024-05-01T10:00:00.5+02:00\`). The date must exist (no February 30)
    and the time must be within the day.`, `${click}\nsink clicks | where at > @2024-02-30T00:00:00Z -> stdout()`),
  e('F0005', 'integer out of range', `An \`int\` is exact only within ±2^53 (±9007199254740991), the integers a
    JavaScript number holds exactly. Write a float (\`1e18\`) for larger magnitudes.`,
  `${click}\nsink clicks | where ms < 99999999999999999 -> stdout()`),
  e('F0006', 'only a function name can be called', `A call is a function name followed by arguments in parentheses:
    \`lower(page)\`. Values have no methods, and an expression cannot be called: pass the value as the first argument
    of a function instead.`, `${click}\nsink clicks | select { p: page.toLowerCase() } -> stdout()`),
  e('F0007', 'a record field needs a name', `In a record \`{ … }\`, a field is \`name: expression\`; the short form
    \`{ page }\` (or \`{ c.page }\`) works only for a plain field, whose name it takes. A computed value needs a name.`,
  `${click}\nsink clicks | select { user, lower(page) } -> stdout()`),
  e('F0008', 'nested too deeply', `Brackets nested more than 256 deep, or an expression nested more than 1000
    levels, are refused so that no input can exhaust the compiler's stack. Split such an expression with \`fn\`
    declarations or intermediate steps.`, `let x = clicks | where ${'('.repeat(300)}true${')'.repeat(300)}`),
  e('F0009', 'number out of range', `A float literal beyond the largest IEEE double (about 1.8e308) would be infinite,
    and a duration longer than 2^53 milliseconds cannot be represented exactly.`,
  `${click}\nsink clicks | select { huge: 1e400 } -> stdout()`),
  e('F0010', 'unclosed string', `A string must end with \`"\` on the line where it starts; Flow has no multi-line
    strings. Write \`\\n\` for a line break inside a string.`, `${click}\nsink clicks | where page == "/home -> stdout()`),
  e('F0011', 'unclosed comment', 'A block comment that starts with `/*` must end with `*/`.', `/* unfinished\n${click}`),
  e('F0012', 'malformed number or duration', `Numbers are written \`42\`, \`1_000\`, \`3.5\` or \`1e6\`; durations are a
    whole number and one unit: \`250ms\`, \`5s\`, \`10m\`, \`2h\`, \`1d\`. A fraction of a unit (\`1.5m\`) is written in a
    smaller unit (\`90s\`).`, `${click}\nlet x = clicks | window tumbling 1.5m | aggregate { n: count() }\nsink x -> stdout()`),
  e('F0014', 'declaration too long', `A single declaration longer than 100,000 characters is refused: the parser's time
    and memory grow faster than linearly with the length of one declaration, and nothing written by hand comes near
    it. Split long test data into several tests, and long expressions into \`fn\` declarations or several steps.
    (A test block of about a thousand rows is this long.)`),
  e('F0013', 'chained comparison', `Comparisons do not chain: \`a < b < c\` would compare a bool with \`c\`. Write
    \`a < b and b < c\`.`, `${click}\nsink clicks | where 100 < ms < 1000 -> stdout()`),

  // ---------------------------------------------------------------- F10: declarations
  e('F1001', 'field declared twice', 'A record type names each field once.', 'type Click = { user: string, user: int }'),
  e('F1002', 'unknown type', `A type is one of \`bool int float string timestamp duration\`, \`T?\`, \`[T]\`, a record
    \`{ f: T, … }\` or the name of a \`type\` declaration (in this file or an imported one). Names are case-sensitive.`,
  'type Click = { user: strng }'),
  e('F1003', 'recursive type', `A record type cannot contain itself, directly or through other types: every value
    must have a finite, known shape. Use a list of ids, or nest a fixed number of levels.`,
  'type Node = { value: int, next: Node? }'),
  e('F1004', 'param must be a scalar', `A param is set on the command line (\`--param NAME=VALUE\`), so its type is a
    scalar: bool, int, float, string, timestamp, duration, or one of them nullable.`, 'param names: [string]'),
  e('F1005', 'event time must be a timestamp', `The \`event time\` expression places each row in time; it must give a
    non-null \`timestamp\`. Declare the field \`timestamp\` (inputs may hold ISO 8601 text or epoch milliseconds), or
    give rows without a time a default with \`??\`.`,
  'type E = { id: int, ts: int }\nsource es: E = file("e.jsonl") event time ts'),
  e('F1006', 'watermark delay must be a constant duration', `\`watermark D\` is how long the source waits for rows that
    arrive out of order; it is a constant duration of zero or more, written as a literal like \`5s\`.`,
  'type E = { at: timestamp }\nsource es: E = file("e.jsonl") event time at watermark 5'),
  e('F1007', 'keyword used as a name', `Declarations, parameters and states cannot be named with a keyword or a builtin
    type name (\`let\`, \`window\`, \`if\`, \`int\`, …). Record fields may use keywords (\`state\`, \`time\`, \`key\`…), so
    JSON data with such fields stays readable.`, `${click}\nlet window = clicks\nsink window -> stdout()`),
  e('F1008', 'declared twice', `Every top-level name (type, param, source, table, let, fn) is unique across a file and
    the files it imports.`, `${click}\nlet clicks = clicks | where ms > 0`),
  e('F1009', 'table key is not a field', 'The `key` of a table names one of its fields; `lookup` matches on it.',
    'type Page = { path: string, title: string }\ntable pages: Page = file("pages.jsonl") key url'),
  e('F1010', 'function named like a builtin', `A \`fn\` or \`extern fn\` cannot take the name of a builtin function or
    aggregate: every call of that name would be ambiguous.`, 'fn lower(s: string): string = s'),
  e('F1011', 'parameter declared twice', 'The parameters of a function have different names.',
    'fn add(a: int, a: int): int = a + a'),
  e('F1012', 'source or table without a record type', `Every row of a source or table is a record; declare its type as
    \`{ field: type, … }\` (or the name of such a type).`, 'source numbers: int = file("numbers.jsonl")'),
  e('F1013', 'more than one job block', 'A file has at most one `job` block; put all settings in it.',
    'job a { parallelism: 1 }\njob b { parallelism: 1 }'),
  e('F1014', 'unknown job setting', 'The job settings are `checkpoint_interval`, `checkpoint_dir` and `parallelism`.',
    'job j { checkpoint_intervall: 10s }'),
  e('F1015', 'setting given twice', 'Each job setting is given at most once.',
    'job j { checkpoint_interval: 10s, checkpoint_interval: 20s }'),
  e('F1016', 'not a constant', `Job settings and param defaults are constants: literals, or arithmetic on literals. A
    param's value can still be changed at run time with \`--param\`.`, 'param base: int = 10\nparam twice: int = base * 2'),
  e('F1017', 'setting out of range', 'The checkpoint interval is at least 10ms; parallelism is at least 1.',
    'job j { checkpoint_interval: 5ms }'),
  e('F1018', 'recursive function', `Functions cannot call themselves, directly or through other functions: every call
    must finish in a bounded number of steps, so that a job keeps its throughput.`,
  'fn fact(n: int): int = if n <= 1 then 1 else n * fact(n - 1)'),
  e('F1019', 'import cycle', `Files cannot import each other in a cycle. Move the declarations both need into a third
    file that both import.`, 'import "a.flow"', { 'a.flow': 'import "b.flow"\n', 'b.flow': 'import "a.flow"\n' }),
  e('F1020', 'cannot find an imported file', `An import path is relative to the importing file, and includes the
    \`.flow\` extension.`, 'import "modle.flow"'),

  // ---------------------------------------------------------------- F11: expressions
  e('F1101', 'type mismatch', `A value of one type stands where another is expected. \`int\` widens to \`float\` and \`T\`
    fits \`T?\`; nothing else converts implicitly: use \`to_int\`, \`to_float\`, \`to_string\` or \`parse_timestamp\`. When
    the value may be null, give a default with \`??\`.`, 'param limit: int = "ten"'),
  e('F1102', 'condition may be null', `\`where\`, \`if\`, \`and\`, \`or\` and \`not\` need a \`bool\`, not a \`bool?\`: a
    condition that may be null would silently drop or keep rows. Decide what null means with \`?? false\` (or
    \`?? true\`).`, `${click}\nsink clicks | where contains(referrer, "google") -> stdout()`),
  e('F1103', 'cannot negate', 'Unary minus applies to numbers and durations.',
    `${click}\nsink clicks | select { x: -page } -> stdout()`),
  e('F1104', 'if branches differ', `Both branches of \`if … then … else …\` give the same type (an int branch widens to
    float, and \`null\` makes the result nullable).`, `${click}\nsink clicks | select { v: if ms > 10 then "slow" else 1 } -> stdout()`),
  e('F1105', 'list elements differ', 'The elements of a list literal have one type (ints widen to float; `null` makes it nullable).',
    `${click}\nsink clicks | select { xs: [ms, page] } -> stdout()`),
  e('F1106', 'default of another type', '`a ?? b` gives `a` unless it is null, then `b`; both sides have the same type.',
    `${click}\nsink clicks | select { r: referrer ?? 0 } -> stdout()`),
  e('F1107', 'cannot compare', `Values compare only with values of the same type (ints and floats compare with each
    other). \`<\`, \`<=\`, \`>\` and \`>=\` need an orderable type: numbers, strings, timestamps or durations. Convert one
    side explicitly.`, `${click}\nsink clicks | where ms == "100" -> stdout()`),
  e('F1108', 'null in arithmetic', `The literal \`null\` has no value to compute with. To test for null, compare with
    \`== null\`; to replace it, use \`??\`.`, `${click}\nsink clicks | select { n: ms + null } -> stdout()`),
  e('F1109', 'operator does not apply', `Arithmetic is defined for numbers (\`+ - * / %\`), for \`timestamp ± duration\`,
    \`timestamp - timestamp\`, \`duration ± duration\`, \`duration * int\`, \`duration / int\`, \`duration / duration\`, and
    \`string + string\`.`, `${click}\nsink clicks | select { x: page + ms } -> stdout()`),
  e('F1110', 'spread of a non-record', '`{ ...r, f: v }` copies the fields of a record `r`; only records can be spread.',
    `${click}\nsink clicks | select { ...page } -> stdout()`),
  e('F1111', 'field given twice', 'A record literal names each field once (a spread may be overridden by later fields).',
    `${click}\nsink clicks | select { user, user: lower(user) } -> stdout()`),
  e('F1112', 'not a duration', `Window sizes, slides, session gaps, \`within\` intervals and watermark delays are
    durations: \`250ms\`, \`5s\`, \`10m\`, \`2h\`, \`1d\`.`,
  `${click}\nlet x = clicks | window tumbling 60 | aggregate { n: count() }\nsink x -> stdout()`),
  e('F1113', 'duration must be a constant', `Window sizes and intervals shape the job's state and its checkpoints, so
    they are written as literals rather than computed or read from a param.`,
  `param size: duration = 1m\n${click}\nlet x = clicks | window tumbling size | aggregate { n: count() }\nsink x -> stdout()`),
  e('F1114', 'duration must be positive', 'A window, slide or session gap of zero (or less) would never close.',
    `${click}\nlet x = clicks | window tumbling 0s | aggregate { n: count() }\nsink x -> stdout()`),

  // ---------------------------------------------------------------- F12: names
  e('F1201', 'neither a key nor aggregated', `After a window, \`aggregate\` computes one row per key and window, so a
    field of the input rows can only be read inside an aggregate function (\`first(x)\`, \`max(x)\`, \`collect(x)\`…).
    Key fields, \`window_start\` and \`window_end\` can be read directly.`,
  `${click}\nlet x = clicks | key by page | window tumbling 1m | aggregate { n: count(), user }\nsink x -> stdout()`),
  e('F1202', 'field of both sides of a join', `After a join (or lookup), a field name present on both sides is
    ambiguous: read it qualified, \`o.id\` or \`p.id\`, and keep the one you want with a \`select\`.`,
  `type A = { id: int, at: timestamp }\nsource xs: A = file("x.jsonl") event time at\nsource ys: A = file("y.jsonl") event time at
sink xs | join ys on xs.id == ys.id within 1m | select { id } -> stdout()`),
  e('F1203', 'stream used as a value', `Sources and lets are streams of rows, not values: they start a pipeline, or are
    the right side of a \`join\` or an input of \`union(…)\`.`,
  `${click}\nlet views = clicks\nsink clicks | select { n: views } -> stdout()`),
  e('F1204', 'unknown name', `The name is neither a field of the current row, a local (\`let\` in a process block,
    a function parameter), a row name (\`as x\`) nor a param. Check the spelling; the help suggests the closest name.`,
  `${click}\nsink clicks | where pgae != "" -> stdout()`),
  e('F1205', 'no such field', 'The record has no field of that name; the help lists its fields or the closest one.',
    `${click}\nsink clicks as c | select { u: c.usr } -> stdout()`),
  e('F1206', 'not a record', 'Only records have fields to read with `.name`.',
    `${click}\nsink clicks | select { n: page.length } -> stdout()`),
  e('F1207', 'nullable record read without ?.', `Reading a field of a record that may be null needs \`?.\`, which gives
    null when the record is null (\`address?.city\` is \`string?\`).`,
  'type U = { address: { city: string }?, at: timestamp }\nsource us: U = file("u.jsonl")\nsink us | select { c: address.city } -> stdout()'),

  // ---------------------------------------------------------------- F13: calls
  e('F1301', 'named argument to a function', `Functions take their arguments by position; names (\`format: "csv"\`)
    are for connectors only.`, `${click}\nsink clicks | select { s: substring(page, start: 1) } -> stdout()`),
  e('F1302', 'aggregate function outside aggregate', `\`count\`, \`sum\`, \`avg\`, \`collect\`… combine the rows of a
    window: they are used inside \`aggregate { … }\` after \`window\`.`,
  `${click}\nsink clicks | select { n: count() } -> stdout()`),
  e('F1303', 'nested aggregate', `An aggregate cannot contain another one (\`max(count())\`); compute the inner one in an
    earlier window and aggregate its output.`,
  `${click}\nlet x = clicks | window tumbling 1m | aggregate { m: max(count()) }\nsink x -> stdout()`),
  e('F1304', 'wrong number of arguments', 'The call gives more or fewer arguments than the function takes; the help shows its signature.',
    `${click}\nsink clicks | select { l: lower(page, "x") } -> stdout()`),
  e('F1305', 'argument of the wrong type', 'An argument of a builtin function has a type the function does not accept; the help shows its signature.',
    `${click}\nsink clicks | select { l: lower(ms) } -> stdout()`),
  e('F1306', 'argument of the wrong type', 'An argument of a `fn` or `extern fn` does not fit the declared parameter type.',
    `fn secs(ms: int): float = ms / 1000\n${click}\nsink clicks | select { s: secs(page) } -> stdout()`),
  e('F1307', 'unknown function', `The builtin functions are: abs round floor ceil sqrt pow min max lower upper length
    trim contains starts_with ends_with substring replace split split_index regex_match regex_extract concat to_int
    to_float to_string parse_timestamp format_timestamp hour day_of_week date_trunc hash coalesce; the aggregates:
    count count_if count_distinct sum avg min max first last min_by max_by collect. Declare others with \`fn\` or
    \`extern fn\`.`, `${click}\nsink clicks | select { l: lowercase(page) } -> stdout()`),

  // ---------------------------------------------------------------- F14: streams and operators
  e('F1401', 'window not aggregated', `\`window\` groups rows into windows; it must be followed by \`aggregate { … }\` or
    \`top N by …\`, which say what each window produces. A windowed stream cannot be written, joined or united as is.`,
  `${click}\nlet x = clicks | window tumbling 1m | where ms > 0\nsink x -> stdout()`),
  e('F1402', 'late() of something else than a let', `\`late(L)\` reads the rows that arrived after their window in
    \`L\` had fired; \`L\` is the let whose pipeline holds the window.`, `${click}\nsink late(clicks) -> stderr()`),
  e('F1403', 'late() of a let without window', `\`late(L)\` needs \`L\` to hold an event-time window: without one, no row
    is ever late.`, `${click}\nlet views = clicks | where ms > 0\nsink views -> stdout()\nsink late(views) -> stderr()`),
  e('F1404', 'errors() of something else than a source', `\`errors(S)\` reads the input records of source \`S\` that did
    not parse or did not fit its type.`, `${click}\nlet views = clicks\nsink views -> stdout()\nsink errors(views) -> stderr()`),
  e('F1405', 'union inputs differ', 'Every input of `union(…)` has the same fields with the same types; align them with a `select` on each input.',
    `${click}\ntype Tap = { user: string, screen: string, at: timestamp }\nsource taps: Tap = file("taps.jsonl") event time at\nsink union(clicks, taps) -> stdout()`),
  e('F1406', 'union mixes event time', 'The inputs of `union(…)` all have event time, or none has.',
    `${click}\nsource more: Click = stdin()\nsink union(clicks, more) -> stdout()`),
  e('F1407', 'stream defined in terms of itself', 'Lets cannot form a cycle; streams flow one way.',
    `${click}\nlet a = b\nlet b = a\nsink a -> stdout()`),
  e('F1408', 'table used as a stream', 'A table is read with `lookup`, to enrich the rows of a stream; it does not start a pipeline.',
    'type Page = { path: string, title: string }\ntable pages: Page = file("pages.jsonl") key path\nsink pages -> stdout()'),
  e('F1409', 'unknown stream', 'A pipeline starts from a source or a let of this file or an imported one.',
    `${click}\nsink click -> stdout()`),
  e('F1410', 'field always null', `A field whose value is the literal \`null\` has no type to give the output. Give it a
    typed value in some branch (\`if c then x else null\`), or drop it.`,
  `${click}\nsink clicks | select { user, missing: null } -> stdout()`),
  e('F1411', 'process without key', '`process` keeps state and timers per key: put `key by` before it.',
    `${click}\nsink clicks | process { on record { emit { user } } } -> stdout()`),
  e('F1412', 'unknown field in an operator', '`unnest` and `dedup by` name fields of the current row.',
    `${click}\nsink clicks | unnest tags -> stdout()`),
  e('F1413', 'unnest of a non-list', '`unnest F` gives one row per element of the list field `F`.',
    `${click}\nsink clicks | unnest page -> stdout()`),
  e('F1414', 'key that is not a scalar', 'Keys are scalar fields (strings, numbers, bools, timestamps, durations).',
    'type E = { user: { id: int }, at: timestamp }\nsource es: E = file("e.jsonl") event time at\nlet x = es | key by user | window tumbling 1m | aggregate { n: count() }\nsink x -> stdout()'),
  e('F1415', 'key path too long', '`key by` takes a field of the row, a field of a record field, or `alias.field`.',
    'type E = { a: { b: { c: int } }, at: timestamp }\nsource es: E = file("e.jsonl") event time at\nlet x = es as e | key by e.a.b.c | window tumbling 1m | aggregate { n: count() }\nsink x -> stdout()'),
  e('F1416', 'key given twice', 'Each field appears once in `key by`.',
    `${click}\nlet x = clicks | key by page, page | window tumbling 1m | aggregate { n: count() }\nsink x -> stdout()`),
  e('F1417', 'slide longer than the window', `With \`sliding D every S\`, a slide longer than the window would leave
    gaps that no window covers; use a tumbling window, or slide by at most the window size.`,
  `${click}\nlet x = clicks | window sliding 1m every 5m | aggregate { n: count() }\nsink x -> stdout()`),
  e('F1418', 'window not a multiple of the slide', `A sliding window's size is a whole multiple of its slide, so that
    every row falls in the same number of windows (size / slide).`,
  `${click}\nlet x = clicks | window sliding 10m every 3m | aggregate { n: count() }\nsink x -> stdout()`),
  e('F1419', 'event-time window without event time', `An event-time window places rows by their event time, which
    comes from the source's \`event time\` clause. Give the source one, or write \`… processing time\` for a wall-clock
    window.`, 'type C = { user: string }\nsource cs: C = stdin()\nlet x = cs | window tumbling 1m | aggregate { n: count() }\nsink x -> stdout()'),
  e('F1420', 'aggregate or top without window', `In v0 every aggregate and top-N is computed per window: put
    \`window tumbling D\` (or sliding, session) before it. Running results without a window need updating streams,
    which come after v0.`, `${click}\nlet x = clicks | key by page | aggregate { n: count() }\nsink x -> stdout()`),
  e('F1421', 'spread in aggregate', 'Each output field of `aggregate` is named and computed from aggregates; a spread has no meaning there.',
    `${click}\nlet x = clicks | window tumbling 1m | aggregate { ...clicks, n: count() }\nsink x -> stdout()`),
  e('F1422', 'aggregate output name taken', `The output of \`aggregate\` starts with the key fields, \`window_start\` and
    \`window_end\`; the aggregates take other names.`,
  `${click}\nlet x = clicks | key by page | window tumbling 1m | aggregate { page: count() }\nsink x -> stdout()`),
  e('F1423', 'top needs a constant count', '`top N` keeps N rows per key and window; N is a whole-number literal of at least 1.',
    `${click}\nlet x = clicks | window tumbling 1m | top 0 by ms\nsink x -> stdout()`),
  e('F1424', 'cannot rank by this type', '`top … by EXPR` orders rows by a number, string, timestamp or duration.',
    `${click}\nlet x = clicks | window tumbling 1m | top 3 by ms > 10\nsink x -> stdout()`),
  e('F1425', 'row already has rank', '`top` adds a field `rank`; rename an existing `rank` field with a `select` first.',
    'type P = { rank: int, at: timestamp }\nsource ps: P = file("p.jsonl") event time at\nlet x = ps | window tumbling 1h | top 3 by rank\nsink x -> stdout()'),
  e('F1426', 'dedup without event time', '`dedup … within D` measures `D` in event time, so the stream needs event time.',
    'type C = { user: string }\nsource cs: C = stdin()\nsink cs | dedup by user within 1m -> stdout()'),
  e('F1427', 'window join that is not tumbling', 'A window join pairs rows of the same tumbling window: `window tumbling D`.',
    'type A = { id: int, at: timestamp }\nsource xs: A = file("x.jsonl") event time at\nsource ys: A = file("y.jsonl") event time at\nsink xs | join ys on xs.id == ys.id window session 1m | select { id: xs.id } -> stdout()'),
  e('F1428', 'join without event time', 'Joins bound how long rows wait for a partner in event time: both sides need event time.',
    'type A = { id: int, at: timestamp }\nsource xs: A = file("x.jsonl") event time at\nsource ys: A = stdin()\nsink xs | join ys on xs.id == ys.id within 1m | select { id: xs.id } -> stdout()'),
  e('F1429', 'both sides of a join have the same name', `Each side of a join is named (by its stream name or \`as\`), so
    that fields can be read qualified; name a self-join's sides apart: \`nodes as a | join nodes as b on …\`.`,
  'type N = { id: int, parent: int, at: timestamp }\nsource nodes: N = file("n.jsonl") event time at\nsink nodes | join nodes on nodes.parent == nodes.id within 1h -> stdout()'),
  e('F1430', 'join condition is not an equality', `A join condition is one or more equalities joined with \`and\`;
    other conditions go in a \`where\` after the join.`,
  'type A = { id: int, v: int, at: timestamp }\nsource xs: A = file("x.jsonl") event time at\nsource ys: A = file("y.jsonl") event time at\nsink xs | join ys on xs.v > ys.v within 1m | select { id: xs.id } -> stdout()'),
  e('F1431', 'join equality reads both sides', 'Each side of a join equality reads one input: `left_expr == right_expr`.',
    'type A = { id: int, at: timestamp }\nsource xs: A = file("x.jsonl") event time at\nsource ys: A = file("y.jsonl") event time at\nsink xs | join ys on xs.id == xs.id within 1m | select { id: xs.id } -> stdout()'),
  e('F1432', 'unknown table', '`lookup` reads a table declared with `table NAME: T = file(…) key FIELD`.',
    `${click}\nsink clicks | lookup pages on page == pages.path -> stdout()`),
  e('F1433', 'lookup condition', 'A lookup condition is `EXPR == t.KEY`: an expression over the row, compared with the table\'s key.',
    `${click}\ntype Page = { path: string, title: string }\ntable pages: Page = file("pages.jsonl") key path\nsink clicks | lookup pages as p on p.title == page -> stdout()`),
  e('F1434', 'join ambiguity not resolved', `After a join or lookup, fields present on both sides are readable only
    qualified; resolve them with a \`select\` (or an \`extend\` that sets each of them) before any other operator and
    before the end of the pipeline.`,
  'type A = { id: int, at: timestamp }\nsource xs: A = file("x.jsonl") event time at\nsource ys: A = file("y.jsonl") event time at\nsink xs | join ys on xs.id == ys.id within 1m -> stdout()'),

  // ---------------------------------------------------------------- F15: process
  e('F1501', 'state declared twice', 'Each `state` of a process block has its own name.',
    `${click}\nsink clicks | key by user | process { state n: int = 0 state n: int = 1 on record { emit { user } } } -> stdout()`),
  e('F1502', 'process without handlers', 'A process block handles rows with `on record { … }` (and timers with `on timer { … }`).',
    `${click}\nsink clicks | key by user | process { state n: int = 0 } -> stdout()`),
  e('F1503', 'emits of different shapes', `Every \`emit\` of a process block produces the same fields with compatible types:
    they make one output stream.`,
  `${click}\nsink clicks | key by user | process { on record { if ms > 1 { emit { user } } else { emit { page } } } } -> stdout()`),
  e('F1504', 'let hides a state', 'A `let` inside a process block cannot reuse the name of a state.',
    `${click}\nsink clicks | key by user | process { state n: int = 0 on record { let n = 1 emit { user, n } } } -> stdout()`),
  e('F1505', 'assignment to something else than a state', `Only \`state\` variables are assigned (\`n = n + 1\`); fields
    of the row and \`let\` values are read-only.`,
  `${click}\nsink clicks | key by user | process { on record { ms = 0 emit { user } } } -> stdout()`),
  e('F1506', 'state hides a name', `A state cannot take the name of a field of the input row, nor \`key\` or
    \`timer_time\`, which \`process\` defines: the field could no longer be read.`,
  `${click}\nsink clicks | key by user | process { state ms: int = 0 on record { emit { user } } } -> stdout()`),
  e('F1507', 'row field read in on timer', `\`on timer\` runs when the watermark passes a timer, not for a row: there is
    no current row. Read the key with \`key.field\`, and keep other values in a \`state\` set in \`on record\`.`,
  `${click}\nsink clicks | key by user | process { on record { timer at + 1m } on timer { emit { page } } } -> stdout()`),
  e('F1508', 'timer without event time', `Timers fire when the watermark passes them, and only a stream with event time
    has a watermark.`,
  'type C = { user: string, at: timestamp }\nsource cs: C = stdin()\nsink cs | key by user | process { on record { timer at + 1m } on timer { emit { u: key.user } } } -> stdout()'),

  e('F1509', 'handler block given twice', 'A process block has at most one `on record` and one `on timer`.',
    `${click}\nsink clicks | key by user | process { on record { emit { user } } on record { emit { user } } } -> stdout()`),

  // ---------------------------------------------------------------- F16: connectors
  e('F1601', 'unknown connector', `Sources read from \`file\`, \`stdin\` or \`nexmark\`; tables from \`file\`; sinks write
    to \`file\`, \`stdout\` or \`stderr\`.`, `${click}\nsource more: Click = kafka("clicks")`),
  e('F1602', 'unknown connector argument', 'The connector has no such argument (or not in this role); the help lists its arguments.',
    `${click}\nsink clicks -> file("out.jsonl", formt: "csv")`),
  e('F1603', 'connector argument given twice', 'Each argument of a connector is given once, by position or by name.',
    `${click}\nsink clicks -> file("out.jsonl", path: "other.jsonl")`),
  e('F1604', 'connector argument of the wrong type', 'The argument has another type than the connector expects.',
    `${click}\nsource more: Click = file(42)`),
  e('F1605', 'connector argument not allowed', 'The argument takes one of a fixed set of values (`format: "jsonl"` or `"csv"`).',
    `${click}\nsink clicks -> file("out.txt", format: "parquet")`),
  e('F1606', 'missing connector argument', 'The connector needs this argument.', `${click}\nsource more: Click = file()`),
  e('F1607', 'CSV cannot hold nested data', 'A CSV cell holds a scalar; lists and records need JSON Lines.',
    'type P = { tags: [string] }\nsource ps: P = file("posts.csv")'),
  e('F1608', 'field Nexmark does not produce', `A source reading \`nexmark(kind: …)\` declares a subset of the fields the
    generator produces for that kind, with the same types.`,
  'type Bid = { auction: int, amount: int }\nsource bids: Bid = nexmark(kind: "bid", events: 1000)'),

  // ---------------------------------------------------------------- F17: tests
  e('F1701', 'given of something else than a source', '`given S = [rows]` replaces the input of source `S` in a test.',
    `${click}\nlet views = clicks\nsink views -> stdout()\ntest "t" { given views = [] expect views == [] }`),
  e('F1702', 'expect of something else than a stream', '`expect L == [rows]` compares the whole output of a let or source.',
    `${click}\nsink clicks -> stdout()\ntest "t" { given clicks = [] expect vews == [] }`),
  e('F1703', 'advance needs a timestamp', '`advance watermark to @…` moves the test\'s watermark to a timestamp literal.',
    `${click}\nsink clicks -> stdout()\ntest "t" { given clicks = [] advance watermark to 10m expect clicks == [] }`),
  e('F1704', 'rows are not a list of records', 'Test rows are a list of record literals: `[{ field: value, … }, …]`.',
    `${click}\nsink clicks -> stdout()\ntest "t" { given clicks = { user: "a" } expect clicks == [] }`),
  e('F1705', 'row field the stream does not have', 'A test row gives only fields of the stream\'s row type.',
    `${click}\nsink clicks -> stdout()\ntest "t" { given clicks = [{ user: "a", page: "/", ms: 1, at: @2024-05-01T10:00:00Z, x: 1 }] expect clicks == [] }`),
  e('F1706', 'row field of the wrong type', 'Each field of a test row has the type the stream declares.',
    `${click}\nsink clicks -> stdout()\ntest "t" { given clicks = [{ user: "a", page: "/", ms: "1", at: @2024-05-01T10:00:00Z }] expect clicks == [] }`),
  e('F1707', 'row field missing', 'A test row gives every non-nullable field; nullable ones may be left out (they are null).',
    `${click}\nsink clicks -> stdout()\ntest "t" { given clicks = [{ user: "a" }] expect clicks == [] }`),
  e('F1708', 'two tests with one name', '`flowc test` reports tests by name, so each test has its own.',
    `${click}\nsink clicks -> stdout()\ntest "t" { expect clicks == [] }\ntest "t" { expect clicks == [] }`),
  e('F1709', 'source given twice at once', `A source is given its rows in one list; to give more rows later, move the
    watermark in between with \`advance watermark to\` (or compare an \`expect\` first).`,
  `${click}\nsink clicks -> stdout()\ntest "t" { given clicks = [] given clicks = [] expect clicks == [] }`),

  // ---------------------------------------------------------------- F18: extern fn
  e('F1801', 'extern module is not TypeScript or JavaScript', 'An `extern fn` comes from a `.ts`, `.mts`, `.js` or `.mjs` module.',
    'extern fn slug(s: string): string from "./udfs.py"'),
  e('F1802', 'extern module not found', 'The module path is relative to the .flow file that declares the function.',
    'extern fn slug(s: string): string from "./udfs.ts"'),
  e('F1803', 'extern module does not export the function', 'The module exports a function (or a const arrow function) of the declared name.',
    'extern fn slug(s: string): string from "./udfs.ts"', { 'udfs.ts': 'export function slugify(s: string): string { return s; }\n' }),
  e('F1804', 'extern signature mismatch', `The exported TypeScript signature must match the declaration: \`int\`,
    \`float\`, \`timestamp\` and \`duration\` are \`number\`; \`string\` is \`string\`; \`bool\` is \`boolean\`; \`T?\` is
    \`T | null\`; \`[T]\` is \`T[]\`. The notes show both signatures.`,
  'extern fn score(n: int): float from "./udfs.ts"', { 'udfs.ts': 'export function score(n: string): number { return n.length; }\n' }),

  // ---------------------------------------------------------------- warnings
  e('W1001', 'type marked nullable twice', '`T??` is the same as `T?`.', 'type T = { a: int?? }'),
  e('W1003', 'parallelism not used yet', 'flowc v0 runs a job on one core; a `parallelism` above 1 is accepted for later versions.',
    'job j { parallelism: 4 }'),
  e('W1004', 'test without expect', 'A test with no `expect` cannot fail.', `${click}\nsink clicks -> stdout()\ntest "t" { given clicks = [] }`),
  e('W1005', 'let never used', 'A let that no sink, other let or test reads computes nothing (reported once the file has no errors).',
    `${click}\nlet views = clicks | where ms > 0`),
  e('W1101', '?? on a value that is never null', 'The left side of `??` cannot be null, so the default is never used.',
    `${click}\nsink clicks | select { p: page ?? "none" } -> stdout()`),
  e('W1102', 'comparison with null that never holds', `A value of a non-nullable type is never null: \`== null\` is always
    false and \`!= null\` always true.`, `${click}\nsink clicks | where page != null -> stdout()`),
  e('W1401', 'session window without key', 'A session window without `key by` makes one session of all rows; sessions are usually per user.',
    `${click}\nlet x = clicks | window session 30m | aggregate { n: count() }\nsink x -> stdout()`),
  e('W1402', 'aggregate field reads nothing', 'The field reads no row, key or window bound, so it is the same for every window.',
    `${click}\nlet x = clicks | key by page | window tumbling 1m | aggregate { n: count(), version: 2 }\nsink x -> stdout()`),
  e('W1501', 'on timer never runs', 'No statement of the process block sets a timer, so `on timer` never runs.',
    `${click}\nsink clicks | key by user | process { on record { emit { user } } on timer { emit { user: key.user } } } -> stdout()`),
  e('W1502', 'process never emits', 'A process block without `emit` produces no rows.',
    `${click}\nsink clicks | key by user | process { state n: int = 0 on record { n = n + 1 } } -> stdout()`),
  e('W1503', 'field hidden inside process', `Inside \`process\`, \`key\` is the key record and \`timer_time\` the time of
    the timer; a field of the row with one of those names cannot be read there. Rename it before the process.`,
  'type E = { key: string, user: string, at: timestamp }\nsource es: E = file("e.jsonl") event time at\nsink es | key by user | process { on record { emit { user } } } -> stdout()'),
  e('W1801', 'extern JavaScript not type-checked', `A JavaScript module has no types, so only the function's number of
    parameters is checked against the declaration. Write it in TypeScript to have its signature checked.`,
  'extern fn slug(s: string): string from "./udfs.mjs"', { 'udfs.mjs': 'export function slug(s) { return s; }\n' }),

  // ---------------------------------------------------------------- F9: internal
  e('F9000', 'internal error in the language server', `The language server failed while analysing a file. This is a bug
    in flowc: please report it with the .flow file.`),
  e('F9001', 'internal error', 'flowc failed unexpectedly. This is a bug in flowc: please report it with the .flow file and the command.'),
];

/** The entry of a code, or undefined. */
export function explainCode(code: string): CatalogueEntry | undefined {
  return diagnosticCatalogue.find((d) => d.code === code.toUpperCase());
}
