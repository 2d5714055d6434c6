// What every cell shares: the nn.LSTM calling convention (shapes, state, batchFirst), padding
// semantics, BPTT gradients against finite differences through 2 bidirectional layers with
// padding, one fused dispatch per step, and memory that does not grow.
import { describe, expect, it } from 'vitest';
import {
  backward,
  concat,
  fromData,
  initContext,
  memoryOf,
  mul,
  noGrad,
  reshape,
  sum,
  tidy,
  toArray,
  toNumbers,
  type Backend,
} from '../../engine';
import { cpu64, testBackends } from '../../engine/testing/backends';
import { checkOp, randomData, type InputSpec } from '../../engine/testing/check';
import { dropout } from '../../engine/ops/dropout';
import { CELLS, CELL_KINDS, type CellKind, type CellOptions } from './index';
import { layerDropoutSeed } from './rnn-base';

const B = 2;
const T = 3;
const I = 3;
const H = 4;

/** Per-cell BPTT check: inputs are x, every parameter (by name), and the initial state. */
async function checkGradients(kind: CellKind, backend: Backend, extra: Partial<CellOptions>, lengths: number[] | undefined, seed: number): Promise<void> {
  const opts: CellOptions = { inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, ...extra };
  const ref = new CELLS[kind](initContext(seed, cpu64), opts);
  const named = ref.namedParameters();
  const LD = ref.numLayers * ref.numDirections;
  const stateShape = [LD, B, H];
  const xShape = opts.batchFirst === false ? [T, B, I] : [B, T, I];
  const specs: InputSpec[] = [
    { shape: xShape },
    ...named.map(([, p]) => ({ shape: [...p.shape], data: toNumbers(p) })),
    { shape: stateShape, data: randomData(LD * B * H, seed + 5, 0.5) },
    ...(ref.hasCellState ? [{ shape: stateShape, data: randomData(LD * B * H, seed + 6, 0.5) }] : []),
  ];
  ref.dispose();
  await checkOp(
    (x, ...rest) => {
      const params = Object.fromEntries(named.map(([n], i) => [n, rest[i]]));
      const [h0, c0] = rest.slice(named.length);
      const m = new CELLS[kind](initContext(0, x.backend), { ...opts, parameters: params });
      const r = m.forward(x, { h: h0, c: c0 }, { lengths });
      const flat = [r.output, r.state.h, ...(r.state.c ? [r.state.c] : [])].map((t) => reshape(t, [-1]));
      return concat(flat, 0);
    },
    specs,
    backend,
    { seed },
  );
}

/** Row b of a [B, T, ·] array, first `len` steps. */
function rowPrefix(data: number[], b: number, len: number, Tn: number, n: number): number[] {
  return data.slice(b * Tn * n, b * Tn * n + len * n);
}

for (const nb of testBackends()) {
  describe(`recurrent cells (shared behaviour) on ${nb.name}`, () => {
    for (const kind of CELL_KINDS) {
      it(`${kind}: BPTT gradients (x, every parameter, h0/c0) vs finite differences: 2 bidirectional layers, padding`, async () => {
        const b = await nb.get();
        await checkGradients(kind, b, {}, [3, 1], 11);
      });
    }
    it('lstm and gru, time-major (batchFirst = false), no padding: gradients', async () => {
      const b = await nb.get();
      await checkGradients('lstm', b, { batchFirst: false, numLayers: 1 }, undefined, 12);
      await checkGradients('gru', b, { batchFirst: false }, [2, 3], 13);
    });

    it('every cell: the same constructor and call; output and state shapes; c only with a cell state', async () => {
      const b = await nb.get();
      const x = fromData(randomData(2 * 5 * 3, 1), [2, 5, 3], 'f32', b);
      for (const kind of CELL_KINDS) {
        const rnn = new CELLS[kind](initContext(1, b), { inputSize: 3, hiddenSize: 6, numLayers: 3, bidirectional: true });
        const { output, state } = tidy(() => rnn.forward(x, undefined, { lengths: [5, 2] }));
        expect(output.shape, kind).toEqual([2, 5, 12]);
        expect(state.h.shape, kind).toEqual([6, 2, 6]);
        expect(!!state.c, kind).toBe(kind === 'lstm');
        expect(rnn.hasCellState).toBe(kind === 'lstm');
        // The state feeds the next call unchanged (an encoder's final state initialising a decoder).
        const again = tidy(() => rnn.forward(x, state));
        expect(again.output.shape).toEqual([2, 5, 12]);
        for (const t of [output, state.h, state.c, again.output, again.state.h, again.state.c]) t?.dispose();
        expect(rnn.namedParameters().map(([n]) => n).slice(0, 2)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
        expect(rnn.namedParameters().some(([n]) => n === 'weight_ih_l2_reverse')).toBe(true);
        rnn.dispose();
      }
    });

    it('every cell: dropout between layers in training (PyTorch\'s dropout), none in eval; proj_size refused', async () => {
      const b = await nb.get();
      const [Bn, Tn, In, Hn, p, seed] = [2, 4, 3, 5, 0.4, 123];
      const data = randomData(Bn * Tn * In, 8);
      for (const kind of CELL_KINDS) {
        const opts = { inputSize: In, hiddenSize: Hn, numLayers: 2, bidirectional: true, dropout: p };
        const m = new CELLS[kind](initContext(9, b), opts);
        const named = Object.fromEntries(m.namedParameters());
        const layer = (l: number) =>
          Object.fromEntries(Object.entries(named).filter(([n]) => n.includes(`_l${l}`)).map(([n, t]) => [n.replace(`_l${l}`, '_l0'), t]));
        const first = new CELLS[kind](initContext(0, b), { inputSize: In, hiddenSize: Hn, bidirectional: true, parameters: layer(0) });
        const second = new CELLS[kind](initContext(0, b), { inputSize: 2 * Hn, hiddenSize: Hn, bidirectional: true, parameters: layer(1) });
        const [got, want, evalOut, plain] = noGrad(() => {
          const x = fromData(data, [Bn, Tn, In], 'f32', b);
          const got = m.forward(x, undefined, { seed }).output;
          const between = dropout(first.forward(x).output, p, true, layerDropoutSeed(seed, 0));
          const want = second.forward(between).output;
          m.train(false);
          const evalOut = m.forward(x, undefined, { seed }).output;
          m.train(true);
          const plain = second.forward(first.forward(x).output).output;
          return [got, want, evalOut, plain];
        });
        const [g, w, e, pl] = [await toArray(got), await toArray(want), await toArray(evalOut), await toArray(plain)];
        expect(Array.from(g), kind).toEqual(Array.from(w));
        expect(Array.from(e), kind).toEqual(Array.from(pl));
        expect(Array.from(g), kind).not.toEqual(Array.from(pl));
        for (const t of [got, want, evalOut, plain]) t.dispose();
        m.dispose();
      }
      expect(() => new CELLS.lstm(initContext(0, b), { inputSize: 2, hiddenSize: 3, projSize: 2 })).toThrow(/proj_size .* is not supported/);
      expect(() => new CELLS.gru(initContext(0, b), { inputSize: 2, hiddenSize: 3, dropout: 1.5 })).toThrow(/dropout must be a probability/);
    });

    it('BPTT through dropout between layers matches finite differences (a fixed mask)', async () => {
      const b = await nb.get();
      await checkGradients('gru', b, { dropout: 0.3 }, [3, 2], 14);
    });

    it('every cell: batchFirst = false gives the transposed batch-first result', async () => {
      const b = await nb.get();
      const [Bn, Tn, In, Hn] = [2, 4, 3, 5];
      const data = randomData(Bn * Tn * In, 3);
      const tm = new Array<number>(data.length);
      for (let bb = 0; bb < Bn; bb++) for (let t = 0; t < Tn; t++) for (let i = 0; i < In; i++) tm[(t * Bn + bb) * In + i] = data[(bb * Tn + t) * In + i];
      for (const kind of CELL_KINDS) {
        const opts = { inputSize: In, hiddenSize: Hn, numLayers: 2, bidirectional: true };
        const bf = new CELLS[kind](initContext(4, b), opts);
        const params = Object.fromEntries(bf.namedParameters());
        const tf = new CELLS[kind](initContext(4, b), { ...opts, batchFirst: false, parameters: params });
        const r1 = noGrad(() => bf.forward(fromData(data, [Bn, Tn, In], 'f32', b), undefined, { lengths: [4, 3] }));
        const r2 = noGrad(() => tf.forward(fromData(tm, [Tn, Bn, In], 'f32', b), undefined, { lengths: [4, 3] }));
        expect(r2.output.shape).toEqual([Tn, Bn, 2 * Hn]);
        const o1 = await toArray(r1.output);
        const o2 = await toArray(r2.output);
        for (let bb = 0; bb < Bn; bb++) {
          for (let t = 0; t < Tn; t++) {
            for (let j = 0; j < 2 * Hn; j++) expect(o2[(t * Bn + bb) * 2 * Hn + j], kind).toBeCloseTo(o1[(bb * Tn + t) * 2 * Hn + j], 5);
          }
        }
        const [h1, h2] = [await toArray(r1.state.h), await toArray(r2.state.h)];
        h1.forEach((v, i) => expect(h2[i]).toBeCloseTo(v, 5));
        bf.dispose();
      }
    });

    it('every cell: a padded row gives what its unpadded sequence gives alone (outputs 0 after its end, state at its last real token, reverse starting there)', async () => {
      const b = await nb.get();
      const [Bn, Tn, In, Hn] = [3, 4, 3, 5];
      const lengths = [4, 2, 1];
      const xd = randomData(Bn * Tn * In, 21);
      const opts = { inputSize: In, hiddenSize: Hn, numLayers: 2, bidirectional: true };
      const LD = 4;
      const hd = randomData(LD * Bn * Hn, 22, 0.5);
      const cd = randomData(LD * Bn * Hn, 23, 0.5);
      /** Rows of a [LD, B, H] array for batch row bb. */
      const stateRow = (d: number[], bb: number) => Array.from({ length: LD }, (_, k) => d.slice((k * Bn + bb) * Hn, (k * Bn + bb + 1) * Hn)).flat();
      for (const kind of CELL_KINDS) {
        const rnn = new CELLS[kind](initContext(5, b), opts);
        const state = (d: number[], c: number[], n: number) => ({ h: fromData(d, [LD, n, Hn], 'f32', b), c: fromData(c, [LD, n, Hn], 'f32', b) });
        const full = noGrad(() => rnn.forward(fromData(xd, [Bn, Tn, In], 'f32', b), state(hd, cd, Bn), { lengths }));
        const out = await toArray(full.output);
        const hN = await toArray(full.state.h);
        const cN = full.state.c ? await toArray(full.state.c) : null;
        for (let bb = 0; bb < Bn; bb++) {
          const len = lengths[bb];
          const alone = noGrad(() => rnn.forward(fromData(rowPrefix(xd, bb, len, Tn, In), [1, len, In], 'f32', b), state(stateRow(hd, bb), stateRow(cd, bb), 1)));
          const o = await toArray(alone.output);
          for (let t = 0; t < Tn; t++) {
            for (let j = 0; j < 2 * Hn; j++) {
              const got = out[(bb * Tn + t) * 2 * Hn + j];
              if (t < len) expect(got, `${kind} row ${bb} t ${t}`).toBeCloseTo(o[t * 2 * Hn + j], 5);
              else expect(got, `${kind} padding row ${bb} t ${t}`).toBe(0);
            }
          }
          const h = await toArray(alone.state.h);
          for (let k = 0; k < LD; k++) for (let j = 0; j < Hn; j++) expect(hN[(k * Bn + bb) * Hn + j], `${kind} h_n`).toBeCloseTo(h[k * Hn + j], 5);
          if (cN) {
            const c = await toArray(alone.state.c!);
            for (let k = 0; k < LD; k++) for (let j = 0; j < Hn; j++) expect(cN[(k * Bn + bb) * Hn + j]).toBeCloseTo(c[k * Hn + j], 5);
          }
        }
        rnn.dispose();
      }
    });

    it('training steps and inference keep live memory flat', async () => {
      const b = await nb.get();
      for (const kind of CELL_KINDS) {
        const rnn = new CELLS[kind](initContext(6, b), { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true });
        const x = fromData(randomData(2 * 4 * 3, 7), [2, 4, 3], 'f32', b);
        const R = fromData(randomData(2 * 4 * 10, 8), [2, 4, 10], 'f32', b);
        const live: number[] = [];
        for (let step = 0; step < 4; step++) {
          const loss = tidy(() => {
            const { output } = rnn.forward(x, undefined, { lengths: [4, 2] });
            const l = sum(mul(output, R));
            backward(l);
            return l;
          });
          await toArray(loss);
          loss.dispose();
          for (const p of rnn.parameters()) {
            p.grad?.dispose();
            p.grad = null;
          }
          live.push(memoryOf(b).liveBytes);
        }
        expect(new Set(live).size, `${kind}: live bytes ${live.join(', ')}`).toBe(1);
        // Inference outside tidy frees everything but what it returns.
        const before = memoryOf(b).liveBytes;
        const r = noGrad(() => rnn.forward(x, undefined, { lengths: [3, 4] }));
        await toArray(r.output);
        r.output.dispose();
        r.state.h.dispose();
        r.state.c?.dispose();
        expect(memoryOf(b).liveBytes, `${kind}: inference leaks`).toBe(before);
        x.dispose();
        R.dispose();
        rnn.dispose();
      }
    });

    it('GPU schedule: one fused dispatch per step beside the recurrent matmul; IndRNNv2 one per direction', async () => {
      const b = await nb.get();
      if (b.kind !== 'webgpu') return;
      const dispatches = (kind: CellKind, Tn: number) => {
        const rnn = new CELLS[kind](initContext(9, b), { inputSize: 3, hiddenSize: 8, numLayers: 2, bidirectional: true });
        const x = fromData(randomData(2 * Tn * 3, 1), [2, Tn, 3], 'f32', b);
        const before = b.counters.dispatches;
        const r = noGrad(() => rnn.forward(x, undefined, { lengths: [Tn, 2] }));
        const n = b.counters.dispatches - before;
        for (const t of [x, r.output, r.state.h, r.state.c]) t?.dispose();
        rnn.dispose();
        return n;
      };
      // 2 more steps × 2 directions × 2 layers: 8 steps, each one matmul and one cell kernel.
      for (const kind of ['lstm', 'gru', 'janet', 'indrnn'] as const) expect(dispatches(kind, 7) - dispatches(kind, 5), kind).toBe(8 * 2);
      expect(dispatches('indrnn2', 7) - dispatches('indrnn2', 5)).toBe(0);
    });
  });
}
