// Nexmark q0 by hand: every bid's auction, bidder, price, dateTime and extra.
import { runHand, iso } from './io.mjs';

await runHand('bid', (write) => ({
  record(b) {
    write(JSON.stringify({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: iso(b.dateTime), extra: b.extra }));
  },
  end() {},
}));
