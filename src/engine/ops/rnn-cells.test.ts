import { describe, expect, it } from 'vitest';
import { testBackends } from '../testing/backends';
import { checkOp, type InputSpec } from '../testing/check';
import { fromData, empty, toArray } from '../storage';
import type { Tensor } from '../tensor';
import { constrainRecurrentRaw, gruCell, indrnnCell, indrnnSequence, janetCell, lstmCell } from './rnn-cells';
import { concat, narrow, reshape } from './view';

const f = (shape: number[]): InputSpec => ({ shape });
const lens = (data: number[]): InputSpec => ({ shape: [data.length], data, dtype: 'i32' });

/** y written into a strided [B, H] view (columns H..2H of a [B, 2H] buffer), as the layers do. */
function outView(B: number, H: number, like: Tensor): Tensor {
  const buf = empty([B, 2 * H], 'f32', like.backend);
  const v = buf.view([B, H], [2 * H, 1], H);
  buf.dispose();
  return v;
}

for (const nb of testBackends()) {
  describe(`fused RNN cell steps on ${nb.name}`, () => {
    it('lstmCell: h, c, y and gradients to gx, gh, h, c (sizes 1, odd, > one workgroup)', async () => {
      const b = await nb.get();
      for (const [B, H] of [[1, 1], [3, 5], [2, 37]]) {
        // Without padding h_{t-1} enters only through gh (the caller's matmul): no gradient to h here.
        await checkOp((gx, gh, h, c) => {
          const r = lstmCell(gx, gh, h, c);
          return concat([r.h, r.c, r.y], 1);
        }, [f([B, 4 * H]), f([B, 4 * H]), { shape: [B, H], noGrad: true }, f([B, H])], b, { seed: B * 10 + H });
      }
    });
    it('lstmCell with padding rows (state carried, y = 0), strided gx and y views', async () => {
      const b = await nb.get();
      const B = 3;
      const H = 4;
      await checkOp((wide, gh, h, c, len) => {
        const gx = narrow(wide, 1, 4 * H, 4 * H);
        const r = lstmCell(gx, gh, h, c, { lengths: len, t: 2, out: outView(B, H, h) });
        return concat([r.h, r.c, r.y], 1);
      }, [f([B, 8 * H]), f([B, 4 * H]), f([B, H]), f([B, H]), lens([3, 2, 0])], b);
    });
    it('gruCell: forward and gradients, with and without padding', async () => {
      const b = await nb.get();
      for (const [B, H] of [[1, 1], [3, 5], [2, 37]]) {
        await checkOp((gx, gh, h) => {
          const r = gruCell(gx, gh, h);
          return concat([r.h, r.y], 1);
        }, [f([B, 3 * H]), f([B, 3 * H]), f([B, H])], b, { seed: B + H });
      }
      await checkOp((gx, gh, h, len) => {
        const r = gruCell(gx, gh, h, { lengths: len, t: 1, out: outView(3, 2, h) });
        return concat([r.h, r.y], 1);
      }, [f([3, 6]), f([3, 6]), f([3, 2]), lens([1, 2, 5])], b);
    });
    it('janetCell: forward and gradients, β = 1 and another β, with padding', async () => {
      const b = await nb.get();
      for (const [B, H, beta] of [[1, 1, 1], [3, 5, 1], [2, 37, 0.5]]) {
        await checkOp((gx, gh, h) => {
          const r = janetCell(gx, gh, h, { beta });
          return concat([r.h, r.y], 1);
        }, [f([B, 2 * H]), f([B, 2 * H]), f([B, H])], b, { seed: 3 * B + H });
      }
      await checkOp((gx, gh, h, len) => {
        const r = janetCell(gx, gh, h, { lengths: len, t: 1 });
        return concat([r.h, r.y], 1);
      }, [f([3, 4]), f([3, 4]), f([3, 2]), lens([0, 2, 1])], b);
    });
    it('indrnnCell: forward and gradients to gx, u, h', async () => {
      const b = await nb.get();
      for (const [B, H] of [[1, 1], [3, 5], [2, 70]]) {
        await checkOp((gx, u, h) => {
          const r = indrnnCell(gx, u, h);
          return concat([r.h, r.y], 1);
        }, [f([B, H]), f([H]), f([B, H])], b, { seed: 5 * B + H });
      }
      await checkOp((gx, u, h, len) => {
        const r = indrnnCell(gx, u, h, { lengths: len, t: 1, out: outView(3, 4, h) });
        return concat([r.h, r.y], 1);
      }, [f([3, 4]), f([4]), f([3, 4]), lens([2, 1, 0])], b);
    });
    it('indrnnSequence: whole recurrence forward and backward in time, with padding', async () => {
      const b = await nb.get();
      for (const reverse of [false, true]) {
        for (const [B, T, H] of [[1, 1, 1], [2, 3, 5], [3, 4, 23]]) {
          await checkOp((gx, u, h0) => {
            const r = indrnnSequence(gx, u, h0, { reverse });
            return concat([reshape(r.y, [B, T * H]), r.h], 1);
          }, [f([B, T, H]), f([H]), f([B, H])], b, { seed: B + T + H + (reverse ? 50 : 0) });
        }
        await checkOp((gx, u, h0, len) => {
          const r = indrnnSequence(gx, u, h0, { reverse, lengths: len });
          return concat([reshape(r.y, [3, 12]), r.h], 1);
        }, [f([3, 4, 3]), f([3]), f([3, 3]), lens([4, 2, 0])], b, { seed: reverse ? 7 : 8 });
      }
    });
    it('indrnnSequence equals stepping indrnnCell', async () => {
      const b = await nb.get();
      const [B, T, H] = [2, 5, 7];
      const data = (n: number, s: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + s));
      const gx = fromData(data(B * T * H, 1), [B, T, H], 'f32', b);
      const u = fromData(data(H, 2), [H], 'f32', b);
      const h0 = fromData(data(B * H, 3), [B, H], 'f32', b);
      const len = fromData([5, 3], [B], 'i32', b);
      for (const reverse of [false, true]) {
        const seq = indrnnSequence(gx, u, h0, { lengths: len, reverse });
        let h = h0;
        const ys: Float32Array[] = [];
        for (let s = 0; s < T; s++) {
          const t = reverse ? T - 1 - s : s;
          const g = gx.view([B, H], [T * H, 1], t * H);
          const r = indrnnCell(g, u, h, { lengths: len, t });
          ys[t] = (await toArray(r.y)) as Float32Array;
          h = r.h;
        }
        const got = await toArray(seq.y);
        for (let t = 0; t < T; t++) {
          for (let bb = 0; bb < B; bb++) {
            for (let j = 0; j < H; j++) expect(got[(bb * T + t) * H + j]).toBeCloseTo(ys[t][bb * H + j], 6);
          }
        }
        const hs = await toArray(seq.h);
        const hc = await toArray(h);
        hs.forEach((v, i) => expect(v).toBeCloseTo(hc[i], 6));
      }
    });
    it('constrainRecurrentRaw clamps |u| into [min, max] keeping the sign', async () => {
      const b = await nb.get();
      const vals = [-3, -1.2, -0.5, -0.01, 0, 0.01, 0.3, 1.05, 2, 7, 0.7, -0.7, 1.2, 0.2, -0.05, 9, 0.5, 1, -1, 1.5];
      const u = fromData(vals, [vals.length], 'f32', b);
      constrainRecurrentRaw(u, 0.1, 1.1);
      const got = await toArray(u);
      vals.forEach((v, i) => expect(got[i]).toBeCloseTo(v === 0 ? 0 : Math.sign(v) * Math.min(Math.max(Math.abs(v), 0.1), 1.1), 6));
      expect(() => constrainRecurrentRaw(u, 2, 1)).toThrow(/min ≤ max/);
    });
  });
}
