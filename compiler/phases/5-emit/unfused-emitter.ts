/**
 * The state of one `--no-fuse` code generation: operator objects of the generic runtime
 * (runtime/unfused/) built in `create()`, rows as plain objects, expressions compiled once per
 * operator into small functions. Each operator's object is built by the `unfused` facet of its
 * file under compiler/operators/; the module is assembled by unfused.ts.
 */
import type { NodeId, PlanNode } from '../3-plan/nodes.ts';
import { isNullable, nonNull, type Field, type Type } from '../../../lang/types.ts';
import { jsString, key, prop, type Scope } from './expr.ts';
import { JobEmitter } from './job-emitter.ts';
import { describeType } from './records.ts';
import { keyShape, keyUses, keyValue, type KeyShape } from './keys.ts';

/** The JS literal of a type descriptor (runtime/unfused/records.ts). */
export function typeDesc(t: Type): string {
  const n = isNullable(t) ? ', n: true' : '';
  const b = nonNull(t);
  switch (b.kind) {
    case 'list': return `{ k: "list", el: ${typeDesc(b.element)}${n} }`;
    case 'record': return `{ k: "record", fields: ${fieldsDesc(b.fields)}${n} }`;
    default: return `{ k: ${jsString(b.kind)}${n} }`;
  }
}

export function fieldsDesc(fields: Field[], expected = false): string {
  return `[${fields.map((f) => `{ name: ${jsString(f.name)}, t: ${typeDesc(f.type)}${expected ? `, expected: ${jsString(`field ${JSON.stringify(f.name)}: expected ${describeType(f.type)}, found `)}` : ''} }`).join(', ')}]`;
}

/** Hidden row keys holding the rows behind a qualifier after a join or lookup (`o.id`). */
export const hidden = (alias: string) => `\u0000${alias}`;

export class UnfusedEmitter extends JobEmitter {
  /** Statements of `create()` building the operators, sinks first. */
  readonly build: string[] = [];
  readonly bindings: { id: NodeId; code: string }[] = [];

  /** Aliases whose rows a node's output carries under hidden keys. */
  hiddenOf(id: NodeId): Set<string> {
    const n = this.nodes[id]!;
    switch (this.ops[n.kind].unfused.qualifiedRows) {
      case 'input': return this.hiddenOf(n.inputs[0]!);
      case 'own': return new Set(n.qualifiers.map((q) => q.alias));
      case 'none': return new Set();
    }
  }

  /** The scope of `n`'s expressions over the row object `r` of its input `input`. */
  rowScope(n: PlanNode, input: PlanNode, r = 'r'): Scope {
    const fields = new Map(input.row.fields.map((f) => [f.name, `${r}${prop(f.name)}`]));
    const qualifiers = new Map<string, Map<string, string>>();
    for (const a of this.hiddenOf(input.id)) {
      const q = input.qualifiers.find((x) => x.alias === a);
      qualifiers.set(a, new Map((q?.row.fields ?? []).map((f) => [f.name, `${r}[${jsString(hidden(a))}]${prop(f.name)}`])));
    }
    for (const a of n.readable ?? []) if (!qualifiers.has(a)) qualifiers.set(a, fields);
    return { fields, qualifiers, locals: new Map(), params: this.params };
  }

  /** The operator (or join port) that receives rows sent from `from` to `c`. */
  target(c: PlanNode, from: NodeId, occurrence: number): string {
    const port = this.ops[c.kind].unfused.port as ((n: PlanNode, from: NodeId, occurrence: number) => string) | null;
    return port ? `n${c.id}.${port(c, from, occurrence)}` : `n${c.id}`;
  }

  next(id: NodeId): string {
    const cs = this.consumersOf(id);
    this.use('unfused');
    if (cs.length === 0) return 'new unfused.Discard()';
    const targets = cs.map((c, i) => this.target(c, id, cs.slice(0, i).filter((x) => x === c).length));
    return targets.length === 1 ? targets[0]! : `new unfused.FanOut([${targets.join(', ')}])`;
  }

  keyFn(n: PlanNode, parts: string[], types: Type[]): { shape: KeyShape; js: string } {
    const shape = keyShape(types);
    this.use(...keyUses(shape));
    if (shape.kind === 'table') this.decls.push(`const KEYS${n.id} = new KeyTable(${shape.arity});`);
    return { shape, js: keyValue(shape, parts, `KEYS${n.id}`) };
  }

  /** An object literal of demanded fields (keys escaped), plus hidden qualifier rows. */
  object(fields: [string, string][]): string {
    return `({ ${fields.map(([k, v]) => `${key(k)}: ${v}`).join(', ')} })`;
  }

  add(n: PlanNode, code: string, after: string[] = []): void {
    this.build.push(this.where(n.span), `const n${n.id} = ${code};`, ...after);
  }

  binding(n: PlanNode, store: string, opts: string[]): void {
    const name = jsString(n.letName ?? `${n.kind} n${n.id}`);
    this.bindings.push({ id: n.id, code: `unfused.operatorBinding(${name}, [${this.upstreamSources(n.id).join(', ')}], ${store}, { ${opts.join(', ')} })` });
  }
}
