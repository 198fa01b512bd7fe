/**
 * The one catalogue of Flow's functions: name, signature, documentation and the JavaScript each
 * call compiles to. The checker types calls with `type`, the emitter writes `code`, the editor
 * shows `signature` and `doc`, and lang/reference.md lists them (a test keeps it complete).
 *
 * Null handling is uniform: unless a parameter is marked `acceptsNull`, a nullable argument makes
 * the result nullable and the call yields null when that argument is null (as in SQL). The
 * emitter adds the null checks; `code` only sees non-null values.
 */
import { T, isNumeric, nonNull, unify, showType, type Type } from './types.ts';

export interface Builtin {
  name: string;
  /** As shown to users: `substring(s: string, start: int, length: int?): string`. */
  signature: string;
  doc: string;
  /** Minimum and maximum number of arguments. */
  arity: [number, number];
  /** Arguments (by index) that may be null without making the result null. */
  acceptsNull?: number[];
  /**
   * The result type for these (non-null) argument types, or a message naming what is wrong.
   * `args` are the argument types with nullability removed, except for `acceptsNull` positions.
   */
  type(args: Type[]): Type | string;
  /** JavaScript for the call; `a` are the argument expressions (already parenthesised). */
  code(a: string[]): string;
  /** Runtime helpers the code calls (imported by name from the runtime). */
  uses?: string[];
}

const num = (t: Type) => isNumeric(t);
const is = (t: Type, k: Type['kind']) => t.kind === k;
const orderable = (t: Type) => ['int', 'float', 'string', 'timestamp', 'duration'].includes(t.kind);

function expect(args: Type[], checks: [(t: Type) => boolean, string][]): string | undefined {
  for (let i = 0; i < checks.length && i < args.length; i++) {
    const [ok, what] = checks[i]!;
    if (args[i]!.kind !== 'error' && !ok(args[i]!)) return `argument ${i + 1} must be ${what}, found \`${showType(args[i]!)}\``;
  }
  return undefined;
}

const numeric: [(t: Type) => boolean, string] = [num, 'a number (int or float)'];
const str: [(t: Type) => boolean, string] = [(t) => is(t, 'string'), 'a `string`'];
const int: [(t: Type) => boolean, string] = [(t) => is(t, 'int'), 'an `int`'];
const ts: [(t: Type) => boolean, string] = [(t) => is(t, 'timestamp'), 'a `timestamp`'];

function fn(
  name: string, signature: string, doc: string, arity: [number, number],
  type: (args: Type[]) => Type | string, code: (a: string[]) => string, extra: Partial<Builtin> = {},
): Builtin {
  return { name, signature, doc, arity, type, code, ...extra };
}

const sameNumeric = (args: Type[]) => expect(args, [numeric]) ?? args[0]!;
const numericToFloat = (args: Type[]) => expect(args, [numeric, numeric]) ?? T.float;
const strTo = (result: Type, checks = [str]) => (args: Type[]) => expect(args, checks) ?? result;

export const builtins: Builtin[] = [
  // ---- numbers
  fn('abs', 'abs(x: int|float): int|float', 'Absolute value.', [1, 1], sameNumeric, (a) => `Math.abs(${a[0]})`),
  fn('round', 'round(x: float, digits: int = 0): float', 'Rounds half away from zero, to `digits` decimals.', [1, 2],
    (args) => expect(args, [numeric, int]) ?? (args.length === 1 && args[0]!.kind === 'int' ? T.int : T.float),
    (a) => (a.length === 1 ? `rt_round(${a[0]}, 0)` : `rt_round(${a[0]}, ${a[1]})`), { uses: ['rt_round'] }),
  fn('floor', 'floor(x: float): int', 'Largest integer not above x.', [1, 1], (args) => expect(args, [numeric]) ?? T.int,
    (a) => `Math.floor(${a[0]})`),
  fn('ceil', 'ceil(x: float): int', 'Smallest integer not below x.', [1, 1], (args) => expect(args, [numeric]) ?? T.int,
    (a) => `Math.ceil(${a[0]})`),
  fn('sqrt', 'sqrt(x: float): float', 'Square root (NaN below zero).', [1, 1], (args) => expect(args, [numeric]) ?? T.float,
    (a) => `Math.sqrt(${a[0]})`),
  fn('pow', 'pow(x: float, y: float): float', 'x raised to the power y.', [2, 2], numericToFloat, (a) => `Math.pow(${a[0]}, ${a[1]})`),
  fn('min', 'min(a: T, b: T): T', 'The smaller of two values of the same orderable type. (In `aggregate`, `min(e)` is the aggregate.)', [2, 2],
    (args) => minMaxType(args), (a) => `rt_min(${a[0]}, ${a[1]})`, { uses: ['rt_min'] }),
  fn('max', 'max(a: T, b: T): T', 'The larger of two values of the same orderable type. (In `aggregate`, `max(e)` is the aggregate.)', [2, 2],
    (args) => minMaxType(args), (a) => `rt_max(${a[0]}, ${a[1]})`, { uses: ['rt_max'] }),
  // ---- strings
  fn('lower', 'lower(s: string): string', 'Lower case.', [1, 1], strTo(T.string), (a) => `${a[0]}.toLowerCase()`),
  fn('upper', 'upper(s: string): string', 'Upper case.', [1, 1], strTo(T.string), (a) => `${a[0]}.toUpperCase()`),
  fn('length', 'length(s: string | [T]): int', 'Number of characters (code points) of a string, or elements of a list.', [1, 1],
    (args) => (args[0]!.kind === 'list' || args[0]!.kind === 'error' ? T.int : expect(args, [str]) ?? T.int),
    (a) => `rt_length(${a[0]})`, { uses: ['rt_length'] }),
  fn('trim', 'trim(s: string): string', 'Removes leading and trailing white space.', [1, 1], strTo(T.string), (a) => `${a[0]}.trim()`),
  fn('contains', 'contains(s: string, part: string): bool', 'Does `s` contain `part`?', [2, 2], strTo(T.bool, [str, str]),
    (a) => `${a[0]}.includes(${a[1]})`),
  fn('starts_with', 'starts_with(s: string, prefix: string): bool', 'Does `s` start with `prefix`?', [2, 2],
    strTo(T.bool, [str, str]), (a) => `${a[0]}.startsWith(${a[1]})`),
  fn('ends_with', 'ends_with(s: string, suffix: string): bool', 'Does `s` end with `suffix`?', [2, 2],
    strTo(T.bool, [str, str]), (a) => `${a[0]}.endsWith(${a[1]})`),
  fn('substring', 'substring(s: string, start: int, length: int = rest): string',
    'Characters from `start` (0-based, counting code units), at most `length` of them.', [2, 3],
    strTo(T.string, [str, int, int]), (a) => (a.length === 2 ? `rt_substring(${a[0]}, ${a[1]}, -1)` : `rt_substring(${a[0]}, ${a[1]}, ${a[2]})`),
    { uses: ['rt_substring'] }),
  fn('replace', 'replace(s: string, from: string, to: string): string', 'Replaces every occurrence of `from` (plain text).', [3, 3],
    strTo(T.string, [str, str, str]), (a) => `${a[0]}.split(${a[1]}).join(${a[2]})`),
  fn('split', 'split(s: string, sep: string): [string]', 'Splits on a separator (plain text).', [2, 2],
    strTo(T.list(T.string), [str, str]), (a) => `${a[0]}.split(${a[1]})`),
  fn('split_index', 'split_index(s: string, sep: string, i: int): string?', 'The `i`-th (0-based) piece of `s` split on `sep`, or null.', [3, 3],
    (args) => expect(args, [str, str, int]) ?? T.nullable(T.string), (a) => `rt_splitIndex(${a[0]}, ${a[1]}, ${a[2]})`,
    { uses: ['rt_splitIndex'] }),
  fn('regex_match', 'regex_match(s: string, pattern: string): bool', 'Does the regular expression (JavaScript syntax) match somewhere in `s`?', [2, 2],
    strTo(T.bool, [str, str]), (a) => `rt_regex(${a[1]}).test(${a[0]})`, { uses: ['rt_regex'] }),
  fn('regex_extract', 'regex_extract(s: string, pattern: string, group: int = 0): string?',
    'The text of capture `group` of the first match (0 = the whole match), or null.', [2, 3],
    (args) => expect(args, [str, str, int]) ?? T.nullable(T.string),
    (a) => `rt_regexExtract(${a[0]}, ${a[1]}, ${a[2] ?? '0'})`, { uses: ['rt_regexExtract'] }),
  fn('concat', 'concat(a: string, …): string', 'Joins strings.', [1, 64],
    (args) => args.every((t) => t.kind === 'string' || t.kind === 'error') ? T.string : 'every argument must be a `string` (use `to_string`)',
    (a) => `(${a.join(' + ')})`),
  // ---- conversions
  fn('to_int', 'to_int(x: float | string | bool | timestamp | duration): int?',
    'Converts; floats truncate toward zero; a string that is not an integer gives null.', [1, 1],
    (args) => args[0]!.kind === 'string' ? T.nullable(T.int) : ['int', 'float', 'bool', 'timestamp', 'duration', 'error'].includes(args[0]!.kind) ? T.int : `cannot convert \`${showType(args[0]!)}\` to int`,
    (a) => `rt_toInt(${a[0]})`, { uses: ['rt_toInt'] }),
  fn('to_float', 'to_float(x: int | string): float?', 'Converts; a string that is not a number gives null.', [1, 1],
    (args) => args[0]!.kind === 'string' ? T.nullable(T.float) : ['int', 'float', 'error'].includes(args[0]!.kind) ? T.float : `cannot convert \`${showType(args[0]!)}\` to float`,
    (a) => `rt_toFloat(${a[0]})`, { uses: ['rt_toFloat'] }),
  fn('to_string', 'to_string(x: T): string', 'Text form: numbers as JavaScript prints them, timestamps in ISO 8601, durations in ms.', [1, 1],
    (args) => (args[0]!.kind === 'record' ? 'records have no text form here; pick fields' : T.string),
    (a) => `rt_toString(${a[0]})`, { uses: ['rt_toString'] }),
  fn('parse_timestamp', 'parse_timestamp(s: string): timestamp?', 'Parses ISO 8601 (or epoch milliseconds as text); null if it does not parse.', [1, 1],
    strTo(T.nullable(T.timestamp)), (a) => `rt_parseTimestampText(${a[0]})`, { uses: ['rt_parseTimestampText'] }),
  fn('format_timestamp', 'format_timestamp(t: timestamp, pattern: string = ISO): string',
    'Formats in UTC; the pattern uses yyyy MM dd HH mm ss SSS.', [1, 2], (args) => expect(args, [ts, str]) ?? T.string,
    (a) => `rt_formatTimestamp(${a[0]}, ${a[1] ?? 'undefined'})`, { uses: ['rt_formatTimestamp'] }),
  fn('hour', 'hour(t: timestamp): int', 'Hour of day (0–23), UTC.', [1, 1], (args) => expect(args, [ts]) ?? T.int,
    (a) => `rt_hour(${a[0]})`, { uses: ['rt_hour'] }),
  fn('day_of_week', 'day_of_week(t: timestamp): int', 'ISO day of week, UTC: 1 = Monday … 7 = Sunday.', [1, 1],
    (args) => expect(args, [ts]) ?? T.int, (a) => `rt_dayOfWeek(${a[0]})`, { uses: ['rt_dayOfWeek'] }),
  fn('date_trunc', 'date_trunc(unit: string, t: timestamp): timestamp',
    'Truncates to "second", "minute", "hour", "day", "week" (Monday), "month" or "year", UTC.', [2, 2],
    (args) => expect(args, [str, ts]) ?? T.timestamp, (a) => `rt_dateTrunc(${a[0]}, ${a[1]})`, { uses: ['rt_dateTrunc'] }),
  fn('hash', 'hash(x: T): int', 'A stable 32-bit hash (FNV-1a of the text form), the same on every run and machine.', [1, 1],
    () => T.int, (a) => `rt_hash(${a[0]})`, { uses: ['rt_hash'], acceptsNull: [0] }),
  fn('coalesce', 'coalesce(a: T?, …, z: T): T', 'The first argument that is not null.', [1, 64],
    (args) => {
      let t: Type | undefined = T.null;
      for (const a of args) { t = unify(t!, a); if (!t) return 'every argument must have the same type'; }
      const last = args[args.length - 1]!;
      return last.kind === 'nullable' || last.kind === 'null' ? t! : nonNull(t!);
    },
    (a) => `(${a.join(' ?? ')})`, { acceptsNull: Array.from({ length: 64 }, (_, i) => i) }),
];

function minMaxType(args: Type[]): Type | string {
  const u = unify(args[0]!, args[1]!);
  if (!u) return `both arguments must have the same type, found \`${showType(args[0]!)}\` and \`${showType(args[1]!)}\``;
  if (!orderable(nonNull(u)) && u.kind !== 'error') return `\`${showType(u)}\` values cannot be compared`;
  return u;
}

export const builtinByName: ReadonlyMap<string, Builtin> = new Map(builtins.map((b) => [b.name, b]));

// ---------------------------------------------------------------- aggregates

export interface AggregateFn {
  name: string;
  signature: string;
  doc: string;
  arity: [number, number];
  /** Result type for the argument types (nullability kept, to decide the result's). */
  type(args: Type[]): Type | string;
}

const agg = (name: string, signature: string, doc: string, arity: [number, number], type: AggregateFn['type']): AggregateFn =>
  ({ name, signature, doc, arity, type });

export const aggregates: AggregateFn[] = [
  agg('count', 'count(e?): int', '`count()` counts rows; `count(e)` counts rows where `e` is not null.', [0, 1], () => T.int),
  agg('count_if', 'count_if(c: bool): int', 'Counts rows where `c` is true.', [1, 1],
    (a) => (a[0]!.kind === 'bool' || a[0]!.kind === 'error' ? T.int : `the condition must be \`bool\`, found \`${showType(a[0]!)}\`${a[0]!.kind === 'nullable' ? ' (write `c ?? false`)' : ''}`)),
  agg('count_distinct', 'count_distinct(e): int', 'Number of distinct non-null values of `e`.', [1, 1],
    (a) => (a[0]!.kind === 'record' || a[0]!.kind === 'list' ? 'only scalar values can be counted distinctly' : T.int)),
  agg('sum', 'sum(x: int|float): int|float', 'Sum of the non-null values (null when there are none).', [1, 1],
    (a) => (isNumeric(nonNull(a[0]!)) || a[0]!.kind === 'error' ? a[0]! : `argument 1 must be a number (int or float), found \`${showType(a[0]!)}\``)),
  agg('avg', 'avg(x: int|float): float', 'Mean of the non-null values (null when there are none).', [1, 1],
    (a) => (isNumeric(nonNull(a[0]!)) ? (a[0]!.kind === 'nullable' ? T.nullable(T.float) : T.float) : a[0]!.kind === 'error' ? T.float : `argument 1 must be a number (int or float), found \`${showType(a[0]!)}\``)),
  agg('min', 'min(x: T): T', 'Smallest non-null value.', [1, 1],
    (a) => (orderable(nonNull(a[0]!)) || a[0]!.kind === 'error' ? a[0]! : `\`${showType(a[0]!)}\` values cannot be compared`)),
  agg('max', 'max(x: T): T', 'Largest non-null value.', [1, 1],
    (a) => (orderable(nonNull(a[0]!)) || a[0]!.kind === 'error' ? a[0]! : `\`${showType(a[0]!)}\` values cannot be compared`)),
  agg('first', 'first(x: T): T', 'Value of the row with the earliest event time (ties: first to arrive).', [1, 1], (a) => a[0]!),
  agg('last', 'last(x: T): T', 'Value of the row with the latest event time (ties: last to arrive).', [1, 1], (a) => a[0]!),
  agg('min_by', 'min_by(x: T, by: U): T', '`x` of the row with the smallest `by` (ties: first to arrive).', [2, 2],
    (a) => (orderable(nonNull(a[1]!)) || a[1]!.kind === 'error' ? a[0]! : `\`${showType(a[1]!)}\` values cannot be compared`)),
  agg('max_by', 'max_by(x: T, by: U): T', '`x` of the row with the largest `by` (ties: first to arrive).', [2, 2],
    (a) => (orderable(nonNull(a[1]!)) || a[1]!.kind === 'error' ? a[0]! : `\`${showType(a[1]!)}\` values cannot be compared`)),
  agg('collect', 'collect(x: T): [T]', 'All values, in arrival order.', [1, 1], (a) => T.list(a[0]!)),
];

export const aggregateByName: ReadonlyMap<string, AggregateFn> = new Map(aggregates.map((a) => [a.name, a]));

/**
 * Is this call an aggregate? `min(a, b)` and `max(a, b)` with two arguments are the scalar
 * builtins; with one they are aggregates.
 */
export function isAggregateName(name: string, argc: number): boolean {
  return aggregateByName.has(name) && !((name === 'min' || name === 'max') && argc === 2);
}
