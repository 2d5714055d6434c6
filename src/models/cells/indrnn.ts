// IndRNN, Li, Li, Cook, Zhu & Gao (2018), "Independently Recurrent Neural Network (IndRNN):
// Building A Longer and Deeper RNN" (arXiv:1803.04831):
//
//   h_t = ReLU(W x_t + u ⊙ h_{t-1} + b)
//
// Each unit only sees its own past through one recurrent weight u_j, so ∂h_T/∂h_t = Π u_j·ReLU'
// per unit, and keeping |u_j| ≤ 2^(1/T) bounds its growth over T steps; a lower bound
// keeps long memory. `constrainRecurrentWeights()` clamps u in place (on the GPU) and should run
// after every optimizer step.
//
// Two variants, as the indrnn-pytorch project (StefOe/indrnn-pytorch) offers them, with the same
// parameters and the same numbers:
//   IndRNN   ('indrnn')  steps a cell per time step, input projection x_t W_ihᵀ + b inside each step;
//   IndRNNv2 ('indrnn2') projects all time steps in one matmul and runs the whole recurrence of a
//            direction in one fused dispatch (and one for its backward).
// Both accept an initial hidden state per layer and direction (state.h [L·D, B, H]).
//
// Layout: weight_ih_l{k}[_reverse] [H, In], weight_hh_l{k} [H] (u), bias_ih_l{k} [H].
// Init: u ∈ U(0, 1) (then constrained), W U(−1/√H, 1/√H) as PyTorch's RNNs, b = 0 as indrnn-pytorch.
// Optional gradient clamps (gradientClipMin/Max) hook every parameter's gradient, as that project does.
// No cell state: the state is { h }; a given state.c is ignored.

import { matmul, transpose, type InitContext, type Tensor } from '../../engine';
import { constrainRecurrentRaw, indrnnCell, indrnnSequence } from '../../engine/ops/rnn-cells';
import { RecurrentLayers, stepLoop, uniformInit, unbindTime, zeroInit, type DirectionInput, type DirectionOutput, type ParamSpec, type RnnOptions } from './rnn-base';

export interface IndRnnOptions extends RnnOptions {
  /** Sequence length the recurrent bound is meant for: recurrentMax defaults to 2^(1/tMax). Default 100. */
  tMax?: number;
  /** Upper bound of |u|. Default 2^(1/tMax). */
  recurrentMax?: number;
  /** Lower bound of |u| (sign kept). Default 0. */
  recurrentMin?: number;
  /** Clamp every parameter's gradient to [gradientClipMin, gradientClipMax] (one given: symmetric). */
  gradientClipMin?: number;
  gradientClipMax?: number;
}

abstract class IndRnnBase extends RecurrentLayers {
  readonly hasCellState = false;
  readonly recurrentMax: number;
  readonly recurrentMin: number;

  constructor(ctx: InitContext, options: IndRnnOptions) {
    super(options);
    const tMax = options.tMax ?? 100;
    if (!(tMax >= 1)) throw new Error(`IndRNN: tMax must be ≥ 1, got ${tMax}`);
    this.recurrentMax = options.recurrentMax ?? Math.pow(2, 1 / tMax);
    this.recurrentMin = options.recurrentMin ?? 0;
    if (!(this.recurrentMin >= 0 && this.recurrentMax >= this.recurrentMin)) {
      throw new Error(`IndRNN: need 0 ≤ recurrentMin ≤ recurrentMax, got [${this.recurrentMin}, ${this.recurrentMax}]`);
    }
    const H = this.hiddenSize;
    const [lo, hi] = [this.recurrentMin, this.recurrentMax];
    const recurrent: ParamSpec['init'] = (rng, n) =>
      Float32Array.from({ length: n }, () => {
        const u = rng.uniform(0, 1);
        return Math.sign(u) * Math.min(Math.max(Math.abs(u), lo), hi);
      });
    this.build(ctx, options, (inSize) => [
      { stem: 'weight_ih', shape: [H, inSize], init: uniformInit(1 / Math.sqrt(H)) },
      { stem: 'weight_hh', shape: [H], init: recurrent },
      { stem: 'bias_ih', shape: [H], init: zeroInit },
    ]);
    const { gradientClipMin: gmin, gradientClipMax: gmax } = options;
    if (gmin !== undefined || gmax !== undefined) this.clampGradients(gmin ?? -gmax!, gmax ?? -gmin!);
  }

  /** The recurrent weights u of every layer and direction. */
  recurrentWeights(): Tensor[] {
    return this.namedParameters()
      .filter(([n]) => n.startsWith('weight_hh'))
      .map(([, p]) => p);
  }

  /** u ← sign(u) · clamp(|u|, recurrentMin, recurrentMax), in place (Li et al. 2018). */
  override constrainRecurrentWeights(): void {
    for (const u of this.recurrentWeights()) constrainRecurrentRaw(u, this.recurrentMin, this.recurrentMax);
  }
}

/** IndRNN stepping a cell per time step (the input projection inside each step). */
export class IndRNN extends IndRnnBase {
  protected runDirection(d: DirectionInput): DirectionOutput {
    const s = d.suffix;
    const wT = transpose(this.paramOf(`weight_ih${s}`), 0, 1);
    const u = this.paramOf(`weight_hh${s}`);
    const b = this.param(`bias_ih${s}`);
    return stepLoop(
      d,
      unbindTime(d.x),
      (xt, h, _c, t, out) => {
        const gx = matmul(xt, wT, b);
        const r = indrnnCell(gx, u, h, { lengths: d.padding.at(t), t, out });
        return { ...r, temps: [gx] };
      },
      [wT],
    );
  }
}

/** IndRNNv2: one matmul for the input projection of all steps, one dispatch for the recurrence. */
export class IndRNNv2 extends IndRnnBase {
  protected runDirection(d: DirectionInput): DirectionOutput {
    const s = d.suffix;
    const wT = transpose(this.paramOf(`weight_ih${s}`), 0, 1);
    const gx = matmul(d.x, wT, this.param(`bias_ih${s}`));
    const r = indrnnSequence(gx, this.paramOf(`weight_hh${s}`), d.h0, {
      lengths: d.padding.lengths ? d.padding.tensor : null,
      reverse: d.reverse,
      out: d.sequenceOut(),
    });
    if (!r.y.requiresGrad) {
      r.y.dispose();
      gx.dispose();
      wT.dispose();
      return { h: r.h, c: null, parts: [] };
    }
    return { h: r.h, c: null, parts: [r.y] };
  }
}
