// GRU forward against PyTorch's nn.GRU equations written out by hand, with small weights.
import { describe, expect, it } from 'vitest';
import { fromData, initContext, noGrad, toArray, type Backend } from '../../engine';
import { testBackends } from '../../engine/testing/backends';
import { GRU } from './gru';

const σ = (v: number) => 1 / (1 + Math.exp(-v));
const mv = (W: number[][], v: number[]) => W.map((row) => row.reduce((a, w, k) => a + w * v[k], 0));
const plus = (...vs: number[][]) => vs[0].map((_, j) => vs.reduce((a, v) => a + v[j], 0));

// I = 2, H = 2; gate order r, z, n.
const W_ir = [[0.5, -0.3], [0.2, 0.1]];
const W_iz = [[-0.4, 0.6], [0.3, 0.3]];
const W_in = [[0.7, 0.2], [-0.5, 0.4]];
const W_hr = [[0.3, 0.1], [-0.2, 0.4]];
const W_hz = [[0.2, -0.5], [0.1, 0.2]];
const W_hn = [[-0.3, 0.3], [0.4, 0.1]];
const b_ir = [0.1, -0.1], b_iz = [0.4, 0.2], b_in = [0.0, 0.1];
const b_hr = [0.05, 0.0], b_hz = [0.1, -0.1], b_hn = [0.3, -0.2];

function reference(xs: number[][], h0: number[]): { ys: number[][]; h: number[] } {
  let h = h0;
  const ys: number[][] = [];
  for (const x of xs) {
    const r = plus(mv(W_ir, x), b_ir, mv(W_hr, h), b_hr).map(σ);
    const z = plus(mv(W_iz, x), b_iz, mv(W_hz, h), b_hz).map(σ);
    // n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)): r gates the recurrent term after W_hn, b_hn inside.
    const hn = plus(mv(W_hn, h), b_hn);
    const n = plus(mv(W_in, x), b_in, hn.map((v, j) => r[j] * v)).map(Math.tanh);
    h = n.map((nj, j) => (1 - z[j]) * nj + z[j] * h[j]);
    ys.push(h);
  }
  return { ys, h };
}

function model(b: Backend): GRU {
  const parameters = {
    weight_ih_l0: fromData([W_ir, W_iz, W_in].flat(2), [6, 2], 'f32', b),
    weight_hh_l0: fromData([W_hr, W_hz, W_hn].flat(2), [6, 2], 'f32', b),
    bias_ih_l0: fromData([b_ir, b_iz, b_in].flat(), [6], 'f32', b),
    bias_hh_l0: fromData([b_hr, b_hz, b_hn].flat(), [6], 'f32', b),
  };
  return new GRU(initContext(0, b), { inputSize: 2, hiddenSize: 2, parameters });
}

for (const nb of testBackends()) {
  describe(`GRU on ${nb.name}`, () => {
    it('forward follows r, z, n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h_t = (1 − z) n + z h, with a padded row', async () => {
      const b = await nb.get();
      const xs = [[[1.0, -0.5], [0.3, 0.8], [-1.2, 0.4]], [[0.2, 0.9], [5, 5], [9, 9]]];
      const h0 = [[0.1, -0.2], [0.3, 0.05]];
      const r = noGrad(() => model(b).forward(fromData(xs.flat(2), [2, 3, 2], 'f32', b), { h: fromData(h0.flat(), [1, 2, 2], 'f32', b) }, { lengths: [3, 1] }));
      expect(r.state.c).toBeUndefined();
      const out = await toArray(r.output);
      const hN = await toArray(r.state.h);
      for (let row = 0; row < 2; row++) {
        const len = row === 0 ? 3 : 1;
        const ref = reference(xs[row].slice(0, len), h0[row]);
        for (let t = 0; t < 3; t++) {
          for (let j = 0; j < 2; j++) expect(out[(row * 3 + t) * 2 + j], `y[${row}, ${t}, ${j}]`).toBeCloseTo(t < len ? ref.ys[t][j] : 0, 6);
        }
        for (let j = 0; j < 2; j++) expect(hN[row * 2 + j]).toBeCloseTo(ref.h[j], 6);
      }
    });

    it('PyTorch layout: weight_ih_l0 [3H, I], weight_hh_l0 [3H, H], bias_ih/bias_hh [3H]; _reverse names', async () => {
      const b = await nb.get();
      const rnn = new GRU(initContext(1, b), { inputSize: 3, hiddenSize: 5, bidirectional: true });
      expect(rnn.namedParameters().map(([n, p]) => `${n} ${p.shape.join('x')}`)).toEqual([
        'weight_ih_l0 15x3', 'weight_hh_l0 15x5', 'bias_ih_l0 15', 'bias_hh_l0 15',
        'weight_ih_l0_reverse 15x3', 'weight_hh_l0_reverse 15x5', 'bias_ih_l0_reverse 15', 'bias_hh_l0_reverse 15',
      ]);
      const noBias = new GRU(initContext(1, b), { inputSize: 3, hiddenSize: 5, bias: false });
      expect(noBias.namedParameters().map(([n]) => n)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
      rnn.dispose();
      noBias.dispose();
    });
  });
}
