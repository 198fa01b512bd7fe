/** Decoding of literal text: strings with escapes, durations, timestamps. */
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function durationMs(n: number, unit: string): number {
  return n * unitMs[unit]!;
}

export interface DecodedString {
  value: string;
  errors: { offset: number; length: number; text: string }[];
}

/** Decodes the text between the quotes of a string literal. */
export function decodeString(raw: string): DecodedString {
  if (!raw.includes('\\')) return { value: raw, errors: [] };
  let out = '';
  const errors: DecodedString['errors'] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') { out += c; continue; }
    const e = raw[i + 1];
    switch (e) {
      case '"': out += '"'; i++; break;
      case '\\': out += '\\'; i++; break;
      case 'n': out += '\n'; i++; break;
      case 't': out += '\t'; i++; break;
      case 'r': out += '\r'; i++; break;
      case 'u': {
        const m = /^u\{([0-9a-fA-F]{1,6})\}/.exec(raw.slice(i + 1));
        const cp = m ? parseInt(m[1]!, 16) : NaN;
        if (m && cp <= 0x10ffff) {
          out += String.fromCodePoint(cp);
          i += m[0].length;
        } else {
          const len = m ? m[0].length + 1 : 2;
          errors.push({ offset: i, length: len, text: raw.slice(i, i + len) });
          i += len - 1;
        }
        break;
      }
      default:
        errors.push({ offset: i, length: 2, text: raw.slice(i, i + 2) });
        i++;
    }
  }
  return { value: out, errors };
}

const tsPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** `2024-05-01T10:00:00.5+02:00` → epoch ms; no zone means UTC. Undefined for impossible dates. */
export function parseTimestampLiteral(text: string): number | undefined {
  const m = tsPattern.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Date.UTC maps years 0–99 to 1900–1999; set the full year explicitly.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, Number((frac + '00').slice(0, 3))));
  date.setUTCFullYear(year, month - 1, day);
  const ms = date.getTime();
  const back = new Date(ms);
  if (back.getUTCDate() !== day || back.getUTCMonth() !== month - 1) return undefined;
  let offset = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    const zh = Number(digits.slice(1, 3)), zm = Number(digits.slice(3, 5));
    if (zh > 23 || zm > 59) return undefined;
    offset = (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm) * 60_000;
  }
  return ms - offset;
}

export function literalDiagnostic(code: 'F0003' | 'F0004' | 'F0005' | 'F0009', span: Span, text: string): Diagnostic {
  switch (code) {
    case 'F0003':
      return {
        code, severity: 'error', span, message: `unknown escape \`${text}\` in a string`,
        help: 'the escapes are \\" \\\\ \\n \\t \\r and \\u{1F600}; write \\\\ for a backslash',
      };
    case 'F0004':
      return {
        code, severity: 'error', span, message: `\`${text}\` is not a valid timestamp`,
        help: 'write an ISO 8601 instant such as @2024-05-01T10:00:00Z (month 01-12, a day that exists in that month)',
      };
    case 'F0005':
      return {
        code, severity: 'error', span, message: `the integer \`${text}\` is outside ±2^53`,
        help: 'ints are exact only within ±9007199254740991; write a float (`1e18`) if you need a larger magnitude',
      };
    case 'F0009':
      return /^\d[\d_]*(ms|s|m|h|d)$/.test(text)
        ? {
            code, severity: 'error', span, message: `the duration \`${text}\` is too long`,
            help: 'durations are whole milliseconds within ±2^53 (about 285,000 years)',
          }
        : {
            code, severity: 'error', span, message: `the number \`${text}\` is too large for a float`,
            help: 'floats are IEEE doubles: the largest is about 1.8e308',
          };
  }
}
