/**
 * Phase 4: LogicalPlan → PhysicalPlan. Operators between stage entries are fused into one
 * stage, emitted as one straight-line function. A stage starts at a source (a loop over a batch),
 * at the output of a stateful operator (window fire, join match, process emit), at a union, or at
 * a side output (`late`, `errors`).
 */
import { consumers, type LogicalPlan, type NodeId, type PlanNode } from '../3-plan/plan.ts';
import { failingGuards, hasDeferredOutput, type FusionContext } from './guards.ts';

export interface Stage {
  id: number;
  /** The node whose rows enter the stage (for stateful operators: their output). */
  entry: NodeId;
  /** Every node fused into this stage, in emission order. */
  nodes: NodeId[];
  /** Why the stage starts where it does (the guard that failed, or the entry kind). */
  reason: string;
}

export interface PhysicalPlan {
  logical: LogicalPlan;
  stages: Stage[];
  /** Nodes whose output someone reads (reaching a sink, or observed by tests). */
  live: Set<NodeId>;
  /** Consumers of each live node. */
  consumers: Map<NodeId, NodeId[]>;
  fused: boolean;
}

export interface FuseOptions {
  /** Keep every let alive even when no sink reads it (for `flowc test`). */
  observe?: Set<string>;
  /** `--no-fuse`: every operator is its own stage. */
  fuse?: boolean;
}

export function fuse(plan: LogicalPlan, options: FuseOptions = {}): PhysicalPlan {
  const all = consumers(plan);
  const live = liveNodes(plan, all, options.observe);
  const cons = new Map<NodeId, NodeId[]>();
  for (const [k, v] of all) if (live.has(k)) cons.set(k, v.filter((x) => live.has(x)));
  const ctx: FusionContext = { parallelism: plan.job.parallelism, consumersOf: (id) => cons.get(id) ?? [] };
  const fused = options.fuse !== false;

  const stages: Stage[] = [];
  const stageOf = new Map<NodeId, number>();
  const entries: { id: NodeId; reason: string }[] = [];
  for (const n of plan.nodes) {
    if (!live.has(n.id)) continue;
    if (n.kind === 'Source' || n.kind === 'Late' || n.kind === 'Errors') entries.push({ id: n.id, reason: n.kind.toLowerCase() });
    else if (hasDeferredOutput(n)) entries.push({ id: n.id, reason: `${n.kind} output` });
    else {
      const failing = failingGuards(n, ctx);
      if (failing.length) entries.push({ id: n.id, reason: failing.join(', ') });
      else if (!fused) entries.push({ id: n.id, reason: 'no-fuse' });
    }
  }
  const isEntry = new Set(entries.map((e) => e.id));
  for (const e of entries) {
    const stage: Stage = { id: stages.length, entry: e.id, nodes: [e.id], reason: e.reason };
    stages.push(stage);
    stageOf.set(e.id, stage.id);
    const visit = (id: NodeId) => {
      for (const c of cons.get(id) ?? []) {
        if (isEntry.has(c)) continue;
        stage.nodes.push(c);
        stageOf.set(c, stage.id);
        const node = plan.nodes[c]!;
        if (!hasDeferredOutput(node)) visit(c);
      }
    };
    const entry = plan.nodes[e.id]!;
    // A stateful entry's stage holds what follows its output; its input side lives upstream.
    visit(entry.id);
  }
  return { logical: plan, stages, live, consumers: cons, fused };
}

function liveNodes(plan: LogicalPlan, cons: Map<NodeId, NodeId[]>, observe?: Set<string>): Set<NodeId> {
  const live = new Set<NodeId>();
  const inputsOf = (n: PlanNode): NodeId[] => {
    switch (n.kind) {
      case 'Source': return [];
      case 'Late': return [(plan.nodes[n.of] as { input: NodeId }).input, n.of];
      case 'Errors': return [n.source];
      case 'Join': return [n.left, n.right];
      case 'Union': return n.inputs;
      default: return [n.input];
    }
  };
  const mark = (id: NodeId) => {
    if (live.has(id)) return;
    live.add(id);
    for (const i of inputsOf(plan.nodes[id]!)) mark(i);
  };
  for (const n of plan.nodes) {
    if (n.kind === 'Sink' || (n.letName && observe?.has(n.letName)) || (n.kind === 'Source' && observe?.has(n.name))) mark(n.id);
  }
  void cons;
  return live;
}
