// Nexmark q2 with RxJS.
import { filter, map } from 'rxjs';
import { runRx } from './io.mjs';

await runRx('bid', (bids$) => bids$.pipe(
  filter((b) => b.auction % 123 === 0),
  map((b) => JSON.stringify({ auction: b.auction, price: b.price })),
));
