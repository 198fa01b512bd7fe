// Nexmark q1 by hand: prices in euros.
import { runHand, iso } from './io.mjs';

await runHand('bid', (write) => ({
  record(b) {
    write(JSON.stringify({ auction: b.auction, bidder: b.bidder, price: 0.908 * b.price, dateTime: iso(b.dateTime), extra: b.extra }));
  },
  end() {},
}));
