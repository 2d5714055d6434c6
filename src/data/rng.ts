// A small seeded pseudo-random generator for data generation and splitting: the same seed gives
// the same corpus, the same splits and the same shuffles on every machine and in every browser.
//
// mulberry32 (Tommy Ettinger's 32-bit generator): one 32-bit word of state advanced by a Weyl
// sequence (adding 0x6d2b79f5) and passed through an xorshift-multiply output mix. Its period is
// 2^32, which is far more than a few hundred thousand generated sentences need, and it only uses
// 32-bit integer arithmetic (Math.imul), so results are bit-identical across JavaScript engines.

export class Rng {
  private state: number;

  constructor(seed: number) {
    // Fold any finite number (negative, fractional, above 2^32) into the 32-bit state.
    this.state = Number.isFinite(seed) ? Math.trunc(seed) >>> 0 : 0;
  }

  /** The next raw 32-bit output, an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Uniform integer in [0, n). Rejection sampling removes the modulo bias that a plain
   * `floor(next() * n)` has when n does not divide 2^32.
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new RangeError(`Rng.int: n must be a whole number in [1, 2^32], got ${n}`);
    }
    // The largest multiple of n that fits in 2^32: draws at or above it are redrawn.
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Uniform integer in [lo, hi] (both ends included). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: the array is empty');
    return items[this.int(items.length)];
  }

  /** An element chosen with probability proportional to its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    if (!(total > 0)) throw new RangeError('Rng.weighted: the weights must sum to a positive number');
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1][0];
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** An independent generator derived from this one's stream (for sub-tasks that must not interfere). */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

/**
 * A 32-bit seed derived from a base seed and a label (FNV-1a over the label's UTF-16 code units,
 * mixed with the seed), so that e.g. each task draws from its own stream for the same user seed.
 */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (Math.trunc(seed) >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
