import { describe, it, expect } from 'vitest';
import { csvField, csvLine, parseCsvRecord } from '../../runtime/formats/csv.ts';

describe('parseCsvRecord', () => {
  it('splits plain fields', () => {
    expect(parseCsvRecord('a,b,c')).toEqual(['a', 'b', 'c']);
    expect(parseCsvRecord('')).toEqual(['']);
    expect(parseCsvRecord(',')).toEqual(['', '']);
    expect(parseCsvRecord('a,,c,')).toEqual(['a', '', 'c', '']);
    expect(parseCsvRecord(' a , b ')).toEqual([' a ', ' b ']);
  });

  it('handles quoted fields', () => {
    expect(parseCsvRecord('"a","b"')).toEqual(['a', 'b']);
    expect(parseCsvRecord('"a,b",c')).toEqual(['a,b', 'c']);
    expect(parseCsvRecord('"say ""hi""",x')).toEqual(['say "hi"', 'x']);
    expect(parseCsvRecord('""')).toEqual(['']);
    expect(parseCsvRecord('""""')).toEqual(['"']);
    expect(parseCsvRecord('a,""')).toEqual(['a', '']);
    expect(parseCsvRecord('"",""')).toEqual(['', '']);
    expect(parseCsvRecord('"line1\nline2",z')).toEqual(['line1\nline2', 'z']);
    expect(parseCsvRecord('"crlf\r\ninside"')).toEqual(['crlf\r\ninside']);
    expect(parseCsvRecord('x,"a""b""c",y')).toEqual(['x', 'a"b"c', 'y']);
    expect(parseCsvRecord('"é,ü",日本')).toEqual(['é,ü', '日本']);
  });

  it('tolerates a trailing line terminator', () => {
    expect(parseCsvRecord('a,b\r\n')).toEqual(['a', 'b']);
    expect(parseCsvRecord('a,b\r')).toEqual(['a', 'b']);
    expect(parseCsvRecord('a,b\n')).toEqual(['a', 'b']);
    expect(parseCsvRecord('a,"b"\r\n')).toEqual(['a', 'b']);
    expect(parseCsvRecord('"a"\r')).toEqual(['a']);
  });

  it('reports malformed quoting', () => {
    const err = (t: string) => {
      const r = parseCsvRecord(t);
      expect(Array.isArray(r), t).toBe(false);
      return (r as { error: string }).error;
    };
    expect(err('"abc')).toMatch(/unterminated/);
    expect(err('a,"b')).toMatch(/unterminated.*field 2/);
    expect(err('"a""')).toMatch(/unterminated/);
    expect(err('"abc\n')).toMatch(/unterminated/);
    expect(err('ab"c,d')).toMatch(/stray quote.*field 1/);
    expect(err('a,b"')).toMatch(/stray quote.*field 2/);
    expect(err(' "a",b')).toMatch(/stray quote/);
    expect(err('"a"b,c')).toMatch(/after the closing quote of field 1/);
    expect(err('"a" ,c')).toMatch(/after the closing quote/);
    expect(err('x,"a"b')).toMatch(/field 2/);
  });

  it('handles many fields with a quote far ahead', () => {
    const fields = Array.from({ length: 2000 }, (_, i) => `f${i}`);
    const text = fields.join(',') + ',"last, quoted"';
    expect(parseCsvRecord(text)).toEqual([...fields, 'last, quoted']);
  });
});

describe('csvField / csvLine', () => {
  it('quotes only when needed', () => {
    expect(csvField('abc')).toBe('abc');
    expect(csvField('')).toBe('');
    expect(csvField('a b')).toBe('a b');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField('a\rb')).toBe('"a\rb"');
    expect(csvField(' lead')).toBe('" lead"');
    expect(csvField('trail ')).toBe('"trail "');
    expect(csvField('\ttab')).toBe('"\ttab"');
    expect(csvField('日本')).toBe('日本');
  });

  it('writes lines that parse back to the same fields', () => {
    const rows = [
      ['a', 'b', 'c'],
      ['', ''],
      [''],
      ['x'],
      ['with,comma', 'with "quote"', 'multi\nline', ' padded ', 'crlf\r\n'],
      ['"', '""', ',', '\n'],
      ['é', '😀', 'plain'],
    ];
    for (const row of rows) {
      const line = csvLine(row);
      expect(parseCsvRecord(line), line).toEqual(row);
    }
    expect(csvLine([''])).toBe('""');
    expect(csvLine(['a', ''])).toBe('a,');
    expect(csvLine([])).toBe('');
  });
});
