/**
 * Checkpoint → stop → restore end to end: restored runs give the same bytes as uninterrupted
 * ones, wherever they stop; damaged checkpoints fall back to the previous one; a changed state
 * layout is refused, an unchanged one restores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildJob, emptyDir } from '../e2e/harness.ts';
import { readTree, runJobProcess, runProcess, runWithRestore, TEST_STOP_EXIT_CODE, type JobRun } from './restore-harness.ts';
import { TEST_STOP_EXIT_CODE as RUNTIME_STOP_CODE } from '../../runtime/checkpoint/checkpointer.ts';
import { encodeCheckpointFile, parseCheckpointFile } from '../../runtime/checkpoint/format.ts';
import { createHash } from 'node:crypto';

const shopFlow = join(__dirname, 'jobs', 'shop.flow');

/** Orders (6 rounds of 1024): out of order within the watermark, some late, some duplicated, some bad. */
function orders(): string {
  const lines: string[] = [];
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const base = Date.UTC(2024, 4, 1, 10);
  for (let i = 0; i < 6000; i++) {
    let t = base + i * 1500 + Math.floor(rnd() * 20_000);
    if (i % 397 === 0 && i > 0) t -= 15 * 60_000; // late: its window has fired
    const user = `u${Math.floor(rnd() * 40)}`;
    const shop = ['north', 'south', 'east', 'west'][Math.floor(rnd() * 4)];
    const amount = Math.round(rnd() * 10_000) / 100;
    const id = i % 50 === 7 ? i - 1 : i; // duplicates for dedup
    if (i % 613 === 5) lines.push(`{"id": ${id}, "user": "${user}", "shop": 7}`);
    else lines.push(JSON.stringify({ id, user, shop, amount, at: new Date(t).toISOString() }));
  }
  return lines.join('\n') + '\n';
}

/** Payments: 1500 rows, so this source ends after two rounds while orders go on. */
function payments(): string {
  const lines: string[] = [];
  const base = Date.UTC(2024, 4, 1, 10);
  for (let i = 0; i < 1500; i++) {
    const order = i * 3;
    lines.push(JSON.stringify({ order, method: i % 3 ? 'card' : 'cash', at: new Date(base + order * 1500 + 5000).toISOString() }));
  }
  return lines.join('\n') + '\n';
}

let root: string;
let shop: string;
let reference: JobRun;

/** Every temp folder the tests make, removed at the end. */
const made: string[] = [];
function tempDir(prefix: string): string {
  const d = emptyDir(prefix);
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh working folder holding the inputs. */
function workDir(): string {
  const d = tempDir('flowc-ckpt-');
  copyFileSync(join(root, 'orders.jsonl'), join(d, 'orders.jsonl'));
  copyFileSync(join(root, 'payments.jsonl'), join(d, 'payments.jsonl'));
  return d;
}

/** Builds a variant of shop.flow (edited text) into its own bundle. */
async function buildVariant(name: string, edit: (text: string) => string): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const flow = join(dir, 'shop.flow');
  writeFileSync(flow, edit(readFileSync(shopFlow, 'utf8')));
  return (await buildJob(flow, dir)).bundlePath;
}

/** Runs the shop job so that it stops after its 2nd checkpoint, leaving checkpoints 1 and 2. */
async function stoppedRun(bundle = shop, ckpt = 'ckpt'): Promise<{ dir: string; ckpt: string; files: string[] }> {
  const dir = workDir();
  const r = await runProcess(bundle, dir, ['--checkpoint-dir', ckpt], { env: { FLOWC_TEST_STOP_AFTER_CHECKPOINT: '2' } });
  expect(r.status, r.stderr).toBe(TEST_STOP_EXIT_CODE);
  const path = join(dir, ckpt);
  return { dir, ckpt: path, files: readdirSync(path).sort().map((f) => join(path, f)) };
}

function outputs(files: Record<string, Buffer>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(files)) if (k.startsWith('out/')) out[k] = v.toString('utf8');
  return out;
}

beforeAll(async () => {
  root = tempDir('flowc-ckpt-root-');
  writeFileSync(join(root, 'orders.jsonl'), orders());
  writeFileSync(join(root, 'payments.jsonl'), payments());
  shop = (await buildJob(shopFlow, join(root, 'shop'))).bundlePath;
  reference = await runJobProcess(shop, workDir());
  expect(reference.status, reference.stderr).toBe(0);
});

describe('restore gives the bytes of an uninterrupted run', () => {
  it('the reference run writes every output', () => {
    const out = outputs(reference.files);
    expect(Object.keys(out).sort()).toEqual([
      'out/bad_orders.jsonl', 'out/best.jsonl', 'out/late.jsonl', 'out/paid.jsonl', 'out/per_user_shop.jsonl', 'out/streaks.jsonl', 'out/visits.csv',
    ]);
    for (const [name, text] of Object.entries(out)) expect(text.length, name).toBeGreaterThan(0);
    expect(RUNTIME_STOP_CODE).toBe(TEST_STOP_EXIT_CODE);
  });

  it('stopped after the 1st and the 2nd checkpoint', async () => {
    const r = await runWithRestore(shop, workDir());
    expect(r.status, r.stderr).toBe(0);
    expect(r.stops).toBe(2);
    expect(r.stderrs[1]).toMatch(/^restored from checkpoint /m);
    expect(outputs(r.files)).toEqual(outputs(reference.files));
  });

  it('stopped after every round, and after the source that ends first has ended', async () => {
    const r = await runWithRestore(shop, workDir(), [], { stopAfter: [1, 1, 1, 1, 1, 1, 1, 1] });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stops).toBeGreaterThanOrEqual(6);
    expect(outputs(r.files)).toEqual(outputs(reference.files));
  });

  it('the runtime truncates the uncommitted tail a stopped run left in the sinks', async () => {
    const { dir, ckpt } = await stoppedRun();
    const before = statSync(join(dir, 'out', 'per_user_shop.jsonl')).size;
    const r = await runJobProcess(shop, dir, ['--checkpoint-dir', ckpt]);
    expect(r.status, r.stderr).toBe(0);
    expect(before).toBeGreaterThan(0);
    expect(outputs(r.files)).toEqual(outputs(reference.files));
    // A bounded job that finished needs its checkpoints no more.
    expect(existsSync(ckpt) ? readdirSync(ckpt) : []).toEqual([]);
  });

  it('--restore PATH resumes from an older checkpoint', async () => {
    const { dir, ckpt, files } = await stoppedRun();
    const r = await runJobProcess(shop, dir, ['--checkpoint-dir', ckpt, '--restore', files[0]!]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`restored from checkpoint ${files[0]}`);
    expect(outputs(r.files)).toEqual(outputs(reference.files));
  });

  it('--fresh ignores the checkpoints and rewrites the output', async () => {
    const { dir, ckpt } = await stoppedRun();
    const r = await runJobProcess(shop, dir, ['--checkpoint-dir', ckpt, '--fresh']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('restored');
    expect(outputs(r.files)).toEqual(outputs(reference.files));
  });
});

describe('damaged checkpoints', () => {
  it('a truncated latest checkpoint is reported and the previous one is used', async () => {
    const { dir, ckpt, files } = await stoppedRun();
    truncateSync(files[1]!, Math.floor(statSync(files[1]!).size / 2));
    const r = await runJobProcess(shop, dir, ['--checkpoint-dir', ckpt]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: checkpoint ${files[1]} is unusable (truncated`);
    expect(r.stderr).toContain(`restored from checkpoint ${files[0]}`);
    expect(outputs(r.files)).toEqual(outputs(reference.files));
  });

  it('a flipped byte is caught by the checksum, wherever it is', async () => {
    for (const where of [0.05, 0.5, 0.99]) {
      const { dir, ckpt, files } = await stoppedRun();
      const bytes = readFileSync(files[1]!);
      const at = Math.floor(bytes.length * where);
      bytes[at] = bytes[at]! ^ 0x10;
      writeFileSync(files[1]!, bytes);
      const r = await runJobProcess(shop, dir, ['--checkpoint-dir', ckpt]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning: checkpoint .* is unusable \((checksum mismatch|damaged first line|not a flowc checkpoint)/);
      expect(r.stderr).toContain(`restored from checkpoint ${files[0]}`);
      expect(outputs(r.files)).toEqual(outputs(reference.files));
    }
  });

  it('with no usable checkpoint left, the job refuses to start and says how to start over', async () => {
    const { dir, ckpt, files } = await stoppedRun();
    for (const f of files) writeFileSync(f, 'garbage');
    const r = await runJobProcess(shop, dir, ['--checkpoint-dir', ckpt]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: no usable checkpoint in ${ckpt}`);
    expect(r.stderr).toContain('--fresh');
  });

  it('a missing checkpoint file is a user error', async () => {
    const dir = workDir();
    const r = await runJobProcess(shop, dir, ['--restore', join(dir, 'nope.ckpt')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`error: checkpoint ${join(dir, 'nope.ckpt')} does not exist\n`);
    const latest = await runJobProcess(shop, dir, ['--restore', 'latest', '--checkpoint-dir', 'empty']);
    expect(latest.status).toBe(1);
    expect(latest.stderr).toContain('--restore latest: there is no checkpoint of job `shop`');
  });

  it("another job's checkpoint is refused, and skipped when found among the job's own", async () => {
    const other = await buildVariant('other', (t) => t.replace('job shop {}', 'job other {}'));
    const foreign = await stoppedRun(other);
    // Given explicitly: refused.
    const dir = workDir();
    const r = await runJobProcess(shop, dir, ['--restore', foreign.files[1]!]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('it was taken by job `other`, not `shop`');
    // Slipped into the job's directory as its newest: skipped with a warning.
    const { dir: dir2, ckpt, files } = await stoppedRun();
    const intruder = join(ckpt, 'shop-00000099.ckpt');
    copyFileSync(foreign.files[1]!, intruder);
    const r2 = await runJobProcess(shop, dir2, ['--checkpoint-dir', ckpt]);
    expect(r2.status, r2.stderr).toBe(0);
    expect(r2.stderr).toContain(`warning: checkpoint ${intruder} is unusable (it was taken by job \`other\`, not \`shop\`)`);
    expect(r2.stderr).toContain(`restored from checkpoint ${files[1]}`);
    expect(outputs(r2.files)).toEqual(outputs(reference.files));
  });
});

describe('state layout', () => {
  it('an edit that keeps the layout (a where after the stateful operators) restores', async () => {
    const edited = await buildVariant('where', (t) => t.replace('sink paid -> file', 'sink paid | where amount > 1.0 -> file'));
    const { dir, ckpt } = await stoppedRun();
    const r = await runJobProcess(edited, dir, ['--checkpoint-dir', ckpt]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^restored from checkpoint /m);
    // Outputs the edit does not touch are still exactly the uninterrupted run's.
    const out = outputs(r.files);
    const ref = outputs(reference.files);
    expect(out['out/per_user_shop.jsonl']).toBe(ref['out/per_user_shop.jsonl']);
    expect(out['out/streaks.jsonl']).toBe(ref['out/streaks.jsonl']);
  });

  it('a changed layout is refused, naming what changed', async () => {
    const edited = await buildVariant('resized', (t) => t.replace('window tumbling 5m', 'window tumbling 10m'));
    const { dir, ckpt, files } = await stoppedRun();
    const r = await runJobProcess(edited, dir, ['--checkpoint-dir', ckpt]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: cannot restore ${files[1]}: the job's state layout changed since the checkpoint was taken:`);
    expect(r.stderr).toMatch(/changed: window tumbling 300000ms aggregate by \[user: string, shop: string\].*\(let per_user_shop\)\n\s+now: window tumbling 600000ms/);
    expect(r.stderr).toContain('run with --fresh to start over');
    // Nothing was touched: the original job still restores.
    const again = await runJobProcess(shop, dir, ['--checkpoint-dir', ckpt]);
    expect(again.status, again.stderr).toBe(0);
    expect(outputs(again.files)).toEqual(outputs(reference.files));
  });

  it('aggregates swapped under the same output types are refused: the accumulators are in the layout', async () => {
    const edited = await buildVariant('swapped', (t) => t.replace('n: count(), total: sum(amount), big: count_if(amount > 50.0)', 'n: count_if(amount > 50.0), total: sum(amount), big: count()'));
    const { dir, ckpt } = await stoppedRun();
    const r = await runJobProcess(edited, dir, ['--checkpoint-dir', ckpt]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/changed: window tumbling 300000ms .*accumulators \[count\(\): int, sum\(amount\): float, count_if\(amount > 50\.0\): int\] \(let per_user_shop\)\n\s+now: .*accumulators \[count_if/);
    expect(r.stderr).not.toContain('NaN');
  });

  it('a source reading another file is refused, naming both paths', async () => {
    const edited = await buildVariant('moved', (t) => t.replace('file("orders.jsonl")', 'file("orders-copy.jsonl")'));
    const { dir, ckpt } = await stoppedRun();
    copyFileSync(join(dir, 'orders.jsonl'), join(dir, 'orders-copy.jsonl'));
    const r = await runJobProcess(edited, dir, ['--checkpoint-dir', ckpt]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`source \`orders\` read file ${join(dir, 'orders.jsonl')} (jsonl), it reads file ${join(dir, 'orders-copy.jsonl')} (jsonl)`);
  });

  it('a checkpoint of sessions merged by the earlier rule (rows closer than the gap) is refused', async () => {
    const { dir, ckpt, files } = await stoppedRun();
    // Rewrite the checkpoints as a flowc before the inclusive gap rule wrote them: the same state,
    // the session window's layout line without its rule, the fingerprint of that layout.
    for (const f of files) {
      const { header, state } = parseCheckpointFile(readFileSync(f));
      const layout = header.layout.map((l) => l.replace(' (merging rows at most 120000ms apart)', ''));
      expect(layout).not.toEqual(header.layout);
      const { stateBytes: _, ...rest } = header;
      const fingerprint = createHash('sha256').update(layout.join('\n')).digest('hex');
      writeFileSync(f, Buffer.concat(encodeCheckpointFile({ ...rest, layout, fingerprint }, [Buffer.from(state)])));
    }
    const r = await runJobProcess(shop, dir, ['--checkpoint-dir', ckpt]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: cannot restore ${files[1]}: the job's state layout changed since the checkpoint was taken:`);
    expect(r.stderr).toMatch(/changed: window session 120000ms aggregate by \[user: string\].*\(let visits\)\n\s+now: window session 120000ms \(merging rows at most 120000ms apart\) aggregate by/);
    expect(r.stderr).not.toMatch(/at .*\.(ts|mjs):\d+/);
  });

  it('an added stateful operator is refused', async () => {
    const edited = await buildVariant('added', (t) => `${t}\nlet extra = orders | dedup by user within 1m\nsink extra -> file("out/extra.jsonl")\n`);
    const { dir, ckpt } = await stoppedRun();
    const r = await runJobProcess(edited, dir, ['--checkpoint-dir', ckpt]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('added: dedup [user] within 60000ms');
  });
});

describe('checkpoint directory', () => {
  it('keeps the newest three, numbered on across restores, and cleans up after a finished job', async () => {
    const dir = workDir();
    const r1 = await runProcess(shop, dir, ['--checkpoint-dir', 'ck'], { env: { FLOWC_TEST_STOP_AFTER_CHECKPOINT: '5' } });
    expect(r1.status, r1.stderr).toBe(TEST_STOP_EXIT_CODE);
    expect(readdirSync(join(dir, 'ck')).sort()).toEqual(['shop-00000003.ckpt', 'shop-00000004.ckpt', 'shop-00000005.ckpt']);
    const r2 = await runProcess(shop, dir, ['--checkpoint-dir', 'ck'], { env: { FLOWC_TEST_STOP_AFTER_CHECKPOINT: '1' } });
    expect(r2.status, r2.stderr).toBe(TEST_STOP_EXIT_CODE);
    expect(readdirSync(join(dir, 'ck')).sort()).toEqual(['shop-00000004.ckpt', 'shop-00000005.ckpt', 'shop-00000006.ckpt']);
    const header = readFileSync(join(dir, 'ck', 'shop-00000006.ckpt')).subarray(0, 65536).toString('latin1').split('\n');
    expect(header[0]).toMatch(/^FLOWC-CHECKPOINT 1 sha256=[0-9a-f]{64}$/);
    expect(JSON.parse(header[1]!)).toMatchObject({ job: 'shop', seq: 6 });
    const r3 = await runJobProcess(shop, dir, ['--checkpoint-dir', 'ck']);
    expect(r3.status, r3.stderr).toBe(0);
    expect(readdirSync(join(dir, 'ck'))).toEqual([]);
    expect(outputs(readTree(dir))).toEqual(outputs(reference.files));
  });

  it('a checkpoint interval alone checkpoints into .flowc-checkpoints/<job>', async () => {
    const dir = workDir();
    const r = await runProcess(shop, dir, ['--checkpoint-interval', '10ms'], { env: { FLOWC_TEST_STOP_AFTER_CHECKPOINT: '1' } });
    expect(r.status, r.stderr).toBe(TEST_STOP_EXIT_CODE);
    expect(readdirSync(join(dir, '.flowc-checkpoints', 'shop'))).toEqual(['shop-00000001.ckpt']);
    const done = await runJobProcess(shop, dir, ['--checkpoint-interval', '10ms']);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/^restored from checkpoint .*\.flowc-checkpoints\/shop\/shop-00000001\.ckpt/m);
    expect(existsSync(join(dir, '.flowc-checkpoints'))).toBe(false);
    expect(outputs(done.files)).toEqual(outputs(reference.files));
  });
});

describe('sources that cannot be replayed', () => {
  it('a job reading stdin takes no checkpoints, and says so when they were asked for', async () => {
    const dir = tempDir('flowc-ckpt-stdin-');
    const flow = join(dir, 'echo.flow');
    writeFileSync(flow, 'type R = { n: int }\nsource rows: R = stdin()\nsink rows | where n % 2 == 0 -> file("out/even.jsonl")\n');
    const { bundlePath } = await buildJob(flow, join(dir, '.bin'));
    const input = Array.from({ length: 3000 }, (_, n) => JSON.stringify({ n })).join('\n') + '\n';
    const asked = await runProcess(bundlePath, dir, ['--checkpoint-interval', '10ms', '--checkpoint-dir', 'ck'], { stdin: input });
    expect(asked.status, asked.stderr).toBe(0);
    expect(asked.stderr).toBe('warning: checkpoints are off: source rows cannot be replayed from a checkpoint (stdin)\n');
    expect(existsSync(join(dir, 'ck'))).toBe(false);
    const harness = await runWithRestore(bundlePath, dir, [], { stdin: input });
    expect(harness.status, harness.stderr).toBe(0);
    expect(harness.stops).toBe(0);
    expect(harness.stderr).toBe('');
    expect(harness.files['out/even.jsonl']!.toString()).toBe(Array.from({ length: 1500 }, (_, i) => JSON.stringify({ n: 2 * i })).join('\n') + '\n');
  });
});
