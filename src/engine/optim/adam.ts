// Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization", Algorithm 1) and AdamW
// (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2), as
// torch.optim.Adam / AdamW compute them. Per parameter, at its step t (counted from 1):
//   Adam:   g ← g + λ p                                   (L2 penalty through the gradient)
//   AdamW:  p ← p · (1 − lr · λ)                          (decoupled decay, before the update)
//   m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²
//   v̂ = v, or with amsgrad (Reddi et al. 2018) v̂max ← max(v̂max, v)
//   p ← p − (lr / (1 − β1^t)) · m / (√v̂ / √(1 − β2^t) + ε)
// ε is added outside the square root and after dividing by √(1 − β2^t), as PyTorch does (the
// paper's ε̂ form); lr / (1 − β1^t) and √(1 − β2^t) are computed in float64 per parameter.
// Kernel: shaders/optim.wgsl (ALGO 1 Adam, 2 AdamW); the CPU twin is `cpuUpdate` below.

// Parameter groups (torch.optim's param_groups) may each set lr, weightDecay, betas and eps.

import { Optimizer, type CpuUpdate, type GroupHyper, type OptimizerParams, type UpdateKernel } from './optimizer';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

/** Bias-correction factors of step t: [lr / (1 − β1^t), √(1 − β2^t)] (float64, as Python computes them). */
export function adamStepScalars(lr: number, beta1: number, beta2: number, t: number): [number, number] {
  const bc1 = 1 - beta1 ** t;
  const bc2 = 1 - beta2 ** t;
  return [lr / bc1, Math.sqrt(bc2)];
}

export class Adam extends Optimizer {
  readonly amsgrad: boolean;
  maximize: boolean;
  /** AdamW's decoupled weight decay instead of Adam's L2 penalty. */
  protected readonly decoupled: boolean = false;

  constructor(params: OptimizerParams, options: AdamOptions = {}, defaultWeightDecay = 0) {
    const amsgrad = !!options.amsgrad;
    const defaults = { lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? defaultWeightDecay, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8 } as const;
    super(params, defaults, amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'], ['lr', 'weightDecay', 'betas', 'eps']);
    this.amsgrad = amsgrad;
    this.maximize = !!options.maximize;
  }

  protected kernel(): UpdateKernel {
    return { algo: this.decoupled ? 2 : 1, amsgrad: this.amsgrad };
  }

  protected hyper(h: GroupHyper): { h0: [number, number, number, number]; h1: [number, number, number, number] } {
    const [b1, b2] = h.betas;
    return {
      h0: [b1, 1 - b1, b2, 1 - b2],
      h1: [h.eps, h.weightDecay, 1 - h.lr * h.weightDecay, this.maximize ? -1 : 1],
    };
  }

  protected slotScalars(t: number, h: GroupHyper): [number, number, number, number] {
    const [stepSize, bc2Sqrt] = adamStepScalars(h.lr, h.betas[0], h.betas[1], t);
    return [stepSize, bc2Sqrt, 0, 0];
  }

  protected cpuUpdate(u: CpuUpdate): void {
    const { p, pOff, g, state, off, stride, n, t, group } = u;
    const [[b1, b2], eps, wd] = [group.betas, group.eps, group.weightDecay];
    const [stepSize, bc2Sqrt] = adamStepScalars(group.lr, b1, b2, t);
    const decay = 1 - group.lr * wd;
    for (let i = 0; i < n; i++) {
      let pi = p[pOff + i];
      let gi = this.maximize ? -g[i] : g[i];
      if (this.decoupled) pi = pi * decay;
      else if (wd !== 0) gi = gi + wd * pi;
      const m = state[off + i] * b1 + (1 - b1) * gi;
      const v = state[stride + off + i] * b2 + (1 - b2) * gi * gi;
      state[off + i] = m;
      state[stride + off + i] = v;
      let vh = v;
      if (this.amsgrad) {
        const prev = state[2 * stride + off + i];
        vh = Number.isNaN(prev) || Number.isNaN(v) ? NaN : Math.max(prev, v);
        state[2 * stride + off + i] = vh;
      }
      p[pOff + i] = pi - stepSize * (m / (Math.sqrt(vh) / bc2Sqrt + eps));
    }
  }
}

/** AdamW: Adam with decoupled weight decay p ← p − lr·λ·p (default λ = 1e-2, as torch.optim.AdamW). */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: OptimizerParams, options: AdamOptions = {}) {
    super(params, options, 1e-2);
  }
}
