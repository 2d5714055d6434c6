// LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers, Schmidhuber & Cummins 2000),
// laid out exactly like PyTorch's nn.LSTM so a state dict transfers name for name:
//   weight_ih_l{k}[_reverse] [4H, In], weight_hh_l{k} [4H, H], bias_ih_l{k} [4H], bias_hh_l{k} [4H]
//   gate order i, f, g, o;  init U(−1/√H, 1/√H) for every weight and bias.
//
//   a = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh;  i, f, o = σ(a_i), σ(a_f), σ(a_o);  g = tanh(a_g)
//   c_t = f ⊙ c_{t-1} + i ⊙ g;   h_t = o ⊙ tanh(c_t)
//
// state.c is the cell state c. The input projection (with b_ih + b_hh folded in) runs for all
// time steps in one matmul; each step is one matmul h_{t-1} W_hhᵀ and one fused kernel.

import { add, linear, matmul, transpose, type InitContext } from '../../engine';
import { lstmCell } from '../../engine/ops/rnn-cells';
import { RecurrentLayers, stepLoop, uniformInit, unbindTime, type DirectionInput, type DirectionOutput, type RnnOptions } from './rnn-base';

export type LstmOptions = RnnOptions;

export class LSTM extends RecurrentLayers {
  readonly hasCellState = true;

  constructor(ctx: InitContext, options: LstmOptions) {
    super(options);
    const H = this.hiddenSize;
    const init = uniformInit(1 / Math.sqrt(H));
    this.build(ctx, options, (inSize) => [
      { stem: 'weight_ih', shape: [4 * H, inSize], init },
      { stem: 'weight_hh', shape: [4 * H, H], init },
      { stem: 'bias_ih', shape: [4 * H], init },
      { stem: 'bias_hh', shape: [4 * H], init },
    ]);
  }

  protected runDirection(d: DirectionInput): DirectionOutput {
    const s = d.suffix;
    const bih = this.param(`bias_ih${s}`);
    const bhh = this.param(`bias_hh${s}`);
    const bias = bih && bhh ? add(bih, bhh) : null;
    const gx = linear(d.x, this.paramOf(`weight_ih${s}`), bias);
    const whhT = transpose(this.paramOf(`weight_hh${s}`), 0, 1);
    const temps = [gx, whhT, ...(bias ? [bias] : [])];
    return stepLoop(
      d,
      unbindTime(gx),
      (gxt, h, c, t, out) => {
        const gh = matmul(h, whhT);
        const r = lstmCell(gxt, gh, h, c!, { lengths: d.padding.at(t), t, out });
        return { ...r, temps: [gh] };
      },
      temps,
    );
  }
}
