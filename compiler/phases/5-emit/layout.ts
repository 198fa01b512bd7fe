/**
 * The job's state layout: one line per stateful operator (its kind, parameters, key and state
 * types), hashed into the fingerprint a checkpoint records. Stateless operators are not part of
 * it, so adding a `where` after the stateful ones keeps old checkpoints restorable.
 */
import { createHash } from 'node:crypto';
import type { PhysicalPlan } from '../4-fuse/fuse.ts';
import type { PlanNode } from '../3-plan/nodes.ts';
import type { LayoutContext, OperatorTable } from '../../operators/operator.ts';
import { demands } from '../4-fuse/optimize/reads.ts';

export interface StateLayout {
  lines: string[];
  fingerprint: string;
}

/** One line per stateful operator (the `layout` facet of its file under compiler/operators/). */
export function stateLayout(p: PhysicalPlan, ops: OperatorTable): StateLayout {
  // The snapshot format of generated operators (composite keys as KeyTable tuples, arrival
  // numbers in `top` buffers, accumulators and buffers listed in each line): a checkpoint of
  // another format is refused, not misread.
  const lines: string[] = ['state format 4'];
  let sources = 0;
  for (const n of p.logical.nodes) {
    if (!p.live.has(n.id)) continue;
    const cx: LayoutContext = { sourceIndex: sources, demanded: (id, f) => demands(p.demand.get(id), f) };
    const line = (ops[n.kind].layout as (n: PlanNode, cx: LayoutContext) => string | null)(n, cx);
    if (n.kind === 'Source') sources++;
    if (line !== null) lines.push(line);
  }
  const sinks = p.logical.nodes.filter((n) => n.kind === 'Sink' && p.live.has(n.id)).length;
  lines.push(`sinks: ${sinks}`);
  return { lines, fingerprint: createHash('sha256').update(lines.join('\n')).digest('hex') };
}
