// Benchmark: time from a didChange to the publishDiagnostics of that version, on a generated
// 500-line .flow file, through the real bundled server over stdio. Median of 20 edits, measured
// with the default 15 ms debounce and with none (the analysis and the transport alone).
// `node vscode-extension/scripts/bench-diagnostics.mjs` → prints a table and writes bench/out/lsp-diagnostics.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { buildExtension, extensionRoot } from './build.mjs';
import { startLanguageServer, positionOf } from './lsp-client.mjs';

const EDITS = 20;
const LINES = 500;

/** A job of LINES lines: blocks of a type, a source, two lets and a sink. */
export function generateFlow(lines = LINES) {
  const out = ['// Generated for bench-diagnostics.mjs.', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `type Row${i} = { id: int, name: string, score: float, tags: [string], at: timestamp }`,
      `source src${i}: Row${i} = file("data/${i}.jsonl", format: "jsonl")`,
      '  event time at watermark 5s',
      `let clean${i} = src${i}`,
      `  | where score > ${i}.5 and name != "" and length(tags) > 0`,
      '  | select { id, name: lower(name), score: round(score * 100.0) / 100.0, at }',
      `let agg${i} = clean${i}`,
      '  | key by name',
      '  | window tumbling 1m',
      '  | aggregate { n: count(), avg_score: avg(score), best: max(score) }',
      `sink agg${i} -> file("out/${i}.jsonl")`,
      '',
    );
  }
  return out.slice(0, lines).join('\n') + '\n';
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(serverJs, debounceMs) {
  const server = await startLanguageServer(serverJs, { debounceMs });
  const text = generateFlow();
  const uri = pathToFileURL(join(tmpdir(), 'bench.flow')).href;
  try {
    let t0 = performance.now();
    const opened = server.nextDiagnostics(uri, (p) => p.version === 1, 60_000);
    await server.open(uri, text, 1);
    const first = await opened;
    const openMs = first.receivedAt - t0;
    if (first.diagnostics.some((d) => d.severity === 1)) {
      throw new Error(`the generated file has errors: ${JSON.stringify(first.diagnostics.slice(0, 3))}`);
    }
    // Each edit retypes the threshold of a `where` in the middle of the file (a one-character change).
    const at = text.indexOf('| where score > ', Math.floor(text.length / 2)) + '| where score > '.length;
    const start = positionOf(text, at);
    const times = [];
    for (let v = 2; v < 2 + EDITS; v++) {
      const digit = String(v % 10);
      const done = server.nextDiagnostics(uri, (p) => p.version === v, 60_000);
      t0 = performance.now();
      await server.change(uri, v, [{ range: { start, end: { line: start.line, character: start.character + 1 } }, text: digit }]);
      const p = await done;
      times.push(p.receivedAt - t0);
      if (p.diagnostics.some((d) => d.severity === 1)) throw new Error('an edit introduced an error');
    }
    return { openMs, times, median: median(times), min: Math.min(...times), max: Math.max(...times) };
  } finally {
    await server.stop();
  }
}

/**
 * `analyze()` alone, in this process, on the same edits: the part of the latency that is the
 * compiler's. `incremental`: with the document's IncrementalParser, as the server runs it;
 * otherwise parsed from scratch, as `flowc check` does.
 */
async function measureAnalyze() {
  const dir = mkdtempSync(join(tmpdir(), 'flow-bench-'));
  try {
    const out = join(dir, 'analyze.cjs');
    await build({
      stdin: {
        contents: "export { analyze } from './index.ts';\nexport { IncrementalParser } from './phases/1-parse/incremental.ts';\n",
        resolveDir: join(extensionRoot, '../compiler'), loader: 'ts',
      },
      outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node18', loader: { '.ohm': 'text' }, logLevel: 'error',
    });
    const { analyze, IncrementalParser } = await import(pathToFileURL(out).href);
    const text = generateFlow();
    const at = text.indexOf('| where score > ', Math.floor(text.length / 2)) + '| where score > '.length;
    const run = (incremental) => {
      const parser = incremental ? new IncrementalParser('/bench.flow') : undefined;
      analyze(text, '/bench.flow', undefined, { parser });
      const times = [];
      for (let v = 2; v < 2 + EDITS; v++) {
        const edited = text.slice(0, at) + String(v % 10) + text.slice(at + 1);
        const t0 = performance.now();
        analyze(edited, '/bench.flow', undefined, { parser });
        times.push(performance.now() - t0);
      }
      return { times, median: median(times), min: Math.min(...times), max: Math.max(...times) };
    };
    return { scratch: run(false), incremental: run(true) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const loadBefore = loadavg()[0];
const outdir = mkdtempSync(join(tmpdir(), 'flow-bench-server-'));
let debounced, immediate;
try {
  const { server } = await buildExtension({ outdir, sourcemap: false });
  debounced = await measure(server, 15);
  immediate = await measure(server, 0);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
const alone = await measureAnalyze();
const loadAfter = loadavg()[0];
const fmt = (n) => `${n.toFixed(1)} ms`;
const rows = [
  ['debounce 15 ms (default)', debounced],
  ['no debounce (analysis + transport)', immediate],
];
const table = [
  '| setting | first check on open | didChange → publishDiagnostics, median of 20 | min | max |',
  '|---|---|---|---|---|',
  ...rows.map(([name, r]) => `| ${name} | ${fmt(r.openMs)} | **${fmt(r.median)}** | ${fmt(r.min)} | ${fmt(r.max)} |`),
  `| \`analyze()\` alone with an \`IncrementalParser\`, in-process (as the server runs it) | | ${fmt(alone.incremental.median)} | ${fmt(alone.incremental.min)} | ${fmt(alone.incremental.max)} |`,
  `| \`analyze()\` alone, parsing from scratch (as \`flowc check\` runs it) | | ${fmt(alone.scratch.median)} | ${fmt(alone.scratch.min)} | ${fmt(alone.scratch.max)} |`,
].join('\n');
const report = `# LSP diagnostics latency

Generated by \`node vscode-extension/scripts/bench-diagnostics.mjs\` on ${new Date().toISOString().slice(0, 10)}
(Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} core(s); 1-minute load average
${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after the run: other work on the machine inflates the figures).

A generated ${LINES}-line .flow file (${generateFlow().split('\n').filter((l) => l.startsWith('let ')).length} lets) is opened
in the bundled language server (\`dist/server.js --stdio\`); then ${EDITS} one-character edits are sent
one after the other as incremental \`didChange\` notifications, each timed until the server publishes
the diagnostics of that document version. The server runs \`analyze()\` (parse + check) on the whole file,
with the document's \`IncrementalParser\`: only the declaration an edit touched is parsed again.

${table}

Edit times (debounced): ${debounced.times.map((t) => t.toFixed(0)).join(', ')} ms
Edit times (no debounce): ${immediate.times.map((t) => t.toFixed(0)).join(', ')} ms
`;
console.log(table);
console.log(`load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${cpus().length} core(s)`);
mkdirSync(join(extensionRoot, '../bench/out'), { recursive: true });
writeFileSync(join(extensionRoot, '../bench/out/lsp-diagnostics.md'), report);
console.log('wrote bench/out/lsp-diagnostics.md');
