// Nexmark q2 by hand: bids on auctions whose id is divisible by 123.
import { runHand } from './io.mjs';

await runHand('bid', (write) => ({
  record(b) {
    if (b.auction % 123 === 0) write(JSON.stringify({ auction: b.auction, price: b.price }));
  },
  end() {},
}));
