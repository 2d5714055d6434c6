// RNN encoder–decoder with global attention over the encoder's outputs (Luong, Pham & Manning
// 2015, "Effective Approaches to Attention-based Neural Machine Translation", §3.1 global
// attention, without input feeding), with any recurrent cell of ./cells and any scoring of
// ./attention. Shapes: B sources of S tokens, n decoded rows of T tokens, L layers, H = hidden,
// E = embed, V = target vocabulary, D = 2 when the encoder is bidirectional (else 1),
// He = H / D per direction (rounded up).
//
//   x_j        = Dropout(src_embedding(src_j))                                       [B, S, E]
//   h_j, h_fin = encoder(x, lengths)            (padding: h_fin is the state at each row's last real
//                                                 token and h_j = 0 past it, pack_padded_sequence)
//   m_j        = h_j, or encoder_proj h_j when D·He ≠ H (bidirectional with odd H)    [B, S, H]
//   s0_l       = tanh(bridge_h [h_fin(l, fwd); h_fin(l, bwd)] + b),  per layer l      [L, B, H]
//   c0_l       = tanh(bridge_c [c_fin(l, fwd); c_fin(l, bwd)] + b)   (LSTM only)
//   y_t        = Dropout(tgt_embedding(tgtIn_t))
//   s_t        = decoder(y_≤t, s0, c0)                                                 [n, T, H]
//   a_t        = softmax over the real source positions of score(s_t, m_j)  (attention.*, hardened
//                 by the hard rule when set);  c_t = Σ_j a_tj m_j
//   h̃_t        = tanh(combine [c_t; s_t])        (W_c, no bias, as eq. 5 of the paper)
//   logits_t   = generator(Dropout(h̃_t))                                              [n, T, V]
//
// Without input feeding (h̃_{t−1} is not an input of step t), the teacher-forced decoder is one
// sequence call of the cell plus one batched attention for all T steps. The bridge generalises
// Bahdanau et al.'s (2015, appendix A.2.2) s0 = tanh(W_s h←_1) to both directions and every layer:
// one Linear shared by the layers, fed each layer's two final states side by side (OpenNMT-py's
// "bridge" is the same idea with a ReLU). Dropout (p = cfg.dropout) sits on both embeddings
// and on h̃; its masks come from DecodeOptions.seed / encode's seed when given, else from the
// model's own generator (seeded from the InitContext), so a run is reproducible from its seed.
//
// Teacher forcing with ratio r < 1 (Williams & Zipser 1989; the coin per step as in the widely
// used seq2seq tutorials): for each step t ≥ 1 one coin, drawn on the host from the call's seed,
// decides for the whole batch whether y_t is the ground truth (probability r) or the embedding of
// argmax logits_{t−1}. The decoder then runs in segments, one cell call per run of steps between
// two predicted inputs (one call in all when every coin says "truth"), and never reads back: the
// argmax ids stay on the device (engine/ops/argmax) and go straight into the embedding. No
// gradient flows through the choice (PyTorch's `.detach()` of topi).
//
// Parameter names (PyTorch-like, registration order): src_embedding.weight, encoder.* (the cell's
// weight_ih_l0, weight_hh_l0, ..., _reverse), [encoder_proj.weight], bridge_h.{weight,bias},
// [bridge_c.{weight,bias}], tgt_embedding.weight, decoder.*, attention.* (linear_query,
// linear_context, v | linear_in), combine.weight, generator.{weight,bias}.
// IndRNN needs its recurrent weights clamped after every optimizer step: afterOptimizerStep().

import {
  concat,
  contiguous,
  dropout,
  embedding,
  fromData,
  Linear,
  Module,
  narrow,
  permute,
  Random,
  reshape,
  tanh,
  type InitContext,
  type Tensor,
} from '../engine';
import { argmax } from '../engine/ops/argmax';
import { Embedding } from '../engine/nn/embedding';
import { AdditiveAttention, rnnAttention, type HardAttentionRule, type LuongAttention, type RnnScoring } from './attention';
import { CELLS, type CellKind } from './cells';
import type { RecurrentLayers, RnnState } from './cells';
import type { AttentionRecord, DecodeOptions, Encoded, Seq2SeqModel, SourceBatch } from './seq2seq';

export interface RnnSeq2SeqConfig {
  srcVocab: number;
  tgtVocab: number;
  cell: CellKind;
  layers: number;
  hidden: number;
  embed: number;
  bidirectional: boolean;
  scoring: RnnScoring;
  dropout: number;
  hard?: HardAttentionRule | null;
  /** Longest sequence (tokens incl. BOS/EOS) the model is meant for: T_max of JANET's chrono init and IndRNN's recurrent bound. */
  maxLen: number;
}

/** What encode() hands to decode(): flat fields, so tidy() and disposeEncoded() see every tensor. */
export interface RnnEncoded extends Encoded {
  /** Encoder outputs m_j [B, S, H] (0 at padding). */
  memory: Tensor;
  /** f32 [B, S], 1 = real source token (a view of the batch's srcMask). */
  memMask: Tensor;
  /** Additive scoring: W_h m_j [B, S, H], computed once per source; else null. */
  projectedKeys: Tensor | null;
  /** Final encoder state h_fin [L·D, B, He] (at each row's last real token). */
  encoderH: Tensor;
  /** Final encoder cell state [L·D, B, He] (LSTM), else null. */
  encoderC: Tensor | null;
  /** Decoder initial state from the bridge, [L, B, H]. */
  h0: Tensor;
  /** Decoder initial cell state [L, B, H] (LSTM), else null. */
  c0: Tensor | null;
}

// Salts that separate the random streams of one call (dropout masks vs teacher-forcing coins).
const ENCODE_SALT = 0x2545f491;
const DECODE_SALT = 0x9e3779b9;
const COIN_SALT = 0x85ebca6b;

/**
 * The teacher-forcing coins of a decode call: entry t says whether step t is fed the ground
 * truth (probability `ratio`, one coin per step for the whole batch); step 0 always reads BOS.
 */
export function teacherForcingCoins(seed: number, ratio: number, T: number): boolean[] {
  const rng = new Random((seed ^ COIN_SALT) >>> 0);
  return Array.from({ length: T }, (_, t) => t === 0 || ratio >= 1 || rng.next() < ratio);
}

/**
 * x [B, ...] → [k, ...] with row i = x[rows[i]] (rows: i32 [k]): an embedding lookup over the
 * flattened rows, so one dispatch and a gradient (a scatter-add) back to x.
 */
function gatherRows(x: Tensor, rows: Tensor): Tensor {
  const [B, ...rest] = x.shape;
  const flat = reshape(x, [B, rest.reduce((a, d) => a * d, 1)]);
  return reshape(embedding(rows, flat), [rows.shape[0], ...rest]);
}

/** A state [L, B, H] gathered along its batch dim, contiguous as the cells expect it. */
function gatherState(s: Tensor, rows: Tensor): Tensor {
  return contiguous(permute(gatherRows(permute(s, [1, 0, 2]), rows), [1, 0, 2]));
}

export class RnnSeq2Seq extends Module implements Seq2SeqModel {
  readonly srcVocab: number;
  readonly tgtVocab: number;
  readonly src_embedding: Embedding;
  readonly encoder: RecurrentLayers;
  /** Maps the encoder outputs to H when the directions do not add up to H (bidirectional, odd H). */
  readonly encoder_proj: Linear | null;
  readonly bridge_h: Linear;
  readonly bridge_c: Linear | null;
  readonly tgt_embedding: Embedding;
  readonly decoder: RecurrentLayers;
  readonly attention: AdditiveAttention | LuongAttention;
  readonly combine: Linear;
  readonly generator: Linear;
  /** Hidden size per encoder direction. */
  readonly encoderHidden: number;
  private readonly rng: Random;

  constructor(ctx: InitContext, readonly cfg: RnnSeq2SeqConfig) {
    super();
    for (const k of ['srcVocab', 'tgtVocab', 'layers', 'hidden', 'embed', 'maxLen'] as const) {
      if (!Number.isInteger(cfg[k]) || cfg[k] < 1) throw new Error(`RnnSeq2Seq: ${k} must be a positive integer, got ${cfg[k]}`);
    }
    if (!(cfg.dropout >= 0 && cfg.dropout < 1)) throw new Error(`RnnSeq2Seq: dropout must be in [0, 1), got ${cfg.dropout}`);
    if (!(cfg.cell in CELLS)) throw new Error(`RnnSeq2Seq: unknown cell '${cfg.cell as string}'`);
    this.srcVocab = cfg.srcVocab;
    this.tgtVocab = cfg.tgtVocab;
    const H = cfg.hidden;
    const D = cfg.bidirectional ? 2 : 1;
    const He = Math.ceil(H / D);
    this.encoderHidden = He;
    const Cell = CELLS[cfg.cell];
    // tMax: JANET's chrono-init range and IndRNN's bound |u| ≤ 2^(1/tMax) (other cells ignore it).
    const cellOptions = { numLayers: cfg.layers, batchFirst: true, tMax: Math.max(2, cfg.maxLen) };

    this.src_embedding = this.registerModule('src_embedding', new Embedding(ctx, cfg.srcVocab, cfg.embed, { paddingIdx: 0 }));
    this.encoder = this.registerModule('encoder', new Cell(ctx, { ...cellOptions, inputSize: cfg.embed, hiddenSize: He, bidirectional: cfg.bidirectional }));
    this.encoder_proj = D * He !== H ? this.registerModule('encoder_proj', new Linear(ctx, D * He, H, false)) : null;
    this.bridge_h = this.registerModule('bridge_h', new Linear(ctx, D * He, H));
    this.bridge_c = this.encoder.hasCellState ? this.registerModule('bridge_c', new Linear(ctx, D * He, H)) : null;
    this.tgt_embedding = this.registerModule('tgt_embedding', new Embedding(ctx, cfg.tgtVocab, cfg.embed, { paddingIdx: 0 }));
    this.decoder = this.registerModule('decoder', new Cell(ctx, { ...cellOptions, inputSize: cfg.embed, hiddenSize: H, bidirectional: false }));
    this.attention = this.registerModule('attention', rnnAttention(ctx, cfg.scoring, H, H, { hard: cfg.hard ?? null }));
    this.combine = this.registerModule('combine', new Linear(ctx, 2 * H, H, false));
    this.generator = this.registerModule('generator', new Linear(ctx, H, cfg.tgtVocab));
    this.rng = new Random(ctx.rng.seed32());
  }

  /** Call after every optimizer step: clamps IndRNN recurrent weights into their bound (no-op for other cells). */
  afterOptimizerStep(): void {
    this.encoder.constrainRecurrentWeights();
    this.decoder.constrainRecurrentWeights();
  }

  /** The random stream of one call: from the caller's seed when given, else fresh from the model's generator. */
  private stream(seed: number | undefined, salt: number): Random {
    return new Random(((seed ?? this.rng.seed32()) ^ salt) >>> 0);
  }

  private drop(x: Tensor, rng: Random): Tensor {
    return dropout(x, this.cfg.dropout, this.training, rng.seed32());
  }

  /** [L·D, B, He] → [L, B, D·He]: each layer's directions side by side, forward first. */
  private perLayer(s: Tensor): Tensor {
    const D = this.encoder.numDirections;
    const [LD, B, He] = s.shape;
    const L = LD / D;
    return reshape(permute(reshape(s, [L, D, B, He]), [0, 2, 1, 3]), [L, B, D * He]);
  }

  encode(batch: SourceBatch, options: { needWeights?: boolean; seed?: number } = {}): RnnEncoded {
    const [B, S] = batch.src.shape;
    const rng = this.stream(options.seed, ENCODE_SALT);
    const x = this.drop(this.src_embedding.forward(batch.src), rng);
    const { output, state } = this.encoder.forward(x, undefined, { lengths: batch.srcLengths });
    const memory = this.encoder_proj ? this.encoder_proj.forward(output) : output;
    const projectedKeys = this.attention instanceof AdditiveAttention ? this.attention.projectKeys(memory) : null;
    const h0 = tanh(this.bridge_h.forward(this.perLayer(state.h)));
    const c0 = this.bridge_c && state.c ? tanh(this.bridge_c.forward(this.perLayer(state.c))) : null;
    const m = batch.srcMask;
    return {
      batch: B,
      srcLen: S,
      attention: [],
      memory,
      // A view: disposing the Encoded must not free the caller's mask.
      memMask: m.view(m.shape, m.strides, m.offset),
      projectedKeys,
      encoderH: state.h,
      encoderC: state.c ?? null,
      h0,
      c0,
    };
  }

  /** Attention, combine and generator for decoder states s [n, t, H] → logits [n, t, V], weights [n, t, S]. */
  private readout(s: Tensor, mem: { memory: Tensor; memMask: Tensor; projectedKeys: Tensor | null }, rng: Random): { logits: Tensor; weights: Tensor } {
    const { context, weights } = this.attention.forwardSequence(s, mem.memory, { keyPaddingMask: mem.memMask, projectedKeys: mem.projectedKeys });
    const hTilde = tanh(this.combine.forward(concat([context, s], 2)));
    return { logits: this.generator.forward(this.drop(hTilde, rng)), weights };
  }

  decode(encIn: Encoded, tgtIn: Tensor, options: DecodeOptions = {}): { logits: Tensor; attention: AttentionRecord[] } {
    const enc = encIn as RnnEncoded;
    if (tgtIn.rank !== 2 || tgtIn.dtype !== 'i32') throw new Error(`RnnSeq2Seq.decode: tgtIn must be i32 [n, T], got ${tgtIn.dtype} [${tgtIn.shape}]`);
    const [n, T] = tgtIn.shape;
    let mem = { memory: enc.memory, memMask: enc.memMask, projectedKeys: enc.projectedKeys };
    let h0 = enc.h0;
    let c0 = enc.c0;
    if (options.rows) {
      const rows = options.rows;
      if (rows.length !== n) throw new Error(`RnnSeq2Seq.decode: ${rows.length} rows for ${n} decoder inputs`);
      for (const r of rows) if (!(Number.isInteger(r) && r >= 0 && r < enc.batch)) throw new Error(`RnnSeq2Seq.decode: row ${r} is outside the ${enc.batch} encoded sources`);
      const idx = fromData(rows, [n], 'i32', tgtIn.backend);
      mem = {
        memory: gatherRows(mem.memory, idx),
        memMask: gatherRows(mem.memMask, idx),
        projectedKeys: mem.projectedKeys ? gatherRows(mem.projectedKeys, idx) : null,
      };
      h0 = gatherState(h0, idx);
      c0 = c0 ? gatherState(c0, idx) : null;
    } else if (n !== enc.batch) {
      throw new Error(`RnnSeq2Seq.decode: ${n} decoder inputs for ${enc.batch} encoded sources (pass options.rows to map them)`);
    }
    const state0: RnnState = c0 ? { h: h0, c: c0 } : { h: h0 };
    const rng = this.stream(options.seed, DECODE_SALT);
    const truth = this.drop(this.tgt_embedding.forward(tgtIn), rng);

    // One coin per step t ≥ 1: true = feed the ground truth.
    const ratio = options.teacherForcing ?? 1;
    if (!(ratio >= 0 && ratio <= 1)) throw new Error(`RnnSeq2Seq.decode: teacherForcing must be in [0, 1], got ${ratio}`);
    const useTruth = ratio < 1 ? teacherForcingCoins(options.seed ?? this.rng.seed32(), ratio, T) : new Array<boolean>(T).fill(true);

    // Segments of consecutive steps: a new one starts at each step fed a prediction, which needs
    // the logits of the step before it; inside a segment every input is known, so it is one
    // sequence call. All-truth (r = 1) is a single segment: plain teacher forcing.
    const starts = [0, ...useTruth.flatMap((truthful, t) => (truthful ? [] : [t]))];
    const segLogits: Tensor[] = [];
    const segWeights: Tensor[] = [];
    let state = state0;
    starts.forEach((a, k) => {
      const e = starts[k + 1] ?? T;
      let y = e - a === T ? truth : narrow(truth, 1, a, e - a);
      if (a > 0) {
        const prev = segLogits[k - 1];
        const ids = argmax(narrow(prev, 1, prev.shape[1] - 1, 1));
        const pred = this.drop(this.tgt_embedding.forward(ids), rng);
        y = e - a > 1 ? concat([pred, narrow(truth, 1, a + 1, e - a - 1)], 1) : pred;
      }
      const r = this.decoder.forward(y, state);
      state = r.state;
      const out = this.readout(r.output, mem, rng);
      segLogits.push(out.logits);
      segWeights.push(out.weights);
    });
    const logits = segLogits.length === 1 ? segLogits[0] : concat(segLogits, 1);
    const weights = segWeights.length === 1 ? segWeights[0] : concat(segWeights, 1);
    const attention: AttentionRecord[] = options.needWeights
      ? [{ name: 'attention', kind: 'rnn', layer: 0, weights: reshape(weights, [n, 1, T, enc.srcLen]) }]
      : [];
    return { logits, attention };
  }
}
