// nn.LayerNorm over the last axis: y = (x − μ)/√(σ² + eps) ⊙ weight + bias, PyTorch's defaults
// (weight = 1, bias = 0, eps = 1e-5, elementwise_affine = True, bias = True).

import { layerNorm } from '../ops/layer-norm';
import type { Tensor } from '../tensor';
import { constantParam, Module, type InitContext } from './module';

export interface LayerNormOptions {
  eps?: number;
  /** Learnable weight and bias (PyTorch's elementwise_affine). Default true. */
  elementwiseAffine?: boolean;
  /** A learnable bias when elementwiseAffine (PyTorch's bias). Default true. */
  bias?: boolean;
}

export class LayerNorm extends Module {
  readonly normalizedShape: number;
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  /** `normalizedShape` is the size of the last axis (one trailing axis only, e.g. d_model). */
  constructor(ctx: InitContext, normalizedShape: number | readonly [number], options: LayerNormOptions = {}) {
    super();
    const D = typeof normalizedShape === 'number' ? normalizedShape : normalizedShape[0];
    this.normalizedShape = D;
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? this.registerParameter('weight', constantParam(ctx, [D], 1)) : null;
    this.bias = affine && (options.bias ?? true) ? this.registerParameter('bias', constantParam(ctx, [D], 0)) : null;
  }
  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.normalizedShape) {
      throw new Error(`LayerNorm(${this.normalizedShape}): the last axis of the input is ${x.shape[x.rank - 1]}`);
    }
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}
