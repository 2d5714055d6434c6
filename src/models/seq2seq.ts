// What every encoder–decoder offers the trainer and the decoders: encode a source batch once,
// then decode (teacher-forced, or a batch of prefixes during search) against it, optionally
// returning every attention map for visualisation.

import type { Module, Tensor } from '../engine';

export interface SourceBatch {
  /** i32 [B, S] token ids, PAD after each sequence. */
  src: Tensor;
  /** f32 [B, S] 1 = real token, 0 = padding. */
  srcMask: Tensor;
  srcLengths: number[];
}

/** One recorded attention map: weights [B, heads, queries, keys]. */
export interface AttentionRecord {
  name: string;
  kind: 'encoder-self' | 'decoder-self' | 'cross' | 'rnn';
  layer: number;
  weights: Tensor;
}

export interface Encoded {
  /** Whatever the decoder needs (memory, final states, masks). A plain object, so that tidy() keeps its tensors. */
  readonly batch: number;
  readonly srcLen: number;
  attention: AttentionRecord[];
}

export interface DecodeOptions {
  needWeights?: boolean;
  /** Probability of feeding the ground-truth previous token (RNN decoders); 1 = teacher forcing. */
  teacherForcing?: number;
  /** Seed for the teacher-forcing coin flips and dropout of this call. */
  seed?: number;
  /**
   * For each decoded row, the encoded row it reads (beam search decodes W hypotheses per source).
   * Default: row i reads source i.
   */
  rows?: number[];
}

export interface Seq2SeqModel extends Module {
  readonly srcVocab: number;
  readonly tgtVocab: number;
  encode(batch: SourceBatch, options?: { needWeights?: boolean; seed?: number }): Encoded;
  /** Logits [n, T, V] for decoder inputs tgtIn (i32 [n, T]), and the decoder's attention maps. */
  decode(enc: Encoded, tgtIn: Tensor, options?: DecodeOptions): { logits: Tensor; attention: AttentionRecord[] };
}
