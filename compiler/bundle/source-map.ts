import { commentText } from '../phases/5-emit/expr.ts';
/**
 * A source map from generated TypeScript back to the .flow file: every generated line after a
 * `// file.flow:N` comment maps to line N, so a stack trace through a job names the .flow line.
 */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

export function flowSourceMap(generated: string, flowFile: string, flowText: string): object {
  // As the generated comments spell it (line breaks and comment ends neutralised).
  const base = commentText(flowFile.replace(/^.*[\\/]/, ''));
  const marker = new RegExp(`// ${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`);
  let current = -1;
  let prevLine = 0;
  const lines = generated.split('\n').map((line) => {
    const m = marker.exec(line);
    if (m) current = Number(m[1]) - 1;
    if (current < 0) return '';
    const seg = vlq(0) + vlq(0) + vlq(current - prevLine) + vlq(0);
    prevLine = current;
    return seg;
  });
  // Source index and column deltas are relative to the previous segment; the first is absolute.
  return { version: 3, sources: [flowFile], sourcesContent: [flowText], names: [], mappings: lines.join(';') };
}
