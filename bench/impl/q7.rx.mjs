// Nexmark q7 with RxJS: bids grouped by tumbling window (a group completes when the watermark
// reaches the window's end), reduced to the bids at the highest price.
import { Subject, filter, from, groupBy, map, mergeMap, reduce, tap } from 'rxjs';
import { runRx, iso } from './io.mjs';

const SIZE = 10_000;
const DELAY = 4_000;

await runRx('bid', (bids$) => {
  let watermark = -Infinity;
  const watermark$ = new Subject();
  return bids$.pipe(
    tap((b) => {
      const wm = b.dateTime - DELAY;
      if (wm > watermark) {
        const crossed = Math.floor(wm / SIZE) !== Math.floor(watermark / SIZE);
        watermark = wm;
        if (crossed) watermark$.next(wm);
      }
    }),
    filter((b) => b.dateTime - (b.dateTime % SIZE) + SIZE > watermark),
    groupBy((b) => b.dateTime - (b.dateTime % SIZE), { duration: (g) => watermark$.pipe(filter((wm) => wm >= g.key + SIZE)) }),
    mergeMap((g) => g.pipe(
      reduce((best, b) => {
        if (best.price === undefined || b.price > best.price) return { price: b.price, bids: [b] };
        if (b.price === best.price) best.bids.push(b);
        return best;
      }, { price: undefined, bids: [] }),
      mergeMap((best) => from(best.bids)),
    )),
    map((b) => JSON.stringify({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: iso(b.dateTime), extra: b.extra })),
  );
});
