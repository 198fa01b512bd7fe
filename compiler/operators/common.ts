/** Facets several operators share. */
import type { PlanNode } from '../phases/3-plan/nodes.ts';
import type { FusedFacet, UnfusedFacet } from './operator.ts';

/** Unfused: an object that passes rows on unchanged (shuffles with one worker, unions, side outputs). */
export function passRows<N extends PlanNode>(qualifiedRows: UnfusedFacet<N>['qualifiedRows']): UnfusedFacet<N> {
  return { declare: null, build: (e, n, next) => e.add(n, `new unfused.Pass(${next()})`), qualifiedRows, port: null };
}

/** Fused: the function that enters the operator's stage by call, with the fields read downstream as parameters. */
export function entryStage<N extends PlanNode>(doc: (n: N) => string): NonNullable<FusedFacet<N>['declare']> {
  return {
    pass: 'entries',
    emit: (e, n) => {
      const entry = e.entryFn.get(n.id);
      if (entry) e.rowEntry(n, entry, e.entryFields(n), doc(n));
    },
  };
}
