/**
 * Phase 4: LogicalPlan → PhysicalPlan. The optimizer rewrites the plan (./optimize), then every
 * chain of operators between stage entries is fused into one stage, emitted as one straight-line
 * function. A stage starts at a source (a loop over a batch), at the output side of a stateful
 * operator (window fire, join match, process emit or timer), at a union, at a side output
 * (`late`, `errors`), or where a fusion guard fails (a real shuffle). The input side of a
 * stateful operator (accumulate, buffer, update state) runs inline in the stage that feeds it.
 */
import type { LogicalPlan, NodeId } from '../3-plan/nodes.ts';
import { operators } from '../../operators/index.ts';
import { isObserved } from './optimize/graph.ts';
import { failingGuards, type FusionContext } from './guards.ts';
import { optimize, type OptimizerNotes } from './optimize/index.ts';
import { demandAnalysis, type Demand } from './optimize/demand.ts';

/**
 * One operator's part in a stage: `run` (a stateless operator, or a stage's entry), `input` (the
 * input side of a stateful operator: accumulate, buffer, update), `output` (its output side:
 * fire, match, emit), `call` (rows leave for the stage `stage`, entered by a function call).
 */
export interface StageStep {
  node: NodeId;
  part: 'run' | 'input' | 'output' | 'call';
  /** For `call`: the stage entered. */
  stage?: number;
}

export type StageKind = 'source' | 'fire' | 'match' | 'emit' | 'union' | 'late' | 'errors' | 'shuffle' | 'operator';

export interface Stage {
  id: number;
  kind: StageKind;
  /** The node whose rows enter the stage (for stateful operators: their output side). */
  entry: NodeId;
  steps: StageStep[];
  /** Every node with a step in this stage, in emission order. */
  nodes: NodeId[];
  /** Why the stage starts where it does (the entry kind, or the guards that failed). */
  reason: string;
}

export interface PhysicalPlan {
  /** The optimized plan that runs (node ids refer to it). */
  logical: LogicalPlan;
  /** The plan as phase 3 produced it, before optimization. */
  original: LogicalPlan;
  stages: Stage[];
  /** Nodes whose output someone reads (reaching a sink, or observed by tests). */
  live: Set<NodeId>;
  /** Consumers of each live node. */
  consumers: Map<NodeId, NodeId[]>;
  /** Output fields of each live node that someone reads (projection pruning). */
  demand: Map<NodeId, Demand>;
  notes: OptimizerNotes;
  /** False for `--no-fuse`: the job runs as a chain of generic operator objects. */
  fused: boolean;
  parallelism: number;
}

export interface FuseOptions {
  /** Keep these lets and sources alive (and whole) even when no sink reads them (`flowc test`). */
  observe?: Set<string>;
  /** `--no-fuse`: every operator is its own stage, run by the generic operator runtime. */
  fuse?: boolean;
}

export function fuse(input: LogicalPlan, options: FuseOptions = {}): PhysicalPlan {
  const { plan, notes } = optimize(input, options.observe);
  const all = rowConsumers(plan);
  const live = liveNodes(plan, options.observe);
  const cons = new Map<NodeId, NodeId[]>();
  for (const [k, v] of all) if (live.has(k)) cons.set(k, v.filter((x) => live.has(x)));
  const ctx: FusionContext = { parallelism: plan.job.parallelism, consumersOf: (id) => cons.get(id) ?? [] };
  const fused = options.fuse !== false;

  // Stage entries, in plan order.
  const entries: { node: NodeId; kind: StageKind; part: StageStep['part']; reason: string }[] = [];
  for (const n of plan.nodes) {
    if (!live.has(n.id)) continue;
    const op = operators[n.kind];
    if (op.entry === 'source') entries.push({ node: n.id, kind: 'source', part: 'run', reason: 'source' });
    else if (op.entry === 'late' || op.entry === 'errors') entries.push({ node: n.id, kind: op.entry, part: 'run', reason: 'side output' });
    else if (op.deferred) {
      if (!fused) entries.push({ node: n.id, kind: 'operator', part: 'input', reason: 'no-fuse' });
      entries.push({ node: n.id, kind: op.deferred.stage, part: 'output', reason: 'deferred output' });
    } else {
      const failing = failingGuards(n, ctx);
      if (failing.length) entries.push({ node: n.id, kind: op.entry, part: 'run', reason: failing.join(', ') });
      else if (!fused) entries.push({ node: n.id, kind: 'operator', part: 'run', reason: 'no-fuse' });
    }
  }
  // Nodes entered by a call (their stage's first step is their input side or the node itself).
  const calledStage = new Map<NodeId, number>();
  entries.forEach((e, i) => { if (e.part !== 'output' && e.kind !== 'source' && e.kind !== 'late' && e.kind !== 'errors') calledStage.set(e.node, i); });

  const stages: Stage[] = entries.map((e, id) => {
    const steps: StageStep[] = [{ node: e.node, part: e.part }];
    const visit = (from: NodeId) => {
      for (const c of cons.get(from) ?? []) {
        const called = calledStage.get(c);
        if (called !== undefined) { steps.push({ node: c, part: 'call', stage: called }); continue; }
        if (operators[plan.nodes[c]!.kind].deferred) { steps.push({ node: c, part: 'input' }); continue; }
        steps.push({ node: c, part: 'run' });
        visit(c);
      }
    };
    // The input side of a stateful operator has no successors in its stage.
    if (e.part !== 'input') visit(e.node);
    return { id, kind: e.kind, entry: e.node, steps, nodes: [...new Set(steps.map((s) => s.node))], reason: e.reason };
  });
  const demand = demandAnalysis(plan, live, options.observe);
  return { logical: plan, original: input, stages, live, consumers: cons, demand, notes, fused, parallelism: plan.job.parallelism };
}

function liveNodes(plan: LogicalPlan, observe?: Set<string>): Set<NodeId> {
  const live = new Set<NodeId>();
  const mark = (id: NodeId) => {
    if (live.has(id)) return;
    live.add(id);
    for (const i of plan.nodes[id]!.inputs) mark(i);
  };
  for (const n of plan.nodes) {
    if (n.kind === 'Sink' || isObserved(n, observe)) mark(n.id);
  }
  return live;
}

/**
 * The readers of each node's rows down a stage's chain, in plan order: every input edge except
 * those of side outputs (`late`, `errors`), whose rows arrive by a call from their input.
 */
export function rowConsumers(p: LogicalPlan): Map<NodeId, NodeId[]> {
  const out = new Map<NodeId, NodeId[]>();
  for (const n of p.nodes) {
    if (operators[n.kind].sideOutput) continue;
    for (const i of n.inputs) {
      const l = out.get(i) ?? [];
      l.push(n.id);
      out.set(i, l);
    }
  }
  return out;
}
