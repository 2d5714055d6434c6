import { describe, it, expect } from 'vitest';
import { SEQUENCE_MAX_LENGTH, SEQUENCE_MIN_LENGTH, generateSequence, transformSequence, type SequenceKind } from './sequence';

describe('sequence tasks', () => {
  it('copy, reverse and sort', () => {
    const xs = ['d', 'a', 'c', 'a'];
    expect(transformSequence('copy', xs)).toEqual(['d', 'a', 'c', 'a']);
    expect(transformSequence('reverse', xs)).toEqual(['a', 'c', 'a', 'd']);
    expect(transformSequence('sort', xs)).toEqual(['a', 'a', 'c', 'd']);
    expect(xs).toEqual(['d', 'a', 'c', 'a']);
  });

  for (const kind of ['copy', 'reverse', 'sort'] as SequenceKind[]) {
    it(`${kind}: sizes, lengths 3–12 of letters a–z, targets right, splits disjoint and deterministic`, () => {
      const s = generateSequence(kind, 11);
      expect([s.train.length, s.valid.length, s.test.length]).toEqual([5000, 500, 500]);
      expect(generateSequence(kind, 11, { train: 20, valid: 2, test: 2 })).toEqual(generateSequence(kind, 11, { train: 20, valid: 2, test: 2 }));
      const lengths = new Set<number>();
      for (const p of [...s.train, ...s.valid, ...s.test]) {
        const src = p.src.split(' ');
        lengths.add(src.length);
        expect(src.every((c) => /^[a-z]$/.test(c))).toBe(true);
        expect(p.tgt).toBe(transformSequence(kind, src).join(' '));
      }
      expect(Math.min(...lengths)).toBe(SEQUENCE_MIN_LENGTH);
      expect(Math.max(...lengths)).toBe(SEQUENCE_MAX_LENGTH);
      const train = new Set(s.train.map((p) => p.src));
      for (const p of [...s.valid, ...s.test]) expect(train.has(p.src)).toBe(false);
    });
  }
});
