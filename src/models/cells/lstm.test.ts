// LSTM forward against its equations written out by hand (PyTorch's nn.LSTM documentation),
// with small hand-sized weights, on every backend.
import { describe, expect, it } from 'vitest';
import { fromData, initContext, noGrad, toArray, type Backend } from '../../engine';
import { testBackends } from '../../engine/testing/backends';
import { LSTM } from './lstm';

const σ = (v: number) => 1 / (1 + Math.exp(-v));
/** W v for W given as rows. */
const mv = (W: number[][], v: number[]) => W.map((row) => row.reduce((a, w, k) => a + w * v[k], 0));
const plus = (...vs: number[][]) => vs[0].map((_, j) => vs.reduce((a, v) => a + v[j], 0));

// I = 2, H = 2: rows of W_ih [8, 2] are the gates i, f, g, o (2 rows each), as PyTorch.
const W_ii = [[0.5, -0.3], [0.2, 0.1]];
const W_if = [[-0.4, 0.6], [0.3, 0.3]];
const W_ig = [[0.7, 0.2], [-0.5, 0.4]];
const W_io = [[0.1, -0.2], [0.6, -0.1]];
const W_hi = [[0.3, 0.1], [-0.2, 0.4]];
const W_hf = [[0.2, -0.5], [0.1, 0.2]];
const W_hg = [[-0.3, 0.3], [0.4, 0.1]];
const W_ho = [[0.5, 0.2], [-0.1, -0.3]];
const b_ii = [0.1, -0.1], b_if = [0.4, 0.2], b_ig = [0.0, 0.1], b_io = [-0.2, 0.3];
const b_hi = [0.05, 0.0], b_hf = [0.1, -0.1], b_hg = [0.2, -0.2], b_ho = [0.0, 0.1];

/** One sequence through the LSTM equations. */
function reference(xs: number[][], h0: number[], c0: number[]): { ys: number[][]; h: number[]; c: number[] } {
  let h = h0;
  let c = c0;
  const ys: number[][] = [];
  for (const x of xs) {
    const i = plus(mv(W_ii, x), b_ii, mv(W_hi, h), b_hi).map(σ);
    const f = plus(mv(W_if, x), b_if, mv(W_hf, h), b_hf).map(σ);
    const g = plus(mv(W_ig, x), b_ig, mv(W_hg, h), b_hg).map(Math.tanh);
    const o = plus(mv(W_io, x), b_io, mv(W_ho, h), b_ho).map(σ);
    c = c.map((cj, j) => f[j] * cj + i[j] * g[j]);
    h = c.map((cj, j) => o[j] * Math.tanh(cj));
    ys.push(h);
  }
  return { ys, h, c };
}

function model(b: Backend): LSTM {
  const p = (rows: number[][][]) => rows.flat(2);
  const parameters = {
    weight_ih_l0: fromData(p([W_ii, W_if, W_ig, W_io]), [8, 2], 'f32', b),
    weight_hh_l0: fromData(p([W_hi, W_hf, W_hg, W_ho]), [8, 2], 'f32', b),
    bias_ih_l0: fromData([b_ii, b_if, b_ig, b_io].flat(), [8], 'f32', b),
    bias_hh_l0: fromData([b_hi, b_hf, b_hg, b_ho].flat(), [8], 'f32', b),
  };
  return new LSTM(initContext(0, b), { inputSize: 2, hiddenSize: 2, parameters });
}

for (const nb of testBackends()) {
  describe(`LSTM on ${nb.name}`, () => {
    it('forward follows i, f, g, o / c_t = f c + i g / h_t = o tanh(c_t), with a padded row', async () => {
      const b = await nb.get();
      const xs = [[[1.0, -0.5], [0.3, 0.8], [-1.2, 0.4]], [[0.2, 0.9], [-0.7, -0.1], [9, 9]]];
      const h0 = [[0.1, -0.2], [0.3, 0.05]];
      const c0 = [[-0.3, 0.4], [0.2, -0.1]];
      const r = noGrad(() =>
        model(b).forward(fromData(xs.flat(2), [2, 3, 2], 'f32', b), { h: fromData(h0.flat(), [1, 2, 2], 'f32', b), c: fromData(c0.flat(), [1, 2, 2], 'f32', b) }, { lengths: [3, 2] }),
      );
      const out = await toArray(r.output);
      const hN = await toArray(r.state.h);
      const cN = await toArray(r.state.c!);
      for (let row = 0; row < 2; row++) {
        const len = row === 0 ? 3 : 2;
        const ref = reference(xs[row].slice(0, len), h0[row], c0[row]);
        for (let t = 0; t < 3; t++) {
          for (let j = 0; j < 2; j++) expect(out[(row * 3 + t) * 2 + j], `y[${row}, ${t}, ${j}]`).toBeCloseTo(t < len ? ref.ys[t][j] : 0, 6);
        }
        for (let j = 0; j < 2; j++) {
          expect(hN[row * 2 + j]).toBeCloseTo(ref.h[j], 6);
          expect(cN[row * 2 + j]).toBeCloseTo(ref.c[j], 6);
        }
      }
    });

    it('PyTorch layout and initialisation: names, shapes, U(−1/√H, 1/√H)', async () => {
      const b = await nb.get();
      const H = 16;
      const rnn = new LSTM(initContext(3, b), { inputSize: 5, hiddenSize: H, numLayers: 2, bidirectional: true });
      const named = rnn.namedParameters();
      expect(named.map(([n]) => n)).toEqual(
        [0, 1].flatMap((l) => ['', '_reverse'].flatMap((s) => ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((w) => `${w}_l${l}${s}`))),
      );
      expect(named.map(([, p]) => p.shape)).toEqual(
        [[64, 5], [64, 16], [64], [64], [64, 5], [64, 16], [64], [64], [64, 32], [64, 16], [64], [64], [64, 32], [64, 16], [64], [64]],
      );
      const all = (await Promise.all(named.map(([, p]) => toArray(p)))).flatMap((a) => Array.from(a));
      const bound = 1 / Math.sqrt(H);
      expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...all)).toBeGreaterThan(0.95 * bound);
      expect(Math.min(...all)).toBeLessThan(-0.95 * bound);
      rnn.dispose();
    });
  });
}
