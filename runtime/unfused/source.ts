/**
 * The unfused source stage: parse each record, validate it generically against the source's
 * type descriptor into a row object, take its event time, and push it down the operator chain.
 * Watermarks move at the same records as in a fused job.
 */
import type { JobContext, ReadBatch } from '../job/graph.ts';
import { rt_describe } from '../formats/values.ts';
import { parseCsvRecord } from '../formats/csv.ts';
import { rt_csvColumns } from '../formats/values.ts';
import { validateCells, validateObject, type FieldDesc, type Row } from './records.ts';
import type { Operator } from './operators.ts';

export interface SourceSpec {
  index: number;
  name: string;
  format: 'json' | 'csv' | 'object';
  /** Generator records are typed already: no validation. */
  trusted: boolean;
  fields: FieldDesc[];
  delay: number;
  eventTime: ((r: Row) => number) | null;
  /** Where bad records go (`errors(S)`), with the source's state counted by the caller. */
  reject(position: number, raw: string, reason: string): void;
}

export class SourceStage {
  readonly state = { maxTs: -Infinity, records: 0, errors: 0, nextWm: Infinity };
  private columns: number[] = [];

  constructor(private readonly spec: SourceSpec, private readonly ctx: JobContext, private readonly next: Operator) {}

  /** For CSV: the header names the columns of the fields. */
  header(names: string[] | null): void {
    this.columns = rt_csvColumns(names, this.spec.fields.map((f) => f.name));
  }

  stage(batch: ReadBatch): void {
    const { spec, state } = this;
    const records = batch.records;
    const lines = batch.lines;
    state.records += records.length;
    for (let i = 0; i < records.length; i++) {
      if (spec.eventTime && state.maxTs - spec.delay >= state.nextWm) this.ctx.advance(spec.index);
      const position = lines === null ? i + 1 : lines[i]!;
      let row: Row | string;
      let raw: string;
      if (spec.format === 'object') {
        const o = records[i] as Row;
        raw = '';
        row = spec.trusted ? o : validateObject(o, spec.fields);
        if (typeof row === 'string') raw = JSON.stringify(o);
      } else if (spec.format === 'json') {
        raw = records[i] as string;
        let o: unknown;
        try {
          o = JSON.parse(raw);
        } catch (err) {
          this.bad(position, raw, 'invalid JSON: ' + (err as Error).message);
          continue;
        }
        if (o === null || typeof o !== 'object' || Array.isArray(o)) {
          this.bad(position, raw, 'expected a JSON object, found ' + rt_describe(o));
          continue;
        }
        row = validateObject(o as Row, spec.fields);
      } else {
        raw = records[i] as string;
        const cells = parseCsvRecord(raw);
        if (!Array.isArray(cells)) {
          this.bad(position, raw, 'invalid CSV: ' + cells.error);
          continue;
        }
        row = validateCells(cells, this.columns, spec.fields);
      }
      if (typeof row === 'string') {
        this.bad(position, raw, row);
        continue;
      }
      let ts = 0;
      if (spec.eventTime) {
        ts = spec.eventTime(row);
        if (ts > state.maxTs) state.maxTs = ts;
      }
      this.next.push(ts, row);
    }
  }

  private bad(position: number, raw: string, reason: string): void {
    this.state.errors++;
    this.spec.reject(position, raw, reason);
  }
}
