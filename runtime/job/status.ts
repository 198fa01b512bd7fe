/**
 * What a running job shows: on a terminal, a live status line on stderr (rates, watermark, lag,
 * last checkpoint, state size) and a summary at the end; nothing when stderr is not a terminal
 * or with --quiet.
 */
import type { JobDefinition, JobGraph } from './graph.ts';
import type { JobFlags } from './flags.ts';
import { formatTimestamp } from '../formats/time.ts';

export class StatusReporter {
  private readonly enabled: boolean;
  private lastLine = 0;
  private lastIn = 0;
  private lastAt = Date.now();
  lastCheckpoint: number | undefined;

  constructor(private readonly def: JobDefinition, private readonly graph: JobGraph, flags: JobFlags) {
    this.enabled = !flags.quiet && process.stderr.isTTY === true;
  }

  start(): void {
    this.lastAt = Date.now();
  }

  private totals() {
    const inRows = this.graph.sources.reduce((n, s) => n + s.state.records, 0);
    const outRows = this.graph.sinks.reduce((n, s) => n + s.state.rows, 0);
    const errors = this.graph.sources.reduce((n, s) => n + s.state.errors, 0);
    const late = this.graph.operators.reduce((n, o) => n + o.late.count, 0);
    const state = this.graph.operators.reduce((n, o) => n + o.stateSize(), 0);
    const maxTs = Math.max(...this.graph.sources.map((s) => s.state.maxTs));
    return { inRows, outRows, errors, late, state, maxTs };
  }

  tick(): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastLine < 250) return;
    const t = this.totals();
    const rate = ((t.inRows - this.lastIn) * 1000) / Math.max(1, now - this.lastAt);
    this.lastIn = t.inRows;
    this.lastAt = now;
    this.lastLine = now;
    const wm = Number.isFinite(t.maxTs) ? formatTimestamp(t.maxTs) : '—';
    const ck = this.lastCheckpoint ? `${Math.round((now - this.lastCheckpoint) / 1000)}s ago` : 'none';
    const line = `${this.def.name}: in ${fmt(t.inRows)} (${fmt(rate)}/s)  out ${fmt(t.outRows)}  newest ${wm}  late ${t.late}  errors ${t.errors}  state ${fmt(t.state)}  checkpoint ${ck}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 160) - 1)}`);
  }

  finish(durationMs: number): void {
    if (!this.enabled) return;
    const t = this.totals();
    const lines = [`\r\x1b[2K${this.def.name}: done in ${(durationMs / 1000).toFixed(2)}s`];
    for (const s of this.graph.sources) lines.push(`  source ${s.name}: ${fmt(s.state.records)} records, ${s.state.errors} bad`);
    for (const s of this.graph.sinks) lines.push(`  sink ${s.name}: ${fmt(s.state.rows)} rows`);
    if (t.late) lines.push(`  late rows: ${t.late}`);
    process.stderr.write(`${lines.join('\n')}\n`);
  }
}

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}
