/**
 * Deterministic Nexmark event generator (source connector `nexmark(kind, events, seed, rate)`).
 *
 * Every event is a pure function of (seed, eventId): its PRNG is seeded from those two numbers, so
 * any event can be regenerated on its own, `seek()` is O(1) and a resumed run is identical to an
 * uninterrupted one. Event time derives from the event id and the configured rate only (never from
 * the wall clock). The rules followed here are listed in samples/nexmark/README.md.
 */
import { UserError } from '../errors.ts';

export type NexmarkKind = 'person' | 'auction' | 'bid';

export interface NexmarkOptions {
  kind: NexmarkKind;
  /** Number of events of all kinds (persons + auctions + bids) to examine: event ids 0..events-1. */
  events: number;
  /** PRNG seed, default 0. */
  seed?: number;
  /** Events per second of event time, default 10_000. Shapes timestamps only. */
  rate?: number;
  /** Event time of event 0 in epoch ms, default Date.UTC(2024, 0, 1). */
  baseTime?: number;
}

export interface Person {
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  dateTime: number;
  extra: string;
}

export interface Auction {
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  dateTime: number;
  expires: number;
  seller: number;
  category: number;
  extra: string;
}

export interface Bid {
  auction: number;
  bidder: number;
  price: number;
  channel: string;
  url: string;
  dateTime: number;
  extra: string;
}

export type NexmarkRecord = Person | Auction | Bid;

// ---------------------------------------------------------------------------------------------
// Model constants
// ---------------------------------------------------------------------------------------------

const DEFAULT_RATE = 10_000;
const DEFAULT_BASE_TIME = Date.UTC(2024, 0, 1);

/** Events per epoch and the kind split inside it: offset 0 person, 1..3 auction, 4..49 bid. */
const EPOCH = 50;
const PERSONS_PER_EPOCH = 1;
const AUCTIONS_PER_EPOCH = 3;
const FIRST_AUCTION_OFFSET = PERSONS_PER_EPOCH; // 1
const FIRST_BID_OFFSET = PERSONS_PER_EPOCH + AUCTIONS_PER_EPOCH; // 4

const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;

const HOT_SELLER_RATIO = 100;
const HOT_AUCTION_RATIO = 100;
const HOT_BIDDER_RATIO = 100;
const NUM_IN_FLIGHT_AUCTIONS = 100;
const NUM_ACTIVE_PEOPLE = 1000;
/** Events spanned by the auctions in flight: the auction-length horizon (100 * 50 / 3 = 1666). */
const EVENTS_FOR_AUCTIONS = Math.floor((NUM_IN_FLIGHT_AUCTIONS * EPOCH) / AUCTIONS_PER_EPOCH);

const AVG_PERSON_BYTES = 200;
const AVG_AUCTION_BYTES = 500;
const AVG_BID_BYTES = 100;

const NUM_CHANNELS = 10_000;
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'] as const;

const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];

const FULL_NAMES: string[] = [];
for (const first of FIRST_NAMES) for (const last of LAST_NAMES) FULL_NAMES.push(`${first} ${last}`);

/** '0000'..'9999' for credit card groups. */
const DIGITS4: string[] = [];
for (let i = 0; i < 10_000; i++) DIGITS4.push(String(i).padStart(4, '0'));

/** Windows into the random text pool start at an offset below this; the pool is longer by MAX_SLICE. */
const TEXT_WINDOW = 1 << 16;
const MAX_SLICE = 1024; // larger than any extra (< 530 chars) or description (≤ 100)

const TWO_POW_32 = 4294967296;
const INV_TWO_POW_32 = 1 / TWO_POW_32;
const INV_TWO_POW_53 = 1 / 9007199254740992;

// ---------------------------------------------------------------------------------------------
// PRNG: splitmix32 over a per-event state derived from (seed, eventId)
// ---------------------------------------------------------------------------------------------

/** Bijective 32-bit finaliser (lowbias32). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) | 0;
}

/** State of the PRNG of the event being generated. Module level: the generator is synchronous. */
let rs = 0;

/** Next uniform 32-bit unsigned integer. */
function rnd(): number {
  rs = (rs + 0x9e3779b9) | 0;
  let z = rs;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** Uniform integer in [0, n) for 1 ≤ n ≤ 2^21 (exact multiply-shift, no division). */
function rint(n: number): number {
  return Math.floor(rnd() * n * INV_TWO_POW_32);
}

/** Uniform double in [0, 1) with 53 random bits. */
function rdouble(): number {
  return ((rnd() >>> 11) * TWO_POW_32 + rnd()) * INV_TWO_POW_53;
}

/** Seeds the PRNG for one event. Distinct event ids below 2^32 give distinct states. */
function seedEvent(seedKey: number, eventId: number): void {
  const lo = eventId >>> 0;
  const hi = (eventId - lo) * INV_TWO_POW_32;
  rs = (mix32(lo ^ seedKey) + Math.imul(hi | 0, 0x9e3779b1)) | 0;
}

/** 32-bit key for a seed: any finite number (integers up to 2^53 used exactly). */
function seedKeyOf(seed: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor((seed - lo) * INV_TWO_POW_32) >>> 0;
  return mix32(mix32(lo ^ 0x5bd1e995) ^ hi ^ 0x27d4eb2f);
}

// ---------------------------------------------------------------------------------------------
// Per-seed tables (random text pools, channel names and URLs), built once and cached
// ---------------------------------------------------------------------------------------------

interface Tables {
  /** Lowercase letters with a space about one char in 13 (item names, descriptions, extra). */
  text: string;
  /** Lowercase letters only (email parts). */
  letters: string;
  hotUrls: string[];
  channels: string[];
  channelUrls: string[];
}

const tableCache = new Map<number, Tables>();

function randomChars(length: number, withSpaces: boolean): string {
  const codes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    codes[i] = withSpaces && rint(13) === 0 ? 0x20 : 0x61 + rint(26);
  }
  return Buffer.from(codes.buffer, codes.byteOffset, codes.length).toString('latin1');
}

function urlSegment(): string {
  return randomChars(3 + rint(3), false);
}

function baseUrl(): string {
  return `https://www.nexmark.com/${urlSegment()}/${urlSegment()}/${urlSegment()}/item.htm?query=1`;
}

/** Bit reversal of a 32-bit number, as an unsigned integer: a scrambled but fixed channel id. */
function reverseBits(x: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) {
    r = (r << 1) | (x & 1);
    x >>>= 1;
  }
  return r >>> 0;
}

function tablesFor(seedKey: number): Tables {
  let t = tableCache.get(seedKey);
  if (t) return t;
  const saved = rs;
  rs = mix32(seedKey ^ 0x3c6ef372);
  const text = randomChars(TEXT_WINDOW + MAX_SLICE, true);
  const letters = randomChars(TEXT_WINDOW + MAX_SLICE, false);
  const hotUrls = HOT_CHANNELS.map(() => baseUrl());
  const channels: string[] = [];
  const channelUrls: string[] = [];
  for (let i = 0; i < NUM_CHANNELS; i++) {
    channels.push(`channel-${i}`);
    const url = baseUrl();
    channelUrls.push(rint(10) > 0 ? `${url}&channel_id=${reverseBits(i)}` : url);
  }
  rs = saved;
  t = { text, letters, hotUrls, channels, channelUrls };
  if (tableCache.size >= 16) tableCache.clear();
  tableCache.set(seedKey, t);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Event model
// ---------------------------------------------------------------------------------------------

/** Base-0 id of the last person created at or before eventId. */
function lastBase0PersonId(eventId: number): number {
  return Math.floor(eventId / EPOCH);
}

/** Base-0 id of the last auction created at or before eventId (-1 before the first). */
function lastBase0AuctionId(eventId: number): number {
  const epoch = Math.floor(eventId / EPOCH);
  const offset = eventId - epoch * EPOCH;
  let inEpoch: number;
  if (offset < FIRST_AUCTION_OFFSET) inEpoch = -1;
  else if (offset < FIRST_BID_OFFSET) inEpoch = offset - FIRST_AUCTION_OFFSET;
  else inEpoch = AUCTIONS_PER_EPOCH - 1;
  return epoch * AUCTIONS_PER_EPOCH + inEpoch;
}

/** A random person among the last NUM_ACTIVE_PEOPLE existing at eventId (base 0). */
function randomBase0PersonId(lastPerson: number): number {
  const numPeople = lastPerson + 1;
  const active = numPeople < NUM_ACTIVE_PEOPLE ? numPeople : NUM_ACTIVE_PEOPLE;
  return numPeople - active + rint(active);
}

const SIX_LN10 = 6 * Math.LN10;

/**
 * price = round(10^(6U) * 100): 100 .. 100,000,000, log-uniform. 10^x is computed as exp(x ln 10),
 * about 3x faster than Math.pow(10, x) in V8 and equal after rounding but for rare last-ulp ties.
 */
function nextPrice(): number {
  return Math.round(Math.exp(rdouble() * SIX_LN10) * 100);
}

function kindOfOffset(offset: number): NexmarkKind {
  return offset < FIRST_AUCTION_OFFSET ? 'person' : offset < FIRST_BID_OFFSET ? 'auction' : 'bid';
}

/** Smallest event id ≥ eventId whose kind is `kind`. */
function nextEventOfKind(kind: NexmarkKind, eventId: number): number {
  const offset = eventId % EPOCH;
  switch (kind) {
    case 'person':
      return offset === 0 ? eventId : eventId + EPOCH - offset;
    case 'auction':
      return offset === 0 ? eventId + 1 : offset < FIRST_BID_OFFSET ? eventId : eventId + EPOCH - offset + 1;
    case 'bid':
      return offset < FIRST_BID_OFFSET ? eventId + FIRST_BID_OFFSET - offset : eventId;
  }
}

class Generator {
  readonly seedKey: number;
  readonly rate: number;
  readonly baseTime: number;
  private readonly t: Tables;

  constructor(seed: number, rate: number, baseTime: number) {
    this.seedKey = seedKeyOf(seed);
    this.rate = rate;
    this.baseTime = baseTime;
    this.t = tablesFor(this.seedKey);
  }

  /** Event time in epoch ms: baseTime + floor(eventId * interEventDelayUs / 1000), interEventDelayUs = 1e6 / rate. */
  timeOf(eventId: number): number {
    return this.baseTime + Math.floor((eventId * 1000) / this.rate);
  }

  /** Random text of exactly `length` chars (length ≤ MAX_SLICE). */
  private text(length: number): string {
    const off = rint(TEXT_WINDOW);
    return this.t.text.slice(off, off + length);
  }

  /** Random text of 3..max chars. */
  private shortText(max: number): string {
    return this.text(3 + rint(max - 2));
  }

  private letters(min: number, max: number): string {
    const off = rint(TEXT_WINDOW);
    return this.t.letters.slice(off, off + min + rint(max - min + 1));
  }

  /** Padding so that the record averages `avgSize` bytes given `currentSize` bytes already (±20 %). */
  private extra(currentSize: number, avgSize: number): string {
    if (currentSize > avgSize) return '';
    const wanted = avgSize - currentSize;
    const delta = Math.round(wanted * 0.2);
    const size = wanted - delta + (delta === 0 ? 0 : rint(2 * delta));
    return this.text(size);
  }

  person(eventId: number): Person {
    seedEvent(this.seedKey, eventId);
    const id = lastBase0PersonId(eventId) + FIRST_PERSON_ID;
    const name = FULL_NAMES[rint(FULL_NAMES.length)]!;
    const emailAddress = `${this.letters(3, 7)}@${this.letters(3, 5)}.com`;
    const creditCard = `${DIGITS4[rint(10_000)]} ${DIGITS4[rint(10_000)]} ${DIGITS4[rint(10_000)]} ${DIGITS4[rint(10_000)]}`;
    const city = CITIES[rint(CITIES.length)]!;
    const state = STATES[rint(STATES.length)]!;
    const size = 8 + 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    const extra = this.extra(size, AVG_PERSON_BYTES);
    return { id, name, emailAddress, creditCard, city, state, dateTime: this.timeOf(eventId), extra };
  }

  auction(eventId: number): Auction {
    seedEvent(this.seedKey, eventId);
    const id = lastBase0AuctionId(eventId) + FIRST_AUCTION_ID;
    const lastPerson = lastBase0PersonId(eventId);
    const seller =
      (rint(4) > 0 ? Math.floor(lastPerson / HOT_SELLER_RATIO) * HOT_SELLER_RATIO : randomBase0PersonId(lastPerson)) +
      FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + rint(NUM_CATEGORIES);
    const initialBid = nextPrice();
    const reserve = initialBid + nextPrice();
    const dateTime = this.timeOf(eventId);
    const horizon = this.timeOf(eventId + EVENTS_FOR_AUCTIONS) - dateTime;
    const expires = dateTime + 1 + Math.floor(rdouble() * Math.max(2 * horizon, 1));
    const itemName = this.shortText(20);
    const description = this.shortText(100);
    const extra = this.extra(8 * 7 + itemName.length + description.length, AVG_AUCTION_BYTES);
    return { id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra };
  }

  bid(eventId: number): Bid {
    seedEvent(this.seedKey, eventId);
    const t = this.t;
    let auction: number;
    const lastAuction = lastBase0AuctionId(eventId);
    if (rint(2) > 0) {
      auction = Math.floor(lastAuction / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO;
    } else {
      const min = lastAuction > NUM_IN_FLIGHT_AUCTIONS ? lastAuction - NUM_IN_FLIGHT_AUCTIONS : 0;
      auction = min + rint(lastAuction - min + 1);
    }
    let bidder: number;
    const lastPerson = lastBase0PersonId(eventId);
    if (rint(4) > 0) {
      // Hot bidders are one past the hot seller; clamped so that the bidder already exists.
      bidder = Math.floor(lastPerson / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1;
      if (bidder > lastPerson) bidder = lastPerson;
    } else {
      bidder = randomBase0PersonId(lastPerson);
    }
    const price = nextPrice();
    let channel: string;
    let url: string;
    if (rint(2) > 0) {
      const i = rint(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i]!;
      url = t.hotUrls[i]!;
    } else {
      const i = rint(NUM_CHANNELS);
      channel = t.channels[i]!;
      url = t.channelUrls[i]!;
    }
    const extra = this.extra(8 * 4, AVG_BID_BYTES);
    return {
      auction: auction + FIRST_AUCTION_ID,
      bidder: bidder + FIRST_PERSON_ID,
      price,
      channel,
      url,
      dateTime: this.timeOf(eventId),
      extra,
    };
  }

  event(eventId: number): { kind: NexmarkKind; record: NexmarkRecord } {
    const kind = kindOfOffset(eventId % EPOCH);
    const record = kind === 'person' ? this.person(eventId) : kind === 'auction' ? this.auction(eventId) : this.bid(eventId);
    return { kind, record };
  }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

function checkNonNegativeInteger(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new UserError(`nexmark: ${name} must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}

function resolveCommon(opts: Partial<NexmarkOptions>): { seed: number; rate: number; baseTime: number } {
  const seed = opts.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new UserError(`nexmark: seed must be a number, got ${String(seed)}`);
  const rate = opts.rate ?? DEFAULT_RATE;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    throw new UserError(`nexmark: rate must be a positive number of events per second, got ${String(rate)}`);
  }
  const baseTime = opts.baseTime ?? DEFAULT_BASE_TIME;
  if (typeof baseTime !== 'number' || !Number.isSafeInteger(baseTime)) {
    throw new UserError(`nexmark: baseTime must be an integer number of epoch ms, got ${String(baseTime)}`);
  }
  return { seed, rate, baseTime };
}

/** Random access to one event (any kind): the same record a NexmarkSource with these options yields. */
export function nexmarkEvent(eventId: number, opts: Partial<NexmarkOptions> = {}): { kind: NexmarkKind; record: NexmarkRecord } {
  checkNonNegativeInteger('eventId', eventId);
  const { seed, rate, baseTime } = resolveCommon(opts);
  return new Generator(seed, rate, baseTime).event(eventId);
}

/** Kind of the event with this id. */
export function nexmarkKindOf(eventId: number): NexmarkKind {
  return kindOfOffset(eventId % EPOCH);
}

export class NexmarkSource {
  readonly kind: NexmarkKind;
  readonly events: number;
  private readonly gen: Generator;
  private pos = 0;

  constructor(opts: NexmarkOptions) {
    if (opts.kind !== 'person' && opts.kind !== 'auction' && opts.kind !== 'bid') {
      throw new UserError(`nexmark: kind must be "person", "auction" or "bid", got ${JSON.stringify(opts.kind)}`);
    }
    this.kind = opts.kind;
    this.events = checkNonNegativeInteger('events', opts.events);
    const { seed, rate, baseTime } = resolveCommon(opts);
    this.gen = new Generator(seed, rate, baseTime);
  }

  /** Up to `max` records of the configured kind (skipping events of other kinds), or null when all `events` event ids have been produced. */
  read(max: number): object[] | null {
    const end = this.events;
    let e = nextEventOfKind(this.kind, this.pos);
    if (e >= end) {
      this.pos = end;
      return null;
    }
    const out: object[] = [];
    const gen = this.gen;
    if (this.kind === 'bid') {
      // Bids: offsets 4..49 of each epoch; step through them without re-deriving the offset.
      let offset = e % EPOCH;
      while (out.length < max && e < end) {
        out.push(gen.bid(e));
        e++;
        if (++offset === EPOCH) {
          offset = FIRST_BID_OFFSET;
          e += FIRST_BID_OFFSET;
        }
      }
    } else if (this.kind === 'auction') {
      while (out.length < max && e < end) {
        out.push(gen.auction(e));
        e = nextEventOfKind('auction', e + 1);
      }
    } else {
      while (out.length < max && e < end) {
        out.push(gen.person(e));
        e += EPOCH;
      }
    }
    this.pos = e < end ? e : end;
    return out;
  }

  /** Event id of the next event to examine (checkpoint position). */
  position(): number {
    return this.pos;
  }

  /** Resume from a position returned by position(); the following records are identical to an uninterrupted run. */
  seek(eventId: number): void {
    checkNonNegativeInteger('seek position', eventId);
    this.pos = eventId < this.events ? eventId : this.events;
  }
}
