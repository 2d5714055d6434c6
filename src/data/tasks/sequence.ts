// Symbol-sequence tasks, the classic sanity checks for attention: the source is 3–12 letters
// a–z (repeats allowed), written space-separated so that the word tokenizer makes one token per
// letter; the target is the same sequence copied, reversed, or sorted alphabetically.
// Copy needs a diagonal alignment, reverse an anti-diagonal one, and sort one that is not
// monotone at all.

import type { Pair, SplitSizes, Splits } from '../pair';
import type { Rng } from '../rng';
import { generateSplits, resolveSizes } from './generate';

export type SequenceKind = 'copy' | 'reverse' | 'sort';

export const SEQUENCE_SYMBOLS = 'abcdefghijklmnopqrstuvwxyz'.split('');
export const SEQUENCE_MIN_LENGTH = 3;
export const SEQUENCE_MAX_LENGTH = 12;

export function transformSequence(kind: SequenceKind, symbols: readonly string[]): string[] {
  switch (kind) {
    case 'copy':
      return [...symbols];
    case 'reverse':
      return [...symbols].reverse();
    case 'sort':
      return [...symbols].sort();
  }
}

export function sampleSequencePair(kind: SequenceKind, rng: Rng): Pair {
  const n = rng.range(SEQUENCE_MIN_LENGTH, SEQUENCE_MAX_LENGTH);
  const symbols = Array.from({ length: n }, () => rng.pick(SEQUENCE_SYMBOLS));
  return { src: symbols.join(' '), tgt: transformSequence(kind, symbols).join(' ') };
}

export const SEQUENCE_DEFAULT_SIZES: SplitSizes = { train: 5000, valid: 500, test: 500 };

export function generateSequence(kind: SequenceKind, seed: number, sizes?: Partial<SplitSizes>): Splits {
  return generateSplits(kind, seed, resolveSizes(kind, SEQUENCE_DEFAULT_SIZES, sizes), (rng) => sampleSequencePair(kind, rng));
}
