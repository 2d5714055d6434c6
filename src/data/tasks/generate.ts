// Shared machinery of the bundled tasks: drawing distinct examples from a seeded sampler and
// cutting them into disjoint splits.

import type { Pair, SplitSizes, Splits } from '../pair';
import { Rng, deriveSeed } from '../rng';

export class TaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskError';
  }
}

/** Fills in missing sizes from the defaults and checks that they are whole numbers ≥ 0. */
export function resolveSizes(task: string, defaults: SplitSizes, sizes: Partial<SplitSizes> = {}): SplitSizes {
  const out = { ...defaults, ...sizes };
  for (const k of ['train', 'valid', 'test'] as const) {
    if (!Number.isSafeInteger(out[k]) || out[k] < 0) throw new TaskError(`${task}: the ${k} size must be a whole number ≥ 0, got ${out[k]}`);
  }
  return out;
}

/**
 * Draws examples from `sample` until there are train + valid + test distinct source sentences
 * (a repeated source is dropped, so every source has one target), shuffles them and cuts them
 * into test, valid and train in that order. Because sources are distinct, no source of one
 * split occurs in another. Everything follows from the seed (mixed with the task name, so that
 * tasks with the same seed do not share a random stream).
 */
export function generateSplits(task: string, seed: number, sizes: SplitSizes, sample: (rng: Rng) => Pair): Splits {
  const rng = new Rng(deriveSeed(seed, task));
  const total = sizes.train + sizes.valid + sizes.test;
  const bySource = new Map<string, Pair>();
  // Generous, but finite: a request larger than the task's space of sentences must fail, not hang.
  const maxDraws = 50 * total + 1000;
  let draws = 0;
  while (bySource.size < total) {
    if (draws++ >= maxDraws) {
      throw new TaskError(`${task}: found only ${bySource.size} distinct sentences in ${maxDraws} draws; ask for fewer than ${total}`);
    }
    const p = sample(rng);
    if (!bySource.has(p.src)) bySource.set(p.src, p);
  }
  const all = rng.shuffle([...bySource.values()]);
  return {
    test: all.slice(0, sizes.test),
    valid: all.slice(sizes.test, sizes.test + sizes.valid),
    train: all.slice(sizes.test + sizes.valid),
  };
}
