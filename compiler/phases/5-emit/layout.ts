/**
 * The job's state layout: one line per stateful operator (its kind, parameters, key and state
 * types), hashed into the fingerprint a checkpoint records. Stateless operators are not part of
 * it, so adding a `where` after the stateful ones keeps old checkpoints restorable.
 */
import { createHash } from 'node:crypto';
import type { PhysicalPlan } from '../4-fuse/fuse.ts';
import type { PlanNode } from '../3-plan/plan.ts';
import { showType, showRow } from '../2-check/types.ts';

export interface StateLayout {
  lines: string[];
  fingerprint: string;
}

export function stateLayout(p: PhysicalPlan): StateLayout {
  // The snapshot format of generated operators (composite keys as KeyTable tuples, arrival
  // numbers in `top` buffers): a checkpoint of another format is refused, not misread.
  const lines: string[] = ['state format 3'];
  let sources = 0;
  for (const n of p.logical.nodes) {
    if (!p.live.has(n.id)) continue;
    const line = describe(n, sources);
    if (n.kind === 'Source') sources++;
    if (line) lines.push(line);
  }
  const sinks = p.logical.nodes.filter((n) => n.kind === 'Sink' && p.live.has(n.id)).length;
  lines.push(`sinks: ${sinks}`);
  return { lines, fingerprint: createHash('sha256').update(lines.join('\n')).digest('hex') };
}

const keys = (ks: { name: string; type: import('../2-check/types.ts').Type }[]) => `[${ks.map((k) => `${k.name}: ${showType(k.type)}`).join(', ')}]`;

/**
 * Session windows merge rows at most the gap apart (runtime/windows/session-store.ts). Their line
 * says so: a checkpoint of sessions merged by the earlier rule (rows closer than the gap) has the
 * line without it, so it is refused, naming the change, rather than misread.
 */
const sessionRule = (w: { kind: string; size: number }) => (w.kind === 'session' ? ` (merging rows at most ${w.size}ms apart)` : '');

function describe(n: PlanNode, sourceIndex: number): string | undefined {
  const name = n.letName ? ` (let ${n.letName})` : '';
  switch (n.kind) {
    case 'Source': return `source #${sourceIndex} ${n.name}: ${n.connector.name}`;
    case 'WindowAggregate':
      return `window ${n.window.kind} ${n.window.size}ms${n.window.every ? `/${n.window.every}ms` : ''}${sessionRule(n.window)} aggregate by ${keys(n.keys)} ${showRow(n.row)}${name}`;
    case 'WindowTop':
      return `window ${n.window.kind} ${n.window.size}ms${n.window.every ? `/${n.window.every}ms` : ''}${sessionRule(n.window)} top ${n.n} by ${keys(n.keys)} ${showRow(n.row)}${name}`;
    case 'Dedup': return `dedup [${n.fields.join(', ')}] within ${n.withinMs}ms${name}`;
    case 'Join': return `join ${n.withinMs !== undefined ? `within ${n.withinMs}ms` : `window ${n.windowMs}ms`} ${showRow(n.leftRow)} ⋈ ${showRow(n.rightRow)}${name}`;
    case 'Process': return `process by ${keys(n.keys)} state {${n.op.states.map((s) => `${s.name.name}: ${showType(s.init.ty ?? { kind: 'error' })}`).join(', ')}}${name}`;
    default: return undefined;
  }
}
