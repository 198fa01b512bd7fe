/** A watermark a unit test controls, handed to a store as its deadline listener. */
import type { DeadlineListener } from '../../runtime/state/watermark.ts';

export function manualClock() {
  let wm = -Infinity;
  const deadlines: number[] = [];
  const listener: DeadlineListener = Object.assign((t: number) => { deadlines.push(t); }, { watermark: () => wm });
  return { listener, deadlines, set: (w: number) => { wm = w; }, get: () => wm };
}
