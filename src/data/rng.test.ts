import { describe, it, expect } from 'vitest';
import { Rng, deriveSeed } from './rng';

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    const c = new Rng(43);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('produces the same stream as the original mulberry32 snippet', () => {
    // The generator as it is usually published (state a, output scaled to [0, 1)).
    const mulberry32 = (a: number) => () => {
      let t = (a += 0x6d2b79f5);
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    for (const seed of [0, 1, 42, 2 ** 31 - 1]) {
      const ref = mulberry32(seed);
      const r = new Rng(seed);
      for (let i = 0; i < 100; i++) expect(r.next()).toBe(ref());
    }
  });

  it('next() is in [0, 1) and int(n) in [0, n) with every value reached', () => {
    const r = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const k = r.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      seen.add(k);
    }
    expect(seen.size).toBe(7);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(2.5)).toThrow(RangeError);
  });

  it('int(n) is roughly uniform (chi-squared well below the 99.9% quantile)', () => {
    const r = new Rng(123);
    const n = 10;
    const draws = 20000;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < draws; i++) counts[r.int(n)]++;
    const e = draws / n;
    const chi2 = counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0);
    expect(chi2).toBeLessThan(27.88); // χ²(9) 99.9% quantile
  });

  it('range, pick, weighted, chance', () => {
    const r = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const v = r.range(3, 5);
      expect(v >= 3 && v <= 5).toBe(true);
    }
    expect(['a', 'b', 'c']).toContain(r.pick(['a', 'b', 'c']));
    expect(() => r.pick([])).toThrow(RangeError);
    for (let i = 0; i < 50; i++) expect(r.weighted([['x', 0], ['y', 1]])).toBe('y');
    expect(r.chance(0)).toBe(false);
    expect(r.chance(1)).toBe(true);
  });

  it('shuffle is an in-place permutation and deterministic', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const s1 = new Rng(9).shuffle([...xs]);
    const s2 = new Rng(9).shuffle([...xs]);
    expect(s1).toEqual(s2);
    expect([...s1].sort((a, b) => a - b)).toEqual(xs);
    expect(s1).not.toEqual(xs);
  });

  it('fork and deriveSeed give independent, deterministic streams', () => {
    const f1 = new Rng(5).fork();
    const f2 = new Rng(5).fork();
    expect(f1.nextUint32()).toBe(f2.nextUint32());
    expect(deriveSeed(1, 'dates')).toBe(deriveSeed(1, 'dates'));
    expect(deriveSeed(1, 'dates')).not.toBe(deriveSeed(1, 'copy'));
    expect(deriveSeed(1, 'dates')).not.toBe(deriveSeed(2, 'dates'));
  });
});
