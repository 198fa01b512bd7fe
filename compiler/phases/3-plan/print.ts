/** Deterministic text forms of the plans, for `flowc explain` and snapshot tests. */
import type { LogicalPlan, PlanNode } from './plan.ts';
import type { PhysicalPlan } from '../4-fuse/fuse.ts';
import { showRow } from '../2-check/types.ts';

function describe(n: PlanNode): string {
  switch (n.kind) {
    case 'Source': return `source ${n.name} (${n.connector.name}${n.connector.format ? ` ${n.connector.format}` : ''}${n.eventTime ? `, watermark ${n.watermarkMs}ms` : ', no event time'})`;
    case 'Where': return `where n${n.input}`;
    case 'Map': return `${n.extend ? 'extend' : 'select'} n${n.input}`;
    case 'Unnest': return `unnest ${n.field}${n.as !== n.field ? ` as ${n.as}` : ''} n${n.input}`;
    case 'KeyBy': return `⤨ key by [${n.keys.map((k) => k.name).join(', ')}] n${n.input}`;
    case 'WindowAggregate': return `window ${win(n.window)} aggregate [${n.aggregates.map((a) => a.name).join(', ')}] by [${n.keys.map((k) => k.name).join(', ')}] n${n.input}`;
    case 'WindowTop': return `window ${win(n.window)} top ${n.n} ${n.descending ? 'desc' : 'asc'}${n.withTies ? ' with ties' : ''} by [${n.keys.map((k) => k.name).join(', ')}] n${n.input}`;
    case 'Dedup': return `dedup [${n.fields.join(', ') || 'row'}] within ${n.withinMs}ms n${n.input}`;
    case 'Join': return `join n${n.left} ⋈ n${n.right} ${n.withinMs !== undefined ? `within ${n.withinMs}ms` : `window ${n.windowMs}ms`}`;
    case 'Lookup': return `lookup ${n.table}${n.keepUnmatched ? ' keep unmatched' : ''} n${n.input}`;
    case 'Process': return `process by [${n.keys.map((k) => k.name).join(', ')}] (${n.op.states.length} state) n${n.input}`;
    case 'Union': return `union ${n.inputs.map((i) => `n${i}`).join(', ')}`;
    case 'Late': return `late of n${n.of}`;
    case 'Errors': return `errors of n${n.source}`;
    case 'Sink': return `sink ${n.connector.name}${n.connector.format ? ` ${n.connector.format}` : ''} n${n.input}`;
  }
}

function win(w: { kind: string; size: number; every?: number; processingTime: boolean }): string {
  return `${w.kind} ${w.size}ms${w.every ? ` every ${w.every}ms` : ''}${w.processingTime ? ' processing time' : ''}`;
}

export function printLogicalPlan(p: LogicalPlan): string {
  return p.nodes
    .map((n) => `n${n.id} = ${describe(n)}${n.letName ? `   -- let ${n.letName}` : ''}\n      ${showRow(n.row)}`)
    .join('\n') + '\n';
}

export function printPhysicalPlan(p: PhysicalPlan): string {
  const out: string[] = [];
  for (const s of p.stages) {
    out.push(`stage ${s.id} (${s.reason}):`);
    for (const id of s.nodes) {
      const n = p.logical.nodes[id]!;
      out.push(`  n${id} ${describe(n)}${n.letName ? `   -- let ${n.letName}` : ''}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Graphviz: one cluster per stage, shuffles as dashed edges. */
export function physicalPlanDot(p: PhysicalPlan): string {
  const esc = (s: string) => JSON.stringify(s);
  const lines = ['digraph flow {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  for (const s of p.stages) {
    lines.push(`  subgraph cluster_${s.id} {`, `    label=${esc(`stage ${s.id}`)};`, '    style=rounded;');
    for (const id of s.nodes) lines.push(`    n${id} [label=${esc(describe(p.logical.nodes[id]!).replace(/ n\d+/g, ''))}];`);
    lines.push('  }');
  }
  for (const [from, tos] of p.consumers) {
    for (const to of tos) {
      const shuffle = p.logical.nodes[from]!.kind === 'KeyBy';
      lines.push(`  n${from} -> n${to}${shuffle ? ' [style=dashed, label="shuffle"]' : ''};`);
    }
  }
  for (const n of p.logical.nodes) {
    if (n.kind === 'Late' && p.live.has(n.id)) lines.push(`  n${n.of} -> n${n.id} [style=dotted, label="late"];`);
    if (n.kind === 'Errors' && p.live.has(n.id)) lines.push(`  n${n.source} -> n${n.id} [style=dotted, label="errors"];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
