/**
 * Every Nexmark query of samples/nexmark, checked against an independent oracle: the same
 * generated events written to JSONL by the generator itself, and the query written in DuckDB SQL
 * (test/nexmark/oracle.ts). Each query runs as built (events from the `nexmark` source) and as
 * its file-source variant (the one the benchmark times); both must write the same bytes, and
 * their rows must equal the oracle's as a multiset. The unfused build (`--no-fuse`) must write the
 * same bytes, and the hand-written and RxJS implementations of the benchmark (bench/impl) the same
 * rows.
 *
 * Two data sets: 100,000 events at 1,000 events/s of event time (100 s: dense windows), for every
 * query; and at 1 event/s (28 h: every hour of the day, two days, sparse windows and many ties),
 * for the queries where time of day, days or sparse windows matter.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUERIES, dumpEvents, pathParam, sideInput, root, type Kind } from '../../bench/nexmark/lib.mjs';
import { buildQuery, runJob, runImpl, type JobRun } from './harness.ts';
import { runOracle, compareRows, type Row } from './oracle.ts';

const SEED = 42;
const DATASETS = [
  { key: 'dense', label: '100k events at 1000/s', events: 100_000, rate: 1000, only: undefined },
  {
    key: 'sparse', label: '100k events at 1/s', events: 100_000, rate: 1,
    only: ['q5', 'q6', 'q7', 'q8', 'q10', 'q11', 'q14', 'q15', 'q16', 'q17'],
  },
];
/** Generous: the machine may be shared (each test takes about a second alone). */
const TIMEOUT = 240_000;
const KINDS: Kind[] = ['person', 'auction', 'bid'];

let dir = '';
const bundles = new Map<string, string>();
const dataFiles = new Map<string, Record<Kind, string>>();
const counts = new Map<string, Partial<Record<Kind, number>>>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowc-nexmark-'));
  for (const d of DATASETS) {
    const data = join(dir, `data-${d.key}`);
    counts.set(d.key, await dumpEvents(data, { events: d.events, seed: SEED, rate: d.rate, kinds: KINDS }));
    dataFiles.set(d.key, Object.fromEntries(KINDS.map((k) => [k, join(data, `${k}.jsonl`)])) as Record<Kind, string>);
  }
  for (const q of QUERIES) {
    for (const variant of ['generator', 'file'] as const) {
      bundles.set(`${q.name}.${variant}`, await buildQuery(q.name, variant, join(dir, 'bundles')));
    }
  }
}, TIMEOUT);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const rowsOf = (run: JobRun): Row[] => run.lines.map((l) => JSON.parse(l) as Row);

function expectOk(run: JobRun, what: string): void {
  expect(run.stderr, what).toBe('');
  expect(run.status, what).toBe(0);
}

const runs = new Map<string, ReturnType<typeof runBothOnce>>();

/** Runs both variants of a query on a data set (once); checks they agree byte for byte (when deterministic). */
function runBoth(query: string, d: (typeof DATASETS)[number]) {
  const key = `${d.key}/${query}`;
  if (!runs.has(key)) runs.set(key, runBothOnce(query, d));
  return runs.get(key)!;
}

async function runBothOnce(query: string, d: (typeof DATASETS)[number]) {
  const q = QUERIES.find((x) => x.name === query)!;
  const files = dataFiles.get(d.key)!;
  const common: Record<string, string | number> = q.table ? { side_input: sideInput } : {};
  const fileParams: Record<string, string | number> = { ...common };
  for (const k of q.sources) fileParams[pathParam(k)] = files[k];
  const [gen, file] = await Promise.all([
    runJob(bundles.get(`${query}.generator`)!, join(dir, `run-${d.key}-${query}-gen`), query, { ...common, events: d.events, rate: d.rate }),
    runJob(bundles.get(`${query}.file`)!, join(dir, `run-${d.key}-${query}-file`), query, fileParams),
  ]);
  expectOk(gen, `${query} with the nexmark source`);
  expectOk(file, `${query} with file sources`);
  if (q.deterministic !== false) expect(file.lines.join('\n') === gen.lines.join('\n'), 'file variant = generator variant').toBe(true);
  return { gen, file, files };
}

function expectSameRows(actual: Row[], expected: Row[], what: string): void {
  expect(actual.length, `${what}: the result is empty`).toBeGreaterThan(0);
  const fields = Object.keys(actual[0]!);
  expect([...Object.keys(expected[0] ?? {})].sort(), `${what}: fields`).toEqual([...fields].sort());
  const cmp = compareRows(actual, expected, fields);
  expect(cmp, `${what}: rows`).toMatchObject({ equal: true });
}

for (const d of DATASETS) {
  describe(`nexmark oracle, ${d.label}`, () => {
    for (const q of QUERIES.filter((x) => !d.only || d.only.includes(x.name))) {
      it(`${q.name}: ${q.title}`, { timeout: TIMEOUT }, async () => {
        const { gen, files } = await runBoth(q.name, d);
        const flow = rowsOf(gen);
        const oracle = await runOracle(q.name, files, q.table ? sideInput : undefined);
        if (q.name === 'q12') {
          // Processing-time windows: every bid counted exactly once, per bidder as in SQL.
          const total = flow.reduce((n, r) => n + (r.bid_count as number), 0);
          expect(total).toBe(counts.get(d.key)!.bid);
          const perBidder = new Map<number, number>();
          for (const r of flow) {
            perBidder.set(r.bidder as number, (perBidder.get(r.bidder as number) ?? 0) + (r.bid_count as number));
            expect(Date.parse(r.window_end as string) - Date.parse(r.window_start as string)).toBe(10_000);
          }
          const fromFlow = [...perBidder].map(([bidder, bid_count]) => ({ bidder, bid_count }));
          expectSameRows(fromFlow, oracle, 'q12 per bidder');
          return;
        }
        expectSameRows(flow, oracle, q.name);
      });
    }
  });
}

describe('nexmark: the unfused build (`--no-fuse`) writes the same bytes as the fused one', () => {
  const d = DATASETS[0]!;
  for (const q of QUERIES.filter((x) => x.deterministic !== false)) {
    it(q.name, { timeout: TIMEOUT }, async () => {
      const { gen } = await runBoth(q.name, d);
      const unfused = await buildQuery(q.name, 'generator', join(dir, 'bundles'), false);
      const params: Record<string, string | number> = { events: d.events, rate: d.rate, ...(q.table ? { side_input: sideInput } : {}) };
      const run = await runJob(unfused, join(dir, `run-${d.key}-${q.name}-unfused`), q.name, params);
      expectOk(run, `${q.name} unfused`);
      expect(run.lines.length).toBe(gen.lines.length);
      expect(run.lines.join('\n') === gen.lines.join('\n'), `${q.name}: unfused output = fused output`).toBe(true);
    });
  }
});

describe('nexmark: hand-written and RxJS implementations give the rows of the Flow job', () => {
  const d = DATASETS[0]!;
  for (const q of QUERIES.filter((x) => x.impl)) {
    it(q.name, { timeout: TIMEOUT }, async () => {
      const { gen, files } = await runBoth(q.name, d);
      const flow = rowsOf(gen);
      const fields = Object.keys(flow[0]!);
      const runs = await Promise.all(['hand', 'rx'].map((kind) => {
        const cwd = join(dir, `impl-${q.name}-${kind}`);
        return runImpl(join(root, 'bench/impl', `${q.name}.${kind}.mjs`), cwd, join(cwd, 'out.jsonl'), { bid: files.bid });
      }));
      for (const [i, run] of runs.entries()) {
        expectOk(run, `${q.name} ${i ? 'rx' : 'hand'}`);
        expect(run.lines.length, `${q.name} ${i ? 'rx' : 'hand'}: rows`).toBe(gen.lines.length);
        if (run.lines.join('\n') === gen.lines.join('\n')) continue; // byte-identical
        // Otherwise the same rows (up to order, and number formatting: Flow writes integral floats as `1.0`).
        expect(compareRows(rowsOf(run), flow, fields), `${q.name} ${i ? 'rx' : 'hand'}`).toMatchObject({ equal: true });
      }
    });
  }
});
