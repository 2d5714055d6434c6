// nn.Embedding: a lookup table W [num_embeddings, embedding_dim], PyTorch's initialisation N(0, 1)
// with the padding_idx row (if any) set to zeros; that row never receives a gradient.

import { embedding, normPaddingIdx } from '../ops/embedding';
import type { Tensor } from '../tensor';
import { Module, parameter, type InitContext } from './module';

export interface EmbeddingModuleOptions {
  /** PyTorch's padding_idx: this row starts at 0 and gets no gradient. Negative counts from the end. */
  paddingIdx?: number | null;
  /** Standard deviation of the normal init (default 1, PyTorch's). */
  std?: number;
}

export class Embedding extends Module {
  readonly weight: Tensor;
  /** padding_idx normalised to [0, V), or null. */
  readonly paddingIdx: number | null;
  constructor(
    ctx: InitContext,
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingModuleOptions = {},
  ) {
    super();
    const pad = normPaddingIdx(options.paddingIdx, numEmbeddings);
    this.paddingIdx = pad >= 0 ? pad : null;
    const values = new Float32Array(numEmbeddings * embeddingDim);
    const std = options.std ?? 1;
    for (let i = 0; i < values.length; i++) values[i] = ctx.rng.normal(0, std);
    if (pad >= 0) values.fill(0, pad * embeddingDim, (pad + 1) * embeddingDim);
    this.weight = this.registerParameter('weight', parameter(values, [numEmbeddings, embeddingDim], ctx.backend));
  }
  /** indices: i32 of any shape → [...indices.shape, embedding_dim]. */
  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }
}
