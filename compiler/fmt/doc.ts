/**
 * A small Wadler-style document printer (the model Prettier uses): a group prints on one line
 * when it fits in the width, otherwise its lines break. Hard lines force every enclosing group to
 * break. Line suffixes (trailing comments) are held back until the next line break.
 */

export type Doc = string | Doc[] | DocNode;

type DocNode =
  | { t: 'indent'; doc: Doc }
  | { t: 'group'; doc: Doc; broken: boolean }
  | { t: 'line'; kind: 'space' | 'soft' | 'hard' }
  | { t: 'ifBreak'; broken: Doc; flat: Doc }
  | { t: 'suffix'; text: string }
  | { t: 'breakParent' };

/** A space when the group is flat, a line break otherwise. */
export const line: Doc = { t: 'line', kind: 'space' };
/** Nothing when the group is flat, a line break otherwise. */
export const softline: Doc = { t: 'line', kind: 'soft' };
/** Always a line break. */
export const hardline: Doc = { t: 'line', kind: 'hard' };
/** Forces the enclosing groups to break. */
export const breakParent: Doc = { t: 'breakParent' };

export const indent = (doc: Doc): Doc => ({ t: 'indent', doc });
export const group = (doc: Doc, broken = false): Doc => ({ t: 'group', doc, broken });
export const ifBreak = (broken: Doc, flat: Doc = ''): Doc => ({ t: 'ifBreak', broken, flat });
/** Text printed at the end of the current line (a trailing comment). */
export const lineSuffix = (text: string): Doc => ({ t: 'suffix', text });

export function join(sep: Doc, docs: Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i > 0) out.push(sep);
    out.push(d);
  });
  return out;
}

/** Marks every group holding a hard line (or a breakParent) as broken; true when `doc` holds one. */
function propagate(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (Array.isArray(doc)) {
    let any = false;
    for (const d of doc) if (propagate(d)) any = true;
    return any;
  }
  switch (doc.t) {
    case 'indent': return propagate(doc.doc);
    case 'group': {
      const inner = propagate(doc.doc);
      if (inner) doc.broken = true;
      return inner;
    }
    case 'line': return doc.kind === 'hard';
    case 'ifBreak': return propagate(doc.broken) || propagate(doc.flat);
    case 'breakParent': return true;
    case 'suffix': return false;
  }
}

type Mode = 'flat' | 'break';
interface Cmd { ind: number; mode: Mode; doc: Doc }

/** Does `next` (then `rest`, up to the first line break) fit in `width` columns? */
function fits(next: Cmd, rest: Cmd[], width: number): boolean {
  const stack: Cmd[] = [next];
  let restIdx = rest.length;
  let w = width;
  while (w >= 0) {
    let cmd = stack.pop();
    if (!cmd) {
      if (restIdx === 0) return true;
      cmd = rest[--restIdx]!;
    }
    const { mode, doc } = cmd;
    if (typeof doc === 'string') { w -= doc.length; continue; }
    if (Array.isArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) stack.push({ ind: cmd.ind, mode, doc: doc[i]! });
      continue;
    }
    switch (doc.t) {
      case 'indent': stack.push({ ind: cmd.ind, mode, doc: doc.doc }); break;
      case 'group': stack.push({ ind: cmd.ind, mode: doc.broken ? 'break' : mode, doc: doc.doc }); break;
      case 'ifBreak': stack.push({ ind: cmd.ind, mode, doc: mode === 'break' ? doc.broken : doc.flat }); break;
      case 'line':
        if (mode === 'break' || doc.kind === 'hard') return true;
        if (doc.kind === 'space') w -= 1;
        break;
      default: break;
    }
  }
  return false;
}

/** Prints a document; lines carry no trailing whitespace (blank lines hold no indentation). */
export function print(doc: Doc, width = 100): string {
  propagate(doc);
  const out: string[] = [];
  let col = 0;
  let suffixes: string[] = [];
  const newline = (ind: number) => {
    if (suffixes.length) { out.push(suffixes.join('')); suffixes = []; }
    out.push('\n' + ' '.repeat(ind));
    col = ind;
  };
  const stack: Cmd[] = [{ ind: 0, mode: 'break', doc }];
  while (stack.length) {
    const cmd = stack.pop()!;
    const { ind, mode, doc: d } = cmd;
    if (typeof d === 'string') {
      out.push(d);
      col += d.length;
      continue;
    }
    if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push({ ind, mode, doc: d[i]! });
      continue;
    }
    switch (d.t) {
      case 'indent':
        stack.push({ ind: ind + 2, mode, doc: d.doc });
        break;
      case 'group': {
        if (!d.broken && mode === 'flat') { stack.push({ ind, mode: 'flat', doc: d.doc }); break; }
        const flat: Cmd = { ind, mode: 'flat', doc: d.doc };
        stack.push(!d.broken && fits(flat, stack, width - col) ? flat : { ind, mode: 'break', doc: d.doc });
        break;
      }
      case 'ifBreak':
        stack.push({ ind, mode, doc: mode === 'break' ? d.broken : d.flat });
        break;
      case 'line':
        if (mode === 'flat' && d.kind !== 'hard') {
          if (d.kind === 'space') { out.push(' '); col += 1; }
        } else newline(ind);
        break;
      case 'suffix':
        suffixes.push(d.text);
        break;
      case 'breakParent':
        break;
    }
  }
  if (suffixes.length) out.push(suffixes.join(''));
  return out.join('').replace(/[ \t]+$/gm, '');
}
