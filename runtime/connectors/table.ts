/** Loads a `table` (a bounded jsonl or csv file) into a map by its key, before the job starts. */
import { FileSource } from './file-source.ts';
import { parseCsvRecord } from '../formats/csv.ts';
import { BAD, rt_csvBool, rt_csvFloat, rt_csvInt } from '../formats/values.ts';
import { UserError } from '../errors.ts';

/**
 * Reads every record, converts it with the generated converter and indexes it by `keyField`.
 * A record that does not fit the table's type stops the job with its line number: a lookup
 * table with holes would silently drop matches. When keys repeat, the last record wins.
 *
 * `kinds` gives each field's type (`int`, `string?`, …) so CSV cells, which are text, are read
 * as the table declares them: an empty cell is null for a nullable field, `007` stays text in a
 * string column.
 */
export function loadTable(
  name: string, path: string, format: 'jsonl' | 'csv', convert: (x: unknown) => unknown, keyField: string,
  into: Map<unknown, unknown>, kinds?: Record<string, string>,
): void {
  const src = new FileSource(`${name}`, path, { format });
  try {
    src.open();
  } catch (e) {
    if (e instanceof UserError) throw new UserError(e.message.replace(/^source /, 'table '));
    throw e;
  }
  const header = src.header() ?? [];
  const where = (line: number) => `table ${name}: "${path}" line ${line}`;
  try {
    for (;;) {
      const batch = src.read(4096);
      if (batch === null) break;
      for (let i = 0; i < batch.records.length; i++) {
        const raw = batch.records[i]!;
        const line = batch.lines[i]!;
        let value: unknown;
        if (format === 'csv') {
          const cells = parseCsvRecord(raw);
          if (!Array.isArray(cells)) throw new UserError(`${where(line)}: ${cells.error}`);
          if (cells.length !== header.length) {
            throw new UserError(`${where(line)}: expected ${header.length} fields (as in the header), found ${cells.length}`);
          }
          const obj: Record<string, unknown> = Object.create(null);
          header.forEach((h, k) => { obj[h] = kinds ? csvCell(cells[k]!, kinds[h]) : guessCell(cells[k]); });
          value = obj;
        } else {
          try {
            value = JSON.parse(raw);
          } catch (e) {
            throw new UserError(`${where(line)}: invalid JSON: ${(e as Error).message}`);
          }
        }
        const row = convert(value);
        if (row === BAD) throw new UserError(`${where(line)}: the record does not match the table's type`);
        into.set((row as Record<string, unknown>)[keyField], row);
      }
    }
  } finally {
    src.close();
  }
}

/** A CSV cell as the declared type reads it (anything unreadable is left as text, for the converter to reject). */
function csvCell(cell: string, kind: string | undefined): unknown {
  if (kind === undefined) return cell; // a column the table does not declare
  const nullable = kind.endsWith('?');
  const base = nullable ? kind.slice(0, -1) : kind;
  if (cell === '' && (nullable || base !== 'string')) return nullable ? null : undefined;
  let v: unknown;
  switch (base) {
    case 'int': v = rt_csvInt(cell); break;
    case 'float': v = rt_csvFloat(cell); break;
    case 'bool': v = rt_csvBool(cell); break;
    default: return cell; // string, timestamp and duration converters read text
  }
  return v === BAD ? cell : v;
}

/** Without declared kinds: numbers and booleans are recognised so the typed converter accepts them. */
function guessCell(cell: string | undefined): unknown {
  if (cell === undefined || cell === '') return null;
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(cell)) return Number(cell);
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  return cell;
}
