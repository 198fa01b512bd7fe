// Nexmark q7 by hand: per tumbling window of 10s, the bids with the highest price. Event time
// with a watermark 4s behind the newest bid; a window is emitted once the watermark reaches its end.
import { runHand, iso } from './io.mjs';

const SIZE = 10_000;
const DELAY = 4_000;

await runHand('bid', (write) => {
  /** window start → { price, bids } (the bids at the highest price so far) */
  const windows = new Map();
  let watermark = -Infinity;

  function emit(start) {
    const w = windows.get(start);
    windows.delete(start);
    for (const b of w.bids) {
      write(JSON.stringify({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: iso(b.dateTime), extra: b.extra }));
    }
  }

  return {
    record(b) {
      const t = b.dateTime;
      const start = t - (t % SIZE);
      if (start + SIZE > watermark) {
        const w = windows.get(start);
        if (w === undefined) windows.set(start, { price: b.price, bids: [b] });
        else if (b.price > w.price) {
          w.price = b.price;
          w.bids = [b];
        } else if (b.price === w.price) w.bids.push(b);
      }
      if (t - DELAY > watermark) {
        watermark = t - DELAY;
        for (const s of windows.keys()) if (s + SIZE <= watermark) emit(s);
      }
    },
    end() {
      for (const s of [...windows.keys()].sort((a, b) => a - b)) emit(s);
    },
  };
});
