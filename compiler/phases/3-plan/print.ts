/**
 * Deterministic text forms of the plans, for `flowc explain` and snapshot tests, and the
 * Graphviz drawing of the physical plan. `⤨` marks a shuffle (`key by`), `▸` the input side of a
 * stateful operator (accumulate, buffer, update) and `◂` its output side (fire, match, emit).
 */
import type { LogicalPlan, PlanNode } from './plan.ts';
import type { PhysicalPlan, Stage, StageStep } from '../4-fuse/fuse.ts';
import { showRow } from '../2-check/types.ts';
import type { ConnectorInfo } from '../2-check/connectors.ts';
import { showDuration, showExpr, showRecord } from './show.ts';
import { demands } from '../4-fuse/optimize/demand.ts';

function win(w: { kind: string; size: number; every?: number; processingTime: boolean }): string {
  const spec = w.kind === 'sliding' ? `sliding ${showDuration(w.size)} every ${showDuration(w.every!)}` : `${w.kind} ${showDuration(w.size)}`;
  return `window ${spec}${w.processingTime ? ' processing time' : ''}`;
}

function keys(ks: { name: string }[]): string {
  return ks.length ? ` by ${ks.map((k) => k.name).join(', ')}` : '';
}

function connector(c: ConnectorInfo): string {
  const args = Object.entries(c.args).map(([k, v]) => (k === 'path' ? showExpr(v) : `${k}: ${showExpr(v)}`));
  return `${c.name}(${args.join(', ')})${c.format ? ` ${c.format}` : ''}`;
}

/** What an operator does, in Flow words (without its inputs). */
export function describeNode(n: PlanNode): string {
  switch (n.kind) {
    case 'Source': return `source ${n.name} ${connector(n.connector)}${n.eventTime ? `, event time ${showExpr(n.eventTime)} watermark ${showDuration(n.watermarkMs)}` : ', no event time'}`;
    case 'Where': return `where ${showExpr(n.cond)}`;
    case 'Map': return `${n.extend ? 'extend' : 'select'} ${showRecord(n.record)}`;
    case 'Unnest': return `unnest ${n.field}${n.as !== n.field ? ` as ${n.as}` : ''}`;
    case 'KeyBy': return `⤨ key by ${n.keys.map((k) => showExpr(k.expr)).join(', ')}`;
    case 'WindowAggregate': return `${win(n.window)}${keys(n.keys)} aggregate { ${n.aggregates.map((a) => `${a.name}: ${showExpr(a.expr)}`).join(', ')} }`;
    case 'WindowTop': return `${win(n.window)}${keys(n.keys)} top ${n.n} by ${showExpr(n.by)}${n.descending ? ' desc' : ''}${n.withTies ? ' with ties' : ''}`;
    case 'Dedup': return `dedup${n.fields.length ? ` by ${n.fields.join(', ')}` : ''} within ${showDuration(n.withinMs)}`;
    case 'Join': {
      const on = n.leftKeys.map((l, i) => `${showExpr(l)} == ${showExpr(n.rightKeys[i]!)}`).join(' and ');
      return `join ${n.rightAlias} on ${on} ${n.withinMs !== undefined ? `within ${showDuration(n.withinMs)}` : `window tumbling ${showDuration(n.windowMs!)}`}`;
    }
    case 'Lookup': return `lookup ${n.table}${n.alias !== n.table ? ` as ${n.alias}` : ''} on ${showExpr(n.probe)}${n.keepUnmatched ? ' keep unmatched' : ''}`;
    case 'Process': return `process${keys(n.keys)} { ${n.op.states.map((s) => `state ${s.name.name}`).concat(n.op.onRecord ? ['on record'] : [], n.op.onTimer ? ['on timer'] : []).join('; ')} }`;
    case 'Union': return 'union';
    case 'Late': return 'late';
    case 'Errors': return 'errors';
    case 'Sink': return `sink -> ${connector(n.connector)}`;
  }
}

function inputs(n: PlanNode): string {
  switch (n.kind) {
    case 'Source': return '';
    case 'Late': return ` of n${n.of}`;
    case 'Errors': return ` of n${n.source}`;
    case 'Join': return ` ← n${n.left}, n${n.right}`;
    case 'Union': return ` ← ${n.inputs.map((i) => `n${i}`).join(', ')}`;
    default: return ` ← n${n.input}`;
  }
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
    case 'late': return `late rows of n${(n as { of: number }).of}`;
    case 'errors': return `bad records of n${(n as { source: number }).source}`;
    case 'union': return `union (entered from ${(n as { inputs: number[] }).inputs.map((i) => `n${i}`).join(', ')}; ${s.reason})`;
    case 'shuffle': return `⤨ shuffle n${n.id} (${s.reason})`;
    case 'operator': return `n${n.id} alone (${s.reason})`;
  }
}

/** The pruned part of a node's output: fields computed or stored only when someone reads them. */
function pruned(p: PhysicalPlan, n: PlanNode): string {
  const d = p.demand.get(n.id);
  let dropped: string[] = [];
  if (n.kind === 'Map') dropped = n.record.items.flatMap((i) => (i.kind === 'Field' && !demands(d, i.name.name) ? [i.name.name] : []));
  if (n.kind === 'WindowAggregate') dropped = n.aggregates.filter((a) => !demands(d, a.name)).map((a) => a.name);
  return dropped.length ? `   (pruned: ${dropped.join(', ')})` : '';
}

function stepLine(p: PhysicalPlan, s: StageStep): string {
  const n = p.logical.nodes[s.node]!;
  const id = `n${n.id}`.padEnd(4);
  switch (s.part) {
    case 'call': return `  ${id} → stage ${s.stage} (entered by call)`;
    case 'input': {
      const stored = (node: number, fields: string[]) => `{ ${fields.filter((f) => demands(p.demand.get(node), f)).join(', ')} }`;
      let what: string;
      if (n.kind === 'WindowAggregate') what = `accumulate${pruned(p, n)}`;
      else if (n.kind === 'WindowTop') what = `buffer ${stored(n.id, p.logical.nodes[n.input]!.row.fields.map((f) => f.name))}`;
      else if (n.kind === 'Join') what = `buffer left ${stored(n.left, n.leftRow.fields.map((f) => f.name))}, right ${stored(n.right, n.rightRow.fields.map((f) => f.name))}, match`;
      else what = 'update state and timers';
      return `  ${id} ▸ ${describeNode(n)}: ${what}`;
    }
    case 'output': {
      const what = n.kind === 'Join' ? 'matched pairs' : n.kind === 'Process' ? 'emitted rows' : 'window results';
      return `  ${id} ◂ ${what} ${showRow(n.row)}${letNote(n)}`;
    }
    case 'run': {
      const fused = n.kind === 'KeyBy' ? '   (shuffle fused: localShuffle, one worker)' : '';
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
        const shuffle = p.logical.nodes[from]!.kind === 'KeyBy';
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
      const origin = n.kind === 'Late' ? n.of : (n as { source: number }).source;
      const other = p.stages.find((t) => t.steps.some((x) => x.node === origin && x.part !== 'output' && x.part !== 'call'));
      if (other) lines.push(`  ${nodeIn(other, origin)} -> ${nodeIn(s, s.entry)} [style=dotted, label=${esc(s.kind)}];`);
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

function inputOf(n: PlanNode): number[] {
  switch (n.kind) {
    case 'Source': case 'Late': case 'Errors': return [];
    case 'Join': return [n.left, n.right];
    case 'Union': return n.inputs;
    default: return [n.input];
  }
}
