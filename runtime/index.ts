/**
 * The only module generated job code imports. Named, side-effect-free exports, so that esbuild
 * keeps only what a job uses.
 */
export { runMain, runJob, parseParams, reportError, BATCH } from './job/driver.ts';
export { parseJobFlags } from './job/flags.ts';
export type { JobDefinition, JobContext, JobGraph, ReadBatch, Reader, SourceBinding, OperatorBinding, SinkBinding, ParamDef } from './job/graph.ts';
export { UserError } from './errors.ts';
export { PaneWindows } from './windows/pane-store.ts';
export { SessionWindows } from './windows/session-store.ts';
export { rt_topPrune } from './windows/top-buffer.ts';
export { DedupStore } from './state/dedup-store.ts';
export { ProcessStore } from './state/process-store.ts';
export { KeyTable } from './state/key-table.ts';
export * as unfused from './unfused/index.ts';
export { IntervalJoin } from './joins/interval-join.ts';
export { WindowJoin } from './joins/window-join.ts';
export { fileReader, stdinReader, nexmarkReader, fileSinkBinding, streamSinkBinding, sourceIdentity } from './connectors/bindings.ts';
export { loadTable } from './connectors/table.ts';
export { parseCsvRecord, csvField } from './formats/csv.ts';
export {
  BAD, rt_describe, rt_ts, rt_dur, rt_csvInt, rt_csvFloat, rt_csvBool, rt_jf, rt_cf, rt_iso, rt_eq, rt_csvColumns,
} from './formats/values.ts';
export {
  rt_round, rt_min, rt_max, rt_length, rt_substring, rt_splitIndex, rt_regex, rt_regexExtract, rt_toInt, rt_toFloat,
  rt_toString, rt_timestampToString, rt_parseTimestampText, rt_formatTimestamp, rt_hour, rt_dayOfWeek, rt_dateTrunc,
  rt_hash, rt_floorMod, rt_key, rt_unkey, rt_cmp,
} from './expr/builtins.ts';

/** In test mode sources are fed by the test runner, never opened. */
export function testReader(name: string): never {
  throw new Error(`internal: test source ${name} was opened`);
}
