/**
 * CSV records (RFC 4180): fields separated by commas; a field may be enclosed in double quotes,
 * and then may contain commas, CR/LF and doubled quotes (`""` for one `"`). A quote opens a quoted
 * field only as the field's first character; elsewhere it is an error, as is text after a closing
 * quote other than a comma.
 */

/**
 * The fields of one record. `text` is the record without its line terminator (a trailing CRLF,
 * LF or CR is tolerated and dropped); it may span lines inside quoted fields. An empty record
 * gives one empty field.
 */
export function parseCsvRecord(text: string): string[] | { error: string } {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 13) end--;
  let nextQuote = text.indexOf('"');
  if (nextQuote === -1 || nextQuote >= end) {
    return (end === text.length ? text : text.slice(0, end)).split(',');
  }
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (i < end && text.charCodeAt(i) === 34) {
      // quoted field
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1 || q >= end) {
          return { error: `unterminated quoted field (field ${out.length + 1})` };
        }
        if (q + 1 < end && text.charCodeAt(q + 1) === 34) {
          value += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      out.push(value);
      if (i === end) return out;
      if (text.charCodeAt(i) !== 44) {
        return { error: `unexpected character after the closing quote of field ${out.length}` };
      }
      i++;
      if (nextQuote < i) {
        nextQuote = text.indexOf('"', i);
        if (nextQuote === -1) nextQuote = end;
      }
    } else {
      let comma = text.indexOf(',', i);
      if (comma === -1 || comma > end) comma = end;
      if (nextQuote < i) {
        nextQuote = text.indexOf('"', i);
        if (nextQuote === -1) nextQuote = end;
      }
      if (nextQuote < comma) {
        return { error: `stray quote inside unquoted field ${out.length + 1} (quote the field and double the quote)` };
      }
      out.push(text.slice(i, comma));
      if (comma === end) return out;
      i = comma + 1;
    }
  }
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One field, quoted only when needed: a comma, quote, CR or LF, or leading/trailing space or tab. */
export function csvField(value: string): string {
  const n = value.length;
  if (n === 0) return value;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(n - 1);
  if (first !== 32 && first !== 9 && last !== 32 && last !== 9 && !NEEDS_QUOTES.test(value)) return value;
  return '"' + (value.indexOf('"') === -1 ? value : value.replace(/"/g, '""')) + '"';
}

/**
 * One record without a line terminator. A record of a single empty field is written as `""`:
 * an empty line would be skipped as blank when read back.
 */
export function csvLine(fields: string[]): string {
  if (fields.length === 1) return fields[0] === '' ? '""' : csvField(fields[0]!);
  let s = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) s += ',';
    s += csvField(fields[i]!);
  }
  return s;
}
