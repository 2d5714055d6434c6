// The run config as a shared link carries it: any query string must give a valid config and a
// list of field errors — never an exception, never runaway work, never a config the schema's
// bounds would refuse (so a link cannot ask for 10,000 layers or d_model 1e9).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withinBound } from '../data/testing/hang-bound';
import { configFromSearchParams, configToSearchParams, DEFAULT_CONFIG, runConfigSchema, type RunConfig } from './config';

const FIELDS = Object.keys(DEFAULT_CONFIG) as (keyof RunConfig)[];

/** Values a stranger might put in a link: numbers of any size, booleans, enum words, patterns, junk. */
const value = fc.oneof(
  fc.constantFrom('0', '-1', '1e9', '10000', '1e308', 'Infinity', 'NaN', '0x10', '', ' ', 'true', 'inf', 'adam', 'range', 'rnn', 'lstm', '/^(\\w+\\.?)+$_/', '/(a)\\1/', 'encoder.*'),
  fc.integer().map(String),
  fc.double().map(String),
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 300 }),
);
const param = fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 10 })), value);

function check(query: URLSearchParams): void {
  const { config, errors } = withinBound(() => configFromSearchParams(query), `query ${query.toString().slice(0, 200)}`);
  // Whatever was asked, what comes back passes the schema (and so its bounds).
  expect(runConfigSchema.safeParse(config).success).toBe(true);
  for (const e of errors) {
    expect(FIELDS).toContain(e.field);
    expect(e.message).toMatch(/^[^\n]+$/);
  }
}

describe('configFromSearchParams on random and mutated links', () => {
  it('random parameters: a valid config and field errors, within the bound', () => {
    fc.assert(
      fc.property(fc.array(param, { maxLength: 30 }), (params) => check(new URLSearchParams(params))),
      { numRuns: 300 },
    );
  });

  it('a valid link with fields changed or replaced at random', () => {
    const valid = configToSearchParams({ ...DEFAULT_CONFIG, model: 'rnn', layers: 3, clip: 'range', clipGroup: 'decoder', batch: 64 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), value), { minLength: 1, maxLength: 6 }), (edits) => {
        const q = new URLSearchParams(valid);
        const keys = [...q.keys()];
        for (const [i, v] of edits) q.set(keys[i % keys.length] ?? FIELDS[i % FIELDS.length], v);
        check(q);
      }),
      { numRuns: 200 },
    );
  });

  it('absurd sizes are refused on their fields and left at their defaults', () => {
    const { config, errors } = configFromSearchParams(new URLSearchParams('layers=10000&dModel=1000000000&batch=1e9&maxLen=100000&hidden=1e7'));
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(errors.map((e) => e.field).sort()).toEqual(['batch', 'dModel', 'hidden', 'layers', 'maxLen']);
    expect(errors.find((e) => e.field === 'layers')!.message).toBe('must be at most 12');
  });

  it('a very long link (every field 10,000 times over) is read in bounded time', () => {
    const q = new URLSearchParams();
    for (let i = 0; i < 10_000; i++) q.append(FIELDS[i % FIELDS.length], i % 7 === 0 ? 'x'.repeat(200) : String(i));
    check(q);
  });
});
