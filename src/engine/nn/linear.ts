// nn.Linear: y = x Wᵀ + b, W [out, in]; PyTorch's initialisation U(-1/√in, 1/√in) for W and b.

import { linear } from '../ops/matmul';
import type { Tensor } from '../tensor';
import { Module, uniformParam, type InitContext } from './module';

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    ctx: InitContext,
    readonly inFeatures: number,
    readonly outFeatures: number,
    withBias = true,
  ) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.registerParameter('weight', uniformParam(ctx, [outFeatures, inFeatures], bound));
    this.bias = withBias ? this.registerParameter('bias', uniformParam(ctx, [outFeatures], bound)) : null;
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
