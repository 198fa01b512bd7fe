/**
 * What a running job counts, read by the status line (status.ts) and served in the Prometheus
 * text format on 127.0.0.1 with `--metrics-port N` (GET /metrics).
 */
import { createServer, type Server } from 'node:http';
import { UserError } from '../errors.ts';
import type { JobDefinition, JobGraph } from './graph.ts';

export interface Totals {
  inRows: number;
  outRows: number;
  errors: number;
  late: number;
  /** Entries held by all stateful operators. */
  state: number;
  /** Highest event time seen by any source (-Infinity before the first row). */
  newest: number;
  /** The job's watermark: the lowest over its sources (-Infinity before the first row, +Infinity once all ended). */
  watermark: number;
}

/** What the metrics read of the job's checkpointer (runtime/checkpoint/checkpointer.ts). */
export interface CheckpointSource {
  /** Recent checkpoints, oldest first, each recorded once durable. */
  readonly stats: readonly { seq: number; bytes: number; pauseMs: number; totalMs: number }[];
  readonly lastCheckpointAt: number | undefined;
}

export class JobMetrics {
  readonly startedAt = Date.now();
  /** Per source, its watermark: the driver's clock array, once the job runs. */
  watermarks: number[] = [];
  /** The job's checkpointer, once the driver has one. */
  checkpointer: CheckpointSource | undefined;
  private readonly ckpt = { count: 0, totalMs: 0, pauseMs: 0, lastSeq: -Infinity, lastTotalMs: NaN, lastPauseMs: NaN, lastBytes: NaN };

  constructor(readonly def: JobDefinition, readonly graph: JobGraph) {}

  /** Checkpoint counters, folding in those made durable since the last call. */
  checkpoints(): { count: number; totalMs: number; pauseMs: number; lastAt: number | undefined; lastTotalMs: number; lastPauseMs: number; lastBytes: number } {
    const c = this.ckpt;
    for (const st of this.checkpointer?.stats ?? []) {
      if (st.seq <= c.lastSeq) continue;
      c.lastSeq = st.seq;
      c.count++;
      c.totalMs += st.totalMs;
      c.pauseMs += st.pauseMs;
      c.lastTotalMs = st.totalMs;
      c.lastPauseMs = st.pauseMs;
      c.lastBytes = st.bytes;
    }
    return { ...c, lastAt: this.checkpointer?.lastCheckpointAt };
  }

  sourceWatermark(i: number): number {
    return this.watermarks[i] ?? -Infinity;
  }

  totals(): Totals {
    const g = this.graph;
    let inRows = 0, errors = 0, outRows = 0, late = 0, state = 0, newest = -Infinity, watermark = Infinity;
    g.sources.forEach((s, i) => {
      inRows += s.state.records;
      errors += s.state.errors;
      if (s.state.maxTs > newest) newest = s.state.maxTs;
      const w = this.sourceWatermark(i);
      if (w < watermark) watermark = w;
    });
    if (g.sources.length === 0) watermark = -Infinity;
    for (const s of g.sinks) outRows += s.state.rows;
    for (const o of g.operators) {
      late += o.late.count;
      state += o.stateSize();
    }
    return { inRows, outRows, errors, late, state, newest, watermark };
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  prometheus(now = Date.now()): string {
    const job = this.def.name;
    const out: string[] = [];
    const family = (name: string, type: 'counter' | 'gauge' | 'summary', help: string, samples: [Record<string, string>, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) out.push(`${name}${labelText({ job, ...labels })} ${num(value)}`);
    };
    const suffixed = (name: string, labels: Record<string, string>, value: number) => out.push(`${name}${labelText({ job, ...labels })} ${num(value)}`);
    const g = this.graph;
    const sources = g.sources.map((s, i) => ({ s, i, labels: { source: s.name } }));
    family('flow_source_events_total', 'counter', 'Records read from the source.', sources.map(({ s, labels }) => [labels, s.state.records]));
    family('flow_source_errors_total', 'counter', 'Records of the source that did not parse or did not fit its type (they go to errors(S)).', sources.map(({ s, labels }) => [labels, s.state.errors]));
    family('flow_source_newest_event_time_seconds', 'gauge', 'Highest event time the source has seen, in seconds since the Unix epoch.', sources.map(({ s, labels }) => [labels, s.state.maxTs / 1000]));
    family('flow_source_watermark_seconds', 'gauge', 'Watermark of the source, in seconds since the Unix epoch (+Inf once it ended).', sources.map(({ i, labels }) => [labels, this.sourceWatermark(i) / 1000]));
    family('flow_source_watermark_lag_seconds', 'gauge', 'How far the source\'s watermark trails the newest event it has seen.', sources.map(({ s, i, labels }) => [labels, lag(s.state.maxTs, this.sourceWatermark(i))]));
    const sinks = uniqueNames(g.sinks.map((s) => s.name));
    family('flow_sink_events_total', 'counter', 'Rows written to the sink.', g.sinks.map((s, i) => [{ sink: sinks[i]! }, s.state.rows]));
    const ops = uniqueNames(g.operators.map((o) => o.name));
    family('flow_operator_late_events_total', 'counter', 'Rows that arrived after their window had fired (they go to late(L)).', g.operators.map((o, i) => [{ operator: ops[i]! }, o.late.count]));
    family('flow_operator_state_entries', 'gauge', 'Entries held in the operator\'s state (windows, keys, buffered rows).', g.operators.map((o, i) => [{ operator: ops[i]! }, o.stateSize()]));
    family('flow_operator_watermark_seconds', 'gauge', 'Watermark of the operator (the lowest of its input sources), in seconds since the Unix epoch.', g.operators.map((o, i) => [{ operator: ops[i]! }, Math.min(...o.inputs.map((s) => this.sourceWatermark(s))) / 1000]));
    const ck = this.checkpoints();
    family('flow_checkpoints_total', 'counter', 'Checkpoints taken (made durable) by this run.', [[{}, ck.count]]);
    out.push('# HELP flow_checkpoint_duration_seconds Time from the start of a checkpoint until it was durable.', '# TYPE flow_checkpoint_duration_seconds summary');
    suffixed('flow_checkpoint_duration_seconds_sum', {}, ck.totalMs / 1000);
    suffixed('flow_checkpoint_duration_seconds_count', {}, ck.count);
    out.push('# HELP flow_checkpoint_pause_seconds Time the job stopped processing for a checkpoint.', '# TYPE flow_checkpoint_pause_seconds summary');
    suffixed('flow_checkpoint_pause_seconds_sum', {}, ck.pauseMs / 1000);
    suffixed('flow_checkpoint_pause_seconds_count', {}, ck.count);
    const last = ck.count > 0;
    family('flow_last_checkpoint_duration_seconds', 'gauge', 'Duration of the last checkpoint, until durable.', last ? [[{}, ck.lastTotalMs / 1000]] : []);
    family('flow_last_checkpoint_size_bytes', 'gauge', 'Size of the last checkpoint.', last ? [[{}, ck.lastBytes]] : []);
    family('flow_last_checkpoint_time_seconds', 'gauge', 'When the last checkpoint was durable, in seconds since the Unix epoch.', ck.lastAt === undefined ? [] : [[{}, ck.lastAt / 1000]]);
    family('flow_job_start_time_seconds', 'gauge', 'When the job started, in seconds since the Unix epoch.', [[{}, this.startedAt / 1000]]);
    family('flow_job_uptime_seconds', 'gauge', 'Seconds since the job started.', [[{}, (now - this.startedAt) / 1000]]);
    return `${out.join('\n')}\n`;
  }
}

function lag(newest: number, watermark: number): number {
  if (!Number.isFinite(newest) || !Number.isFinite(watermark)) return 0;
  return Math.max(0, newest - watermark) / 1000;
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Two operators or sinks may share a name: the later ones get `#2`, `#3`… */
function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n}#${k}`;
  });
}

export interface MetricsServer {
  /** The port it listens on (the one asked for, or the one the system chose for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `metrics` on 127.0.0.1:`port` (GET /metrics). The server does not keep the process
 * alive by itself: a job that ends or fails exits without waiting for it.
 */
export function serveMetrics(metrics: JobMetrics, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      const body = metrics.prometheus();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(path === '/' ? `${metrics.def.name}: metrics at /metrics\n` : 'not found: metrics are at /metrics\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new UserError(`--metrics-port ${port}: cannot listen on 127.0.0.1:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EACCES' ? 'permission denied' : err.message}`));
    });
    server.listen(port, '127.0.0.1', () => {
      server.unref();
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}
