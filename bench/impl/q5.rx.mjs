// Nexmark q5 with RxJS: each bid is sent to its five sliding windows, grouped by window (a group
// completes when the watermark reaches the window's end), counted per auction, and the top
// auctions of each window emitted.
import { Subject, filter, from, groupBy, mergeMap, reduce, tap } from 'rxjs';
import { runRx, iso } from './io.mjs';

const SIZE = 10_000;
const SLIDE = 2_000;
const DELAY = 4_000;

await runRx('bid', (bids$) => {
  // The watermark follows the input, 4s behind the newest bid; it is announced to the groups
  // when it crosses a slide boundary (only then can a window end).
  let watermark = -Infinity;
  const watermark$ = new Subject();
  return bids$.pipe(
    tap((b) => {
      const wm = b.dateTime - DELAY;
      if (wm > watermark) {
        const crossed = Math.floor(wm / SLIDE) !== Math.floor(watermark / SLIDE);
        watermark = wm;
        if (crossed) watermark$.next(wm);
      }
    }),
    mergeMap((b) => {
      const last = b.dateTime - (b.dateTime % SLIDE);
      const out = [];
      for (let start = last - SIZE + SLIDE; start <= last; start += SLIDE) {
        if (start + SIZE > watermark) out.push({ start, auction: b.auction });
      }
      return from(out);
    }),
    groupBy((x) => x.start, { duration: (g) => watermark$.pipe(filter((wm) => wm >= g.key + SIZE)) }),
    mergeMap((g) => g.pipe(
      reduce((counts, x) => counts.set(x.auction, (counts.get(x.auction) ?? 0) + 1), new Map()),
      mergeMap((counts) => {
        let max = 0;
        for (const n of counts.values()) if (n > max) max = n;
        const rows = [];
        for (const [auction, n] of counts) {
          if (n === max) rows.push(JSON.stringify({ auction, num: n, window_start: iso(g.key), window_end: iso(g.key + SIZE) }));
        }
        return from(rows);
      }),
    )),
  );
});
