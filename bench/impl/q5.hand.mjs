// Nexmark q5 by hand: per sliding window of 10s every 2s, the auctions with the most bids.
// Event time with a watermark 4s behind the newest bid; a window is emitted once the watermark
// reaches its end; bids for windows already emitted are dropped (late).
import { runHand, iso } from './io.mjs';

const SIZE = 10_000;
const SLIDE = 2_000;
const DELAY = 4_000;

await runHand('bid', (write) => {
  /** window start → (auction → bids) */
  const windows = new Map();
  let watermark = -Infinity;
  /** The earliest window start not yet emitted. */
  let nextStart = NaN;

  function emit(start) {
    const counts = windows.get(start);
    if (counts === undefined) return;
    windows.delete(start);
    let max = 0;
    for (const n of counts.values()) if (n > max) max = n;
    for (const [auction, n] of counts) {
      if (n === max) write(JSON.stringify({ auction, num: n, window_start: iso(start), window_end: iso(start + SIZE) }));
    }
  }

  return {
    record(b) {
      const t = b.dateTime;
      const last = t - (t % SLIDE); // the latest window containing t starts here
      if (Number.isNaN(nextStart)) nextStart = last - SIZE + SLIDE;
      for (let start = last - SIZE + SLIDE; start <= last; start += SLIDE) {
        if (start + SIZE <= watermark) continue; // already emitted
        let counts = windows.get(start);
        if (counts === undefined) windows.set(start, (counts = new Map()));
        counts.set(b.auction, (counts.get(b.auction) ?? 0) + 1);
      }
      if (t - DELAY > watermark) {
        watermark = t - DELAY;
        while (nextStart + SIZE <= watermark) {
          emit(nextStart);
          nextStart += SLIDE;
        }
      }
    },
    end() {
      const starts = [...windows.keys()].sort((a, b) => a - b);
      for (const s of starts) emit(s);
    },
  };
});
