// The RNN encoder–decoder with attention: shapes and names, padding invariance (logits, encoder
// final state and bridge do not see PAD columns or longer neighbours), beam-search row gathering,
// every cell × scoring forward + backward, gradients of the whole model against finite
// differences (teacher-forced and with its own predictions fed back), and a short training run
// on the `reverse` task.
import { describe, expect, it } from 'vitest';
import {
  Adam,
  backward,
  copyInto,
  crossEntropy,
  fromData,
  GpuBackend,
  initContext,
  memoryOf,
  noGrad,
  reshape,
  Tensor,
  tidy,
  toArray,
  toFloat32,
  toNumbers,
  zeroGrad,
  type Backend,
} from '../engine';
import { cpuArray } from '../engine/storage';
import { cpu64, testBackends } from '../engine/testing/backends';
import { assertClose } from '../engine/testing/check';
import { TASKS } from '../data/tasks';
import { Tokenizer } from '../data/tokenizer';
// The model tests batch exactly as the trainer does; only this test reaches into src/train.
// eslint-disable-next-line no-restricted-imports
import { BOS, IGNORE_INDEX, makeBatch, PAD, type EncodedPair, type HostBatch } from '../train/batches';
import { CELL_KINDS, type CellKind } from './cells';
import { RnnSeq2Seq, teacherForcingCoins, type RnnSeq2SeqConfig } from './rnn-seq2seq';
import type { SourceBatch } from './seq2seq';

const SCORINGS = ['additive', 'dot', 'general'] as const;

function config(over: Partial<RnnSeq2SeqConfig> = {}): RnnSeq2SeqConfig {
  return { srcVocab: 9, tgtVocab: 8, cell: 'lstm', layers: 1, hidden: 6, embed: 5, bidirectional: true, scoring: 'general', dropout: 0, hard: null, maxLen: 16, ...over };
}

function source(hb: HostBatch, b: Backend): SourceBatch {
  return {
    src: fromData(hb.src, [hb.size, hb.srcLen], 'i32', b),
    srcMask: fromData(hb.srcMask, [hb.size, hb.srcLen], 'f32', b),
    srcLengths: hb.srcLengths,
  };
}

/** The batch with `extra` more PAD columns on both sides (what a longer neighbour would add). */
function widen(hb: HostBatch, extraSrc: number, extraTgt: number): HostBatch {
  const pad = <A extends Int32Array | Float32Array>(a: A, rows: number, w: number, extra: number, fill: number, make: (n: number) => A): A => {
    const out = make(rows * (w + extra));
    out.fill(fill);
    for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) out[r * (w + extra) + j] = a[r * w + j];
    return out;
  };
  const I = (n: number) => new Int32Array(n);
  return {
    ...hb,
    srcLen: hb.srcLen + extraSrc,
    tgtLen: hb.tgtLen + extraTgt,
    src: pad(hb.src, hb.size, hb.srcLen, extraSrc, PAD, I),
    srcMask: pad(hb.srcMask, hb.size, hb.srcLen, extraSrc, 0, (n) => new Float32Array(n)),
    tgtIn: pad(hb.tgtIn, hb.size, hb.tgtLen, extraTgt, PAD, I),
    tgtOut: pad(hb.tgtOut, hb.size, hb.tgtLen, extraTgt, IGNORE_INDEX, I),
  };
}

/** Random pairs over ids 4.. (0–3 are PAD, BOS, EOS, UNK). */
function randomPairs(count: number, srcVocab: number, tgtVocab: number, seed: number, lens: [number, number][]): EncodedPair[] {
  let s = seed;
  const next = (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return 4 + ((s >>> 8) % (n - 4));
  };
  return Array.from({ length: count }, (_, i) => {
    const [ls, lt] = lens[i % lens.length];
    return { src: Array.from({ length: ls }, () => next(srcVocab)), tgt: Array.from({ length: lt }, () => next(tgtVocab)) };
  });
}

/** Teacher-forced (or mixed) token-mean cross-entropy of a batch. */
function batchLoss(model: RnnSeq2Seq, hb: HostBatch, b: Backend, opts: { teacherForcing?: number; seed?: number } = {}): Tensor {
  const enc = model.encode(source(hb, b), { seed: opts.seed });
  const tgtIn = fromData(hb.tgtIn, [hb.size, hb.tgtLen], 'i32', b);
  const { logits } = model.decode(enc, tgtIn, opts);
  const tgtOut = fromData(hb.tgtOut, [hb.size * hb.tgtLen], 'i32', b);
  return crossEntropy(reshape(logits, [-1, model.tgtVocab]), tgtOut, { ignoreIndex: IGNORE_INDEX });
}

interface Run {
  logits: Float32Array;
  encoderH: Float32Array;
  h0: Float32Array;
  c0: Float32Array | null;
  weights: Float32Array;
  shapes: { logits: number[]; encoderH: number[]; h0: number[]; weights: number[] };
}

async function run(model: RnnSeq2Seq, hb: HostBatch, b: Backend, rows?: number[], tgtRows?: HostBatch): Promise<Run> {
  const t = tgtRows ?? hb;
  const n = t.size;
  const out = tidy(() =>
    noGrad(() => {
      const enc = model.encode(source(hb, b));
      const tgtIn = fromData(t.tgtIn, [n, t.tgtLen], 'i32', b);
      const d = model.decode(enc, tgtIn, { needWeights: true, rows });
      return { logits: d.logits, encoderH: enc.encoderH, h0: enc.h0, c0: enc.c0, weights: d.attention[0].weights };
    }),
  );
  const r: Run = {
    logits: await toFloat32(out.logits),
    encoderH: await toFloat32(out.encoderH),
    h0: await toFloat32(out.h0),
    c0: out.c0 ? await toFloat32(out.c0) : null,
    weights: await toFloat32(out.weights),
    shapes: { logits: [...out.logits.shape], encoderH: [...out.encoderH.shape], h0: [...out.h0.shape], weights: [...out.weights.shape] },
  };
  for (const x of [out.logits, out.encoderH, out.h0, out.c0, out.weights]) x?.dispose();
  return r;
}

/** Elements [b, 0..len) of a row-major [B, T, n] array. */
const prefix = (a: Float32Array, b: number, T: number, n: number, len: number) => Array.from(a.subarray(b * T * n, b * T * n + len * n));
/** Column b of a [K, B, n] array (a state), as K·n values. */
const stateOf = (a: Float32Array, b: number, B: number, n: number) => {
  const K = a.length / (B * n);
  return Array.from({ length: K }, (_, k) => Array.from(a.subarray((k * B + b) * n, (k * B + b + 1) * n))).flat();
};

for (const nb of testBackends()) {
  const tol = nb.name === 'cpu' ? 1e-5 : 2e-4;

  describe(`RnnSeq2Seq on ${nb.name}`, () => {
    it('parameter names (PyTorch-like, bridge_c only for LSTM, encoder_proj only when directions do not add up to H); shapes of every output', async () => {
      const b = await nb.get();
      const names = (c: Partial<RnnSeq2SeqConfig>) => {
        const m = new RnnSeq2Seq(initContext(1, b), config(c));
        const n = m.namedParameters().map(([k]) => k);
        m.dispose();
        return n;
      };
      expect(names({ cell: 'lstm', scoring: 'additive' })).toEqual([
        'src_embedding.weight',
        ...['', '_reverse'].flatMap((r) => ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((s) => `encoder.${s}_l0${r}`)),
        'bridge_h.weight',
        'bridge_h.bias',
        'bridge_c.weight',
        'bridge_c.bias',
        'tgt_embedding.weight',
        ...['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((s) => `decoder.${s}_l0`),
        'attention.linear_query.weight',
        'attention.linear_context.weight',
        'attention.v.weight',
        'combine.weight',
        'generator.weight',
        'generator.bias',
      ]);
      const gru = names({ cell: 'gru', scoring: 'dot', bidirectional: false, layers: 2 });
      expect(gru.filter((n) => n.startsWith('bridge'))).toEqual(['bridge_h.weight', 'bridge_h.bias']);
      expect(gru.filter((n) => n.startsWith('attention'))).toEqual([]);
      expect(gru).toContain('decoder.weight_hh_l1');
      expect(names({ hidden: 5 })).toContain('encoder_proj.weight');
      expect(names({ hidden: 6 })).not.toContain('encoder_proj.weight');

      // Shapes: B = 3 sources, L = 2 layers, odd H = 5 bidirectional (He = 3, projected to 5).
      const cfg = config({ layers: 2, hidden: 5 });
      const model = new RnnSeq2Seq(initContext(2, b), cfg);
      model.eval();
      const hb = makeBatch(randomPairs(3, 9, 8, 3, [[2, 3], [4, 1], [3, 5]]), [0, 1, 2]);
      const r = await run(model, hb, b);
      expect(r.shapes).toEqual({ logits: [3, hb.tgtLen, 8], encoderH: [4, 3, 3], h0: [2, 3, 5], weights: [3, 1, hb.tgtLen, hb.srcLen] });
      expect(r.c0).not.toBeNull();
      // Attention rows sum to 1 over the real source tokens and are 0 on padding.
      for (let i = 0; i < 3; i++) {
        for (let t = 0; t < hb.tgtLen; t++) {
          const w = Array.from(r.weights.subarray((i * hb.tgtLen + t) * hb.srcLen, (i * hb.tgtLen + t + 1) * hb.srcLen));
          expect(w.slice(hb.srcLengths[i]).every((x) => x === 0)).toBe(true);
          expect(w.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
        }
      }
      model.dispose();
    });

    for (const [cell, scoring] of [['lstm', 'additive'], ['indrnn2', 'dot'], ['gru', 'general']] as const) {
      it(`${cell}/${scoring}: padding invariance: logits, encoder final state and bridge are unchanged by PAD columns and by longer neighbours`, async () => {
        const b = await nb.get();
        const model = new RnnSeq2Seq(initContext(4, b), config({ cell, scoring, layers: 2 }));
        model.eval();
        const pairs = randomPairs(4, 9, 8, 5, [[2, 2], [6, 5], [1, 1], [4, 3]]);
        const alone = makeBatch(pairs, [0]);
        const mixed = makeBatch(pairs, [1, 0, 2, 3]);
        const ra = await run(model, alone, b);
        const rp = await run(model, widen(alone, 3, 2), b);
        const rm = await run(model, mixed, b);
        const V = 8;
        const H = 6;
        const len = alone.tgtLen;
        for (const [r, row, T, B] of [[rp, 0, alone.tgtLen + 2, 1], [rm, 1, mixed.tgtLen, 4]] as const) {
          assertClose(prefix(r.logits, row, T, V, len), prefix(ra.logits, 0, alone.tgtLen, V, len), tol, tol, `${cell} logits`);
          assertClose(stateOf(r.encoderH, row, B, 3), Array.from(ra.encoderH), tol, tol, `${cell} encoder final state`);
          assertClose(stateOf(r.h0, row, B, H), Array.from(ra.h0), tol, tol, `${cell} bridged h0`);
        }
        // The padded run really differs from a run without lengths: padding is not a no-op by accident.
        const unmasked = tidy(() =>
          noGrad(() => {
            const wide = widen(alone, 3, 0);
            const s = source(wide, b);
            const { state } = model.encoder.forward(model.src_embedding.forward(s.src));
            return state.h;
          }),
        );
        const h = await toFloat32(unmasked);
        unmasked.dispose();
        expect(Math.max(...Array.from(h).map((x, i) => Math.abs(x - ra.encoderH[i])))).toBeGreaterThan(1e-3);
        model.dispose();
      });
    }

    it('rows: decoding hypotheses against gathered sources equals decoding the repeated batch (LSTM h0/c0, additive keys)', async () => {
      const b = await nb.get();
      const model = new RnnSeq2Seq(initContext(6, b), config({ cell: 'lstm', scoring: 'additive', layers: 2 }));
      model.eval();
      const pairs = randomPairs(3, 9, 8, 7, [[3, 4], [5, 2], [2, 3]]);
      const rows = [2, 0, 2, 1, 0];
      const targets = makeBatch(randomPairs(5, 9, 8, 8, [[1, 3]]), [0, 1, 2, 3, 4]);
      const gathered = await run(model, makeBatch(pairs, [0, 1, 2]), b, rows, targets);
      const repeated = await run(model, makeBatch(pairs, rows), b, undefined, targets);
      assertClose(gathered.logits, repeated.logits, tol, tol, 'logits');
      assertClose(gathered.weights, repeated.weights, tol, tol, 'attention weights');
      expect(gathered.shapes.logits).toEqual([5, targets.tgtLen, 8]);
      model.dispose();
    });

    it('every cell × every scoring (and hard top-k): forward + backward give a finite loss and a gradient for every parameter', async () => {
      const b = await nb.get();
      const hb = makeBatch(randomPairs(2, 9, 8, 9, [[3, 2], [2, 3]]), [0, 1]);
      const combos: [CellKind, (typeof SCORINGS)[number], boolean][] = [];
      for (const cell of CELL_KINDS) for (const scoring of SCORINGS) combos.push([cell, scoring, false]);
      combos.push(['gru', 'general', true]);
      for (const [cell, scoring, hard] of combos) {
        const model = new RnnSeq2Seq(initContext(10, b), config({ cell, scoring, dropout: 0.1, hidden: 4, hard: hard ? { kind: 'topk', k: 2 } : null }));
        const params = model.namedParameters();
        const loss = tidy(() => {
          const l = batchLoss(model, hb, b, { seed: 3, teacherForcing: 0.5 });
          backward(l);
          return l;
        });
        const what = `${cell}/${scoring}${hard ? '/hard' : ''}`;
        expect(Number.isFinite((await toFloat32(loss))[0]), `${what}: loss`).toBe(true);
        loss.dispose();
        for (const [name, p] of params) {
          expect(p.grad, `${what}: ${name} has a gradient`).toBeTruthy();
          const g = await toFloat32(p.grad!);
          expect(g.every(Number.isFinite), `${what}: ${name} gradient is finite`).toBe(true);
          expect(g.some((x) => x !== 0), `${what}: ${name} gradient is not all zero`).toBe(true);
        }
        model.dispose();
      }
    });

    it('memory: training steps (mixed teacher forcing) keep live bytes flat; an Encoded holds all it allocates and frees the rest', async () => {
      const b = await nb.get();
      const model = new RnnSeq2Seq(initContext(16, b), config({ cell: 'lstm', scoring: 'additive', layers: 2, hidden: 5, dropout: 0.2 }));
      const hb = makeBatch(randomPairs(3, 9, 8, 17, [[3, 4], [2, 2], [4, 3]]), [0, 1, 2]);
      const live: number[] = [];
      for (let step = 0; step < 4; step++) {
        const l = tidy(() => {
          const loss = batchLoss(model, hb, b, { seed: step, teacherForcing: 0.5 });
          backward(loss);
          return loss;
        });
        await toFloat32(l);
        l.dispose();
        for (const p of model.parameters()) {
          p.grad?.dispose();
          p.grad = null;
        }
        live.push(memoryOf(b).liveBytes);
      }
      expect(new Set(live).size, `live bytes ${live.join(', ')}`).toBe(1);

      model.eval();
      const src = source(hb, b);
      const before = memoryOf(b).liveBytes;
      const enc = tidy(() => noGrad(() => model.encode(src)));
      const logits = tidy(() => noGrad(() => model.decode(enc, fromData(hb.tgtIn, [3, hb.tgtLen], 'i32', b), { rows: [2, 2, 0] }).logits));
      await toFloat32(logits);
      logits.dispose();
      for (const v of Object.values(enc)) if (v instanceof Tensor) v.dispose();
      expect(memoryOf(b).liveBytes).toBe(before);
      expect(src.srcMask.isDisposed, 'the caller keeps its mask').toBe(false);
      src.src.dispose();
      src.srcMask.dispose();
      model.dispose();
    });

    it('afterOptimizerStep clamps IndRNN recurrent weights into their bound, in the encoder and the decoder', async () => {
      const b = await nb.get();
      const model = new RnnSeq2Seq(initContext(11, b), config({ cell: 'indrnn', maxLen: 10 }));
      const us = model.namedParameters().filter(([n]) => /coder\.weight_hh/.test(n));
      expect(us.map(([n]) => n)).toEqual(['encoder.weight_hh_l0', 'encoder.weight_hh_l0_reverse', 'decoder.weight_hh_l0']);
      const bound = Math.pow(2, 1 / 10);
      for (const [, u] of us) {
        const big = fromData(Array.from({ length: u.size }, (_, i) => (i % 2 ? 5 : -5)), u.shape, 'f32', b);
        // Out-of-bound values written in place, as an optimizer step could leave them.
        copyInto(u, big);
        big.dispose();
      }
      model.afterOptimizerStep();
      for (const [, u] of us) {
        const got = await toArray(u);
        got.forEach((x, i) => expect(x).toBeCloseTo(i % 2 ? bound : -bound, 5));
      }
      model.dispose();
    });

    for (const [cell, scoring, teacherForcing] of [['lstm', 'general', 1], ['gru', 'additive', 0.4]] as const) {
      it(`${cell}/${scoring}, teacher forcing ${teacherForcing}: gradients of the loss w.r.t. every parameter match finite differences`, async () => {
        const b = await nb.get();
        const cfg = config({ cell, scoring, srcVocab: 6, tgtVocab: 6, embed: 3, hidden: 4, layers: teacherForcing === 1 ? 2 : 1 });
        const hb = makeBatch(randomPairs(2, 6, 6, 12, [[3, 2], [1, 3]]), [0, 1]);
        const seed = 3; // coins for t = 1, 2, 3 at ratio 0.4: prediction, truth, prediction
        const model = new RnnSeq2Seq(initContext(13, b), cfg);
        const ref = new RnnSeq2Seq(initContext(13, cpu64), cfg);
        const loss = tidy(() => {
          const l = batchLoss(model, hb, b, { seed, teacherForcing });
          backward(l);
          return l;
        });
        const refLoss = (tf = teacherForcing): number => tidy(() => noGrad(() => toNumbers(batchLoss(ref, hb, cpu64, { seed, teacherForcing: tf }))[0]));
        assertClose(await toFloat32(loss), [refLoss()], 1e-5, 1e-5, 'loss');
        // With this seed some step really is fed the model's own prediction.
        if (teacherForcing < 1) expect(Math.abs(refLoss() - refLoss(1))).toBeGreaterThan(1e-4);
        loss.dispose();
        const eps = 1e-4;
        const refParams = new Map(ref.namedParameters());
        for (const [name, p] of model.namedParameters()) {
          let analytic = await toFloat32(p.grad!);
          const q = cpuArray(refParams.get(name)!);
          // The PAD row of an embedding is frozen (padding_idx: no gradient, as in PyTorch), though
          // the loss does depend on it once the decoder is fed a predicted PAD.
          const skip = name.endsWith('embedding.weight') ? p.shape[1] : 0;
          if (skip) expect(Array.from(analytic.subarray(0, skip))).toEqual(new Array(skip).fill(0));
          analytic = analytic.subarray(skip);
          const numeric = Array.from({ length: q.length - skip }, (_, i) => {
            const k = i + skip;
            const v = q[k];
            q[k] = v + eps;
            const up = refLoss();
            q[k] = v - eps;
            const down = refLoss();
            q[k] = v;
            return (up - down) / (2 * eps);
          });
          assertClose(analytic, numeric, 2e-3, 2e-3, `d loss / d ${name}`);
        }
        model.dispose();
        ref.dispose();
      });
    }

    it('teacher forcing < 1: each step reads the truth or the argmax of the previous logits as its coin says, without readback', async () => {
      const b = await nb.get();
      const model = new RnnSeq2Seq(initContext(14, b), config({ cell: 'janet', scoring: 'dot' }));
      model.eval();
      const hb = makeBatch(randomPairs(2, 9, 8, 15, [[3, 6], [2, 4]]), [0, 1]);
      const T = hb.tgtLen;
      const V = 8;
      const logitsOf = (tf: number, seed: number, tgt: Int32Array) =>
        tidy(() => noGrad(() => model.decode(model.encode(source(hb, b)), fromData(tgt, [hb.size, T], 'i32', b), { teacherForcing: tf, seed }).logits));

      expect(teacherForcingCoins(1, 0.999999, T).every(Boolean)).toBe(true);
      const full = logitsOf(1, 1, hb.tgtIn);
      const almost = logitsOf(0.999999, 1, hb.tgtIn);
      assertClose(await toFloat32(almost), await toFloat32(full), 0, 0, 'ratio ≈ 1 is plain teacher forcing');
      full.dispose();
      almost.dispose();

      // Ratio 0 (every step fed back) and ratio 0.5 with a seed whose coins mix both kinds, with
      // a run of truth steps after a predicted one (a segment longer than one step).
      const mixedSeed = [...Array(100).keys()].find((sd) => {
        const c = teacherForcingCoins(sd, 0.5, T).map((x) => (x ? 'T' : 'P')).join('');
        return /PT/.test(c) && /TP/.test(c.slice(1));
      });
      expect(mixedSeed).toBeDefined();
      const scrambled = Int32Array.from(hb.tgtIn, (v, i) => (i % T === 0 ? BOS : (v + 3) % V));
      for (const [ratio, seed] of [[0, 1], [0.5, mixedSeed!]]) {
        const coins = teacherForcingCoins(seed, ratio, T);
        const readbacksBefore = b instanceof GpuBackend ? b.counters.readbacks : 0;
        const mixedT = logitsOf(ratio, seed, scrambled);
        if (b instanceof GpuBackend) expect(b.counters.readbacks, 'no readback while decoding').toBe(readbacksBefore);
        const mixed = await toFloat32(mixedT);
        mixedT.dispose();
        // The inputs it must have read, rebuilt on the host; teacher-forced on them, the logits agree.
        const inputs = Int32Array.from(scrambled);
        for (let i = 0; i < hb.size; i++) {
          for (let t = 1; t < T; t++) {
            if (coins[t]) continue;
            const row = mixed.subarray((i * T + t - 1) * V, (i * T + t) * V);
            inputs[i * T + t] = row.indexOf(Math.max(...row));
          }
        }
        expect(inputs).not.toEqual(scrambled);
        const forced = logitsOf(1, seed, inputs);
        assertClose(await toFloat32(forced), mixed, tol, tol, `ratio ${ratio}, coins ${coins.map((c) => (c ? 'T' : 'P')).join('')}`);
        forced.dispose();
      }
      model.dispose();
    });
  });
}

describe('RnnSeq2Seq learns', () => {
  // A training run belongs to the CPU project: on SwiftShader it would take minutes.
  const cpu = testBackends().find((nb) => nb.name === 'cpu');
  it.runIf(!!cpu)('reverse: the loss halves within 100 Adam steps (tiny LSTM with additive attention, CPU)', async () => {
    const b = await cpu!.get();
    const splits = TASKS.reverse.generate(1, { train: 400, valid: 10, test: 10 });
    const short = splits.train.filter((p) => p.src.split(' ').length <= 6);
    const srcTok = Tokenizer.build(short.map((p) => p.src), { level: 'word' });
    const tgtTok = Tokenizer.build(short.map((p) => p.tgt), { level: 'word' });
    const pairs = short.map((p) => ({ src: srcTok.encode(p.src), tgt: tgtTok.encode(p.tgt) }));
    const model = new RnnSeq2Seq(initContext(1, b), {
      srcVocab: srcTok.size,
      tgtVocab: tgtTok.size,
      cell: 'lstm',
      layers: 1,
      hidden: 32,
      embed: 16,
      bidirectional: true,
      scoring: 'additive',
      dropout: 0,
      maxLen: 10,
    });
    const opt = new Adam(model.namedParameters(), { lr: 1e-2 });
    const batch = 16;
    const losses: number[] = [];
    for (let step = 0; step < 100; step++) {
      const start = (step * batch) % (pairs.length - batch);
      const hb = makeBatch(pairs, Array.from({ length: batch }, (_, i) => start + i));
      const l = tidy(() => {
        const loss = batchLoss(model, hb, b, { seed: step });
        backward(loss);
        return loss;
      });
      losses.push((await toFloat32(l))[0]);
      l.dispose();
      opt.step();
      model.afterOptimizerStep();
      zeroGrad(model.parameters());
    }
    const first = losses.slice(0, 5).reduce((a, x) => a + x, 0) / 5;
    const last = losses.slice(-5).reduce((a, x) => a + x, 0) / 5;
    console.log(`[rnn-seq2seq] reverse: loss ${first.toFixed(3)} → ${last.toFixed(3)} in 100 steps`);
    expect(last).toBeLessThan(first / 2);
    model.dispose();
  });
});
