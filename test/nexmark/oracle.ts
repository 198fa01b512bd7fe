/**
 * The independent oracle for samples/nexmark: each query written again in DuckDB SQL over the
 * same events dumped to JSONL (timestamps as epoch ms), and a comparison of result multisets.
 *
 * Window semantics spelled out in SQL: an event-time window [start, end) holds the rows with
 * start ≤ dateTime < end; every window fires (the input is bounded, so the watermark ends at +∞);
 * no row is late (the generator's event time never decreases, and the watermark delay is 4s).
 * Timestamps come out as epoch ms; the comparison turns Flow's ISO 8601 strings into the same.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

const BID = `{auction: 'BIGINT', bidder: 'BIGINT', price: 'BIGINT', channel: 'VARCHAR', url: 'VARCHAR', dateTime: 'BIGINT', extra: 'VARCHAR'}`;
const AUCTION = `{id: 'BIGINT', itemName: 'VARCHAR', description: 'VARCHAR', initialBid: 'BIGINT', reserve: 'BIGINT', dateTime: 'BIGINT', expires: 'BIGINT', seller: 'BIGINT', category: 'BIGINT', extra: 'VARCHAR'}`;
const PERSON = `{id: 'BIGINT', name: 'VARCHAR', emailAddress: 'VARCHAR', creditCard: 'VARCHAR', city: 'VARCHAR', state: 'VARCHAR', dateTime: 'BIGINT', extra: 'VARCHAR'}`;

/** The three price bands of q15–q17. */
const BANDS = ['price < 10000', 'price >= 10000 AND price < 1000000', 'price >= 1000000'];
const DAY = `strftime(epoch_ms(dateTime), '%Y-%m-%d')`;

function statistics(): string {
  const cols = ['count(*) AS total_bids', ...BANDS.map((b, i) => `count(*) FILTER (WHERE ${b}) AS rank${i + 1}_bids`)];
  for (const what of ['bidder', 'auction']) {
    cols.push(`count(DISTINCT ${what}) AS total_${what}s`);
    BANDS.forEach((b, i) => cols.push(`count(DISTINCT ${what}) FILTER (WHERE ${b}) AS rank${i + 1}_${what}s`));
  }
  return cols.join(',\n  ');
}

/** The query in SQL over the views `bid`, `auction`, `person` (and `side` for q13). */
export const oracleSql: Record<string, string> = {
  q0: `SELECT auction, bidder, price, dateTime, extra FROM bid`,

  q1: `SELECT auction, bidder, 0.908::DOUBLE * price AS price, dateTime, extra FROM bid`,

  q2: `SELECT auction, price FROM bid WHERE auction % 123 = 0`,

  // Sliding windows of 10s every 2s: a bid at t is in the 5 windows starting at
  // (floor(t / 2s) - i) * 2s, i = 0..4.
  q5: `
    WITH windowed AS (
      SELECT auction, (dateTime // 2000 - i) * 2000 AS ws FROM bid, range(0, 5) r(i)
    ), counts AS (
      SELECT auction, ws, count(*) AS num FROM windowed GROUP BY auction, ws
    ), best AS (
      SELECT ws, max(num) AS num FROM counts GROUP BY ws
    )
    SELECT c.auction, c.num, c.ws AS window_start, c.ws + 10000 AS window_end
    FROM counts c JOIN best b ON c.ws = b.ws AND c.num = b.num`,

  // Winning bid: the highest bid at or above the reserve placed while the auction was open;
  // then per seller, in closing order, the mean of the last 10 winning prices.
  q6: `
    WITH winners AS (
      SELECT a.id AS auction, a.seller, a.expires AS closed, max(b.price) AS price
      FROM auction a JOIN bid b
        ON b.auction = a.id AND b.dateTime >= a.dateTime AND b.dateTime < a.expires AND b.price >= a.reserve
      GROUP BY a.id, a.seller, a.expires
    )
    SELECT seller, auction, closed,
      avg(price) OVER (PARTITION BY seller ORDER BY closed, auction ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS avg_price
    FROM winners`,

  q7: `
    WITH w AS (SELECT *, dateTime // 10000 AS w FROM bid),
    best AS (SELECT w, max(price) AS price FROM w GROUP BY w)
    SELECT auction, w.price, bidder, dateTime, extra FROM w JOIN best USING (w) WHERE w.price = best.price`,

  q8: `
    SELECT p.id, p.name, (p.dateTime // 10000) * 10000 AS starttime FROM person p
    WHERE EXISTS (SELECT 1 FROM auction a WHERE a.seller = p.id AND a.dateTime // 10000 = p.dateTime // 10000)`,

  q10: `
    SELECT auction, bidder, price, dateTime, extra, ${DAY} AS day, strftime(epoch_ms(dateTime), '%H:%M') AS hm
    FROM bid`,

  // Sessions: a new one starts when a bidder's previous bid is more than 10s earlier.
  q11: `
    WITH flagged AS (
      SELECT bidder, dateTime,
        CASE WHEN dateTime - lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) <= 10000 THEN 0 ELSE 1 END AS starts
      FROM bid
    ), numbered AS (
      SELECT bidder, dateTime, sum(starts) OVER (PARTITION BY bidder ORDER BY dateTime ROWS UNBOUNDED PRECEDING) AS session
      FROM flagged
    )
    SELECT bidder, min(dateTime) AS window_start, max(dateTime) + 10000 AS window_end, count(*) AS bid_count
    FROM numbered GROUP BY bidder, session`,

  // Processing-time windows have no exact oracle: the per-bidder totals must match.
  q12: `SELECT bidder, count(*) AS bid_count FROM bid GROUP BY bidder`,

  q13: `
    SELECT auction, bidder, price, dateTime, s.value FROM bid JOIN side s ON bid.auction % 10000 = s.key`,

  q14: `
    SELECT auction, bidder, 0.908::DOUBLE * price AS price,
      CASE WHEN hour(epoch_ms(dateTime)) >= 8 AND hour(epoch_ms(dateTime)) <= 18 THEN 'dayTime'
           WHEN hour(epoch_ms(dateTime)) <= 6 OR hour(epoch_ms(dateTime)) >= 20 THEN 'nightTime'
           ELSE 'otherTime' END AS bidTimeType,
      dateTime, extra, length(extra) - length(replace(extra, 'c', '')) AS c_counts
    FROM bid
    WHERE 0.908::DOUBLE * price > 1000000 AND 0.908::DOUBLE * price < 50000000`,

  q15: `SELECT ${DAY} AS day,\n  ${statistics()}\nFROM bid GROUP BY day`,

  q16: `
    SELECT channel, ${DAY} AS day, max(strftime(epoch_ms(dateTime), '%H:%M')) AS minute,
      ${statistics()}
    FROM bid GROUP BY channel, day`,

  q17: `
    SELECT auction, ${DAY} AS day, count(*) AS total_bids,
      ${BANDS.map((b, i) => `count(*) FILTER (WHERE ${b}) AS rank${i + 1}_bids`).join(', ')},
      min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
    FROM bid GROUP BY auction, day`,

  q21: `
    SELECT auction, bidder, price, channel,
      CASE lower(channel) WHEN 'apple' THEN '0' WHEN 'google' THEN '1' WHEN 'facebook' THEN '2' WHEN 'baidu' THEN '3'
        ELSE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id
    FROM bid
    WHERE regexp_matches(url, '(&|^)channel_id=') OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')`,

  q22: `
    SELECT auction, bidder, price, channel,
      split_part(url, '/', 4) AS dir1, split_part(url, '/', 5) AS dir2, split_part(url, '/', 6) AS dir3
    FROM bid`,
};

export type Row = Record<string, unknown>;

/** Runs `oracleSql[query]` over the JSONL files of each kind (and the q13 side table). */
export async function runOracle(query: string, files: Partial<Record<'bid' | 'auction' | 'person', string>>, sideCsv?: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con: DuckDBConnection = await instance.connect();
  try {
    const view = async (name: string, path: string | undefined, columns: string) => {
      if (path) await con.run(`CREATE VIEW ${name} AS SELECT * FROM read_json(${sqlString(path)}, format = 'newline_delimited', columns = ${columns})`);
    };
    await view('bid', files.bid, BID);
    await view('auction', files.auction, AUCTION);
    await view('person', files.person, PERSON);
    if (sideCsv) await con.run(`CREATE VIEW side AS SELECT * FROM read_csv(${sqlString(sideCsv)}, header = true, columns = {key: 'BIGINT', value: 'VARCHAR'})`);
    const sql = oracleSql[query];
    if (!sql) throw new Error(`no oracle for ${query}`);
    const reader = await con.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((r) => {
      const o: Row = {};
      for (const [k, v] of Object.entries(r)) o[k] = typeof v === 'bigint' ? Number(v) : v;
      return o;
    });
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** A value in comparable form: ISO timestamps as epoch ms, floats to 12 significant digits. */
function canonicalValue(v: unknown): unknown {
  if (typeof v === 'string' && v.length >= 20 && v.length <= 30 && v.charCodeAt(10) === 84 /* T */ && ISO.test(v)) return Date.parse(v);
  if (typeof v === 'number' && !Number.isInteger(v)) return Number(v.toPrecision(12));
  return v;
}

/** A row as a string that equal rows share: fields in the given order, canonical values. */
export function canonicalRow(r: Row, fields: string[]): string {
  return JSON.stringify(fields.map((f) => canonicalValue(r[f])));
}

export interface Comparison {
  equal: boolean;
  expected: number;
  actual: number;
  /** A few rows only one side has. */
  missing: string[];
  unexpected: string[];
}

/** Compares two results as multisets of rows over `fields`. */
export function compareRows(actual: Row[], expected: Row[], fields: string[]): Comparison {
  const count = new Map<string, number>();
  for (const r of expected) {
    const k = canonicalRow(r, fields);
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  const unexpected: string[] = [];
  for (const r of actual) {
    const k = canonicalRow(r, fields);
    const n = count.get(k);
    if (n) count.set(k, n - 1);
    else unexpected.push(k);
  }
  const missing: string[] = [];
  for (const [k, n] of count) for (let i = 0; i < n; i++) missing.push(k);
  return {
    equal: missing.length === 0 && unexpected.length === 0,
    expected: expected.length, actual: actual.length,
    missing: missing.slice(0, 5), unexpected: unexpected.slice(0, 5),
  };
}
