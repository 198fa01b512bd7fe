import { describe, it, expect } from 'vitest';
import { formatTimestamp, parseDuration, parseTimestamp } from '../../runtime/formats/time.ts';

describe('parseTimestamp', () => {
  it('accepts epoch milliseconds', () => {
    expect(parseTimestamp(0)).toBe(0);
    expect(Object.is(parseTimestamp(-0), 0)).toBe(true);
    expect(parseTimestamp(1714557600000)).toBe(1714557600000);
    expect(parseTimestamp(-1)).toBe(-1);
    expect(parseTimestamp(8.64e15)).toBe(8.64e15);
    expect(parseTimestamp(-8.64e15)).toBe(-8.64e15);
  });

  it('rejects non-integer, non-finite and out-of-range numbers and other types', () => {
    for (const v of [1.5, NaN, Infinity, -Infinity, 8.64e15 + 1, 1e20, null, undefined, true, {}, [], 10n]) {
      expect(parseTimestamp(v)).toBeUndefined();
    }
  });

  it('accepts epoch milliseconds as decimal text', () => {
    expect(parseTimestamp('1714557600000')).toBe(1714557600000);
    expect(parseTimestamp('-1000')).toBe(-1000);
    expect(parseTimestamp('0')).toBe(0);
    expect(parseTimestamp('99999999999999999')).toBeUndefined();
    expect(parseTimestamp('12.5')).toBeUndefined();
    expect(parseTimestamp(' 12')).toBeUndefined();
  });

  it('parses the canonical UTC forms', () => {
    const t = Date.UTC(2024, 4, 1, 10, 0, 0);
    expect(parseTimestamp('2024-05-01T10:00:00Z')).toBe(t);
    expect(parseTimestamp('2024-05-01T10:00:00.000Z')).toBe(t);
    expect(parseTimestamp('2024-05-01T10:00:00.123Z')).toBe(t + 123);
    expect(parseTimestamp('1970-01-01T00:00:00.000Z')).toBe(0);
    expect(parseTimestamp('1969-12-31T23:59:59.999Z')).toBe(-1);
    expect(parseTimestamp('2000-02-29T23:59:59Z')).toBe(Date.UTC(2000, 1, 29, 23, 59, 59));
  });

  it('parses fractions of 1 to 9 digits, truncating to milliseconds', () => {
    const t = Date.UTC(2024, 4, 1, 10, 0, 0);
    expect(parseTimestamp('2024-05-01T10:00:00.1Z')).toBe(t + 100);
    expect(parseTimestamp('2024-05-01T10:00:00.12Z')).toBe(t + 120);
    expect(parseTimestamp('2024-05-01T10:00:00.1239Z')).toBe(t + 123);
    expect(parseTimestamp('2024-05-01T10:00:00.999999999Z')).toBe(t + 999);
    expect(parseTimestamp('2024-05-01T10:00:00,5Z')).toBe(t + 500);
    expect(parseTimestamp('2024-05-01T10:00:00.1234567890Z')).toBeUndefined();
    expect(parseTimestamp('2024-05-01T10:00:00.Z')).toBeUndefined();
  });

  it('applies offsets', () => {
    const t = Date.UTC(2024, 4, 1, 10, 0, 0);
    expect(parseTimestamp('2024-05-01T12:00:00+02:00')).toBe(t);
    expect(parseTimestamp('2024-05-01T12:00:00+0200')).toBe(t);
    expect(parseTimestamp('2024-05-01T12:00:00+02')).toBe(t);
    expect(parseTimestamp('2024-05-01T04:30:00-0530')).toBe(t);
    expect(parseTimestamp('2024-05-01T04:30:00.250-05:30')).toBe(t + 250);
    expect(parseTimestamp('2024-05-01T10:00:00-00:00')).toBe(t);
    expect(parseTimestamp('2024-05-01T10:00:00z')).toBe(t);
    expect(parseTimestamp('2024-05-01t10:00:00Z')).toBe(t);
    // crossing a date and a year boundary
    expect(parseTimestamp('2024-01-01T01:00:00+02:00')).toBe(Date.UTC(2023, 11, 31, 23, 0, 0));
    expect(parseTimestamp('2024-05-01T10:00:00+24:00')).toBeUndefined();
    expect(parseTimestamp('2024-05-01T10:00:00+02:60')).toBeUndefined();
    expect(parseTimestamp('2024-05-01T10:00:00+2:00')).toBeUndefined();
  });

  it('accepts a space separator, minutes precision and date-only text', () => {
    expect(parseTimestamp('2024-05-01 10:00:00Z')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseTimestamp('2024-05-01 10:00:00.5+01:00')).toBe(Date.UTC(2024, 4, 1, 9, 0, 0, 500));
    expect(parseTimestamp('2024-05-01T10:30Z')).toBe(Date.UTC(2024, 4, 1, 10, 30));
    expect(parseTimestamp('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(parseTimestamp('0000-01-01')).toBe(-62167219200000);
  });

  it('rejects invalid dates and times (no Date.parse leniency)', () => {
    for (const s of [
      '2024-13-01',
      '2024-00-10',
      '2024-02-30',
      '2023-02-29',
      '1900-02-29',
      '2024-04-31',
      '2024-05-00',
      '2024-05-01T24:00:00Z',
      '2024-05-01T10:60:00Z',
      '2024-05-01T10:00:60Z',
      '2024-13-01T10:00:00Z',
      '2024-02-30T10:00:00.000Z',
      '2024-05-01T10:00:00', // a local time: ambiguous
      '2024-05-01T10Z',
      '2024-5-1',
      '24-05-01',
      '2024/05/01',
      'May 1, 2024',
      'Wed, 01 May 2024 10:00:00 GMT',
      '2024-05-01Z',
      '2024-05-01T10:00:00ZZ',
      ' 2024-05-01T10:00:00Z',
      '2024-05-01T10:00:00Z ',
      '-000000-01-01T00:00:00Z',
      '+275761-01-01T00:00:00.000Z',
      '',
      'x',
    ]) {
      expect(parseTimestamp(s), s).toBeUndefined();
    }
  });

  it('agrees with Date.parse on many canonical strings', () => {
    let ms = -2208988800000; // 1900
    for (let i = 0; i < 5000; i++) {
      ms += 86_400_000 * 13 + 3_600_000 * 7 + 61_001 + i; // walk through many dates
      const iso = new Date(ms).toISOString();
      expect(parseTimestamp(iso)).toBe(ms);
      expect(parseTimestamp(iso.replace('.', ',').replace('Z', '+00:00'))).toBe(ms);
    }
  });
});

describe('formatTimestamp', () => {
  it('writes ISO 8601 UTC with milliseconds', () => {
    expect(formatTimestamp(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(formatTimestamp(Date.UTC(2024, 4, 1, 10))).toBe('2024-05-01T10:00:00.000Z');
    expect(formatTimestamp(Date.UTC(2024, 4, 1, 10) + 7)).toBe('2024-05-01T10:00:00.007Z');
    expect(formatTimestamp(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(formatTimestamp(1.9)).toBe('1970-01-01T00:00:00.001Z');
  });

  it('matches Date#toISOString, including years outside 0000-9999', () => {
    const samples = [
      0, -1, 1, 951782400000, 1714557600123, 253402300799999, 253402300800000, -62167219200000, -62167219200001,
      -62135596800000, -59011459200000, 8.64e15, -8.64e15, 4102444800000,
    ];
    for (let ms = -8.64e15; ms <= 8.64e15; ms += 8.64e15 / 997) samples.push(Math.floor(ms));
    for (const ms of samples) expect(formatTimestamp(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('never throws', () => {
    expect(formatTimestamp(8.64e15 + 1)).toBe('+275760-09-13T00:00:00.001Z');
    expect(formatTimestamp(1e17)).toMatch(/^\+\d{7}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(formatTimestamp(-1e17)).toMatch(/^-\d{7}-/);
    expect(formatTimestamp(Infinity)).toBe('Infinity');
    expect(formatTimestamp(NaN)).toBe('NaN');
  });

  it('round-trips through parseTimestamp', () => {
    const samples = [0, -1, 1714557600123, -62167219200000, -62167219200001, 8.64e15, -8.64e15, 253402300800000];
    for (let i = 0; i < 2000; i++) samples.push(Math.floor((Math.sin(i) * 8.64e15) / (1 + (i % 7) * 1000)));
    for (const ms of samples) {
      const text = formatTimestamp(ms);
      expect(parseTimestamp(text), text).toBe(ms === 0 ? 0 : ms);
    }
  });
});

describe('parseDuration', () => {
  it('parses single units', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration(' 5s ')).toBe(5000);
  });

  it('parses combinations from the largest unit down', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1d2h3m4s5ms')).toBe(86_400_000 + 7_200_000 + 180_000 + 4000 + 5);
    expect(parseDuration('2s500ms')).toBe(2500);
  });

  it('rejects anything else', () => {
    for (const s of ['', ' ', '5', 's', '1.5s', '-5s', '+5s', '5 s', '5sec', '30s1m', '1m1m', '5S', '1w', '1m 30s', 'ms']) {
      expect(parseDuration(s), s).toBeUndefined();
    }
    expect(parseDuration('99999999999999999999d')).toBeUndefined();
  });
});
