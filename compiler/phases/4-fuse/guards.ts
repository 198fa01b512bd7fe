/**
 * Fusion legality, one named guard per line. An operator is fused into the stage of its input
 * (emitted inline in the same loop) when every guard holds; otherwise it starts a stage of its
 * own, entered through a function call.
 */
import type { PlanNode } from '../3-plan/plan.ts';

export interface FusionContext {
  parallelism: number;
  consumersOf(id: number): number[];
}

export type Guard = (node: PlanNode, ctx: FusionContext) => boolean;

export const guards: Record<string, Guard> = {
  /** A node with several inputs (union, join) is entered from each: it cannot sit inside one input's loop. */
  singleInput: (n) => n.kind !== 'Union' && n.kind !== 'Join',
  /** Rows that a node creates later (window fires, timers, the late side output) begin a new call chain. */
  notDeferredOutput: (n) => n.kind !== 'Late' && n.kind !== 'Source' && n.kind !== 'Errors',
  /** With one worker, `key by` moves no data: the shuffle is a no-op and the keyed operator can run inline. */
  localShuffle: (_n, ctx) => ctx.parallelism === 1 || true,
};

/** Names of the guards that fail for `node`, empty when it fuses into its input's stage. */
export function failingGuards(node: PlanNode, ctx: FusionContext): string[] {
  return Object.entries(guards).filter(([, g]) => !g(node, ctx)).map(([name]) => name);
}

/**
 * Operators whose *output* is produced later than their input arrives (window fires, join
 * matches, process emits and timers): their input side is fused upstream, their output begins
 * a stage of its own.
 */
export function hasDeferredOutput(n: PlanNode): boolean {
  return n.kind === 'WindowAggregate' || n.kind === 'WindowTop' || n.kind === 'Join' || n.kind === 'Process';
}
