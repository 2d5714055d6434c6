// Stochastic gradient descent with momentum, torch.optim.SGD exactly (Sutskever et al. 2013 for
// Nesterov momentum, in PyTorch's formulation). With μ momentum, τ dampening, λ weight decay:
//   d = g + λ p
//   b = d                      on the parameter's first step (PyTorch's buffer is a clone of d)
//   b = μ b + (1 − τ) d        afterwards
//   d = d + μ b  (nesterov)  or  d = b
//   p ← p − lr · d
// Kernel: shaders/optim.wgsl (ALGO 0); the CPU twin is `cpuUpdate` below.

// Parameter groups (torch.optim's param_groups) may each set lr and weightDecay; momentum,
// dampening and nesterov are the optimizer's (they choose the kernel variant and the state).

import { Optimizer, type CpuUpdate, type GroupHyper, type OptimizerParams, type UpdateKernel } from './optimizer';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  dampening: number;
  readonly nesterov: boolean;
  maximize: boolean;

  constructor(params: OptimizerParams, options: SGDOptions) {
    const momentum = options.momentum ?? 0;
    const defaults = { lr: options.lr, weightDecay: options.weightDecay ?? 0, betas: [0, 0], eps: 0 } as const;
    super(params, defaults, momentum !== 0 ? ['momentum_buffer'] : [], ['lr', 'weightDecay']);
    this.momentum = momentum;
    this.dampening = options.dampening ?? 0;
    this.nesterov = !!options.nesterov;
    this.maximize = !!options.maximize;
    if (!(this.momentum >= 0)) throw new Error(`invalid momentum value: ${this.momentum}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('Nesterov momentum requires a momentum and zero dampening');
    }
  }

  protected kernel(): UpdateKernel {
    // Momentum is fixed at construction (whether the state has a buffer), as the kernel variant.
    return { algo: 0, momentum: this.stateNames.length > 0, nesterov: this.nesterov };
  }

  protected hyper(h: GroupHyper): { h0: [number, number, number, number]; h1: [number, number, number, number] } {
    return { h0: [h.lr, this.momentum, 1 - this.dampening, 0], h1: [h.weightDecay, 0, 0, this.maximize ? -1 : 1] };
  }

  protected slotScalars(t: number): [number, number, number, number] {
    return [t === 1 ? 1 : 0, 0, 0, 0];
  }

  protected cpuUpdate(u: CpuUpdate): void {
    const { p, pOff, g, state, off, n, t, group } = u;
    const [mu, damp, wd, lr] = [this.momentum, this.dampening, group.weightDecay, group.lr];
    const hasBuf = this.stateNames.length > 0;
    for (let i = 0; i < n; i++) {
      const pi = p[pOff + i];
      let d = this.maximize ? -g[i] : g[i];
      if (wd !== 0) d = d + wd * pi;
      if (hasBuf) {
        const b = t === 1 ? d : state[off + i] * mu + (1 - damp) * d;
        state[off + i] = b;
        d = this.nesterov ? d + mu * b : b;
      }
      p[pOff + i] = pi - lr * d;
    }
  }
}
