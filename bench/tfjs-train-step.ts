// The training steps of bench/train-step-bench.ts written with TensorFlow.js (tfjs-core ops on
// tfjs-backend-webgpu), the comparison the issue asks for: the same architectures, sizes and
// batch shapes as our Transformer and RnnSeq2Seq, trained the same way:
//
//   loss = mean over target tokens of −log softmax(logits)[y]        (no padding in the batch)
//   g    = ∂loss/∂θ                                                  (tf.variableGrads)
//   g   ← g · min(1, maxNorm / (‖g‖₂ + 1e-6)), ‖g‖₂ over all parameters together
//                                                                  (torch.nn.utils.clip_grad_norm_)
//   θ   ← Adam(θ, g)                                                 (tf.train.adam, β 0.9 / 0.999, ε 1e-8)
//
// then one readback of the loss, which (queue order) also waits for the update. Each model counts
// its parameters; the bench refuses to compare when the count differs from ours, so an
// architecture drift between the two sides shows up as an error rather than as a speed-up.
//
// Transformer (pre-LN, as our default): x = x + MHA(LN(x)); x = x + FFN(LN(x)) per encoder layer,
// plus cross-attention in the decoder, final LayerNorms, embeddings scaled by √d plus sinusoids,
// MHA with a packed in_proj [3d, d] as PyTorch (the cross-attention slices it into q and kv).
// RNN: bidirectional LSTM encoder (d/2 per direction, input projection for all steps in one
// matmul as ours), tanh bridges of the final (h, c) per layer, LSTM decoder, Luong "general"
// attention over the encoder outputs, h̃ = tanh(W_c [c; s]), generator.

import { tf } from './tfjs-side';
import type { PreparedStep } from './train-step-bench';
import { pipelineSteps, uniformData } from './timing';
import { sinusoid } from '../src/models/transformer';

export interface BatchShape {
  batch: number;
  /** Source tokens per row (EOS included). */
  srcLen: number;
  /** Decoder inputs / targets per row (BOS … / … EOS). */
  tgtLen: number;
  srcVocab: number;
  tgtVocab: number;
}

export interface TfjsTransformerSpec extends BatchShape {
  layers: number;
  dModel: number;
  heads: number;
  dFF: number;
  maxLen: number;
  lr: number;
  maxNorm: number;
}

export interface TfjsLstmSpec extends BatchShape {
  layers: number;
  hidden: number;
  embed: number;
  lr: number;
  maxNorm: number;
}

let variableCount = 0;

/** Trainable variables with deterministic U(−a, a) values (the exact values do not matter for speed). */
class Params {
  readonly list: tf.Variable[] = [];
  private seed = 1;
  uniform(shape: number[], a: number): tf.Variable {
    const n = shape.reduce((x, y) => x * y, 1);
    const data = uniformData(n, this.seed++).map((u) => 2 * a * u);
    return this.add(tf.tensor(data, shape));
  }
  constant(shape: number[], value: number): tf.Variable {
    return this.add(tf.fill(shape, value));
  }
  private add(init: tf.Tensor): tf.Variable {
    // Variable names are global in tfjs: unique across the benches of one page.
    const v = tf.variable(init, true, `bench_train_step_${variableCount++}`);
    init.dispose();
    this.list.push(v);
    return v;
  }
  get count(): number {
    return this.list.reduce((n, v) => n + v.size, 0);
  }
}

/** x [n, in] · Wᵀ (W [out, in], PyTorch's layout) + b. */
function linear(x: tf.Tensor2D, w: tf.Tensor, b?: tf.Tensor): tf.Tensor2D {
  const y = tf.matMul(x, w, false, true) as tf.Tensor2D;
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add<tf.Tensor2D>(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}

function crossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
}

/** Random ids in [4, vocab) (after PAD, BOS, EOS, UNK), the same every run. */
function ids(n: number, vocab: number, seed: number): Int32Array {
  return Int32Array.from(uniformData(n, seed), (u) => 4 + Math.min(vocab - 5, Math.floor((u + 0.5) * (vocab - 4))));
}

interface Batch {
  src: tf.Tensor2D;
  tgtIn: tf.Tensor2D;
  oneHot: tf.Tensor2D;
  /** [B, 1, S]: 0 at real source tokens, −1e9 at padding (none here, but both sides apply the mask). */
  srcBias: tf.Tensor3D;
  dispose(): void;
}

function makeBatch(s: BatchShape): Batch {
  const { batch: B, srcLen: S, tgtLen: T } = s;
  const src = tf.tensor2d(ids(B * S, s.srcVocab, 11), [B, S], 'int32');
  const tgtIn = tf.tensor2d(ids(B * T, s.tgtVocab, 12), [B, T], 'int32');
  const oneHot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(ids(B * T, s.tgtVocab, 13), 'int32'), s.tgtVocab), 'float32') as tf.Tensor2D);
  const srcBias = tf.zeros([B, 1, S]) as tf.Tensor3D;
  return { src, tgtIn, oneHot, srcBias, dispose: () => tf.dispose([src, tgtIn, oneHot, srcBias]) };
}

/**
 * One training step as PreparedStep.step (resolves when the loss is read, i.e. the update has run)
 * and the pipelined form (the next step encoded while the previous loss is read).
 */
function prepare(
  params: Params,
  lossFn: () => tf.Scalar,
  maxNorm: number,
  lr: number,
  extra: { config: Record<string, number | string>; tokens: number; dispose: () => void },
): PreparedStep {
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const vars = params.list;
  const launch = (): Promise<number> => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossFn, vars);
      const names = Object.keys(grads);
      const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
      const factor = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
      optimizer.applyGradients(names.map((name) => ({ name, tensor: tf.mul(grads[name], factor) })));
      return value;
    });
    return loss.data().then((v) => {
      loss.dispose();
      if (!Number.isFinite(v[0])) throw new Error(`tfjs train step: non-finite loss ${v[0]}`);
      return v[0];
    });
  };
  return {
    config: extra.config,
    tokens: extra.tokens,
    params: params.count,
    async step() {
      await launch();
    },
    pipelined: (n: number) => pipelineSteps(launch, n),
    dispose() {
      optimizer.dispose();
      tf.dispose(vars);
      extra.dispose();
    },
  };
}

interface Mha {
  inW: tf.Variable;
  inB: tf.Variable;
  outW: tf.Variable;
  outB: tf.Variable;
}

export function tfjsTransformerStep(s: TfjsTransformerSpec): PreparedStep {
  const { batch: B, srcLen: S, tgtLen: T, dModel: d, heads: h, dFF } = s;
  const dh = d / h;
  const p = new Params();
  const bound = (fanIn: number) => 1 / Math.sqrt(fanIn);
  const mha = (): Mha => ({
    inW: p.uniform([3 * d, d], Math.sqrt(6 / (4 * d))),
    inB: p.constant([3 * d], 0),
    outW: p.uniform([d, d], bound(d)),
    outB: p.constant([d], 0),
  });
  const norm = () => ({ g: p.constant([d], 1), b: p.constant([d], 0) });
  const ffn = () => ({ w1: p.uniform([dFF, d], bound(d)), b1: p.uniform([dFF], bound(d)), w2: p.uniform([d, dFF], bound(dFF)), b2: p.uniform([d], bound(dFF)) });
  const srcEmb = p.uniform([s.srcVocab, d], Math.sqrt(3 / d));
  const tgtEmb = p.uniform([s.tgtVocab, d], Math.sqrt(3 / d));
  const enc = Array.from({ length: s.layers }, () => ({ sa: mha(), ff: ffn(), n1: norm(), n2: norm() }));
  const encNorm = norm();
  const dec = Array.from({ length: s.layers }, () => ({ sa: mha(), ca: mha(), ff: ffn(), n1: norm(), n2: norm(), n3: norm() }));
  const decNorm = norm();
  const genW = p.uniform([s.tgtVocab, d], bound(d));
  const genB = p.uniform([s.tgtVocab], bound(d));

  const batch = makeBatch(s);
  const pe = tf.tensor2d(sinusoid(s.maxLen, d), [s.maxLen, d]);
  const srcPe = tf.slice(pe, [0, 0], [S, d]);
  const tgtPe = tf.slice(pe, [0, 0], [T, d]);
  // Causal mask: −1e9 where key > query.
  const causal = tf.tensor2d(Float32Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)), [T, T]);
  const srcBias4 = tf.reshape(batch.srcBias, [B, 1, 1, S]);

  const heads = (x: tf.Tensor2D, n: number) => tf.transpose(tf.reshape(x, [B, n, h, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
  const attend = (q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, tq: number, tk: number, bias: tf.Tensor, m: Mha) => {
    const scores = tf.add(tf.mul(tf.matMul(heads(q, tq), heads(k, tk), false, true), 1 / Math.sqrt(dh)), bias);
    const o = tf.matMul(tf.softmax(scores), heads(v, tk));
    return linear(tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [B * tq, d]), m.outW, m.outB);
  };
  const selfAttn = (x: tf.Tensor2D, t: number, bias: tf.Tensor, m: Mha) => {
    const [q, k, v] = tf.split(linear(x, m.inW, m.inB), 3, 1) as tf.Tensor2D[];
    return attend(q, k, v, t, t, bias, m);
  };
  const crossAttn = (y: tf.Tensor2D, mem: tf.Tensor2D, m: Mha) => {
    const q = linear(y, tf.slice(m.inW, [0, 0], [d, d]), tf.slice(m.inB, [0], [d]));
    const [k, v] = tf.split(linear(mem, tf.slice(m.inW, [d, 0], [2 * d, d]), tf.slice(m.inB, [d], [2 * d])), 2, 1) as tf.Tensor2D[];
    return attend(q, k, v, T, S, srcBias4, m);
  };
  const ff = (x: tf.Tensor2D, f: ReturnType<typeof ffn>) => linear(tf.relu(linear(x, f.w1, f.b1)), f.w2, f.b2);
  const embed = (table: tf.Tensor, idx: tf.Tensor2D, t: number, pos: tf.Tensor2D) =>
    tf.reshape(tf.add(tf.reshape(tf.mul(tf.gather(table, tf.reshape(idx, [-1])), Math.sqrt(d)), [B, t, d]), pos), [B * t, d]) as tf.Tensor2D;

  const lossFn = (): tf.Scalar => {
    let x = embed(srcEmb, batch.src, S, srcPe);
    for (const l of enc) {
      x = tf.add(x, selfAttn(layerNorm(x, l.n1.g, l.n1.b), S, srcBias4, l.sa));
      x = tf.add(x, ff(layerNorm(x, l.n2.g, l.n2.b), l.ff));
    }
    const mem = layerNorm(x, encNorm.g, encNorm.b);
    let y = embed(tgtEmb, batch.tgtIn, T, tgtPe);
    for (const l of dec) {
      y = tf.add(y, selfAttn(layerNorm(y, l.n1.g, l.n1.b), T, causal, l.sa));
      y = tf.add(y, crossAttn(layerNorm(y, l.n2.g, l.n2.b), mem, l.ca));
      y = tf.add(y, ff(layerNorm(y, l.n3.g, l.n3.b), l.ff));
    }
    return crossEntropy(linear(layerNorm(y, decNorm.g, decNorm.b), genW, genB), batch.oneHot);
  };
  return prepare(p, lossFn, s.maxNorm, s.lr, {
    config: { ...shapeConfig(s), layers: s.layers, d_model: d, heads: h, d_ff: dFF },
    tokens: B * T,
    dispose: () => {
      batch.dispose();
      tf.dispose([pe, srcPe, tgtPe, causal, srcBias4]);
    },
  });
}

interface LstmWeights {
  wih: tf.Variable;
  whh: tf.Variable;
  bih: tf.Variable;
  bhh: tf.Variable;
}

/**
 * One LSTM direction over x [B, t, in] from (h0, c0): returns the outputs [B, t, H] (in time order)
 * and the final state. PyTorch gate order i, f, g, o; the input projection for every step is one matmul.
 */
function lstmDirection(x: tf.Tensor3D, w: LstmWeights, h0: tf.Tensor2D, c0: tf.Tensor2D, reverse: boolean) {
  const [B, t, inSize] = x.shape;
  const H = h0.shape[1];
  const gx = tf.reshape(linear(tf.reshape(x, [B * t, inSize]), w.wih, tf.add(w.bih, w.bhh)), [B, t, 4 * H]) as tf.Tensor3D;
  const steps = tf.unstack(gx, 1) as tf.Tensor2D[];
  const outs: tf.Tensor2D[] = new Array<tf.Tensor2D>(t);
  let h = h0;
  let c = c0;
  for (let k = 0; k < t; k++) {
    const j = reverse ? t - 1 - k : k;
    const a = tf.add(steps[j], tf.matMul(h, w.whh as tf.Tensor2D, false, true));
    const [i, f, g, o] = tf.split(a, 4, 1);
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    h = tf.mul(tf.sigmoid(o), tf.tanh(c));
    outs[j] = h;
  }
  return { out: tf.stack(outs, 1) as tf.Tensor3D, h, c };
}

export function tfjsLstmStep(s: TfjsLstmSpec): PreparedStep {
  const { batch: B, srcLen: S, tgtLen: T, hidden: H, embed: E, layers: L } = s;
  if (H % 2 !== 0) throw new Error('tfjs LSTM bench: hidden must be even (a bidirectional encoder of H/2 per direction)');
  const He = H / 2;
  const p = new Params();
  const lstm = (inSize: number, hid: number): LstmWeights => {
    const a = 1 / Math.sqrt(hid);
    return { wih: p.uniform([4 * hid, inSize], a), whh: p.uniform([4 * hid, hid], a), bih: p.uniform([4 * hid], a), bhh: p.uniform([4 * hid], a) };
  };
  const srcEmb = p.uniform([s.srcVocab, E], 1);
  const encoder = Array.from({ length: L }, (_, l) => [lstm(l === 0 ? E : 2 * He, He), lstm(l === 0 ? E : 2 * He, He)]);
  const bridgeH = { w: p.uniform([H, 2 * He], 1 / Math.sqrt(2 * He)), b: p.uniform([H], 1 / Math.sqrt(2 * He)) };
  const bridgeC = { w: p.uniform([H, 2 * He], 1 / Math.sqrt(2 * He)), b: p.uniform([H], 1 / Math.sqrt(2 * He)) };
  const tgtEmb = p.uniform([s.tgtVocab, E], 1);
  const decoder = Array.from({ length: L }, (_, l) => lstm(l === 0 ? E : H, H));
  const linearIn = p.uniform([H, H], 1 / Math.sqrt(H));
  const combine = p.uniform([H, 2 * H], 1 / Math.sqrt(2 * H));
  const genW = p.uniform([s.tgtVocab, H], 1 / Math.sqrt(H));
  const genB = p.uniform([s.tgtVocab], 1 / Math.sqrt(H));

  const batch = makeBatch(s);
  const zerosE = tf.zeros([B, He]) as tf.Tensor2D;

  const lossFn = (): tf.Scalar => {
    let x = tf.reshape(tf.gather(srcEmb, tf.reshape(batch.src, [-1])), [B, S, E]) as tf.Tensor3D;
    const h0: tf.Tensor2D[] = [];
    const c0: tf.Tensor2D[] = [];
    for (const [fw, bw] of encoder) {
      const f = lstmDirection(x, fw, zerosE, zerosE, false);
      const b = lstmDirection(x, bw, zerosE, zerosE, true);
      x = tf.concat([f.out, b.out], 2);
      h0.push(tf.tanh(linear(tf.concat([f.h, b.h], 1), bridgeH.w, bridgeH.b)));
      c0.push(tf.tanh(linear(tf.concat([f.c, b.c], 1), bridgeC.w, bridgeC.b)));
    }
    const memory = x; // [B, S, H]
    let y = tf.reshape(tf.gather(tgtEmb, tf.reshape(batch.tgtIn, [-1])), [B, T, E]) as tf.Tensor3D;
    decoder.forEach((w, l) => {
      y = lstmDirection(y, w, h0[l], c0[l], false).out;
    });
    const s2 = tf.reshape(y, [B * T, H]) as tf.Tensor2D;
    // Luong general: score(s, m) = (W s)·m, softmax over the source, context = Σ a m.
    const q = tf.reshape(linear(s2, linearIn), [B, T, H]);
    const a = tf.softmax(tf.add(tf.matMul(q, memory, false, true), batch.srcBias));
    const context = tf.reshape(tf.matMul(a, memory), [B * T, H]) as tf.Tensor2D;
    const hTilde = tf.tanh(linear(tf.concat([context, s2], 1), combine));
    return crossEntropy(linear(hTilde, genW, genB), batch.oneHot);
  };
  return prepare(p, lossFn, s.maxNorm, s.lr, {
    config: { ...shapeConfig(s), layers: L, hidden: H, embed: E },
    tokens: B * T,
    dispose: () => {
      batch.dispose();
      zerosE.dispose();
    },
  });
}

function shapeConfig(s: BatchShape): Record<string, number> {
  return { batch: s.batch, src_len: s.srcLen, tgt_len: s.tgtLen, src_vocab: s.srcVocab, tgt_vocab: s.tgtVocab };
}
