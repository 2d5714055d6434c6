// Batching with length bucketing: examples are sorted by source length into buckets so that a
// batch holds sequences of similar length and little padding; batches are then shuffled.
// Padding (id 0) is masked out of attention (srcMask), of the encoder's final state (srcLengths)
// and of the loss (tgtOut = ignoreIndex at padded positions).

import { Random } from '../engine/random';

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
/** Target id the loss ignores (PyTorch's default ignore_index). */
export const IGNORE_INDEX = -100;

export interface EncodedPair {
  src: number[];
  tgt: number[];
}

/** One batch, as flat row-major arrays ready to upload. */
export interface HostBatch {
  size: number;
  srcLen: number;
  tgtLen: number;
  /** [size, srcLen] source ids (+ EOS), PAD after each sequence's end. */
  src: Int32Array;
  /** [size, srcLen] 1 for real tokens, 0 for padding. */
  srcMask: Float32Array;
  srcLengths: number[];
  /** [size, tgtLen] decoder input: BOS y₁ … y_n, PAD after. */
  tgtIn: Int32Array;
  /** [size, tgtLen] targets: y₁ … y_n EOS, IGNORE_INDEX after. */
  tgtOut: Int32Array;
  /** Number of target tokens that count in the loss. */
  tokens: number;
  /** Indices of the examples in the source list. */
  indices: number[];
}

export function makeBatch(pairs: readonly EncodedPair[], indices: readonly number[]): HostBatch {
  const size = indices.length;
  const srcLengths = indices.map((i) => pairs[i].src.length + 1);
  const srcLen = Math.max(1, ...srcLengths);
  const tgtLen = Math.max(1, ...indices.map((i) => pairs[i].tgt.length + 1));
  const src = new Int32Array(size * srcLen).fill(PAD);
  const srcMask = new Float32Array(size * srcLen);
  const tgtIn = new Int32Array(size * tgtLen).fill(PAD);
  const tgtOut = new Int32Array(size * tgtLen).fill(IGNORE_INDEX);
  let tokens = 0;
  indices.forEach((ex, b) => {
    const { src: s, tgt: t } = pairs[ex];
    s.forEach((id, j) => (src[b * srcLen + j] = id));
    src[b * srcLen + s.length] = EOS;
    for (let j = 0; j <= s.length; j++) srcMask[b * srcLen + j] = 1;
    tgtIn[b * tgtLen] = BOS;
    t.forEach((id, j) => {
      tgtIn[b * tgtLen + j + 1] = id;
      tgtOut[b * tgtLen + j] = id;
    });
    // The last input position (after y_n) is only needed when it predicts EOS.
    tgtOut[b * tgtLen + t.length] = EOS;
    tokens += t.length + 1;
  });
  // tgtIn has one slot too many when the longest target fills the row: drop nothing, the
  // position after EOS is padding (PAD in, IGNORE out).
  return { size, srcLen, tgtLen, src, srcMask, srcLengths, tgtIn, tgtOut, tokens, indices: [...indices] };
}

/**
 * An endless stream of training batches: each epoch shuffles, sorts within windows of
 * `bucketWindow` batches by source length, cuts batches, and shuffles the batch order.
 */
export class BucketBatcher {
  private queue: number[][] = [];
  private epoch = 0;
  private readonly rng: Random;

  constructor(
    private readonly pairs: readonly EncodedPair[],
    private readonly batchSize: number,
    seed: number,
    private readonly bucketWindow = 50,
  ) {
    if (pairs.length === 0) throw new Error('no training examples');
    this.rng = new Random(seed ^ 0x5bd1e995);
  }

  get epochs(): number {
    return this.epoch;
  }

  private refill(): void {
    const order = shuffle([...this.pairs.keys()], this.rng);
    const window = this.batchSize * this.bucketWindow;
    const batches: number[][] = [];
    for (let w = 0; w < order.length; w += window) {
      const chunk = order.slice(w, w + window).sort((a, b) => this.pairs[a].src.length - this.pairs[b].src.length || a - b);
      for (let i = 0; i < chunk.length; i += this.batchSize) batches.push(chunk.slice(i, i + this.batchSize));
    }
    this.queue = shuffle(batches, this.rng);
    this.epoch++;
  }

  next(): HostBatch {
    if (this.queue.length === 0) this.refill();
    return makeBatch(this.pairs, this.queue.pop()!);
  }
}

/** Fixed-order batches over a whole split (evaluation), sorted by length for little padding. */
export function evalBatches(pairs: readonly EncodedPair[], batchSize: number): HostBatch[] {
  const order = [...pairs.keys()].sort((a, b) => pairs[a].src.length - pairs[b].src.length || a - b);
  const out: HostBatch[] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(makeBatch(pairs, order.slice(i, i + batchSize)));
  return out;
}

function shuffle<T>(a: T[], rng: Random): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
