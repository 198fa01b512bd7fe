/**
 * What a plan-node kind must say about itself in every phase after checking. Each kind has one
 * file in this folder implementing `Operator<K>`; compiler/operators/index.ts collects them in a
 * table typed over every `PlanKind`, so adding a kind to the union in
 * compiler/phases/3-plan/nodes.ts makes `tsc` name the file and every facet still missing.
 * Phases 3–5 dispatch over the table; the machinery operators share (the fused and unfused
 * emitters, expression compilation, keys, records) stays in compiler/phases/5-emit/.
 */
import type * as A from '../phases/1-parse/ast.ts';
import type { NodeId, PlanKind, PlanNode, PlanNodeOf } from '../phases/3-plan/nodes.ts';
import type { PhysicalPlan } from '../phases/4-fuse/fuse.ts';
import type { ReadScope } from '../phases/4-fuse/optimize/reads.ts';
import type { JobEmitter, Row } from '../phases/5-emit/job-emitter.ts';
import type { UnfusedEmitter } from '../phases/5-emit/unfused-emitter.ts';

/** The stage an operator begins: always (sources, side outputs), or where a fusion guard fails. */
export type EntryKind = 'source' | 'late' | 'errors' | 'union' | 'shuffle' | 'operator';

/** Demand analysis (compiler/phases/4-fuse/optimize/demand.ts) as one operator sees it. */
export interface DemandContext {
  /** The output fields of this node someone reads (may hold `*`: every field). */
  readonly demanded: ReadonlySet<string>;
  /** Is every output field read? */
  readonly all: boolean;
  /** Is output field `f` read? */
  has(f: string): boolean;
  /** Adds read fields (`f`, `alias.f` or `*`) to the demand of node `id`. */
  need(id: NodeId, items: Iterable<string>): void;
  node(id: NodeId): PlanNode;
  /** What `reader`'s expressions see of `row`'s output: its fields and the aliases readable there. */
  scopeOf(row: PlanNode, reader?: PlanNode): ReadScope;
}

/** Filter pushdown (compiler/phases/4-fuse/optimize/pushdown.ts) above this operator. */
export interface PushdownFacet<N> {
  /** How `flowc explain` names the operator the filter moved above. */
  label(n: N): 'select' | 'extend' | 'unnest';
  /** Output field → the expression computing it from the input row, or undefined when it is not a plain copy. */
  substitutions(n: N): Map<string, A.Expr | undefined>;
}

/** The output side of an operator whose output rows appear later than its input rows. */
export interface DeferredFacet<N> {
  /** The kind of stage its output side begins. */
  stage: 'fire' | 'match' | 'emit';
  /** What its input side does, for `flowc explain` (`accumulate`, `buffer …`). */
  explainInput(p: PhysicalPlan, n: N): string;
  /** What leaves its output side, for `flowc explain`. */
  explainOutput: string;
}

/** Fused code generation (compiler/phases/5-emit/emit.ts). */
export interface FusedFacet<N> {
  /**
   * Declarations in `create()`, made in three passes over the plan so that every function a
   * stage calls exists first: `entries` (sinks and the stages entered by call), `sources` (source
   * stages), `outputs` (the output sides of windows and joins).
   */
  declare: null | { pass: 'entries' | 'sources' | 'outputs'; emit(e: JobEmitter, n: N): void };
  /**
   * The statements run, inline in the feeding stage, for a row arriving from node `from`
   * (`occurrence`: which of several edges from the same node, for a self-join); they end by
   * running the consumers (`e.consumers`). `exit` abandons the current row. Null: rows never
   * arrive inline (sources, side outputs).
   */
  row: null | ((e: JobEmitter, n: N, row: Row, exit: string, from: NodeId, occurrence: number) => string[]);
}

/** `--no-fuse` code generation (compiler/phases/5-emit/unfused.ts, runtime/unfused/). */
export interface UnfusedFacet<N> {
  /** Declarations made before any operator object is built (sinks). */
  declare: null | ((e: UnfusedEmitter, n: N) => void);
  /** Builds the node's operator object; `next` is the code of the operator(s) its rows go to. */
  build(e: UnfusedEmitter, n: N, next: () => string): void;
  /** Whose qualified rows its output rows carry under hidden keys: none, its input's, or its own (joins, lookups). */
  qualifiedRows: 'none' | 'input' | 'own';
  /** The port of its operator object that rows from `from` enter (a join's `left`/`right`); null: the object itself. */
  port: null | ((n: N, from: NodeId, occurrence: number) => string);
}

export interface Operator<K extends PlanKind> {
  kind: K;
  /** What it does, in Flow words, without its inputs (plan printouts, explain, the plan picture). */
  describe(n: PlanNodeOf<K>): string;
  /** The stage it begins (see `EntryKind`). */
  entry: EntryKind;
  /** `key by`: moves rows between workers (a shuffle). */
  shuffle: boolean;
  /** Its rows arrive by a side call from its inputs (late rows, bad records), not down a stage's chain. */
  sideOutput: boolean;
  /** Null when output rows leave as input rows arrive. */
  deferred: DeferredFacet<PlanNodeOf<K>> | null;
  /** The node with every expression it evaluates passed through `f` (the same node when none changed). */
  mapExprs(n: PlanNodeOf<K>, f: (e: A.Expr) => A.Expr): PlanNodeOf<K>;
  /** Projection pruning: what it needs of its inputs given what is read of its output. */
  demand(n: PlanNodeOf<K>, cx: DemandContext): void;
  /** Output fields it leaves out because nobody reads them (shown by `flowc explain`). */
  pruned(n: PlanNodeOf<K>, demanded: (field: string) => boolean): string[];
  /** Null when a `where` after it may not move above it. */
  pushdown: PushdownFacet<PlanNodeOf<K>> | null;
  /**
   * Its line in the job's state layout (compiler/phases/5-emit/layout.ts): everything its
   * checkpointed state depends on, so that a checkpoint of other state is refused; null when it
   * keeps no state. `sourceIndex` is the position of a source among the live sources;
   * `demanded` says which output fields are read (what is kept depends on it).
   */
  layout(n: PlanNodeOf<K>, cx: LayoutContext): string | null;
  fused: FusedFacet<PlanNodeOf<K>>;
  unfused: UnfusedFacet<PlanNodeOf<K>>;
}

export interface LayoutContext {
  sourceIndex: number;
  demanded(id: NodeId, field: string): boolean;
}

/** The table: one operator per kind, no kind missing. */
export type OperatorTable = { readonly [K in PlanKind]: Operator<K> };
