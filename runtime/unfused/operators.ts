/**
 * The unfused mode (`flowc build --no-fuse`): a job runs as a chain of generic operator objects,
 * each calling `push(ts, row)` on the next one, rows being plain objects and expressions small
 * functions compiled once per operator. It shares the runtime's stores and driver with fused
 * jobs, so the two give the same bytes (a differential test) and the difference in speed is
 * what fusion buys (bench/backend.mjs).
 */
import type { Row } from './records.ts';
import { jsonRecord, csvRecord, type FieldDesc } from './records.ts';
import type { SinkBinding } from '../job/graph.ts';

export type { Row };

export interface Operator {
  push(ts: number, row: Row): void;
}

/** Rows leave here: nobody reads them (a pruned branch). */
export class Discard implements Operator {
  push(): void {}
}

/** `where`. */
export class Where implements Operator {
  constructor(private readonly pred: (r: Row) => boolean, private readonly next: Operator) {}
  push(ts: number, r: Row): void {
    if (this.pred(r)) this.next.push(ts, r);
  }
}

/** `select` / `extend`: a new row object per row. */
export class Project implements Operator {
  constructor(private readonly project: (r: Row) => Row, private readonly next: Operator) {}
  push(ts: number, r: Row): void {
    this.next.push(ts, this.project(r));
  }
}

/** `unnest`: one row per element of a list field. */
export class Unnest implements Operator {
  constructor(private readonly list: (r: Row) => unknown[] | null, private readonly make: (r: Row, el: unknown) => Row, private readonly next: Operator) {}
  push(ts: number, r: Row): void {
    const l = this.list(r);
    if (l == null) return;
    for (let i = 0; i < l.length; i++) this.next.push(ts, this.make(r, l[i]));
  }
}

/** A row read by several operators (a let read twice): each gets it in turn. */
export class FanOut implements Operator {
  constructor(private readonly outs: Operator[]) {}
  push(ts: number, r: Row): void {
    for (let i = 0; i < this.outs.length; i++) this.outs[i]!.push(ts, r);
  }
}

/** `key by` (a shuffle that moves nothing with one worker) and `union`: rows pass through. */
export class Pass implements Operator {
  constructor(private readonly next: Operator) {}
  push(ts: number, r: Row): void {
    this.next.push(ts, r);
  }
}

/** `lookup`: enrich from a table loaded before the job starts. */
export class Lookup implements Operator {
  constructor(
    private readonly table: Map<unknown, Row>, private readonly probe: (r: Row) => unknown,
    private readonly keepUnmatched: boolean, private readonly combine: (r: Row, t: Row | undefined) => Row, private readonly next: Operator,
  ) {}
  push(ts: number, r: Row): void {
    const t = this.table.get(this.probe(r));
    if (t === undefined && !this.keepUnmatched) return;
    this.next.push(ts, this.combine(r, t));
  }
}

/** A sink: serialises each row from its type descriptor and writes one line. */
export class Sink implements Operator {
  private readonly serialise: (r: Row) => string;
  constructor(private readonly sink: SinkBinding & { write(line: string): void }, format: 'jsonl' | 'csv', private readonly fields: FieldDesc[]) {
    this.serialise = format === 'csv' ? (r) => csvRecord(r, this.fields) : (r) => jsonRecord(r, this.fields);
  }
  push(_ts: number, r: Row): void {
    this.sink.write(this.serialise(r));
    this.sink.state.rows++;
  }
}

/** Test mode and debugging: collects rows. */
export class Collect implements Operator {
  readonly rows: Row[] = [];
  push(_ts: number, r: Row): void {
    this.rows.push(r);
  }
}
