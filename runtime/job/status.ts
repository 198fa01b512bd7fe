/**
 * What a running job shows on a terminal: a live status line on stderr (events in and out per
 * second, watermark and how far it trails the newest event, last checkpoint, state size) and a
 * summary at the end (events per source and sink, late rows, error rows, duration). Nothing when
 * stderr is not a terminal, or with --quiet: output piped to a file stays clean.
 *
 * The status line is the last line of the terminal and is redrawn in place. Anything else
 * that reaches the terminal erases it first: writes to process.stderr (error messages) and the
 * rows of `stderr()` sinks (and of `stdout()` sinks when stdout is the same terminal), which are
 * then written line by line.
 */
import type { JobDefinition, JobGraph, SinkBinding } from './graph.ts';
import type { JobFlags } from './flags.ts';
import { JobMetrics, serveMetrics, type MetricsServer, type Totals } from './metrics.ts';

/** Redraw at most this often. */
const INTERVAL_MS = 250;

export class StatusReporter {
  /** The counters behind the status line, also served by --metrics-port. */
  readonly metrics: JobMetrics;
  /** When the last checkpoint was taken (epoch ms); the driver keeps it current. */
  lastCheckpoint: number | undefined;
  private readonly enabled: boolean;
  private readonly write: (s: string) => void;
  private restoreStderr: (() => void) | undefined;
  private drawn = false;
  private lastLine = 0;
  private lastIn = 0;
  private lastOut = 0;
  private lastAt = Date.now();

  constructor(private readonly def: JobDefinition, private readonly graph: JobGraph, flags: JobFlags, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.metrics = new JobMetrics(def, graph);
    // FLOWC_STATUS=tty is an internal switch for tests that cannot allocate a terminal.
    this.enabled = !flags.quiet && (stream.isTTY === true || process.env.FLOWC_STATUS === 'tty');
    const original = stream.write.bind(stream);
    this.write = (s) => { original(s); };
    if (this.enabled) {
      this.guardSinks();
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        this.clear();
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      this.restoreStderr = () => { stream.write = original as typeof stream.write; };
    }
  }

  /** Writes of terminal sinks erase the status line first, and go out at once. */
  private guardSinks(): void {
    const stdoutIsTerminal = process.stdout.isTTY === true;
    for (const sink of this.graph.sinks) {
      const s = sink as SinkBinding & { write?: (line: string) => void };
      const terminal = /-> stderr$/.test(s.name) || (stdoutIsTerminal && /-> stdout$/.test(s.name));
      if (!terminal || typeof s.write !== 'function') continue;
      const write = s.write.bind(s);
      s.write = (line: string) => {
        this.clear();
        write(line);
        s.flush();
      };
    }
  }

  start(): void {
    this.lastAt = Date.now();
  }

  private server: MetricsServer | undefined;

  /**
   * `--metrics-port N`: serves the metrics on 127.0.0.1:N until the job ends. The address is
   * printed on a terminal, and always for port 0 (where the system picks the port).
   */
  async serveMetrics(port: number | undefined): Promise<void> {
    if (port === undefined) return;
    this.server = await serveMetrics(this.metrics, port);
    if (this.enabled || port === 0) this.write(`${this.def.name}: metrics at http://127.0.0.1:${this.server.port}/metrics\n`);
  }

  /** Redraws the status line (at most every 250 ms). */
  tick(): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastLine < INTERVAL_MS) return;
    const t = this.metrics.totals();
    const secs = Math.max(1, now - this.lastAt) / 1000;
    const inRate = (t.inRows - this.lastIn) / secs;
    const outRate = (t.outRows - this.lastOut) / secs;
    this.lastIn = t.inRows;
    this.lastOut = t.outRows;
    this.lastAt = now;
    this.lastLine = now;
    const line = statusLine(this.def.name, t, inRate, outRate, this.lastCheckpoint ?? this.metrics.checkpointer?.lastCheckpointAt, now);
    const width = (this.stream.columns ?? 120) - 1;
    this.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    this.drawn = true;
  }

  /** Erases the status line, if shown. */
  clear(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.write('\r\x1b[2K');
  }

  /** The end of a job that completed: the summary replaces the status line. */
  finish(durationMs: number): void {
    if (!this.enabled) {
      this.stop();
      return;
    }
    this.clear();
    this.write(summary(this.def.name, this.graph, this.metrics.totals(), durationMs));
    this.stop();
  }

  /** Leaves the terminal as it was (also when the job fails). */
  stop(): void {
    this.clear();
    void this.server?.close();
    this.server = undefined;
    this.restoreStderr?.();
    this.restoreStderr = undefined;
  }
}

/** `hot_pages | in 12.3k/s (604) | out 1.1k/s (40) | watermark 2024-05-01T10:04:55Z (5s behind) | checkpoint 3s ago | state 1.2k` */
export function statusLine(name: string, t: Totals, inRate: number, outRate: number, lastCheckpoint: number | undefined, now: number): string {
  const parts = [
    name,
    `in ${count(inRate)}/s (${count(t.inRows)})`,
    `out ${count(outRate)}/s (${count(t.outRows)})`,
    `watermark ${watermarkText(t.watermark)}${Number.isFinite(t.watermark) && Number.isFinite(t.newest) ? ` (${duration(Math.max(0, t.newest - t.watermark))} behind)` : ''}`,
    `checkpoint ${lastCheckpoint === undefined ? 'none yet' : now - lastCheckpoint < 1000 ? 'just now' : `${duration(now - lastCheckpoint)} ago`}`,
    `state ${count(t.state)}`,
  ];
  if (t.late) parts.push(`late ${count(t.late)}`);
  if (t.errors) parts.push(`errors ${count(t.errors)}`);
  return parts.join(' | ');
}

export function summary(name: string, graph: JobGraph, t: Totals, durationMs: number): string {
  const lines = [`${name}: done in ${(durationMs / 1000).toFixed(2)}s`];
  for (const s of graph.sources) lines.push(`  source ${s.name}: ${plural(s.state.records, 'event')}${s.state.errors ? `, ${plural(s.state.errors, 'error row')}` : ''}`);
  for (const s of graph.sinks) lines.push(`  sink ${s.name}: ${plural(s.state.rows, 'row')}`);
  const lateBy = graph.operators.filter((o) => o.late.count > 0).map((o) => `${o.name} ${o.late.count}`);
  lines.push(`  late rows: ${t.late.toLocaleString('en-US')}${lateBy.length ? ` (${lateBy.join(', ')})` : ''}`);
  lines.push(`  error rows: ${t.errors.toLocaleString('en-US')}`);
  return `${lines.join('\n')}\n`;
}

function watermarkText(wm: number): string {
  if (wm === -Infinity) return 'none yet';
  if (wm === Infinity) return 'end of input';
  return `${new Date(Math.floor(wm / 1000) * 1000).toISOString().slice(0, -5)}Z`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(ms / 3_600_000)}h${Math.floor((ms % 3_600_000) / 60_000)}m`;
}

function count(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function plural(n: number, what: string): string {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}
