/**
 * Adapters from connectors to the driver's interfaces (Reader, SinkBinding), built by generated
 * code from a job's connector calls.
 */
import { FileSource, StdinSource } from './file-source.ts';
import { FileSink, StreamSink, type SinkPosition } from './file-sink.ts';
import { NexmarkSource, type NexmarkKind } from './nexmark.ts';
import { resolve } from 'node:path';
import { UserError } from '../errors.ts';
import type { ReadBatch, Reader, SinkBinding } from '../job/graph.ts';

/** A source's identity for checkpoints (`SourceBinding.identity`): file paths resolved against the working directory. */
export function sourceIdentity(connector: string, ...args: unknown[]): string {
  if (connector === 'file') return `file ${resolve(String(args[0]))} (${String(args[1])})`;
  return `${connector}(${args.map((a) => JSON.stringify(a)).join(', ')})`;
}

export interface LineReader extends Reader {
  /** CSV column names, null for jsonl. */
  header(): string[] | null;
}

export function fileReader(name: string, path: string, format: 'jsonl' | 'csv', follow: boolean): LineReader {
  const src = new FileSource(name, path, { format, follow });
  src.open();
  return {
    unbounded: follow,
    read: (max) => src.read(max),
    position: () => src.position(),
    seek: (p) => src.seek(p as { offset: number; line: number }),
    close: () => src.close(),
    header: () => src.header(),
  };
}

export function stdinReader(name: string, format: 'jsonl' | 'csv'): LineReader {
  const src = new StdinSource(name, { format });
  src.open();
  return {
    unbounded: true,
    replayable: false,
    read: (max) => src.read(max),
    position: () => src.position(),
    seek: () => { throw new UserError(`source ${name}: stdin cannot be replayed from a checkpoint`); },
    close: () => src.close(),
    header: () => src.header(),
  };
}

export function nexmarkReader(kind: string, events: number, seed: number, rate: number): Reader {
  const src = new NexmarkSource({ kind: kind as NexmarkKind, events, seed, rate });
  let index = 0;
  return {
    read(max: number): ReadBatch | null {
      const records = src.read(max);
      if (records === null) return null;
      const lines = new Array<number>(records.length);
      for (let i = 0; i < records.length; i++) lines[i] = ++index;
      return { records, lines };
    },
    position: () => ({ event: src.position(), index }),
    seek: (p) => { const q = p as { event: number; index: number }; src.seek(q.event); index = q.index; },
    close: () => {},
  };
}

/** A sink that writes lines: a file (exactly-once with checkpoints) or stdout/stderr (at-least-once). */
export interface LineSink extends SinkBinding {
  write(line: string): void;
}

export function fileSinkBinding(name: string, path: string, header?: string): LineSink {
  const sink = new FileSink(name, path, header === undefined ? undefined : { header });
  const state = { rows: 0 };
  return {
    name, state,
    open: (restore) => sink.open(restore as SinkPosition | undefined),
    write: (line) => sink.write(line),
    commit: () => sink.commit(),
    commitAsync: () => sink.commitAsync(),
    flush: () => sink.flush(),
    close: () => sink.close(),
  };
}

export function streamSinkBinding(name: string, fd: 1 | 2, header?: string): LineSink {
  const sink = new StreamSink(fd, name);
  const state = { rows: 0 };
  return {
    name, state,
    open: (restore) => {
      sink.open();
      if (header !== undefined && restore === undefined) sink.write(header);
    },
    write: (line) => sink.write(line),
    commit: () => sink.commit(),
    flush: () => sink.flush(),
    close: () => sink.close(),
  };
}
