/** Loads a `table` (a bounded jsonl or csv file) into a map by its key, before the job starts. */
import { FileSource } from './file-source.ts';
import { parseCsvRecord } from '../formats/csv.ts';
import { BAD } from '../formats/values.ts';
import { UserError } from '../errors.ts';

/**
 * Reads every record, converts it with the generated converter and indexes it by `keyField`.
 * A record that does not fit the table's type stops the job with its line number: a lookup
 * table with holes would silently drop matches. When keys repeat, the last record wins.
 */
export function loadTable(
  name: string, path: string, format: 'jsonl' | 'csv', convert: (x: unknown) => unknown, keyField: string,
  into: Map<unknown, unknown>,
): void {
  const src = new FileSource(name, path, { format });
  src.open();
  const header = src.header();
  try {
    for (;;) {
      const batch = src.read(4096);
      if (batch === null) break;
      for (let i = 0; i < batch.records.length; i++) {
        const raw = batch.records[i]!;
        let value: unknown;
        if (format === 'csv') {
          const cells = parseCsvRecord(raw);
          if (!Array.isArray(cells)) throw new UserError(`table ${name}: "${path}" line ${batch.lines[i]}: ${cells.error}`);
          const obj: Record<string, unknown> = Object.create(null);
          (header ?? []).forEach((h, k) => { obj[h] = csvValue(cells[k]); });
          value = obj;
        } else {
          try {
            value = JSON.parse(raw);
          } catch (e) {
            throw new UserError(`table ${name}: "${path}" line ${batch.lines[i]}: invalid JSON: ${(e as Error).message}`);
          }
        }
        const row = convert(value);
        if (row === BAD) throw new UserError(`table ${name}: "${path}" line ${batch.lines[i]}: the record does not match the table's type`);
        into.set((row as Record<string, unknown>)[keyField], row);
      }
    }
  } finally {
    src.close();
  }
}

/** CSV cells are text; numbers and booleans are recognised so the typed converter accepts them. */
function csvValue(cell: string | undefined): unknown {
  if (cell === undefined || cell === '') return null;
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(cell)) return Number(cell);
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  return cell;
}
