/**
 * `--no-fuse`: the same physical plan emitted for the generic operator runtime
 * (runtime/unfused/): one operator object per plan node, built from the sinks back to the
 * sources by each operator's `unfused` facet (compiler/operators/), rows as plain objects, each
 * expression compiled once into a small function. Used by the differential tests (fused and
 * unfused output must be byte-identical) and by the benchmark (what fusion buys).
 */
import type { FunctionDeclarationStructure } from 'ts-morph';
import { tsMorph } from '../../lazy-ts-morph.ts';
import type { PhysicalPlan } from '../4-fuse/fuse.ts';
import type { PlanNode } from '../3-plan/nodes.ts';
import type { TypedProgram } from '../2-check/check.ts';
import type { EmitOptions } from './job-emitter.ts';
import { UnfusedEmitter } from './unfused-emitter.ts';
import { assemble, declareCommon, type EmitResult } from './module.ts';
import { operators } from '../../operators/index.ts';
import type { UnfusedFacet } from '../../operators/operator.ts';

export function emitUnfused(physical: PhysicalPlan, typed: TypedProgram, options: EmitOptions): EmitResult {
  const e = new UnfusedEmitter(physical, typed, options, operators);
  declareCommon(e);
  e.use('unfused');
  let si = 0;
  for (const n of e.nodes) if (n.kind === 'Source' && physical.live.has(n.id)) e.sourceIndex.set(n.id, si++);
  const facet = (n: PlanNode) => e.ops[n.kind].unfused as UnfusedFacet<PlanNode>;
  for (const n of e.nodes) if (physical.live.has(n.id)) facet(n).declare?.(e, n);
  // From the sinks back to the sources: an operator object is built after the ones it feeds.
  for (let id = e.nodes.length - 1; id >= 0; id--) {
    if (!physical.live.has(id)) continue;
    const n = e.nodes[id]!;
    facet(n).build(e, n, () => e.next(n.id));
  }
  const sources = e.sourceBindings;
  const create: FunctionDeclarationStructure = {
    kind: tsMorph().StructureKind.Function,
    name: 'create',
    docs: ["Builds the job's operator objects (from the sinks back to the sources) for one run."],
    parameters: [{ name: 'ctx', type: 'JobContext' }],
    returnType: 'JobGraph',
    statements: [[
      ...e.decls,
      ...e.build,
      'return {',
      `  sources: [${sources.join(', ')}],`,
      `  operators: [${[...e.bindings].sort((a, b) => a.id - b.id).map((b) => `\n    ${b.code}`).join(',')}\n  ],`,
      `  sinks: [${e.sinkBindings.join(', ')}],`,
      `  tables: [${e.tableBindings.join(', ')}],`,
      // Test mode (the in-memory benchmark): the harness expects the observed rows (none here).
      ...(e.options.testMode ? ['  ...({ observed: {} } as {}),'] : []),
      '};',
    ].join('\n')],
  };
  return assemble(e, create);
}
