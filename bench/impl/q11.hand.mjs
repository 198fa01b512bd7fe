// Nexmark q11 by hand: bids per bidder and session (a session ends after 10s without a bid).
// Bids at most 10s apart share a session. Event time with a watermark 4s behind the newest bid; a
// session is emitted once the watermark reaches its end (last bid + 10s); a bid is dropped when
// its own end is behind the watermark. Sessions are swept each time the watermark moves by a second.
import { runHand, iso } from './io.mjs';

const GAP = 10_000;
const DELAY = 4_000;
const SWEEP = 1_000;

await runHand('bid', (write) => {
  /** bidder → open sessions { start, end, count } (almost always one) */
  const open = new Map();
  let watermark = -Infinity;
  let nextSweep = -Infinity;

  const emit = (bidder, s) => write(JSON.stringify({ bidder, window_start: iso(s.start), window_end: iso(s.end), bid_count: s.count }));

  function sweep() {
    for (const [bidder, sessions] of open) {
      let kept = 0;
      for (const s of sessions) {
        if (s.end <= watermark) emit(bidder, s);
        else sessions[kept++] = s;
      }
      if (kept === 0) open.delete(bidder);
      else sessions.length = kept;
    }
  }

  return {
    record(b) {
      const t = b.dateTime;
      if (t + GAP >= watermark) {
        let sessions = open.get(b.bidder);
        if (sessions === undefined) open.set(b.bidder, (sessions = []));
        // Merge [t, t + GAP) with every open session it overlaps or touches.
        let merged = { start: t, end: t + GAP, count: 1 };
        let kept = 0;
        for (const s of sessions) {
          if (s.start <= merged.end && merged.start <= s.end) {
            merged = { start: Math.min(s.start, merged.start), end: Math.max(s.end, merged.end), count: s.count + merged.count };
          } else sessions[kept++] = s;
        }
        sessions.length = kept;
        sessions.push(merged);
      }
      if (t - DELAY > watermark) {
        watermark = t - DELAY;
        if (watermark >= nextSweep) {
          sweep();
          nextSweep = watermark + SWEEP;
        }
      }
    },
    end() {
      watermark = Infinity;
      sweep();
    },
  };
});
