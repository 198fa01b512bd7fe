// The floor under every bid query: read the bids (JSONL lines + JSON.parse, or the generator) and
// do nothing with them. `node bench/impl/noop.mjs --out OUT --bid bid.jsonl` (or --events N …).
import { runHand } from './io.mjs';

let n = 0;
await runHand('bid', () => ({
  record() {
    n++;
  },
  end() {},
}));
if (n < 0) console.log(n);
