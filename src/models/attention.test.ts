import { describe, expect, it } from 'vitest';
import { backward, concat, copyInto, fromData, initContext, linear, mul, sum, tidy, toArray, type Tensor } from '../engine';
import { testBackends } from '../engine/testing/backends';
import { assertClose, checkOp, randomData, type InputSpec } from '../engine/testing/check';
import {
  AdditiveAttention,
  additiveScores,
  attendOver,
  LuongAttention,
  luongScores,
  MultiheadAttention,
  multiheadAttention,
  rnnAttention,
  type HardAttentionRule,
  type MultiheadAttentionFnOptions,
} from './attention';

const f = (shape: number[]): InputSpec => ({ shape });
const maskSpec = (rows: number[][]): InputSpec => ({ shape: [rows.length, rows[0].length], data: rows.flat(), noGrad: true });

// ---- direct references in plain float64 loops ----------------------------------------------------

/** softmax over the visible entries of `s` (−∞ elsewhere); all zeros when none is visible. */
function softmaxVisible(s: number[]): number[] {
  const m = Math.max(...s);
  if (m === -Infinity) return s.map(() => 0);
  const e = s.map((x) => Math.exp(x - m));
  const z = e.reduce((a, x) => a + x, 0);
  return e.map((x) => x / z);
}

/** y[r, o] = Σ_i x[r, i] W[row0 + o, i] (+ b[row0 + o]) for W [·, inF]. */
function linearJs(x: number[], inF: number, W: number[], row0: number, outF: number, b: number[] | null): number[] {
  const rows = x.length / inF;
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let acc = b ? b[row0 + o] : 0;
      for (let i = 0; i < inF; i++) acc += x[r * inF + i] * W[(row0 + o) * inF + i];
      y.push(acc);
    }
  }
  return y;
}

interface MhaData {
  q: number[];
  k: number[];
  v: number[];
  W: number[];
  b: number[] | null;
  Wo: number[];
  bo: number[] | null;
}

/** nn.MultiheadAttention's math, written out: projections, per-head softmax(QKᵀ/√d)V, concat, out_proj. */
function mhaNaive(x: MhaData, [B, Tq, Tk, E, H]: number[], opts: { mask?: number[]; causal?: boolean; hard?: HardAttentionRule } = {}) {
  const d = E / H;
  const Q = linearJs(x.q, E, x.W, 0, E, x.b);
  const K = linearJs(x.k, E, x.W, E, E, x.b);
  const V = linearJs(x.v, E, x.W, 2 * E, E, x.b);
  const ctx = new Array<number>(B * Tq * E).fill(0);
  const weights: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < Tq; i++) {
        const s: number[] = [];
        for (let j = 0; j < Tk; j++) {
          const visible = (!opts.mask || opts.mask[b * Tk + j] === 1) && (!opts.causal || j <= i + Tk - Tq);
          let dot = 0;
          for (let c = 0; c < d; c++) dot += Q[(b * Tq + i) * E + h * d + c] * K[(b * Tk + j) * E + h * d + c];
          s.push(visible ? dot / Math.sqrt(d) : -Infinity);
        }
        let p = softmaxVisible(s);
        if (opts.hard?.kind === 'topk') {
          const k = opts.hard.k;
          const keep = new Set(p.map((w, j) => [w, j] as const).sort((a, c) => c[0] - a[0] || a[1] - c[1]).slice(0, k).map(([, j]) => j));
          const z = p.reduce((a, w, j) => a + (keep.has(j) ? w : 0), 0);
          p = p.map((w, j) => (keep.has(j) && z > 0 ? w / z : 0));
        }
        weights.push(...p);
        for (let j = 0; j < Tk; j++) {
          for (let c = 0; c < d; c++) ctx[(b * Tq + i) * E + h * d + c] += p[j] * V[(b * Tk + j) * E + h * d + c];
        }
      }
    }
  }
  return { out: linearJs(ctx, E, x.Wo, 0, E, x.bo), weights };
}

function mhaData(B: number, Tq: number, Tk: number, E: number, seed: number, bias = true): MhaData {
  return {
    q: randomData(B * Tq * E, seed),
    k: randomData(B * Tk * E, seed + 1),
    v: randomData(B * Tk * E, seed + 2),
    W: randomData(3 * E * E, seed + 3, 0.7),
    b: bias ? randomData(3 * E, seed + 4, 0.3) : null,
    Wo: randomData(E * E, seed + 5, 0.7),
    bo: bias ? randomData(E, seed + 6, 0.3) : null,
  };
}

/** A module holding `x`'s weights, for forward comparisons. */
async function loadModule(m: MultiheadAttention, x: MhaData): Promise<void> {
  const set = async (t: Tensor, data: number[]) => {
    const src = fromData(data, t.shape, 'f32', t.backend);
    copyInto(t, src);
    src.dispose();
  };
  await set(m.in_proj_weight!, x.W);
  if (m.in_proj_bias && x.b) await set(m.in_proj_bias, x.b);
  await set(m.out_proj.weight, x.Wo);
  if (m.out_proj.bias && x.bo) await set(m.out_proj.bias, x.bo);
}

function mhaFn(H: number, opts: MultiheadAttentionFnOptions = {}) {
  return (W: Tensor, b: Tensor | null, Wo: Tensor, bo: Tensor | null) => ({
    run: (q: Tensor, k: Tensor, v: Tensor, mask?: Tensor) =>
      multiheadAttention(q, k, v, { inProjWeight: W, inProjBias: b, outProjWeight: Wo, outProjBias: bo, numHeads: H }, { ...opts, keyPaddingMask: mask ?? opts.keyPaddingMask }),
  });
}

for (const nb of testBackends()) {
  describe(`MultiheadAttention on ${nb.name}`, () => {
    it('parameters: PyTorch names, shapes and initialisation (xavier in_proj_weight, zero biases)', async () => {
      const b = await nb.get();
      const E = 32;
      const m = new MultiheadAttention(initContext(3, b), E, 4);
      expect(m.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
        ['in_proj_weight', [3 * E, E]],
        ['in_proj_bias', [3 * E]],
        ['out_proj.weight', [E, E]],
        ['out_proj.bias', [E]],
      ]);
      const w = Array.from(await toArray(m.in_proj_weight!));
      const bound = Math.sqrt(6 / (E + 3 * E));
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
      const variance = w.reduce((a, x) => a + x * x, 0) / w.length;
      expect(Math.abs(variance / (bound * bound / 3) - 1)).toBeLessThan(0.1);
      expect(Array.from(await toArray(m.in_proj_bias!)).every((x) => x === 0)).toBe(true);
      expect(Array.from(await toArray(m.out_proj.bias!)).every((x) => x === 0)).toBe(true);
      const wo = Array.from(await toArray(m.out_proj.weight));
      expect(Math.max(...wo.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(E));
      expect(new MultiheadAttention(initContext(3, b), 8, 2, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['in_proj_weight', 'out_proj.weight']);
      expect(() => new MultiheadAttention(initContext(3, b), 10, 3)).toThrow(/divisible/);
    });

    it('forward equals the written-out math: self, cross (padding), separate key/value (causal); 1, 2 and 4 heads; weights too', async () => {
      const b = await nb.get();
      const cases = [
        { dims: [2, 4, 4, 8, 2], kind: 'self', causal: false },
        { dims: [2, 3, 5, 8, 4], kind: 'cross', causal: false, mask: [1, 1, 1, 0, 0, 1, 1, 1, 1, 1] },
        { dims: [1, 5, 5, 6, 1], kind: 'separate', causal: true },
        { dims: [2, 5, 5, 8, 2], kind: 'self', causal: true, hard: { kind: 'topk', k: 2 } as HardAttentionRule, mask: [1, 1, 1, 1, 0, 1, 1, 1, 1, 1] },
      ];
      for (const c of cases) {
        const [B, Tq, Tk, E, H] = c.dims;
        const x = mhaData(B, Tq, Tk, E, 10 * H + Tq);
        if (c.kind === 'self') x.k = x.v = x.q;
        if (c.kind === 'cross') x.v = x.k;
        const m = new MultiheadAttention(initContext(0, b), E, H, { hard: c.hard ?? null });
        await loadModule(m, x);
        const q = fromData(x.q, [B, Tq, E], 'f32', b);
        const k = c.kind === 'self' ? q : fromData(x.k, [B, Tk, E], 'f32', b);
        const v = c.kind === 'separate' ? fromData(x.v, [B, Tk, E], 'f32', b) : k;
        const mask = c.mask ? fromData(c.mask, [B, Tk], 'f32', b) : null;
        const r = m.forward(q, k, v, { keyPaddingMask: mask, causal: c.causal, needWeights: true });
        const ref = mhaNaive(x, c.dims, { mask: c.mask, causal: c.causal, hard: c.hard });
        assertClose(await toArray(r.out), ref.out, 1e-5, 1e-4, `out (${c.kind}, ${H} heads)`);
        expect(r.weights!.shape).toEqual([B, H, Tq, Tk]);
        const w = await toArray(r.weights!);
        assertClose(w, ref.weights, 1e-6, 1e-5, `weights (${c.kind}, ${H} heads)`);
        for (let row = 0; row < B * H * Tq; row++) {
          expect(Array.from(w.subarray(row * Tk, (row + 1) * Tk)).reduce((a, y) => a + y, 0)).toBeCloseTo(1, 5);
        }
        expect(m.forward(q, k, v, { keyPaddingMask: mask, causal: c.causal }).weights).toBeUndefined();
        m.dispose();
      }
    });

    it('gradients to the inputs and every parameter: self (soft, hard top-k, threshold), cross with padding, separate k/v causal, no bias, 1 and 4 heads', async () => {
      const b = await nb.get();
      const [B, T, S, E] = [2, 3, 4, 4];
      const params = [f([3 * E, E]), f([3 * E]), f([E, E]), f([E])];
      const self = (H: number, o: MultiheadAttentionFnOptions = {}) => (x: Tensor, W: Tensor, bi: Tensor, Wo: Tensor, bo: Tensor) => mhaFn(H, o)(W, bi, Wo, bo).run(x, x, x).out;
      await checkOp(self(2), [f([B, T, E]), ...params], b, { seed: 1 });
      await checkOp(self(2, { causal: true, hard: { kind: 'topk', k: 2 } }), [f([B, T, E]), ...params], b, { seed: 2 });
      await checkOp(self(4, { hard: { kind: 'threshold', tau: 0.3 } }), [f([B, T, E]), ...params], b, { seed: 3 });
      await checkOp(
        (x, mem, W, bi, Wo, bo, mask) => mhaFn(2)(W, bi, Wo, bo).run(x, mem, mem, mask).out,
        [f([B, T, E]), f([B, S, E]), ...params, maskSpec([[1, 1, 1, 0], [1, 1, 1, 1]])],
        b,
        { seed: 4 },
      );
      await checkOp(
        (q, k, v, W, bi, Wo, bo) => mhaFn(1, { causal: true })(W, bi, Wo, bo).run(q, k, v).out,
        [f([1, S, E]), f([1, S, E]), f([1, S, E]), ...params],
        b,
        { seed: 5 },
      );
      await checkOp((x, W, Wo) => mhaFn(2)(W, null, Wo, null).run(x, x, x).out, [f([1, 5, E]), f([3 * E, E]), f([E, E])], b, { seed: 6 });
      // The weights returned for visualisation of the hard path carry gradients too.
      await checkOp((x, W) => multiheadAttention(x, x, x, { inProjWeight: W, inProjBias: null, outProjWeight: W, outProjBias: null, numHeads: 2 }, { hard: { kind: 'topk', k: 2 }, needWeights: true }).weights!, [f([1, 3, 4]), f([12, 4])], b, { seed: 7 });
    });

    it('top-k with k ≥ Tk is soft attention', async () => {
      const b = await nb.get();
      const [B, T, E, H] = [2, 5, 8, 2];
      const ctx = () => initContext(11, b);
      const soft = new MultiheadAttention(ctx(), E, H);
      const hard = new MultiheadAttention(ctx(), E, H, { hard: { kind: 'topk', k: T } });
      const x = fromData(randomData(B * T * E, 12), [B, T, E], 'f32', b);
      const mask = fromData([1, 1, 1, 0, 0, 1, 1, 1, 1, 1], [B, T], 'f32', b);
      const a = soft.forward(x, x, x, { keyPaddingMask: mask, causal: true, needWeights: true });
      const c = hard.forward(x, x, x, { keyPaddingMask: mask, causal: true, needWeights: true });
      assertClose(await toArray(c.out), await toArray(a.out), 1e-5, 1e-5, 'out');
      assertClose(await toArray(c.weights!), await toArray(a.weights!), 1e-6, 1e-5, 'weights');
    });

    it('attention dropout: active in training with a fresh mask per call, off in eval', async () => {
      const b = await nb.get();
      const [B, T, E, H] = [2, 6, 8, 2];
      const plain = new MultiheadAttention(initContext(21, b), E, H);
      const dropped = new MultiheadAttention(initContext(21, b), E, H, { dropout: 0.5 });
      const x = fromData(randomData(B * T * E, 22), [B, T, E], 'f32', b);
      const ref = await toArray(plain.forward(x, x, x).out);
      dropped.eval();
      assertClose(await toArray(dropped.forward(x, x, x).out), ref, 1e-6, 1e-6, 'eval');
      dropped.train();
      const t1 = await toArray(dropped.forward(x, x, x).out);
      const t2 = await toArray(dropped.forward(x, x, x).out);
      const differs = (a: ArrayLike<number>, c: ArrayLike<number>) => Array.from(a).some((y, i) => Math.abs(y - c[i]) > 1e-4);
      expect(differs(t1, ref)).toBe(true);
      expect(differs(t1, t2)).toBe(true);
      expect(() => new MultiheadAttention(initContext(0, b), E, H, { dropout: 0.1, hard: { kind: 'topk', k: 1 } })).toThrow(/soft attention only/);
    });

    it('self-attention step: 3 dispatches forward (in-projection, fused attention, out-projection), no copies for the head split/merge', async (ctx) => {
      const b = await nb.get();
      if (b.kind !== 'webgpu') ctx.skip('dispatch counts are a GPU matter');
      const [B, T, E, H] = [4, 7, 16, 4];
      const m = new MultiheadAttention(initContext(31, b), E, H);
      const x = fromData(randomData(B * T * E, 32), [B, T, E], 'f32', b);
      x.requiresGrad = true;
      const R = fromData(randomData(B * T * E, 33), [B, T, E], 'f32', b);
      if (b.kind !== 'webgpu') return;
      let fwd = 0;
      let total = 0;
      tidy(() => {
        const before = b.counters.dispatches;
        const out = m.forward(x, x, x).out;
        fwd = b.counters.dispatches - before;
        backward(sum(mul(out, R)));
        total = b.counters.dispatches - before;
      });
      console.log(`[mha dispatches] forward ${fwd}, forward + loss + backward ${total}`);
      expect(fwd).toBe(3);
      // Loss: mul, sum (2). Backward: seed, sum and mul (3); out_proj: dX, dW and its transpose
      // copy, db (4); head merge: a view (0); attention: D, dQ, dK/dV (3); head split: 3 strided
      // copies into one [B, T, 3E] gradient; in_proj: dX, dW + transpose copy, db (4).
      expect(total).toBeLessThanOrEqual(22);
    });
  });

  describe(`MultiheadAttention.forwardTorch (PyTorch's conventions) on ${nb.name}`, () => {
    it("a query whose every key is masked gives PyTorch's NaN; the others are finite", async () => {
      const b = await nb.get();
      const mha = new MultiheadAttention(initContext(3, b), 4, 2);
      const x = fromData(randomData(2 * 3 * 4, 5), [2, 3, 4], 'f32', b);
      // Query 1 of every batch may see no key (bool attn_mask row of 1s); the rest see some.
      const attnMask = fromData([0, 1, 0, 1, 1, 1, 0, 0, 0], [3, 3], 'i32', b);
      const [out, w] = mha.forwardTorch(x, x, x, { attnMask });
      const [o, wv] = [Array.from(await toArray(out)), Array.from(await toArray(w!))];
      expect(w!.shape).toEqual([2, 3, 3]);
      for (let bb = 0; bb < 2; bb++) {
        for (let q = 0; q < 3; q++) {
          const row = o.slice((bb * 3 + q) * 4, (bb * 3 + q) * 4 + 4);
          expect(row.every(Number.isNaN), `batch ${bb} query ${q}`).toBe(q === 1);
          expect(wv.slice((bb * 3 + q) * 3, (bb * 3 + q) * 3 + 3).every(Number.isNaN)).toBe(q === 1);
        }
      }
      const [, none] = mha.forwardTorch(x, x, x, { needWeights: false });
      expect(none).toBeNull();
      mha.dispose();
    });
    it('refuses what it does not support, with a message', async () => {
      const b = await nb.get();
      const mha = new MultiheadAttention(initContext(3, b), 4, 2);
      const x = fromData(randomData(2 * 3 * 4, 5), [2, 3, 4], 'f32', b);
      const kpmFloat = fromData([0, -1, 0, 0, 0, 0], [2, 3], 'f32', b);
      const attn = fromData([0, 1, 0, 0, 0, 0, 0, 0, 0], [3, 3], 'i32', b);
      expect(() => mha.forwardTorch(x, x, x, { keyPaddingMask: kpmFloat, attnMask: attn })).toThrow(/float key_padding_mask with an attn_mask is not supported/);
      expect(() => mha.forwardTorch(x, x, x, { attnMask: fromData([0, 0], [1, 2], 'i32', b) })).toThrow(/attn_mask must be \[3, 3\] or \[4, 3, 3\]/);
      expect(() => mha.forwardTorch(x, x, x, { keyPaddingMask: fromData([0, 0], [1, 2], 'i32', b) })).toThrow(/key_padding_mask must be \[2, 3\]/);
      const hard = new MultiheadAttention(initContext(3, b), 4, 2, { hard: { kind: 'topk', k: 1 } });
      expect(() => hard.forwardTorch(x, x, x)).toThrow(/soft attention only/);
      for (const m of [mha, hard]) m.dispose();
    });
    it('kdim/vdim: PyTorch\'s separate projection parameters, names, shapes and init bounds', async () => {
      const b = await nb.get();
      const mha = new MultiheadAttention(initContext(3, b), 8, 2, { kdim: 6, vdim: 5 });
      // PyTorch's named_parameters() order for _qkv_same_embed_dim = False.
      expect(mha.namedParameters().map(([n, p]) => `${n} ${p.shape.join('x')}`)).toEqual([
        'q_proj_weight 8x8', 'k_proj_weight 8x6', 'v_proj_weight 8x5', 'in_proj_bias 24', 'out_proj.weight 8x8', 'out_proj.bias 8',
      ]);
      const k = Array.from(await toArray(mha.k_proj_weight!));
      expect(Math.max(...k.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / (8 + 6)));
      const q = fromData(randomData(2 * 3 * 8, 1), [2, 3, 8], 'f32', b);
      const key = fromData(randomData(2 * 4 * 6, 2), [2, 4, 6], 'f32', b);
      const value = fromData(randomData(2 * 4 * 5, 3), [2, 4, 5], 'f32', b);
      expect(mha.forward(q, key, value).out.shape).toEqual([2, 3, 8]);
      expect(() => mha.forward(q, value, value)).toThrow(/\[B, T, 6\]/);
      mha.dispose();
    });
  });

  describe(`RNN decoder attention on ${nb.name}`, () => {
    const [B, Tq, Tk, Dq, Dk, A] = [2, 3, 4, 5, 6, 7];
    const mask = maskSpec([[1, 1, 0, 0], [1, 1, 1, 1]]);
    const both = (r: { context: Tensor; weights: Tensor }) => concat([r.context, r.weights], 2);

    it('additive (Bahdanau): gradients to the queries, keys and W_s, W_h, v; soft and hard', async () => {
      const b = await nb.get();
      for (const hard of [null, { kind: 'topk', k: 2 } as HardAttentionRule]) {
        await checkOp(
          (q, keys, Ws, Wh, v, m) => both(attendOver(additiveScores(q, linear(keys, Wh), Ws, v), keys, { keyPaddingMask: m, hard })),
          [f([B, Tq, Dq]), f([B, Tk, Dk]), f([A, Dq]), f([A, Dk]), f([1, A]), mask],
          b,
          { seed: hard ? 2 : 1 },
        );
      }
    });

    it('Luong dot and general: gradients, with padding, soft and hard (threshold)', async () => {
      const b = await nb.get();
      await checkOp((q, keys, m) => both(attendOver(luongScores(q, keys, null), keys, { keyPaddingMask: m })), [f([B, Tq, Dk]), f([B, Tk, Dk]), mask], b, { seed: 3 });
      await checkOp(
        (q, keys, W, m) => both(attendOver(luongScores(q, keys, W), keys, { keyPaddingMask: m, hard: { kind: 'threshold', tau: 0.3 } })),
        [f([B, Tq, Dq]), f([B, Tk, Dk]), f([Dk, Dq]), mask],
        b,
        { seed: 4 },
      );
      // Separate values: the context averages them, not the keys.
      await checkOp((q, keys, vals) => attendOver(luongScores(q, keys, null), vals).context, [f([1, 2, 3]), f([1, 5, 3]), f([1, 5, 2])], b, { seed: 5 });
    });

    it('modules: one decoder step equals the teacher-forced sequence form; weights [B, Tk] sum to 1 and are 0 at padding; match the written-out math', async () => {
      const b = await nb.get();
      const qd = randomData(B * Tq * Dq, 41);
      const kd = randomData(B * Tk * Dk, 42);
      const md = [1, 1, 1, 0, 1, 1, 1, 1];
      const q = fromData(qd, [B, Tq, Dq], 'f32', b);
      const keys = fromData(kd, [B, Tk, Dk], 'f32', b);
      const m = fromData(md, [B, Tk], 'f32', b);
      const mods = [
        rnnAttention(initContext(1, b), 'additive', Dq, Dk, { attnDim: A }),
        rnnAttention(initContext(2, b), 'general', Dq, Dk),
        new LuongAttention(initContext(3, b), Dk, Dk, 'dot'),
      ];
      expect(mods[0].namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
        ['linear_query.weight', [A, Dq]],
        ['linear_context.weight', [A, Dk]],
        ['v.weight', [1, A]],
      ]);
      expect(mods[1].namedParameters().map(([n]) => n)).toEqual(['linear_in.weight']);
      expect(mods[2].namedParameters()).toEqual([]);
      expect(() => new LuongAttention(initContext(3, b), Dq, Dk, 'dot')).toThrow(/equal/);
      for (const mod of mods) {
        const dq = mod === mods[2] ? Dk : Dq;
        const qq = mod === mods[2] ? fromData(randomData(B * Tq * Dk, 43), [B, Tq, Dk], 'f32', b) : q;
        const pk = mod instanceof AdditiveAttention ? mod.projectKeys(keys) : null;
        const seq = mod.forwardSequence(qq, keys, { keyPaddingMask: m });
        const seqW = await toArray(seq.weights);
        const seqC = await toArray(seq.context);
        const qv = Array.from(await toArray(qq));
        // The written-out scores.
        const params = await Promise.all(mod.namedParameters().map(async ([, p]) => Array.from(await toArray(p))));
        for (let t = 0; t < Tq; t++) {
          const step = mod.forward(qq.view([B, dq], [Tq * dq, 1], t * dq), keys, { keyPaddingMask: m, projectedKeys: pk });
          expect(step.weights.shape).toEqual([B, Tk]);
          expect(step.context.shape).toEqual([B, Dk]);
          const w = await toArray(step.weights);
          const c = await toArray(step.context);
          for (let bb = 0; bb < B; bb++) {
            const row = Array.from(w.subarray(bb * Tk, (bb + 1) * Tk));
            assertClose(row, Array.from(seqW.subarray((bb * Tq + t) * Tk, (bb * Tq + t + 1) * Tk)), 1e-6, 1e-5, 'step weights = sequence weights');
            assertClose(c.subarray(bb * Dk, (bb + 1) * Dk), Array.from(seqC.subarray((bb * Tq + t) * Dk, (bb * Tq + t + 1) * Dk)), 1e-6, 1e-5, 'step context');
            expect(row.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
            row.forEach((x, j) => md[bb * Tk + j] === 0 && expect(x).toBe(0));
            const s = qv.slice((bb * Tq + t) * dq, (bb * Tq + t + 1) * dq);
            const scores = Array.from({ length: Tk }, (_, j) => {
              if (md[bb * Tk + j] === 0) return -Infinity;
              const h = kd.slice((bb * Tk + j) * Dk, (bb * Tk + j + 1) * Dk);
              if (mod instanceof AdditiveAttention) {
                const [Ws, Wh, v] = params;
                let e = 0;
                for (let a = 0; a < A; a++) {
                  let pre = 0;
                  for (let i = 0; i < Dq; i++) pre += Ws[a * Dq + i] * s[i];
                  for (let i = 0; i < Dk; i++) pre += Wh[a * Dk + i] * h[i];
                  e += v[a] * Math.tanh(pre);
                }
                return e;
              }
              if (params.length === 0) return s.reduce((a, x, i) => a + x * h[i], 0);
              // general: sᵀ W h with W = linear_inᵀ, i.e. Σ_o h_o Σ_i W_in[o, i] s_i.
              let e = 0;
              for (let o = 0; o < Dk; o++) for (let i = 0; i < Dq; i++) e += h[o] * params[0][o * Dq + i] * s[i];
              return e;
            });
            assertClose(row, softmaxVisible(scores), 1e-6, 1e-5, `${mod.constructor.name} weights vs the written-out scores`);
          }
        }
        mod.dispose();
      }
    });
  });
}
