// Types of lib.mjs for the TypeScript tests that import it.
export type Kind = 'person' | 'auction' | 'bid';
export interface QueryInfo {
  name: string;
  sources: Kind[];
  stateless?: boolean;
  impl?: boolean;
  table?: boolean;
  deterministic?: boolean;
  title: string;
}
export const root: string;
export const samplesDir: string;
export const QUERIES: QueryInfo[];
export const sideInput: string;
export function nexmarkSources(text: string): { kind: Kind; seed: number }[];
export function pathParam(kind: Kind): string;
export function fileVariant(text: string): string;
export function generatorBundle(): Promise<string>;
export function loadGenerator(): Promise<typeof import('../../runtime/connectors/nexmark.ts')>;
export class LineWriter {
  constructor(path: string);
  write(line: string): void;
  flush(): void;
  close(): void;
}
export function dumpEvents(dir: string, opts: { events: number; seed: number; rate: number; kinds: Kind[] }): Promise<Partial<Record<Kind, number>>>;
export function recordCount(kind: Kind, events: number): number;
