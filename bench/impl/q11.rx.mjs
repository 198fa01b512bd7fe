// Nexmark q11 with RxJS: bids grouped by bidder; within each group a session operator emits a
// session when a bid comes more than 10s after the previous one, and the open session when the
// input ends.
import { Observable, groupBy, mergeMap } from 'rxjs';
import { runRx, iso } from './io.mjs';

const GAP = 10_000;

/** Sessions of one bidder's bids (which arrive in event-time order). */
const sessions = (bidder) => (bids$) => new Observable((sub) => {
  let current = null;
  const emit = (s) => sub.next(JSON.stringify({ bidder, window_start: iso(s.start), window_end: iso(s.end), bid_count: s.count }));
  return bids$.subscribe({
    next(b) {
      if (current !== null && b.dateTime <= current.end) {
        current.end = Math.max(current.end, b.dateTime + GAP);
        current.count++;
      } else {
        if (current !== null) emit(current);
        current = { start: b.dateTime, end: b.dateTime + GAP, count: 1 };
      }
    },
    error: (e) => sub.error(e),
    complete() {
      if (current !== null) emit(current);
      sub.complete();
    },
  });
});

await runRx('bid', (bids$) => bids$.pipe(
  groupBy((b) => b.bidder),
  mergeMap((g) => g.pipe(sessions(g.key))),
));
