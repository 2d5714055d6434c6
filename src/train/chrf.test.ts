import { describe, expect, it } from 'vitest';
import { chrfOfStats, corpusChrf, sentenceChrf } from './chrf';
import { referencesBySource } from './trainer';

describe('chrF', () => {
  it('is 100 for an identical sentence and 0 for no shared character', () => {
    expect(sentenceChrf('le chat', ['le chat'])).toBeCloseTo(100, 10);
    expect(sentenceChrf('abc', ['xyz'])).toBe(0);
    expect(sentenceChrf('', ['xyz'])).toBe(0);
  });

  it('averages precision and recall over the effective orders, then F with β = 2 (worked by hand)', () => {
    // "ab" vs "abc": order 1: 2 hyp, 3 ref, 2 match; order 2: 1, 2, 1; order 3+: no hypothesis n-gram.
    // P = (1 + 1)/2 = 1, R = (2/3 + 1/2)/2 = 7/12, F = 5·P·R / (4P + R) = (35/12) / (55/12) = 7/11.
    expect(sentenceChrf('ab', ['abc'])).toBeCloseTo(700 / 11, 10);
    expect(chrfOfStats([2, 3, 2, 1, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBeCloseTo(700 / 11, 10);
  });

  it('ignores white space and counts code points (CJK, astral characters)', () => {
    expect(sentenceChrf('le  chat', ['lechat'])).toBeCloseTo(100, 10);
    expect(sentenceChrf('我爱你', ['我 爱 你'])).toBeCloseTo(100, 10);
    expect(sentenceChrf('𝒜b', ['𝒜b'])).toBeCloseTo(100, 10);
  });

  it('multi-reference: each segment takes its best reference; the corpus sums statistics', () => {
    const one = sentenceChrf('il est parti', ['il est parti']);
    expect(sentenceChrf('il est parti', ['elle est partie', 'il est parti'])).toBeCloseTo(one, 10);
    const a = corpusChrf(['il est parti', 'ab'], [['elle est partie', 'il est parti'], ['abc']]);
    const b = corpusChrf(['il est parti', 'ab'], [['il est parti'], ['abc']]);
    expect(a).toBeCloseTo(b, 10);
    expect(a).toBeLessThan(100);
    expect(() => corpusChrf(['a'], [[]])).toThrow(/no reference/);
  });
});

describe('references by source', () => {
  it('groups every target of a source together, in order', () => {
    const m = referencesBySource([
      { src: [5, 6], tgt: [1] },
      { src: [7], tgt: [2] },
      { src: [5, 6], tgt: [3] },
    ]);
    expect(m.get('5,6')).toEqual([[1], [3]]);
    expect(m.get('7')).toEqual([[2]]);
  });
});
