/**
 * The operator table: for every plan-node kind, the file that says what it does in every phase
 * after checking (see operator.ts). `OperatorTable` is a mapped type over `PlanKind`: a kind
 * without an entry, or an entry without a facet, does not compile.
 */
import type { OperatorTable } from './operator.ts';
import { source } from './source.ts';
import { where } from './where.ts';
import { map } from './map.ts';
import { unnest } from './unnest.ts';
import { keyBy } from './key-by.ts';
import { windowAggregate } from './window-aggregate.ts';
import { windowTop } from './window-top.ts';
import { dedup } from './dedup.ts';
import { join } from './join.ts';
import { lookup } from './lookup.ts';
import { process } from './process.ts';
import { union } from './union.ts';
import { late } from './late.ts';
import { errors } from './errors.ts';
import { sink } from './sink.ts';

export const operators: OperatorTable = {
  Source: source,
  Where: where,
  Map: map,
  Unnest: unnest,
  KeyBy: keyBy,
  WindowAggregate: windowAggregate,
  WindowTop: windowTop,
  Dedup: dedup,
  Join: join,
  Lookup: lookup,
  Process: process,
  Union: union,
  Late: late,
  Errors: errors,
  Sink: sink,
};

export type { Operator, OperatorTable } from './operator.ts';
