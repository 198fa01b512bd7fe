/**
 * Per-type record code generated from the declared types: readers that validate JSON objects and
 * CSV rows into locals (with a reason for `errors(S)` when a field does not fit), and serialisers
 * that write JSON / CSV straight from locals, fields in declared order.
 */
import type { Field, RecordType, Type } from '../../../lang/types.ts';
import { isNullable, nonNull, showType } from '../../../lang/types.ts';
import { jsString, prop, key, ownField } from './expr.ts';

/** Collects helper functions (nested converters / serialisers), one per distinct type. */
export class TypeCode {
  readonly functions: string[] = [];
  readonly uses = new Set<string>();
  private readonly converters = new Map<string, string>();
  private readonly serialisers = new Map<string, string>();

  /** A function name converting an input value of type `t` (nested records, lists) or returning BAD. */
  converter(t: Type): string {
    const id = showFull(t);
    const existing = this.converters.get(id);
    if (existing) return existing;
    const name = `conv${this.converters.size}`;
    this.converters.set(id, name);
    this.uses.add('BAD');
    const body: string[] = [];
    if (t.kind === 'record') {
      body.push('if (x === null || typeof x !== "object" || Array.isArray(x)) return BAD;');
      const parts: string[] = [];
      t.fields.forEach((f, i) => {
        body.push(`let f${i} = ${ownField('x', f.name)};`);
        body.push(this.convertInPlace(`f${i}`, f.type, 'return BAD;'));
        parts.push(`${key(f.name)}: f${i}`);
      });
      body.push(`return { ${parts.join(', ')} };`);
    } else if (t.kind === 'list') {
      body.push('if (!Array.isArray(x)) return BAD;');
      body.push('const out = new Array(x.length);');
      body.push('for (let i = 0; i < x.length; i++) {');
      body.push('  let e = x[i];');
      body.push(`  ${this.convertInPlace('e', t.element, 'return BAD;')}`);
      body.push('  out[i] = e;');
      body.push('}');
      body.push('return out;');
    }
    this.functions.push(`/** Converts an input value to \`${commentSafe(showType(t))}\`, or BAD. */\nfunction ${name}(x: any): any {\n  ${body.join('\n  ')}\n}`);
    return name;
  }

  /** Statements that check (and convert in place) the JS variable `v` to type `t`, running `fail` otherwise. */
  convertInPlace(v: string, t: Type, fail: string): string {
    const nullable = isNullable(t);
    const base = nonNull(t);
    const pre = nullable ? `if (${v} === undefined) ${v} = null;\nif (${v} !== null) ` : '';
    let check: string;
    switch (base.kind) {
      case 'string': check = `if (typeof ${v} !== "string") ${fail}`; break;
      case 'int': check = `if (typeof ${v} !== "number" || !Number.isSafeInteger(${v})) ${fail}`; break;
      case 'float': check = `if (typeof ${v} !== "number") ${fail}`; break;
      case 'bool': check = `if (typeof ${v} !== "boolean") ${fail}`; break;
      case 'timestamp': this.uses.add('rt_ts'); this.uses.add('BAD'); check = `{ ${v} = rt_ts(${v}); if (${v} === BAD) ${fail} }`; break;
      case 'duration': this.uses.add('rt_dur'); this.uses.add('BAD'); check = `{ ${v} = rt_dur(${v}); if (${v} === BAD) ${fail} }`; break;
      case 'record': case 'list': {
        const c = this.converter(base);
        check = `{ ${v} = ${c}(${v}); if (${v} === BAD) ${fail} }`;
        break;
      }
      default: check = fail;
    }
    return `${pre}${check}`;
  }

  /** Statements converting CSV text `s` to the variable `v` of type `t`. */
  convertCsv(v: string, s: string, t: Type, fail: string): string {
    const nullable = isNullable(t);
    const base = nonNull(t);
    let conv: string;
    switch (base.kind) {
      case 'string': conv = `${v} = ${s};`; break;
      case 'int': this.uses.add('rt_csvInt'); this.uses.add('BAD'); conv = `${v} = rt_csvInt(${s}); if (${v} === BAD) ${fail}`; break;
      case 'float': this.uses.add('rt_csvFloat'); this.uses.add('BAD'); conv = `${v} = rt_csvFloat(${s}); if (${v} === BAD) ${fail}`; break;
      case 'bool': this.uses.add('rt_csvBool'); this.uses.add('BAD'); conv = `${v} = rt_csvBool(${s}); if (${v} === BAD) ${fail}`; break;
      case 'timestamp': this.uses.add('rt_ts'); this.uses.add('BAD'); conv = `${v} = rt_ts(${s}); if (${v} === BAD) ${fail}`; break;
      case 'duration': this.uses.add('rt_dur'); this.uses.add('BAD'); conv = `${v} = rt_dur(${s}); if (${v} === BAD) ${fail}`; break;
      default: conv = fail;
    }
    if (nullable) return `if (${s} === undefined || ${s} === "") ${v} = null; else { ${conv} }`;
    if (base.kind === 'string') return `if (${s} === undefined) ${fail} ${conv}`;
    return `if (${s} === undefined || ${s} === "") ${fail} ${conv}`;
  }

  /** A JS expression giving the JSON text of value `v` of type `t`. */
  json(v: string, t: Type): string {
    const base = nonNull(t);
    let out: string;
    switch (base.kind) {
      case 'string': out = `JSON.stringify(${v})`; break;
      case 'int': case 'duration': out = `String(${v})`; break;
      case 'float': this.uses.add('rt_jf'); out = `rt_jf(${v})`; break;
      case 'bool': out = `(${v} ? "true" : "false")`; break;
      case 'timestamp': this.uses.add('rt_iso'); out = `'"' + rt_iso(${v}) + '"'`; break;
      case 'record': case 'list': out = `${this.serialiser(base)}(${v})`; break;
      default: out = '"null"';
    }
    return isNullable(t) ? `(${v} == null ? "null" : ${out})` : out;
  }

  private serialiser(t: Type): string {
    const id = showFull(t);
    const existing = this.serialisers.get(id);
    if (existing) return existing;
    const name = `json${this.serialisers.size}`;
    this.serialisers.set(id, name);
    let body: string;
    if (t.kind === 'record') {
      body = `return ${recordJson(this, t.fields.map((f) => ({ name: f.name, type: f.type, js: `x${prop(f.name)}` })))};`;
    } else if (t.kind === 'list') {
      body = `let s = "["; for (let i = 0; i < x.length; i++) { if (i) s += ","; const e = x[i]; s += ${this.json('e', t.element)}; } return s + "]";`;
    } else body = 'return "null";';
    this.functions.push(`/** JSON text of a \`${commentSafe(showType(t))}\`. */\nfunction ${name}(x: any): string {\n  ${body}\n}`);
    return name;
  }

  /** A JS expression giving the CSV field text of value `v` of type `t`. */
  csv(v: string, t: Type): string {
    const base = nonNull(t);
    let out: string;
    switch (base.kind) {
      case 'string': this.uses.add('csvField'); out = `csvField(${v})`; break;
      case 'int': case 'duration': out = `String(${v})`; break;
      case 'float': this.uses.add('rt_cf'); out = `rt_cf(${v})`; break;
      case 'bool': out = `(${v} ? "true" : "false")`; break;
      case 'timestamp': this.uses.add('rt_iso'); out = `rt_iso(${v})`; break;
      default: this.uses.add('csvField'); out = `csvField(${this.json(v, base)})`;
    }
    return isNullable(t) ? `(${v} == null ? "" : ${out})` : out;
  }
}

/** JSON object text for named values, as one concatenation with the keys pre-escaped. */
export function recordJson(tc: TypeCode, fields: { name: string; type: Type; js: string }[]): string {
  if (fields.length === 0) return '"{}"';
  const parts: string[] = [];
  fields.forEach((f, i) => {
    parts.push(jsString(`${i === 0 ? '{' : ','}${JSON.stringify(f.name)}:`));
    parts.push(tc.json(f.js, f.type));
  });
  parts.push('"}"');
  return parts.join(' + ');
}

function showFull(t: Type): string {
  switch (t.kind) {
    case 'record': return `{${t.fields.map((f: Field) => `${f.name}:${showFull(f.type)}`).join(',')}}`;
    case 'list': return `[${showFull(t.element)}]`;
    case 'nullable': return `${showFull(t.inner)}?`;
    default: return t.kind;
  }
}

function commentSafe(s: string): string {
  return s.replace(/\*\//g, '* /').replace(/[\r\n\u2028\u2029]/g, ' ');
}

export type { RecordType };

/** A type as a bad record's reason names it: `int`, `string or null`. */
export function describeType(t: Type): string {
  const s = showType(nonNull(t));
  return isNullable(t) ? `${s} or null` : s;
}
