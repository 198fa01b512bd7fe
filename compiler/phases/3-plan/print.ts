/**
 * Deterministic text forms of the plans, for `flowc explain` and snapshot tests, and the
 * Graphviz drawing of the physical plan. `⤨` marks a shuffle (`key by`), `▸` the input side of a
 * stateful operator (accumulate, buffer, update) and `◂` its output side (fire, match, emit).
 */
import type { LogicalPlan, PlanNode } from './nodes.ts';
import type { PhysicalPlan, Stage, StageStep } from '../4-fuse/fuse.ts';
import { showRow } from '../../../lang/types.ts';
import { demands } from '../4-fuse/optimize/reads.ts';
import { operators } from '../../operators/index.ts';
import type { DeferredFacet } from '../../operators/operator.ts';

/** What an operator does, in Flow words (without its inputs). */
export function describeNode(n: PlanNode): string {
  return (operators[n.kind].describe as (n: PlanNode) => string)(n);
}

/** ` ← n1, n2`: the nodes a node reads; ` of n5` for a side output (the node that sends its rows). */
function inputs(n: PlanNode): string {
  if (!n.inputs.length) return '';
  return operators[n.kind].sideOutput ? ` of n${n.inputs[0]}` : ` ← ${n.inputs.map((i) => `n${i}`).join(', ')}`;
}

const letNote = (n: PlanNode) => (n.letName ? `   -- let ${n.letName}` : '');

/** One node per entry: what it does, its inputs, the let it ends, and the row it outputs. */
export function printLogicalPlan(p: LogicalPlan): string {
  return p.nodes
    .map((n) => `n${n.id} = ${describeNode(n)}${inputs(n)}${letNote(n)}\n      ${showRow(n.row)}`)
    .join('\n') + '\n';
}

function stageTitle(p: PhysicalPlan, s: Stage): string {
  const n = p.logical.nodes[s.entry]!;
  switch (s.kind) {
    case 'source': return `source ${(n as { name: string }).name}`;
    case 'fire': return `◂ n${n.id} fires`;
    case 'match': return `◂ n${n.id} matches`;
    case 'emit': return `◂ n${n.id} emits`;
    case 'late': return `late rows of n${n.inputs[0]}`;
    case 'errors': return `bad records of n${n.inputs[0]}`;
    case 'union': return `union (entered from ${n.inputs.map((i) => `n${i}`).join(', ')}; ${s.reason})`;
    case 'shuffle': return `⤨ shuffle n${n.id} (${s.reason})`;
    case 'operator': return `n${n.id} alone (${s.reason})`;
  }
}

/** The pruned part of a node's output: fields computed or stored only when someone reads them. */
function pruned(p: PhysicalPlan, n: PlanNode): string {
  const dropped = (operators[n.kind].pruned as (n: PlanNode, d: (f: string) => boolean) => string[])(n, (f) => demands(p.demand.get(n.id), f));
  return dropped.length ? `   (pruned: ${dropped.join(', ')})` : '';
}

function stepLine(p: PhysicalPlan, s: StageStep): string {
  const n = p.logical.nodes[s.node]!;
  const id = `n${n.id}`.padEnd(4);
  switch (s.part) {
    case 'call': return `  ${id} → stage ${s.stage} (entered by call)`;
    case 'input': {
      const deferred = operators[n.kind].deferred as DeferredFacet<PlanNode> | null;
      return `  ${id} ▸ ${describeNode(n)}: ${deferred ? deferred.explainInput(p, n) : 'update state'}`;
    }
    case 'output':
      return `  ${id} ◂ ${operators[n.kind].deferred?.explainOutput ?? 'rows'} ${showRow(n.row)}${letNote(n)}`;
    case 'run': {
      const fused = operators[n.kind].shuffle ? '   (shuffle fused: localShuffle, one worker)' : '';
      return `  ${id} ${describeNode(n)}${letNote(n)}${pruned(p, n)}${fused}`;
    }
  }
}

/**
 * Stages with their steps, then what the optimizer did. A stage is one generated function; a
 * step line is the code inside it, in order.
 */
export function printPhysicalPlan(p: PhysicalPlan): string {
  const out: string[] = [`${p.fused ? 'fused' : 'unfused (--no-fuse)'}: ${p.stages.length} stage${p.stages.length === 1 ? '' : 's'}, parallelism ${p.parallelism}`];
  for (const s of p.stages) {
    out.push(`stage ${s.id}: ${stageTitle(p, s)}`);
    s.steps.forEach((step, i) => {
      if (i === 0 && step.part === 'run' && s.kind !== 'operator') {
        const n = p.logical.nodes[step.node]!;
        out.push(`  ${`n${n.id}`.padEnd(4)} ${describeNode(n)}${letNote(n)}`);
        return;
      }
      // Fan-out: a step that does not read the step before it names its input.
      const prev = s.steps[i - 1];
      const from = i === 0 ? [] : inputOf(p.logical.nodes[step.node]!);
      const branch = prev && !from.includes(prev.node) && from.length ? `   ← n${from.find((x) => s.nodes.includes(x)) ?? from[0]}` : '';
      out.push(stepLine(p, step) + branch);
    });
  }
  const lines = (sp: { start: number; file: string }) => lineOf(p, sp);
  const notes: string[] = [];
  for (const f of p.notes.folded) notes.push(`constants folded in ${f.kind.toLowerCase()} (line ${lines(f.span)})`);
  for (const r of p.notes.removed) notes.push(`\`where\` always true removed (line ${lines(r)})`);
  for (const d of p.notes.pushdowns) notes.push(`where (line ${lines(d.where)}) moved above ${d.aboveKind} (line ${lines(d.above)})`);
  if (notes.length) out.push('optimizations:', ...notes.map((n) => `  ${n}`));
  return out.join('\n') + '\n';
}

function lineOf(p: PhysicalPlan, span: { start: number; file: string }): number {
  const text = p.logical.files.find((f) => f.file === span.file)?.text ?? '';
  let line = 1;
  for (let i = 0; i < span.start && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Graphviz: one cluster per stage, shuffles dashed, calls between stages bold, side outputs dotted. */
export function physicalPlanDot(p: PhysicalPlan): string {
  const esc = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n\u2028\u2029]/g, ' ')}"`;
  const lines = ['digraph flow {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica", fontsize=10];', '  compound=true;'];
  const placed = new Set<string>();
  for (const s of p.stages) {
    lines.push(`  subgraph cluster_${s.id} {`, `    label=${esc(`stage ${s.id}: ${stageTitle(p, s)}`)};`, '    style=rounded;');
    for (const step of s.steps) {
      if (step.part === 'call') continue;
      const id = `s${s.id}_n${step.node}`;
      if (placed.has(id)) continue;
      placed.add(id);
      const n = p.logical.nodes[step.node]!;
      const mark = step.part === 'input' ? '▸ ' : step.part === 'output' ? '◂ ' : '';
      lines.push(`    ${id} [label=${esc(mark + describeNode(n))}];`);
    }
    lines.push('  }');
  }
  const nodeIn = (stage: Stage, node: number) => `s${stage.id}_n${node}`;
  for (const s of p.stages) {
    for (let i = 1; i < s.steps.length; i++) {
      const step = s.steps[i]!;
      const n = p.logical.nodes[step.node]!;
      const from = inputOf(n).find((x) => s.steps.some((t) => t.node === x && t.part !== 'call' && t.part !== 'input'));
      if (from === undefined) continue;
      if (step.part === 'call') {
        const target = p.stages[step.stage!]!;
        lines.push(`  ${nodeIn(s, from)} -> ${nodeIn(target, target.steps[0]!.node)} [style=bold, label="call"];`);
      } else {
        const shuffle = operators[p.logical.nodes[from]!.kind].shuffle;
        lines.push(`  ${nodeIn(s, from)} -> ${nodeIn(s, step.node)}${shuffle ? ' [style=dashed, label="⤨"]' : ''};`);
      }
    }
    // A stateful operator's input side feeds the stage of its output side.
    if (s.steps[0]!.part === 'output') {
      for (const other of p.stages) {
        const side = other.steps.find((t) => t.node === s.entry && t.part === 'input');
        if (side) lines.push(`  ${nodeIn(other, s.entry)} -> ${nodeIn(s, s.entry)} [style=dotted, label="state"];`);
      }
    }
    if (s.kind === 'late' || s.kind === 'errors') {
      const n = p.logical.nodes[s.entry]!;
      const origin = n.inputs[0]!;
      const other = p.stages.find((t) => t.steps.some((x) => x.node === origin && x.part !== 'output' && x.part !== 'call'));
      if (other) lines.push(`  ${nodeIn(other, origin)} -> ${nodeIn(s, s.entry)} [style=dotted, label=${esc(s.kind)}];`);
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** The nodes whose rows reach `n` down a stage's chain (none for sources and side outputs). */
function inputOf(n: PlanNode): number[] {
  return operators[n.kind].sideOutput ? [] : n.inputs;
}
