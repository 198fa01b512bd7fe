// Nexmark q1 with RxJS.
import { map } from 'rxjs';
import { runRx, iso } from './io.mjs';

await runRx('bid', (bids$) => bids$.pipe(
  map((b) => JSON.stringify({ auction: b.auction, bidder: b.bidder, price: 0.908 * b.price, dateTime: iso(b.dateTime), extra: b.extra })),
));
