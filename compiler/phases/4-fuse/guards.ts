/**
 * Legality as named guards, one commented line each. `failingGuards` names the guards that stop
 * an operator from fusing into its input's stage (the names appear in `flowc explain`); the
 * rewrite guards say when the optimizer may move a `where` above the operator feeding it.
 */
import type { PlanNode } from '../3-plan/nodes.ts';
import { operators } from '../../operators/index.ts';

export interface FusionContext {
  /** Workers per operator (the job's `parallelism`). */
  parallelism: number;
  consumersOf(id: number): number[];
}

export type Guard = (node: PlanNode, ctx: FusionContext) => boolean;

/** When an operator may run inline, as statements in the loop of the stage that feeds it. */
export const fusionGuards: Record<string, Guard> = {
  /** Several inputs (a union) means being entered from several loops: the operator starts a stage entered by call. */
  singleInput: (n) => n.inputs.length <= 1,
  /** Side outputs (`late`, `errors`) and sources produce rows of their own, outside any input loop. */
  notSideOutput: (n) => { const e = operators[n.kind].entry; return e !== 'source' && e !== 'late' && e !== 'errors'; },
  /** `key by` moves rows between workers; with one worker the shuffle moves nothing and the keyed operator runs inline. */
  localShuffle: (n, ctx) => !operators[n.kind].shuffle || ctx.parallelism === 1,
};

/** Names of the fusion guards that fail for `node`; empty when it fuses into its input's stage. */
export function failingGuards(node: PlanNode, ctx: FusionContext): string[] {
  return Object.entries(fusionGuards).filter(([, g]) => !g(node, ctx)).map(([name]) => name);
}

/**
 * Operators whose output rows appear later than their input rows (window fires, join matches,
 * `process` emits and timers). Their input side (accumulate, buffer, update state) is fused into
 * the stage that feeds them; their output side begins a stage of its own.
 */
export function hasDeferredOutput(n: PlanNode): boolean {
  return operators[n.kind].deferred !== null;
}

/** Facts about a `where` and the operator feeding it, checked before moving the filter up. */
export interface PushdownFacts {
  /** Readers of the feeding operator's output. */
  consumers: number;
  /** The feeding operator ends a let that tests observe. */
  observed: boolean;
  /** Every field the condition reads is a plain copy (a field, a member, a literal) in the feeding operator. */
  readsCopies: boolean;
  /** A name the condition reads as a param would mean a field (or qualifier) above the feeding operator. */
  shadowed: boolean;
}

/** When `X | where C` may become `where C' | X` (C' = C with X's field expressions substituted). */
export const pushdownGuards: Record<string, (f: PushdownFacts) => boolean> = {
  /** Only the filter reads X's output: filtering X's input changes no other reader. */
  singleConsumer: (f) => f.consumers === 1,
  /** A let that tests observe must keep every row it had. */
  notObserved: (f) => !f.observed,
  /** The condition is rewritten only over copied fields, so nothing is computed twice. */
  readsCopies: (f) => f.readsCopies,
  /** The rewritten condition must mean the same names it meant below X. */
  noShadowing: (f) => !f.shadowed,
};

export function failingPushdownGuards(f: PushdownFacts): string[] {
  return Object.entries(pushdownGuards).filter(([, g]) => !g(f)).map(([name]) => name);
}
