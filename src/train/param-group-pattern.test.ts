import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withinBound } from '../data/testing/hang-bound';
import { validateConfig } from './config';
import { compileParamGroup, MAX_GROUP_PATTERN_LENGTH, paramGroupMatcher } from './param-group-pattern';
import { clipRuleOf, ConfigFieldError } from './training-rule';

/** Names as the models spell them (PyTorch's dotted names), and a long one like the issue's. */
const NAMES = [
  'encoder.layers.0.self_attn.in_proj_weight',
  'encoder.layers.1.self_attn.out_proj.bias',
  'decoder.layers.0.multihead_attn.in_proj_bias',
  'decoder.rnn.weight_hh_l0',
  'encoder.rnn.weight_ih_l1_reverse',
  'generator.weight',
  'encoder.layers.0.self_attn.in_proj_weight.bias.extra.more',
];
const LONG_NAME = NAMES[NAMES.length - 1];

const select = (pattern: string) => NAMES.filter(paramGroupMatcher(pattern));

describe('compileParamGroup', () => {
  it('empty: every parameter; plain text: a substring, as before', () => {
    expect(select('')).toEqual(NAMES);
    expect(select('weight_hh')).toEqual(['decoder.rnn.weight_hh_l0']);
    expect(compileParamGroup('self_attn').ok && compileParamGroup('self_attn')).toMatchObject({ kind: 'substring' });
  });

  it('/regex/flags: found anywhere in the name, with i, m, s', () => {
    expect(select('/^enc.*_l1/')).toEqual(['encoder.rnn.weight_ih_l1_reverse']);
    expect(select('/GENERATOR/i')).toEqual(['generator.weight']);
    expect(select('/bias$/')).toEqual(['encoder.layers.1.self_attn.out_proj.bias', 'decoder.layers.0.multihead_attn.in_proj_bias']);
    expect(compileParamGroup('/a/g')).toEqual({ ok: false, message: "unsupported regular-expression flag 'g' (use i, m, s)" });
  });

  it('a glob matches the whole name: * any run (dots included), ? one character', () => {
    expect(select('encoder.*.self_attn.*')).toEqual([NAMES[0], NAMES[1], LONG_NAME]);
    expect(select('*.weight_??_l0')).toEqual(['decoder.rnn.weight_hh_l0']);
    expect(select('generator.*')).toEqual(['generator.weight']);
    // Everything but * and ? is literal: the dot is a dot, brackets are brackets.
    expect(select('generator?weight')).toEqual(['generator.weight']);
    expect(select('generator*[w]eight')).toEqual([]);
  });

  it("the issue's pattern /^(\\w+\\.?)+$_/ answers at once (JS's RegExp backtracks for > 20 s on the long name)", () => {
    const match = paramGroupMatcher('/^(\\w+\\.?)+$_/');
    expect(withinBound(() => NAMES.map(match), 'hostile pattern')).toEqual(NAMES.map(() => false));
    expect(withinBound(() => match(LONG_NAME.repeat(20)), 'hostile pattern, 1 kB name')).toBe(false);
  });

  it('what RE2 cannot run, or what is too large, is refused with a one-line message', () => {
    for (const [pattern, message] of [
      ['/(a)\\1/', /^not a valid regular expression: .*invalid escape sequence/],
      ['/(?<=x)a/', /^not a valid regular expression: /],
      ['/[/', /^not a valid regular expression: .*missing closing \]/],
      ['/(a{1000}){1000}/', /^not a valid regular expression: .*invalid repeat count/],
      ['/\\w{1000}\\w{1000}\\w{1000}\\w{1000}\\w{1000}\\w{1000}/', /^regular expression too complex \(\d+ instructions, at most 5000\)$/],
      ['x'.repeat(MAX_GROUP_PATTERN_LENGTH + 1), /^pattern longer than 200 characters$/],
    ] as const) {
      const r = compileParamGroup(pattern);
      expect(r.ok, pattern).toBe(false);
      if (!r.ok) {
        expect(r.message).toMatch(message);
        expect(r.message).not.toContain('\n');
      }
    }
    expect(() => paramGroupMatcher('/[/')).toThrow(/^parameter group '\/\[\/': not a valid regular expression/);
  });

  it('the config refuses a bad pattern on the clipGroup field', () => {
    const r = validateConfig({ clip: 'range', clipGroup: '/(a)\\1/' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([{ field: 'clipGroup', message: expect.stringMatching(/^not a valid regular expression: /) }]);
    expect(validateConfig({ clip: 'range', clipGroup: '/^(\\w+\\.?)+$_/' }).ok).toBe(true);
  });

  it('the clipping rule selects the matching parameters; a pattern matching none is refused on the clipGroup field', () => {
    const r = validateConfig({ clip: 'range', clipGroup: '/^(\\w+\\.?)+$_|weight_hh/' });
    if (!r.ok) throw new Error('bad test config');
    expect(clipRuleOf(r.config, NAMES)).toMatchObject({ kind: 'range', only: NAMES.map((n) => n.includes('weight_hh')) });
    const none = validateConfig({ clip: 'range', clipGroup: '/^(\\w+\\.?)+$_/' });
    if (!none.ok) throw new Error('bad test config');
    let err: unknown;
    try {
      withinBound(() => clipRuleOf(none.config, NAMES), 'clipRuleOf');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigFieldError);
    expect(err).toMatchObject({ field: 'clipGroup', message: "clip group '/^(\\w+\\.?)+$_/' matches no parameter of this model" });
  });
});

describe('compileParamGroup on random and mutated patterns', () => {
  // Pieces of regular expressions, so that random patterns are mostly near-valid and nest.
  const token = fc.constantFrom('(', ')', '(?:', '*', '+', '?', '{2}', '{1000}', '{2,}', '|', '.', '\\w', '\\d', '\\1', '[a-z]', '[^', ']', '^', '$', 'a', '_', '\\.', '(?i)', '(?<n>', '(?=', '/');
  const regexBody = fc.array(token, { maxLength: 40 }).map((t) => t.join(''));
  const pattern = fc.oneof(
    fc.string({ maxLength: 220 }),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.tuple(regexBody, fc.constantFrom('', 'i', 's', 'g', 'imsu', 'x')).map(([b, f]) => `/${b}/${f}`),
    fc.array(fc.constantFrom('*', '?', '.', 'a', 'encoder', '\\', '[', 'weight'), { maxLength: 60 }).map((t) => t.join('')),
  );

  it('either compile to a predicate or give one message; never throw; each answers all names within the bound', () => {
    fc.assert(
      fc.property(pattern, (p) => {
        withinBound(() => {
          const r = compileParamGroup(p);
          if (r.ok) for (const n of NAMES) expect(typeof r.matches(n)).toBe('boolean');
          else expect(r.message).toMatch(/^[^\n]+$/);
        }, `pattern ${JSON.stringify(p)}`);
      }),
      { numRuns: 400 },
    );
  });
});
