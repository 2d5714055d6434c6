// GRU (Cho et al. 2014, "Learning Phrase Representations using RNN Encoder–Decoder"), in PyTorch's
// nn.GRU formulation and layout (r gates the recurrent projection *after* W_hn, with b_hn inside):
//   weight_ih_l{k}[_reverse] [3H, In], weight_hh_l{k} [3H, H], bias_ih_l{k} [3H], bias_hh_l{k} [3H]
//   gate order r, z, n;  init U(−1/√H, 1/√H).
//
//   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
//
// No cell state: the returned state has only h, and a given state.c is ignored.

import { linear, matmul, transpose, type InitContext, type Tensor } from '../../engine';
import { gruCell } from '../../engine/ops/rnn-cells';
import { RecurrentLayers, stepLoop, uniformInit, unbindTime, type DirectionInput, type DirectionOutput, type RnnOptions } from './rnn-base';

export type GruOptions = RnnOptions;

export class GRU extends RecurrentLayers {
  readonly hasCellState = false;

  constructor(ctx: InitContext, options: GruOptions) {
    super(options);
    const H = this.hiddenSize;
    const init = uniformInit(1 / Math.sqrt(H));
    this.build(ctx, options, (inSize) => [
      { stem: 'weight_ih', shape: [3 * H, inSize], init },
      { stem: 'weight_hh', shape: [3 * H, H], init },
      { stem: 'bias_ih', shape: [3 * H], init },
      { stem: 'bias_hh', shape: [3 * H], init },
    ]);
  }

  protected runDirection(d: DirectionInput): DirectionOutput {
    const s = d.suffix;
    const gx = linear(d.x, this.paramOf(`weight_ih${s}`), this.param(`bias_ih${s}`));
    const whhT = transpose(this.paramOf(`weight_hh${s}`), 0, 1);
    const bhh: Tensor | null = this.param(`bias_hh${s}`);
    return stepLoop(
      d,
      unbindTime(gx),
      (gxt, h, _c, t, out) => {
        // b_hh rides in the matmul's epilogue: b_hn must sit inside r ⊙ (W_hn h + b_hn).
        const gh = matmul(h, whhT, bhh);
        const r = gruCell(gxt, gh, h, { lengths: d.padding.at(t), t, out });
        return { ...r, temps: [gh] };
      },
      [gx, whhT],
    );
  }
}
