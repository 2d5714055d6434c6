// IndRNN (Li et al. 2018): both variants against h_t = ReLU(W x_t + u ⊙ h_{t-1} + b) written out
// by hand, indrnn == indrnn2 (values and gradients), the recurrent-weight constraint, the
// initialisation, and the gradient-clamp hooks.
import { describe, expect, it } from 'vitest';
import { backward, copyInto, fromData, initContext, mul, noGrad, sum, tidy, toArray, type Backend, type Tensor } from '../../engine';
import { testBackends } from '../../engine/testing/backends';
import { randomData } from '../../engine/testing/check';
import { IndRNN, IndRNNv2, type IndRnnOptions } from './indrnn';

const mv = (W: number[][], v: number[]) => W.map((row) => row.reduce((a, w, k) => a + w * v[k], 0));

// I = 2, H = 3, forward and reverse directions.
const W = [[0.5, -0.3], [0.2, 0.8], [-0.6, 0.4]];
const u = [0.9, -0.5, 1.2];
const bias = [0.1, 0.3, -0.2];
const Wr = [[-0.2, 0.6], [0.7, -0.1], [0.3, 0.3]];
const ur = [0.4, 1.1, -0.8];
const biasR = [0.2, -0.1, 0.5];

/** h_t = ReLU(W x_t + u ⊙ h_{t-1} + b) over xs in the given order. */
function run(xs: number[][], h0: number[], w: number[][], uu: number[], b: number[]): number[][] {
  let h = h0;
  return xs.map((x) => {
    const a = mv(w, x);
    h = h.map((hj, j) => Math.max(a[j] + uu[j] * hj + b[j], 0));
    return h;
  });
}

function handParams(b: Backend): Record<string, Tensor> {
  return {
    weight_ih_l0: fromData(W.flat(), [3, 2], 'f32', b),
    weight_hh_l0: fromData(u, [3], 'f32', b),
    bias_ih_l0: fromData(bias, [3], 'f32', b),
    weight_ih_l0_reverse: fromData(Wr.flat(), [3, 2], 'f32', b),
    weight_hh_l0_reverse: fromData(ur, [3], 'f32', b),
    bias_ih_l0_reverse: fromData(biasR, [3], 'f32', b),
  };
}

const variants = [
  ['indrnn', IndRNN],
  ['indrnn2', IndRNNv2],
] as const;

for (const nb of testBackends()) {
  describe(`IndRNN on ${nb.name}`, () => {
    for (const [name, Cell] of variants) {
      it(`${name}: forward follows h_t = ReLU(W x_t + u ⊙ h_{t-1} + b), both directions, a padded row, initial state`, async () => {
        const b = await nb.get();
        const xs = [[[1.0, -0.5], [0.3, 0.8], [-1.2, 0.4], [0.6, 0.6]], [[0.2, 0.9], [-0.7, -0.1], [9, 9], [9, 9]]];
        const lengths = [4, 2];
        // h0 [L·D = 2, B = 2, H = 3]: index 0 forward, 1 reverse.
        const h0 = [[[0.1, 0.2, 0.0], [0.3, 0.05, 0.4]], [[0.2, 0.0, 0.6], [0.1, 0.7, 0.2]]];
        const rnn = new Cell(initContext(0, b), { inputSize: 2, hiddenSize: 3, bidirectional: true, parameters: handParams(b) });
        const r = noGrad(() => rnn.forward(fromData(xs.flat(2), [2, 4, 2], 'f32', b), { h: fromData(h0.flat(2), [2, 2, 3], 'f32', b) }, { lengths }));
        const out = await toArray(r.output);
        const hN = await toArray(r.state.h);
        for (let row = 0; row < 2; row++) {
          const len = lengths[row];
          const seq = xs[row].slice(0, len);
          const fwd = run(seq, h0[0][row], W, u, bias);
          const rev = run([...seq].reverse(), h0[1][row], Wr, ur, biasR).reverse();
          for (let t = 0; t < 4; t++) {
            for (let j = 0; j < 3; j++) {
              expect(out[(row * 4 + t) * 6 + j], `fwd y[${row}, ${t}, ${j}]`).toBeCloseTo(t < len ? fwd[t][j] : 0, 6);
              expect(out[(row * 4 + t) * 6 + 3 + j], `rev y[${row}, ${t}, ${j}]`).toBeCloseTo(t < len ? rev[t][j] : 0, 6);
            }
          }
          for (let j = 0; j < 3; j++) {
            expect(hN[row * 3 + j]).toBeCloseTo(fwd[len - 1][j], 6);
            expect(hN[(2 + row) * 3 + j]).toBeCloseTo(rev[0][j], 6);
          }
        }
      });
    }

    it('indrnn and indrnn2 give the same outputs, states and gradients for the same weights (same names)', async () => {
      const b = await nb.get();
      const opts = { inputSize: 3, hiddenSize: 6, numLayers: 2, bidirectional: true };
      const v1 = new IndRNN(initContext(4, b), opts);
      const v2 = new IndRNNv2(initContext(99, b), { ...opts, parameters: Object.fromEntries(v1.namedParameters()) });
      expect(v2.namedParameters().map(([n]) => n)).toEqual(v1.namedParameters().map(([n]) => n));
      const [B, T] = [3, 5];
      const x = fromData(randomData(B * T * 3, 1), [B, T, 3], 'f32', b);
      const h0 = fromData(randomData(4 * B * 6, 2, 0.5).map(Math.abs), [4, B, 6], 'f32', b);
      x.requiresGrad = true;
      h0.requiresGrad = true;
      const R = fromData(randomData(B * T * 12, 3), [B, T, 12], 'f32', b);
      const Rh = fromData(randomData(4 * B * 6, 4), [4, B, 6], 'f32', b);
      const results: Float32Array[][] = [];
      for (const rnn of [v1, v2]) {
        const vals = tidy(() => {
          const r = rnn.forward(x, { h: h0 }, { lengths: [5, 3, 1] });
          backward(sum(mul(r.output, R)), undefined);
          return [r.output, r.state.h];
        });
        // A second loss on the state only, accumulated into the same gradients.
        tidy(() => backward(sum(mul(rnn.forward(x, { h: h0 }, { lengths: [5, 3, 1] }).state.h, Rh))));
        const arrays = [...(await Promise.all(vals.map(toArray))), ...(await Promise.all([x, h0, ...rnn.parameters()].map((p) => toArray(p.grad!))))];
        results.push(arrays.map((a) => a as Float32Array));
        for (const t of [x, h0, ...rnn.parameters()]) {
          t.grad?.dispose();
          t.grad = null;
        }
        vals.forEach((t) => t.dispose());
      }
      results[0].forEach((a, k) => a.forEach((v, i) => expect(results[1][k][i], `array ${k} element ${i}`).toBeCloseTo(v, 5)));
      v1.dispose();
    });

    it('constrainRecurrentWeights clamps |u| to [recurrentMin, recurrentMax] on every layer and direction; default max 2^(1/tMax)', async () => {
      const b = await nb.get();
      for (const [, Cell] of variants) {
        const rnn = new Cell(initContext(1, b), { inputSize: 2, hiddenSize: 5, numLayers: 2, bidirectional: true, recurrentMin: 0.2, recurrentMax: 1.5 });
        const bad = [-3, -0.1, 0.05, 0.9, 2];
        for (const w of rnn.recurrentWeights()) {
          const src = fromData(bad, [5], 'f32', b);
          copyInto(w, src);
          src.dispose();
        }
        rnn.constrainRecurrentWeights();
        for (const w of rnn.recurrentWeights()) expect(Array.from(await toArray(w))).toEqual([-1.5, -0.2, 0.2, 0.9, 1.5].map(Math.fround));
        rnn.dispose();
      }
      const d = new IndRNNv2(initContext(1, b), { inputSize: 2, hiddenSize: 3, tMax: 20 });
      expect(d.recurrentMax).toBeCloseTo(Math.pow(2, 1 / 20), 12);
      expect(d.recurrentMin).toBe(0);
      d.dispose();
    });

    it('initialisation: u ∈ U(0, 1), b = 0, W ∈ U(−1/√H, 1/√H)', async () => {
      const b = await nb.get();
      const rnn = new IndRNN(initContext(2, b), { inputSize: 4, hiddenSize: 200 });
      const [wih, whh, bih] = await Promise.all(rnn.parameters().map(toArray));
      expect(Math.min(...whh)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...whh)).toBeLessThan(1);
      const mean = Array.from(whh).reduce((a, v) => a + v, 0) / whh.length;
      expect(mean).toBeGreaterThan(0.4);
      expect(mean).toBeLessThan(0.6);
      expect(bih.every((v) => v === 0)).toBe(true);
      expect(Math.max(...wih.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(200));
      rnn.dispose();
    });

    it('gradient clamp hooks: every parameter gradient within [gradientClipMin, gradientClipMax]', async () => {
      const b = await nb.get();
      const x = fromData(randomData(2 * 4 * 3, 5, 3), [2, 4, 3], 'f32', b);
      const R = fromData(randomData(2 * 4 * 8, 6, 3), [2, 4, 8], 'f32', b);
      const grads = async (extra: Partial<IndRnnOptions>) => {
        const rnn = new IndRNNv2(initContext(7, b), { inputSize: 3, hiddenSize: 4, bidirectional: true, ...extra });
        tidy(() => backward(sum(mul(rnn.forward(x).output, R))));
        const gs = await Promise.all(rnn.parameters().map((p) => toArray(p.grad!)));
        rnn.dispose();
        return gs.flatMap((g) => Array.from(g));
      };
      const free = await grads({});
      expect(Math.max(...free)).toBeGreaterThan(0.05);
      expect(Math.min(...free)).toBeLessThan(-0.05);
      const sym = await grads({ gradientClipMax: 0.05 });
      expect(Math.max(...sym)).toBeCloseTo(0.05, 6);
      expect(Math.min(...sym)).toBeCloseTo(-0.05, 6);
      const asym = await grads({ gradientClipMin: -0.01, gradientClipMax: 0.03 });
      expect(Math.max(...asym)).toBeCloseTo(0.03, 6);
      expect(Math.min(...asym)).toBeCloseTo(-0.01, 6);
      // Unclamped entries are untouched.
      free.forEach((g, i) => {
        if (g > -0.01 && g < 0.03) expect(asym[i]).toBeCloseTo(g, 6);
      });
    });
  });
}
