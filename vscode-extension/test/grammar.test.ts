/**
 * The TextMate grammar, tokenised with the same engine VS Code uses: scopes of each token class,
 * the sample programs, and agreement of the keyword lists (lang/flow.ohm, lang/keywords.ts, the
 * grammar) and of the builtin names (lang/builtins.ts, the grammar).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tokenize, scopesAt, extensionRoot, grammarPath, type Token } from './tokenize.ts';
import { allKeywords, reservedKeywords, typeNames } from '../../lang/keywords.ts';
import { steps } from '../../lang/steps.ts';
import { builtins, aggregates } from '../../lang/builtins.ts';
import { analyze } from '../../compiler/index.ts';
import { connectorSpecs } from '../../compiler/phases/2-check/connectors.ts';
import { flowFiles } from '../../test/support/files.ts';

const repoRoot = join(extensionRoot, '..');
const fixturePath = join(extensionRoot, 'test/fixtures/tokens.flow');
const fixture = readFileSync(fixturePath, 'utf8');

/** A scope that themes colour as a keyword (`true`, `false` and `null` are language constants). */
const isKeywordScope = (word: string, scopes: string[]) =>
  scopes.some((s) => s.startsWith('keyword.') || (['true', 'false', 'null'].includes(word) && s.startsWith('constant.language.')));

const has = (scopes: string[], prefix: string) => scopes.some((s) => s === prefix || s.startsWith(`${prefix}.`));


describe('TextMate grammar: token classes', () => {
  let tokens: Token[];
  const at = (needle: string, nth = 0, offset = 0) => scopesAt(tokens, fixture, needle, nth, offset);

  it('tokenises the fixture', async () => {
    tokens = await tokenize(fixture);
    expect(tokens.length).toBeGreaterThan(500);
    expect(tokens.filter((t) => has(t.scopes, 'invalid'))).toEqual([]);
  });

  it('comments', () => {
    expect(has(at('// Token fixture'), 'comment.line.double-slash')).toBe(true);
    expect(has(at('A block'), 'comment.block')).toBe(true);
    expect(has(at('   comment */'), 'comment.block')).toBe(true);
    // Nothing inside a comment is a keyword.
    expect(has(at('every keyword of Flow'), 'keyword')).toBe(false);
  });

  it('keywords of each group', () => {
    expect(at('job tokens')).toContain('keyword.declaration.job.flow');
    expect(at('source clicks')).toContain('keyword.declaration.source.flow');
    expect(at('extern fn', 0)).toContain('keyword.declaration.extern.flow');
    expect(at('from "./udfs.ts"')).toContain('keyword.declaration.from.flow');
    expect(at('where c.')).toContain('keyword.other.pipeline.flow');
    expect(at('key by page', 0, 4)).toContain('keyword.other.pipeline.flow');
    expect(at('event time', 0, 6)).toContain('keyword.other.pipeline.flow');
    expect(at('union(views')).toContain('keyword.other.stream.flow');
    expect(at('on record', 0, 3)).toContain('keyword.control.process.flow');
    expect(at('emit {')).toContain('keyword.control.process.flow');
    expect(at('clear\n')).toContain('keyword.control.process.flow');
    expect(at('given clicks')).toContain('keyword.other.test.flow');
    expect(at('in order', 0, 3)).toContain('keyword.other.test.flow');
    expect(at('advance watermark to', 0, 18)).toContain('keyword.other.test.flow');
    expect(at('if secs')).toContain('keyword.control.conditional.flow');
    expect(at('and not', 0, 4)).toContain('keyword.operator.logical.flow');
    expect(at('false')).toContain('constant.language.boolean.flow');
    expect(at('null', 0)).toContain('constant.language.null.flow');
  });

  it('contextual keywords used as names are not keywords', async () => {
    const t = await tokenize('let x = s | select { source: key.time, order: a.window, state: 1 }\n');
    const text = 'let x = s | select { source: key.time, order: a.window, state: 1 }\n';
    const sc = (n: string, o = 0) => scopesAt(t, text, n, 0, o);
    expect(sc('source')).toContain('variable.other.property.flow');
    expect(sc('key.')).toContain('variable.language.key.flow');
    expect(sc('time')).toContain('variable.other.property.flow');
    expect(sc('order')).toContain('variable.other.property.flow');
    expect(sc('window')).toContain('variable.other.property.flow');
    expect(sc('state')).toContain('variable.other.property.flow');
  });

  it('durations, with their unit', () => {
    for (const d of ['10s', '5s', '250ms', '1m', '10m', '30m', '1h']) {
      expect(at(d), d).toContain('constant.numeric.duration.flow');
    }
    expect(at('250ms', 0, 3)).toContain('keyword.other.unit.flow');
  });

  it('timestamps, with fraction and offset', () => {
    expect(at('@2024-05-01T10:00:05Z')).toContain('constant.other.timestamp.flow');
    expect(at('@2024-05-01T10:00:30.250+02:00', 0, 25)).toContain('constant.other.timestamp.flow');
  });

  it('numbers', () => {
    expect(at('1_000_000')).toContain('constant.numeric.integer.flow');
    expect(at('1_000_000', 0, 5)).toContain('constant.numeric.integer.flow');
    expect(at('3.5')).toContain('constant.numeric.float.flow');
    expect(at('1e6')).toContain('constant.numeric.float.flow');
    expect(at('1000\n')).toContain('constant.numeric.integer.flow');
  });

  it('strings and escapes', () => {
    expect(at('"tab')).toContain('string.quoted.double.flow');
    for (const e of ['\\t', '\\"', '\\\\', '\\u{1F600}', '\\r', '\\n"']) {
      expect(at(e, e === '\\t' ? 0 : 0), e).toContain('constant.character.escape.flow');
    }
  });

  it('invalid escapes are marked invalid', async () => {
    const text = 'param p: string = "bad \\q and \\u{zz} ok \\n"\n';
    const t = await tokenize(text);
    expect(scopesAt(t, text, '\\q')).toContain('invalid.illegal.escape.flow');
    expect(scopesAt(t, text, '\\u{zz}')).toContain('invalid.illegal.escape.flow');
    expect(scopesAt(t, text, '\\n')).toContain('constant.character.escape.flow');
    expect(scopesAt(t, text, 'and')).toContain('string.quoted.double.flow');
  });

  it('function calls: builtins, aggregates, connectors, user functions', () => {
    expect(at('abs(')).toContain('support.function.builtin.flow');
    expect(at('lower(')).toContain('support.function.builtin.flow');
    expect(at('count_distinct(')).toContain('support.function.aggregate.flow');
    expect(at('collect(')).toContain('support.function.aggregate.flow');
    expect(at('file(')).toContain('support.function.connector.flow');
    expect(at('secs(duration_ms)')).toContain('entity.name.function.call.flow');
  });

  it('field names, members and parameters', () => {
    expect(at('user: string')).toContain('variable.other.property.flow');
    expect(at('secs: secs')).toContain('variable.other.property.flow');
    expect(at('format: "jsonl"')).toContain('variable.other.property.flow');
    expect(at('checkpoint_interval')).toContain('variable.other.property.flow');
    expect(at('duration_ms > 0', 0)).toContain('variable.other.property.flow');
    expect(at('(ms: int', 0, 1)).toContain('variable.parameter.flow');
    expect(at('.referrer', 0, 1)).toContain('variable.other.property.flow');
  });

  it('declaration names', () => {
    expect(at('Click = {', 0)).toContain('entity.name.type.flow');
    expect(at('secs(ms', 0)).toContain('entity.name.function.flow');
    expect(at('score(p')).toContain('entity.name.function.flow');
    expect(at('views = clicks')).toContain('entity.name.variable.let.flow');
    expect(at('clicks: Click')).toContain('entity.name.variable.source.flow');
    expect(at('pages: Page')).toContain('entity.name.variable.table.flow');
    expect(at('limit: int')).toContain('entity.name.variable.param.flow');
    expect(at('last: float')).toContain('entity.name.variable.state.flow');
  });

  it('type names', () => {
    expect(at('string,\n')).toContain('support.type.primitive.flow');
    expect(at('timestamp,\n')).toContain('support.type.primitive.flow');
    expect(at('Click = file', 0)).toContain('entity.name.type.flow');
    expect(at('string?', 0, 6)).toContain('keyword.operator.optional.flow');
  });

  it('operators', () => {
    expect(at('| where')).toContain('keyword.operator.pipe.flow');
    expect(at('-> file')).toContain('keyword.operator.arrow.flow');
    expect(at('?? "direct"')).toContain('keyword.operator.coalesce.flow');
    expect(at('?.referrer')).toContain('keyword.operator.optional-chain.flow');
    for (const op of ['==', '!=', '<=', '>=']) expect(at(` ${op} `, 0, 1), op).toContain('keyword.operator.comparison.flow');
    for (const op of ['*', '%', '+', '-']) expect(at(` ${op} `, 0, 1), op).toContain('keyword.operator.arithmetic.flow');
    expect(at('ms / 1000', 0, 3)).toContain('keyword.operator.arithmetic.flow');
  });
});

describe('keywords agree: lang/flow.ohm, lang/keywords.ts and the TextMate grammar', () => {
  const ohm = readFileSync(join(repoRoot, 'lang/flow.ohm'), 'utf8');
  const ohmKeywords = new Set([...ohm.matchAll(/kw<"([^"]+)">/g)].map((m) => m[1]!));

  it('every kw<"…"> of the ohm grammar is in lang/keywords.ts, and the other way round', () => {
    expect([...ohmKeywords].sort()).toEqual([...new Set(allKeywords)].sort());
    expect(allKeywords.length).toBe(new Set(allKeywords).size);
  });

  it('the ohm `reserved` rule lists exactly the reserved keywords', () => {
    const rule = /^\s*reserved\s*=\s*\(([^)]*)\)/m.exec(ohm)![1]!;
    const words = [...rule.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    expect(words.sort()).toEqual([...reservedKeywords].sort());
  });

  it('the fixture uses every keyword where the grammar expects it, and it parses', () => {
    const a = analyze(fixture, fixturePath);
    expect(a.diagnostics.filter((d) => d.code.startsWith('F0'))).toEqual([]);
  });

  it('every keyword is highlighted as a keyword somewhere in the fixture', async () => {
    const tokens = await tokenize(fixture);
    const missing = allKeywords.filter((k) => !tokens.some((t) => t.text.trim() === k && isKeywordScope(k, t.scopes)));
    expect(missing).toEqual([]);
  });

  it('every step of the catalogue (lang/steps.ts) is highlighted as a pipeline keyword after `|`, with its words in lang/keywords.ts', async () => {
    for (const step of steps) {
      for (const w of step.words) expect(allKeywords, `${step.keyword}: ${w}`).toContain(w);
      const tokens = await tokenize(`let x = s\n  | ${step.name} `);
      const first = tokens.find((t) => t.text.trim() === step.keyword);
      expect(first?.scopes ?? [], step.keyword).toContain('keyword.other.pipeline.flow');
    }
  });

  it('every word the TextMate grammar treats as a keyword is a keyword', async () => {
    const tokens = await tokenize(fixture);
    const words = new Set(tokens.filter((t) => /^[a-z_]+$/.test(t.text) && isKeywordScope(t.text, t.scopes)).map((t) => t.text));
    // Duration units (`ms` in 250ms) are keyword.other.unit.
    const units = new Set(['ms', 's', 'm', 'h', 'd']);
    expect([...words].filter((w) => !allKeywords.includes(w) && !units.has(w))).toEqual([]);
  });

  it('the grammar highlights exactly the catalogue builtins, aggregates and connectors, and the primitive types', () => {
    const g = JSON.parse(readFileSync(grammarPath, 'utf8'));
    const alternatives = (pattern: string) => /\\b\(([a-z_|]+)\)/.exec(pattern)![1]!.split('|').sort();
    const calls = g.repository.calls.patterns as { match: string; captures: Record<string, { name: string }> }[];
    const find = (scope: string) => calls.find((p) => p.captures['1']!.name === scope)!.match;
    expect(alternatives(find('support.function.builtin.flow'))).toEqual(builtins.map((b) => b.name).sort());
    // min and max are builtins too; the aggregate pattern lists the others.
    expect(alternatives(find('support.function.aggregate.flow')))
      .toEqual(aggregates.map((a) => a.name).filter((n) => !builtins.some((b) => b.name === n)).sort());
    expect(alternatives(find('support.function.connector.flow'))).toEqual(connectorSpecs.map((c) => c.name).sort());
    const prim = (g.repository.types.patterns as { name: string; match: string }[]).find((p) => p.name === 'support.type.primitive.flow')!;
    expect(/\(\?:([a-z|]+)\)/.exec(prim.match)![1]!.split('|').sort()).toEqual([...typeNames].sort());
  });
});

describe('TextMate grammar: sample programs', () => {
  const samples = flowFiles(join(repoRoot, 'samples'));

  it(`tokenises every sample (${samples.length}) without invalid tokens`, async () => {
    for (const file of samples) {
      const tokens = await tokenize(readFileSync(file, 'utf8'));
      const bad = tokens.filter((t) => has(t.scopes, 'invalid')).map((t) => `${file}:${t.line + 1}:${t.start + 1} ${t.text}`);
      expect(bad).toEqual([]);
    }
  });
});
