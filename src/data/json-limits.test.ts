import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withinBound } from './testing/hang-bound';
import { checkJsonBounds, JsonLimitError } from './json-limits';

const bounds = { maxLength: 1000, maxDepth: 3 };

describe('checkJsonBounds', () => {
  it('counts the nesting of arrays and objects, not of brackets inside strings', () => {
    expect(() => checkJsonBounds('{"a":[[1]]}', 'x', bounds)).not.toThrow();
    expect(() => checkJsonBounds('{"a":[[[1]]]}', 'the header', bounds)).toThrow(new JsonLimitError('the header nests deeper than 3 levels'));
    expect(() => checkJsonBounds('["[[[[\\"[[[["]', 'x', bounds)).not.toThrow();
    expect(() => checkJsonBounds('x'.repeat(1001), 'the header', bounds)).toThrow(new JsonLimitError('the header is longer than 1,000 characters'));
  });

  it('a million levels of nesting are refused in one quick scan', () => {
    const deep = '['.repeat(1e6) + ']'.repeat(1e6);
    expect(() => withinBound(() => checkJsonBounds(deep, 'x', { maxLength: 1e7, maxDepth: 64 }), 'deep')).toThrow(JsonLimitError);
  });

  it('agrees with JSON.parse on the depth of any JSON value', () => {
    const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const text = JSON.stringify(v);
        const d = depthOf(JSON.parse(text));
        expect(() => checkJsonBounds(text, 'x', { maxLength: 1e6, maxDepth: d })).not.toThrow();
        if (d > 0) expect(() => checkJsonBounds(text, 'x', { maxLength: 1e6, maxDepth: d - 1 })).toThrow(JsonLimitError);
      }),
      { numRuns: 300 },
    );
  });
});
