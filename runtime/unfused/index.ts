/** The generic operator runtime of `--no-fuse` builds (see operators.ts). */
export { Discard, Where, Project, Unnest, FanOut, Pass, Lookup, Sink, Collect, type Operator, type Row } from './operators.ts';
export { WindowAggregate, WindowTop, Dedup, Join, Process, operatorBinding } from './stateful.ts';
export { SourceStage } from './source.ts';
export { convertValue, type TypeDesc, type FieldDesc } from './records.ts';
