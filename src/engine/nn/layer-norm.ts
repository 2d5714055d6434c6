// nn.LayerNorm over the trailing axes `normalizedShape`: y = (x − μ)/√(σ² + eps) ⊙ weight + bias, PyTorch's defaults
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
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  /** `normalizedShape`: the size of the last axis (e.g. d_model), or the sizes of the trailing axes. */
  constructor(ctx: InitContext, normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (ns.length === 0 || !ns.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`LayerNorm: normalizedShape must be one or more sizes, got [${ns.join(', ')}]`);
    }
    this.normalizedShape = ns;
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? this.registerParameter('weight', constantParam(ctx, ns, 1)) : null;
    this.bias = affine && (options.bias ?? true) ? this.registerParameter('bias', constantParam(ctx, ns, 0)) : null;
  }
  forward(x: Tensor): Tensor {
    const ns = this.normalizedShape;
    const trailing = x.shape.slice(Math.max(0, x.rank - ns.length));
    if (x.rank < ns.length || trailing.some((d, i) => d !== ns[i])) {
      throw new Error(`LayerNorm([${ns.join(', ')}]): the last axes of the input are [${trailing.join(', ')}]`);
    }
    return layerNorm(x, this.weight, this.bias, this.eps, ns);
  }
}
