import { describe, it, expect } from 'vitest';
import {
  NexmarkSource,
  nexmarkEvent,
  nexmarkKindOf,
  type Auction,
  type Bid,
  type NexmarkKind,
  type NexmarkOptions,
  type Person,
} from '../../runtime/connectors/nexmark.ts';
import { UserError } from '../../runtime/errors.ts';

const BASE = Date.UTC(2024, 0, 1);

function readAll(opts: NexmarkOptions, batch = 1024): object[] {
  const src = new NexmarkSource(opts);
  const out: object[] = [];
  for (let b = src.read(batch); b !== null; b = src.read(batch)) {
    expect(b.length).toBeLessThanOrEqual(batch);
    out.push(...b);
  }
  return out;
}

/** All events 0..n-1 in order, by random access. */
function allEvents(n: number, opts: Partial<NexmarkOptions> = {}) {
  const out = [];
  for (let e = 0; e < n; e++) out.push({ eventId: e, ...nexmarkEvent(e, opts) });
  return out;
}

function idsOfKind(kind: NexmarkKind, n: number): number[] {
  const ids: number[] = [];
  for (let e = 0; e < n; e++) if (nexmarkKindOf(e) === kind) ids.push(e);
  return ids;
}

describe('nexmark generator: determinism', () => {
  it('same seed gives identical records, for every kind', () => {
    for (const kind of ['person', 'auction', 'bid'] as const) {
      const a = JSON.stringify(readAll({ kind, events: 20_000, seed: 7 }));
      const b = JSON.stringify(readAll({ kind, events: 20_000, seed: 7 }, 333));
      expect(a).toBe(b);
    }
  });

  it('different seeds give different records', () => {
    for (const kind of ['person', 'auction', 'bid'] as const) {
      const a = JSON.stringify(readAll({ kind, events: 5000, seed: 1 }));
      const b = JSON.stringify(readAll({ kind, events: 5000, seed: 2 }));
      expect(a).not.toBe(b);
    }
    expect(JSON.stringify(readAll({ kind: 'bid', events: 5000 }))).toBe(JSON.stringify(readAll({ kind: 'bid', events: 5000, seed: 0 })));
  });

  it('source records equal random access by event id', () => {
    for (const kind of ['person', 'auction', 'bid'] as const) {
      const got = readAll({ kind, events: 3000, seed: 42, rate: 500 });
      const want = idsOfKind(kind, 3000).map((e) => nexmarkEvent(e, { seed: 42, rate: 500 }).record);
      expect(got).toEqual(want);
    }
  });

  it('timestamps never depend on the wall clock', () => {
    const a = nexmarkEvent(123_456, { seed: 3 });
    const b = nexmarkEvent(123_456, { seed: 3 });
    expect(a).toEqual(b);
    expect((a.record as Bid).dateTime).toBe(BASE + 12_345);
  });
});

describe('nexmark generator: kinds and ids', () => {
  it('kind by eventId % 50: 0 person, 1-3 auction, 4-49 bid', () => {
    for (let e = 0; e < 200; e++) {
      const o = e % 50;
      const want = o === 0 ? 'person' : o <= 3 ? 'auction' : 'bid';
      expect(nexmarkKindOf(e)).toBe(want);
      expect(nexmarkEvent(e).kind).toBe(want);
    }
  });

  it('proportions 1:3:46 and events counts all kinds', () => {
    expect(readAll({ kind: 'person', events: 1000 }).length).toBe(20);
    expect(readAll({ kind: 'auction', events: 1000 }).length).toBe(60);
    expect(readAll({ kind: 'bid', events: 1000 }).length).toBe(920);
    // A partial epoch: events 0..56 → persons at 0, 50; auctions 1-3, 51-53; bids 4-49, 54-56.
    expect(readAll({ kind: 'person', events: 57 }).length).toBe(2);
    expect(readAll({ kind: 'auction', events: 57 }).length).toBe(6);
    expect(readAll({ kind: 'bid', events: 57 }).length).toBe(49);
    expect(readAll({ kind: 'auction', events: 52 }).length).toBe(4);
  });

  it('person id = floor(eventId / 50) + 1000', () => {
    const persons = readAll({ kind: 'person', events: 50_000 }) as Person[];
    expect(persons.length).toBe(1000);
    persons.forEach((p, i) => expect(p.id).toBe(1000 + i));
    expect((nexmarkEvent(123_450).record as Person).id).toBe(1000 + 2469);
  });

  it('auction ids are consecutive from 1000, three per epoch of 50', () => {
    const auctions = readAll({ kind: 'auction', events: 50_000 }) as Auction[];
    expect(auctions.length).toBe(3000);
    auctions.forEach((a, i) => expect(a.id).toBe(1000 + i));
    for (const e of [1, 2, 3, 51, 52, 53, 100_001, 100_003]) {
      const a = nexmarkEvent(e).record as Auction;
      expect(a.id).toBe(1000 + 3 * Math.floor(e / 50) + (e % 50) - 1);
    }
  });
});

describe('nexmark generator: referential sanity', () => {
  it('bids and auctions refer to persons and auctions that exist at or before the event', () => {
    let maxPerson = -1;
    let maxAuction = -1;
    let hotAuction = 0;
    let bids = 0;
    let hotSeller = 0;
    let auctions = 0;
    const bad: unknown[] = [];
    for (const { eventId, kind, record } of allEvents(60_000, { seed: 5 })) {
      if (kind === 'person') {
        maxPerson = (record as Person).id;
      } else if (kind === 'auction') {
        const a = record as Auction;
        maxAuction = a.id;
        // hot seller or one of the 1000 most recent persons
        if (!(a.seller >= 1000 && a.seller <= maxPerson && a.seller > maxPerson - 1000)) bad.push({ eventId, a });
        if ((a.seller - 1000) % 100 === 0) hotSeller++;
        auctions++;
      } else {
        const b = record as Bid;
        if (!(b.auction >= 1000 && b.auction <= maxAuction && b.bidder >= 1000 && b.bidder <= maxPerson)) bad.push({ eventId, b });
        const isHot = (b.auction - 1000) % 100 === 0;
        if (isHot) hotAuction++;
        else if (b.auction < maxAuction - 100) bad.push({ eventId, b, notInFlight: true });
        bids++;
      }
    }
    expect(bad).toEqual([]);
    expect(bids).toBe(55_200);
    // Hot auction with p = 1/2 (plus the odd random pick of a multiple of 100), hot seller with p = 3/4.
    expect(hotAuction / bids).toBeGreaterThan(0.48);
    expect(hotAuction / bids).toBeLessThan(0.53);
    expect(hotSeller / auctions).toBeGreaterThan(0.72);
    expect(hotSeller / auctions).toBeLessThan(0.79);
  });

  it('hot bidders dominate', () => {
    // Person ids 1000..1099 exist here, so the hot bidder is base-0 id 1 (0 in the first epoch).
    const bids = readAll({ kind: 'bid', events: 5000 }) as Bid[];
    const counts = new Map<number, number>();
    for (const b of bids) counts.set(b.bidder, (counts.get(b.bidder) ?? 0) + 1);
    const top = Math.max(...counts.values());
    expect(top / bids.length).toBeGreaterThan(0.7);
    expect(counts.get(1001)).toBe(top);
  });
});

describe('nexmark generator: event time', () => {
  it('dateTime = baseTime + floor(eventId * 1000 / rate), monotone', () => {
    for (const rate of [10_000, 1000, 3, 7_777]) {
      let prev = -Infinity;
      for (const { eventId, record } of allEvents(2000, { rate })) {
        const t = (record as { dateTime: number }).dateTime;
        expect(t).toBe(BASE + Math.floor((eventId * 1000) / rate));
        expect(t).toBeGreaterThanOrEqual(prev);
        prev = t;
      }
    }
    expect((nexmarkEvent(4999).record as Bid).dateTime).toBe(BASE + 499);
    expect((nexmarkEvent(3, { rate: 3 }).record as Auction).dateTime).toBe(BASE + 1000);
  });

  it('honours baseTime', () => {
    const base = Date.UTC(2030, 5, 6, 7, 8, 9);
    const bids = readAll({ kind: 'bid', events: 100, rate: 100, baseTime: base }) as Bid[];
    expect(bids[0]!.dateTime).toBe(base + 40);
    expect(bids.at(-1)!.dateTime).toBe(base + 990);
  });

  it('auctions expire after they open, within twice the in-flight horizon', () => {
    for (const rate of [10_000, 50]) {
      for (const a of readAll({ kind: 'auction', events: 20_000, rate }) as Auction[]) {
        expect(a.expires).toBeGreaterThan(a.dateTime);
        // horizon = time spanned by 1666 events
        expect(a.expires).toBeLessThanOrEqual(a.dateTime + 2 * Math.ceil((1666 * 1000) / rate) + 1);
      }
    }
  });
});

describe('nexmark generator: field values', () => {
  it('prices are integers in [100, 1e8], log-uniform', () => {
    const bids = readAll({ kind: 'bid', events: 100_000 }) as Bid[];
    let below = 0;
    const bad = bids.filter((b) => !(Number.isSafeInteger(b.price) && b.price >= 100 && b.price <= 100_000_000));
    expect(bad).toEqual([]);
    for (const b of bids) if (b.price < 100_000) below++; // 10^(6U) * 100 < 10^5  ⇔  U < 1/2
    expect(below / bids.length).toBeGreaterThan(0.48);
    expect(below / bids.length).toBeLessThan(0.52);
    const auctions = readAll({ kind: 'auction', events: 20_000 }) as Auction[];
    const badAuctions = auctions.filter(
      (a) =>
        !(
          a.initialBid >= 100 &&
          a.reserve >= a.initialBid + 100 &&
          a.reserve <= 200_000_000 &&
          a.category >= 10 &&
          a.category <= 14 &&
          a.itemName.length >= 3 &&
          a.itemName.length <= 20 &&
          a.description.length >= 3 &&
          a.description.length <= 100
        ),
    );
    expect(badAuctions).toEqual([]);
    expect(new Set(auctions.map((a) => a.category)).size).toBe(5);
  });

  it('channels and urls have the Nexmark shapes', () => {
    const bids = readAll({ kind: 'bid', events: 100_000, seed: 9 }) as Bid[];
    const hot = new Set(['Google', 'Facebook', 'Baidu', 'Apple']);
    const urlOf = new Map<string, string>();
    const urlRe = /^https:\/\/www\.nexmark\.com\/[a-z]{3,5}\/[a-z]{3,5}\/[a-z]{3,5}\/item\.htm\?query=1(&channel_id=\d+)?$/;
    let hotCount = 0;
    let withId = 0;
    const bad: Bid[] = [];
    for (const b of bids) {
      let ok = urlRe.test(b.url);
      if (hot.has(b.channel)) {
        hotCount++;
        ok &&= !b.url.includes('channel_id');
      } else {
        ok &&= /^channel-\d{1,4}$/.test(b.channel);
        if (b.url.includes('&channel_id=')) withId++;
      }
      // A channel always has the same url.
      const prev = urlOf.get(b.channel);
      if (prev === undefined) urlOf.set(b.channel, b.url);
      else ok &&= b.url === prev;
      if (!ok) bad.push(b);
    }
    expect(bad).toEqual([]);
    expect(hotCount / bids.length).toBeGreaterThan(0.48);
    expect(hotCount / bids.length).toBeLessThan(0.52);
    expect(withId / (bids.length - hotCount)).toBeGreaterThan(0.85);
    expect(withId / (bids.length - hotCount)).toBeLessThan(0.95);
    for (const c of hot) expect(urlOf.has(c)).toBe(true);
    expect(urlOf.size).toBeGreaterThan(4 + 9000); // most of the 10,000 other channels appear
  });

  it('persons have names, emails, cards, cities and states from the model', () => {
    const cities = new Set(['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne']);
    const states = new Set(['AZ', 'CA', 'ID', 'OR', 'WA', 'WY']);
    const names = new Set<string>();
    for (const p of readAll({ kind: 'person', events: 500_000 }) as Person[]) {
      expect(p.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
      expect(p.emailAddress).toMatch(/^[a-z]{3,7}@[a-z]{3,5}\.com$/);
      expect(p.creditCard).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
      expect(cities.has(p.city)).toBe(true);
      expect(states.has(p.state)).toBe(true);
      names.add(p.name);
    }
    expect(names.size).toBe(99);
  });

  it('extra pads records to about 200 / 500 / 100 bytes', () => {
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const persons = readAll({ kind: 'person', events: 100_000 }) as Person[];
    const personSize = persons.map(
      (p) => 16 + p.name.length + p.emailAddress.length + p.creditCard.length + p.city.length + p.state.length + p.extra.length,
    );
    expect(avg(personSize)).toBeGreaterThan(190);
    expect(avg(personSize)).toBeLessThan(210);
    const auctions = readAll({ kind: 'auction', events: 50_000 }) as Auction[];
    const auctionSize = auctions.map((a) => 56 + a.itemName.length + a.description.length + a.extra.length);
    expect(avg(auctionSize)).toBeGreaterThan(480);
    expect(avg(auctionSize)).toBeLessThan(520);
    const bids = readAll({ kind: 'bid', events: 20_000 }) as Bid[];
    for (const b of bids) {
      expect(b.extra.length).toBeGreaterThanOrEqual(54);
      expect(b.extra.length).toBeLessThan(82);
      expect(b.extra).toMatch(/^[a-z ]+$/);
    }
    expect(32 + avg(bids.map((b) => b.extra.length))).toBeGreaterThan(95);
    expect(32 + avg(bids.map((b) => b.extra.length))).toBeLessThan(105);
  });

  it('all numbers are safe integers', () => {
    for (const { record } of allEvents(5000, { seed: 11, rate: 1234 })) {
      for (const v of Object.values(record)) {
        if (typeof v === 'number') expect(Number.isSafeInteger(v)).toBe(true);
      }
    }
    const far = nexmarkEvent(2 ** 40 + 7).record as Bid;
    expect(Number.isSafeInteger(far.auction) && Number.isSafeInteger(far.bidder) && Number.isSafeInteger(far.dateTime)).toBe(true);
    expect(far.auction).toBeLessThanOrEqual(1000 + 3 * Math.floor((2 ** 40 + 7) / 50) + 2);
  });
});

describe('nexmark source: positions', () => {
  it('seek(position()) from the middle gives the same tail as an uninterrupted run', () => {
    for (const kind of ['person', 'auction', 'bid'] as const) {
      const opts: NexmarkOptions = { kind, events: 30_007, seed: 13, rate: 2000 };
      const whole = readAll(opts, 97);
      for (const stopAfter of [0, 1, 5, 17]) {
        const first = new NexmarkSource(opts);
        const head: object[] = [];
        for (let i = 0; i < stopAfter; i++) head.push(...(first.read(13) ?? []));
        const pos = first.position();
        const resumed = new NexmarkSource(opts);
        resumed.seek(pos);
        expect(resumed.position()).toBe(pos);
        const tail: object[] = [];
        for (let b = resumed.read(500); b !== null; b = resumed.read(500)) tail.push(...b);
        expect(JSON.stringify([...head, ...tail])).toBe(JSON.stringify(whole));
      }
    }
  });

  it('seek to any event id continues with the events of that kind from there', () => {
    const src = new NexmarkSource({ kind: 'auction', events: 1000, seed: 3 });
    src.seek(102);
    const got = src.read(4)!;
    expect(got.map((a) => (a as Auction).id)).toEqual([1007, 1008, 1009, 1010]);
    expect(got).toEqual([102, 103, 151, 152].map((e) => nexmarkEvent(e, { seed: 3 }).record));
    expect(src.position()).toBe(153);
  });

  it('read() returns null at the end and never exceeds events', () => {
    for (const kind of ['person', 'auction', 'bid'] as const) {
      for (const events of [0, 1, 4, 50, 51, 1234]) {
        const src = new NexmarkSource({ kind, events });
        let n = 0;
        for (let b = src.read(10); b !== null; b = src.read(10)) {
          expect(b.length).toBeGreaterThan(0);
          expect(b.length).toBeLessThanOrEqual(10);
          n += b.length;
          expect(src.position()).toBeLessThanOrEqual(events);
        }
        expect(n).toBe(idsOfKind(kind, events).length);
        expect(src.position()).toBe(events);
        expect(src.read(10)).toBeNull();
        src.seek(events + 100);
        expect(src.position()).toBe(events);
        expect(src.read(10)).toBeNull();
      }
    }
  });

  it('last record is the last event of that kind below events', () => {
    const bids = readAll({ kind: 'bid', events: 1000, seed: 4 });
    expect(bids.at(-1)).toEqual(nexmarkEvent(999, { seed: 4 }).record);
    const persons = readAll({ kind: 'person', events: 1000, seed: 4 });
    expect(persons.at(-1)).toEqual(nexmarkEvent(950, { seed: 4 }).record);
  });

  it('rejects bad options', () => {
    expect(() => new NexmarkSource({ kind: 'bids' as NexmarkKind, events: 10 })).toThrow(UserError);
    expect(() => new NexmarkSource({ kind: 'bid', events: -1 })).toThrow(UserError);
    expect(() => new NexmarkSource({ kind: 'bid', events: 1.5 })).toThrow(UserError);
    expect(() => new NexmarkSource({ kind: 'bid', events: 10, rate: 0 })).toThrow(UserError);
    expect(() => new NexmarkSource({ kind: 'bid', events: 10, seed: NaN })).toThrow(UserError);
    expect(() => new NexmarkSource({ kind: 'bid', events: 10 }).seek(-3)).toThrow(UserError);
  });
});
