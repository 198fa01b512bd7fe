/**
 * `errors(S)`: the records of source S that did not parse or fit its type, as
 * `{ source, position, raw, error }`; the source stage sends each by calling this stage's entry.
 */
import type { Operator } from './operator.ts';
import { entryStage, passRows } from './common.ts';

export const errors: Operator<'Errors'> = {
  kind: 'Errors',
  describe: () => 'errors',
  entry: 'errors',
  shuffle: false,
  sideOutput: true,
  deferred: null,
  mapExprs: (n) => n,
  // Bad records are raw input: nothing of the source's output rows is read.
  demand: () => {},
  pruned: () => [],
  pushdown: null,
  layout: () => null,
  fused: {
    declare: entryStage(() => 'Stage: bad input records.'),
    row: null,
  },
  unfused: passRows('none'),
};
