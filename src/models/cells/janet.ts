// JANET, "Just Another NETwork": the forget-gate-only LSTM of van der Westhuizen & Lasenby (2018),
// "The unreasonable effectiveness of the forget gate" (arXiv:1804.04849), as in the paper:
//
//   s_t = U_f h_{t-1} + W_f x_t + b_f
//   c̃_t = tanh(U_c h_{t-1} + W_c x_t + b_c)
//   c_t = σ(s_t) ⊙ c_{t-1} + (1 − σ(s_t − β)) ⊙ c̃_t,   β = 1
//   h_t = c_t
//
// (β shifts only the input term, so a unit can accumulate more than it forgets; a widely copied
// PyTorch port uses σ(s − β) for the forget term too, which is not the paper's cell.)
//
// Layout, following the other cells' names (gate order f, c; the paper's one bias per gate):
//   weight_ih_l{k}[_reverse] [2H, In] = [W_f; W_c], weight_hh_l{k} [2H, H] = [U_f; U_c],
//   bias_ih_l{k} [2H] = [b_f; b_c].
// Init: weights U(−1/√H, 1/√H) as PyTorch's RNNs; b_c = 0; b_f by the chrono initialisation of
// Tallec & Ollivier (2018) that the paper uses: b_f = log(U[1, T_max − 1]), T_max = option `tMax`,
// the longest range of dependencies the forget gate should start out able to keep.
//
// h_t = c_t, so the state is { h } alone (h is the cell state); a given state.c is ignored.

import { linear, matmul, transpose, type InitContext } from '../../engine';
import { janetCell } from '../../engine/ops/rnn-cells';
import { RecurrentLayers, stepLoop, uniformInit, unbindTime, type DirectionInput, type DirectionOutput, type ParamSpec, type RnnOptions } from './rnn-base';

export interface JanetOptions extends RnnOptions {
  /** T_max of the chrono initialisation b_f = log(U[1, T_max − 1]). Default 100. */
  tMax?: number;
  /** The shift β of the input gate σ(s − β). Default 1, the paper's. */
  beta?: number;
}

export class JANET extends RecurrentLayers {
  readonly hasCellState = false;
  readonly tMax: number;
  readonly beta: number;

  constructor(ctx: InitContext, options: JanetOptions) {
    super(options);
    this.tMax = options.tMax ?? 100;
    this.beta = options.beta ?? 1;
    if (!(this.tMax >= 2)) throw new Error(`JANET: tMax must be ≥ 2, got ${this.tMax}`);
    const H = this.hiddenSize;
    const init = uniformInit(1 / Math.sqrt(H));
    const tMax = this.tMax;
    const chrono: ParamSpec['init'] = (rng, n) => {
      const v = new Float32Array(n);
      for (let j = 0; j < H; j++) v[j] = Math.log(rng.uniform(1, tMax - 1));
      return v; // b_c (the second half) stays 0
    };
    this.build(ctx, options, (inSize) => [
      { stem: 'weight_ih', shape: [2 * H, inSize], init },
      { stem: 'weight_hh', shape: [2 * H, H], init },
      { stem: 'bias_ih', shape: [2 * H], init: chrono },
    ]);
  }

  protected runDirection(d: DirectionInput): DirectionOutput {
    const s = d.suffix;
    const gx = linear(d.x, this.paramOf(`weight_ih${s}`), this.param(`bias_ih${s}`));
    const whhT = transpose(this.paramOf(`weight_hh${s}`), 0, 1);
    return stepLoop(
      d,
      unbindTime(gx),
      (gxt, h, _c, t, out) => {
        const gh = matmul(h, whhT);
        const r = janetCell(gxt, gh, h, { lengths: d.padding.at(t), t, out, beta: this.beta });
        return { ...r, temps: [gh] };
      },
      [gx, whhT],
    );
  }
}
