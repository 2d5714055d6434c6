// JANET against the paper's equations (van der Westhuizen & Lasenby 2018) written out by
// hand, and its chrono initialisation b_f = log(U[1, T_max − 1]).
import { describe, expect, it } from 'vitest';
import { fromData, initContext, noGrad, toArray, type Backend } from '../../engine';
import { testBackends } from '../../engine/testing/backends';
import { JANET } from './janet';

const σ = (v: number) => 1 / (1 + Math.exp(-v));
const mv = (W: number[][], v: number[]) => W.map((row) => row.reduce((a, w, k) => a + w * v[k], 0));
const plus = (...vs: number[][]) => vs[0].map((_, j) => vs.reduce((a, v) => a + v[j], 0));

// I = 2, H = 2.
const W_f = [[0.5, -0.3], [0.2, 0.1]];
const W_c = [[0.7, 0.2], [-0.5, 0.4]];
const U_f = [[0.3, 0.1], [-0.2, 0.4]];
const U_c = [[-0.3, 0.3], [0.4, 0.1]];
const b_f = [0.6, -0.4];
const b_c = [0.1, -0.2];

/** The paper's cell; `port` uses σ(s − β) for the forget term too, as a common PyTorch port does. */
function reference(xs: number[][], h0: number[], beta: number, port = false): { ys: number[][]; h: number[] } {
  let h = h0;
  const ys: number[][] = [];
  for (const x of xs) {
    const s = plus(mv(U_f, h), mv(W_f, x), b_f);
    const ct = plus(mv(U_c, h), mv(W_c, x), b_c).map(Math.tanh);
    h = h.map((c, j) => σ(port ? s[j] - beta : s[j]) * c + (1 - σ(s[j] - beta)) * ct[j]);
    ys.push(h);
  }
  return { ys, h };
}

function model(b: Backend, beta?: number): JANET {
  const parameters = {
    weight_ih_l0: fromData([W_f, W_c].flat(2), [4, 2], 'f32', b),
    weight_hh_l0: fromData([U_f, U_c].flat(2), [4, 2], 'f32', b),
    bias_ih_l0: fromData([b_f, b_c].flat(), [4], 'f32', b),
  };
  return new JANET(initContext(0, b), { inputSize: 2, hiddenSize: 2, parameters, beta });
}

for (const nb of testBackends()) {
  describe(`JANET on ${nb.name}`, () => {
    it('forward follows c_t = σ(s) c_{t-1} + (1 − σ(s − β)) c̃, h_t = c_t (β = 1 and β = 2.5), with a padded row', async () => {
      const b = await nb.get();
      const xs = [[[1.0, -0.5], [0.3, 0.8], [-1.2, 0.4]], [[0.2, 0.9], [-0.7, -0.1], [9, 9]]];
      const h0 = [[0.4, -0.6], [0.3, 0.05]];
      for (const beta of [undefined, 2.5]) {
        const r = noGrad(() => model(b, beta).forward(fromData(xs.flat(2), [2, 3, 2], 'f32', b), { h: fromData(h0.flat(), [1, 2, 2], 'f32', b) }, { lengths: [3, 2] }));
        expect(r.state.c).toBeUndefined();
        const out = await toArray(r.output);
        const hN = await toArray(r.state.h);
        for (let row = 0; row < 2; row++) {
          const len = row === 0 ? 3 : 2;
          const ref = reference(xs[row].slice(0, len), h0[row], beta ?? 1);
          for (let t = 0; t < 3; t++) {
            for (let j = 0; j < 2; j++) expect(out[(row * 3 + t) * 2 + j], `y[${row}, ${t}, ${j}]`).toBeCloseTo(t < len ? ref.ys[t][j] : 0, 6);
          }
          for (let j = 0; j < 2; j++) expect(hN[row * 2 + j]).toBeCloseTo(ref.h[j], 6);
          // The test tells the paper's cell from the port's.
          const port = reference(xs[row].slice(0, len), h0[row], beta ?? 1, true);
          expect(Math.max(...port.h.map((v, j) => Math.abs(v - ref.h[j])))).toBeGreaterThan(1e-2);
        }
      }
    });

    it('chrono initialisation: b_f = log(U[1, T_max − 1]) (uniform after exp, KS test), b_c = 0; T_max configurable', async () => {
      const b = await nb.get();
      for (const tMax of [10, 700]) {
        const samples: number[] = [];
        let cZero = true;
        for (let seed = 0; seed < 8; seed++) {
          const rnn = new JANET(initContext(seed, b), { inputSize: 2, hiddenSize: 64, bidirectional: true, tMax });
          for (const [n, p] of rnn.namedParameters()) {
            if (!n.startsWith('bias_ih')) continue;
            const v = await toArray(p);
            samples.push(...Array.from(v.subarray(0, 64), Math.exp));
            cZero &&= v.subarray(64).every((x) => x === 0);
          }
          rnn.dispose();
        }
        expect(cZero).toBe(true);
        const lo = 1;
        const hi = tMax - 1;
        expect(Math.min(...samples)).toBeGreaterThanOrEqual(lo * (1 - 1e-6));
        expect(Math.max(...samples)).toBeLessThanOrEqual(hi * (1 + 1e-6));
        // Kolmogorov–Smirnov distance to U[1, T_max − 1]; the 1% critical value is 1.63/√n.
        const sorted = [...samples].sort((a, c) => a - c);
        const n = sorted.length;
        let ks = 0;
        sorted.forEach((v, i) => {
          const F = (v - lo) / (hi - lo);
          ks = Math.max(ks, Math.abs((i + 1) / n - F), Math.abs(i / n - F));
        });
        expect(ks, `KS distance for T_max = ${tMax}`).toBeLessThan(1.63 / Math.sqrt(n));
      }
    });

    it('layout: weight_ih [2H, In] = [W_f; W_c], weight_hh [2H, H], bias_ih [2H] = [b_f; b_c]', async () => {
      const b = await nb.get();
      const rnn = new JANET(initContext(0, b), { inputSize: 3, hiddenSize: 5, numLayers: 2 });
      expect(rnn.namedParameters().map(([n, p]) => `${n} ${p.shape.join('x')}`)).toEqual([
        'weight_ih_l0 10x3', 'weight_hh_l0 10x5', 'bias_ih_l0 10', 'weight_ih_l1 10x5', 'weight_hh_l1 10x5', 'bias_ih_l1 10',
      ]);
      rnn.dispose();
      expect(() => new JANET(initContext(0, b), { inputSize: 3, hiddenSize: 5, tMax: 1 })).toThrow(/tMax/);
    });
  });
}
