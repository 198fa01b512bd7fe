/**
 * Phase 5: PhysicalPlan → TypeScript. One function per fused stage: a source stage is a loop over
 * a batch that parses, validates and pushes each record through every fused operator as plain
 * statements over local variables (no per-record objects, closures or dynamic dispatch); window
 * fires, join matches, process emits, unions, shuffles, late rows and errors enter through
 * functions of their own. What each operator writes is its `fused` facet
 * (compiler/operators/); the module is assembled from ts-morph structures (module.ts).
 *
 * With `--no-fuse` (`physical.fused === false`) the same plan is emitted for the generic operator
 * runtime instead (./unfused.ts).
 */
import type { FunctionDeclarationStructure } from 'ts-morph';
import { tsMorph } from '../../lazy-ts-morph.ts';
import type { PhysicalPlan } from '../4-fuse/fuse.ts';
import type { PlanNode } from '../3-plan/nodes.ts';
import type { TypedProgram } from '../2-check/check.ts';
import { jsString } from './expr.ts';
import { JobEmitter, type EmitOptions } from './job-emitter.ts';
import { indent } from './code.ts';
import { assemble, declareCommon, functionStructure, type EmitResult } from './module.ts';
import { emitUnfused } from './unfused.ts';
import { operators } from '../../operators/index.ts';

export type { EmitOptions } from './job-emitter.ts';
export type { EmitResult } from './module.ts';

export function emit(physical: PhysicalPlan, typed: TypedProgram, options: EmitOptions): EmitResult {
  if (!physical.fused) return emitUnfused(physical, typed, options);
  const e = new JobEmitter(physical, typed, options, operators);
  buildJob(e);
  return assemble(e, createFunction(e));
}

/** Fills the emitter: params, user fns, tables, then each operator's declarations in three passes. */
function buildJob(e: JobEmitter): void {
  const { physical } = e;
  declareCommon(e);
  // Sources get their index first: operators name the sources they depend on.
  let si = 0;
  for (const n of e.nodes) if (n.kind === 'Source' && physical.live.has(n.id)) e.sourceIndex.set(n.id, si++);
  // Entry functions of stages entered by call.
  for (const s of physical.stages) {
    const n = e.nodes[s.entry]!;
    if (s.kind === 'union' || s.kind === 'shuffle' || s.kind === 'late') e.entryFn.set(n.id, `enter${n.id}${e.suffix(n)}`);
    if (s.kind === 'errors') e.entryFn.set(n.id, `bad${n.id}`);
  }
  // In plan order, which is topological: the driver advances upstream operators first.
  for (const pass of ['entries', 'sources', 'outputs'] as const) {
    for (const n of e.nodes) {
      if (!physical.live.has(n.id)) continue;
      const declare = e.ops[n.kind].fused.declare as { pass: string; emit(e: JobEmitter, n: PlanNode): void } | null;
      if (declare?.pass === pass) declare.emit(e, n);
    }
  }
}

function createFunction(e: JobEmitter): FunctionDeclarationStructure {
  const observed = e.options.testMode ? [...(e.options.observe ?? [])].sort() : [];
  const list = (items: string[]) => (items.length ? `[\n${indent(items.map((x) => `${x},`), '    ').join('\n')}\n  ]` : '[]');
  const statements: (string | FunctionDeclarationStructure)[] = [
    [
      ...(e.options.testMode ? [`const OBSERVED: Record<string, Record<string, unknown>[]> = { ${observed.map((o) => `${jsString(o)}: []`).join(', ')} };`] : []),
      ...e.decls,
    ].join('\n'),
    ...e.fns.map(functionStructure),
    [
      'return {',
      `  sources: ${list(e.sourceBindings)},`,
      `  operators: ${list([...e.operators].sort((a, b) => a.id - b.id).map((o) => o.code))},`,
      `  sinks: [${e.sinkBindings.join(', ')}],`,
      `  tables: ${list(e.tableBindings)},`,
      // Test mode: the rows of observed lets and sources, read by `flowc test`.
      ...(e.options.testMode ? ['  ...({ observed: OBSERVED } as {}),'] : []),
      '};',
    ].join('\n'),
  ];
  return {
    kind: tsMorph().StructureKind.Function,
    name: 'create',
    docs: ["Builds the job's state and stage functions for one run."],
    parameters: [{ name: 'ctx', type: 'JobContext' }],
    returnType: 'JobGraph',
    statements,
  };
}

