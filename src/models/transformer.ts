// Transformer encoder–decoder (Vaswani et al. 2017, "Attention Is All You Need"), laid out like
// PyTorch's nn.Transformer so parameter names match a state dict:
//   encoder.layers.N.{self_attn, linear1, linear2, norm1, norm2}, encoder.norm,
//   decoder.layers.N.{self_attn, multihead_attn, linear1, linear2, norm1, norm2, norm3}, decoder.norm,
// plus src_embedding, tgt_embedding, (learned) src_pos / tgt_pos, and generator (the output layer).
//
// Post-LN (PyTorch's norm_first=False):  x = LN(x + Dropout(Sublayer(x)))
// Pre-LN  (norm_first=True):             x = x + Dropout(Sublayer(LN(x)))
// Feed-forward: linear2(Dropout(ReLU(linear1(x)))). Dropout masks come from each module's own
// seeded generator (drawn per call), so a run is reproducible from the init seed; given a call
// seed (the trainer's per-step seed), encode and decode restart those generators from it, so the
// masks depend on (seed, step) alone and a resumed run matches an uninterrupted one. Embeddings are
// scaled by √d_model and summed with sinusoidal positions PE(p, 2i) = sin(p / 10000^(2i/d)), PE(p, 2i+1) = cos(p / 10000^(2i/d)),
// or with learned position embeddings.

import {
  add,
  fromData,
  Linear,
  Module,
  ModuleList,
  narrow,
  normalParam,
  reseedModules,
  reshape,
  relu,
  scale,
  matmul,
  transpose,
  type InitContext,
  type Tensor,
} from '../engine';
import { embedding } from '../engine/ops/embedding';
import { Embedding } from '../engine/nn/embedding';
import { LayerNorm } from '../engine/nn/layer-norm';
import { Dropout } from '../engine/nn/dropout';
import { MultiheadAttention, type HardAttentionRule } from './attention';
import type { AttentionRecord, DecodeOptions, Encoded, Seq2SeqModel, SourceBatch } from './seq2seq';

export interface TransformerConfig {
  srcVocab: number;
  tgtVocab: number;
  layers: number;
  dModel: number;
  heads: number;
  dFF: number;
  dropout: number;
  positional: 'sinusoidal' | 'learned';
  norm: 'pre' | 'post';
  tieEmbeddings: boolean;
  maxLen: number;
  hard?: HardAttentionRule | null;
}

/** The sinusoidal position table [maxLen, d] of the header's formula. */
export function sinusoid(maxLen: number, d: number): Float32Array {
  const pe = new Float32Array(maxLen * d);
  for (let p = 0; p < maxLen; p++) {
    for (let i = 0; i < d; i += 2) {
      const angle = p / Math.pow(10000, i / d);
      pe[p * d + i] = Math.sin(angle);
      if (i + 1 < d) pe[p * d + i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

/** linear2(Dropout(ReLU(linear1(x)))). */
function feedForward(x: Tensor, linear1: Linear, linear2: Linear, drop: Dropout): Tensor {
  return linear2.forward(drop.forward(relu(linear1.forward(x))));
}

/**
 * One sublayer with its residual connection and layer norm, in the configured order:
 * pre-LN x + Dropout(f(LN(x))), post-LN LN(x + Dropout(f(x))).
 */
function residual(order: 'pre' | 'post', x: Tensor, norm: LayerNorm, drop: Dropout, f: (h: Tensor) => Tensor): Tensor {
  return order === 'pre' ? add(x, drop.forward(f(norm.forward(x)))) : norm.forward(add(x, drop.forward(f(x))));
}

class EncoderLayer extends Module {
  readonly self_attn: MultiheadAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  private readonly drop: Dropout;
  constructor(ctx: InitContext, private readonly cfg: TransformerConfig) {
    super();
    const { dModel: d } = cfg;
    this.self_attn = this.registerModule('self_attn', new MultiheadAttention(ctx, d, cfg.heads, { hard: cfg.hard ?? null }));
    this.linear1 = this.registerModule('linear1', new Linear(ctx, d, cfg.dFF));
    this.linear2 = this.registerModule('linear2', new Linear(ctx, cfg.dFF, d));
    this.norm1 = this.registerModule('norm1', new LayerNorm(ctx, d));
    this.norm2 = this.registerModule('norm2', new LayerNorm(ctx, d));
    this.drop = this.registerModule('dropout', new Dropout(cfg.dropout, ctx));
  }
  forward(x: Tensor, mask: Tensor, needWeights: boolean): { x: Tensor; weights?: Tensor } {
    let weights: Tensor | undefined;
    const x1 = residual(this.cfg.norm, x, this.norm1, this.drop, (h) => {
      const a = this.self_attn.forward(h, h, h, { keyPaddingMask: mask, needWeights });
      weights = a.weights;
      return a.out;
    });
    const x2 = residual(this.cfg.norm, x1, this.norm2, this.drop, (h) => feedForward(h, this.linear1, this.linear2, this.drop));
    return { x: x2, weights };
  }
}

class DecoderLayer extends Module {
  readonly self_attn: MultiheadAttention;
  readonly multihead_attn: MultiheadAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly norm3: LayerNorm;
  private readonly drop: Dropout;
  constructor(ctx: InitContext, private readonly cfg: TransformerConfig) {
    super();
    const { dModel: d } = cfg;
    this.self_attn = this.registerModule('self_attn', new MultiheadAttention(ctx, d, cfg.heads, { hard: cfg.hard ?? null }));
    this.multihead_attn = this.registerModule('multihead_attn', new MultiheadAttention(ctx, d, cfg.heads, { hard: cfg.hard ?? null }));
    this.linear1 = this.registerModule('linear1', new Linear(ctx, d, cfg.dFF));
    this.linear2 = this.registerModule('linear2', new Linear(ctx, cfg.dFF, d));
    this.norm1 = this.registerModule('norm1', new LayerNorm(ctx, d));
    this.norm2 = this.registerModule('norm2', new LayerNorm(ctx, d));
    this.norm3 = this.registerModule('norm3', new LayerNorm(ctx, d));
    this.drop = this.registerModule('dropout', new Dropout(cfg.dropout, ctx));
  }
  forward(
    y: Tensor,
    memory: Tensor,
    memMask: Tensor,
    needWeights: boolean,
  ): { y: Tensor; self?: Tensor; cross?: Tensor } {
    let self: Tensor | undefined;
    let cross: Tensor | undefined;
    const y1 = residual(this.cfg.norm, y, this.norm1, this.drop, (h) => {
      const a = this.self_attn.forward(h, h, h, { causal: true, needWeights });
      self = a.weights;
      return a.out;
    });
    const y2 = residual(this.cfg.norm, y1, this.norm2, this.drop, (h) => {
      const c = this.multihead_attn.forward(h, memory, memory, { keyPaddingMask: memMask, needWeights });
      cross = c.weights;
      return c.out;
    });
    const y3 = residual(this.cfg.norm, y2, this.norm3, this.drop, (h) => feedForward(h, this.linear1, this.linear2, this.drop));
    return { y: y3, self, cross };
  }
}

class Stack<L extends Module> extends Module {
  readonly layers: ModuleList<L>;
  readonly norm: LayerNorm;
  constructor(ctx: InitContext, layers: L[], d: number) {
    super();
    this.layers = this.registerModule('layers', new ModuleList(layers));
    this.norm = this.registerModule('norm', new LayerNorm(ctx, d));
  }
}

/** Mixed into a call's seed so that encoder and decoder draw different masks. */
const ENCODE_SALT = 0x5eed_e0c0;
const DECODE_SALT = 0x5eed_dec0;

interface TransformerEncoded extends Encoded {
  memory: Tensor;
  memMask: Tensor;
}

export class Transformer extends Module implements Seq2SeqModel {
  readonly srcVocab: number;
  readonly tgtVocab: number;
  readonly src_embedding: Embedding;
  readonly tgt_embedding: Embedding;
  readonly encoder: Stack<EncoderLayer>;
  readonly decoder: Stack<DecoderLayer>;
  readonly generator: Linear | null;
  private readonly generatorBias: Tensor | null;
  private readonly srcPos: Tensor;
  private readonly tgtPos: Tensor;
  private readonly embedDrop: Dropout;

  constructor(ctx: InitContext, readonly cfg: TransformerConfig) {
    super();
    this.srcVocab = cfg.srcVocab;
    this.tgtVocab = cfg.tgtVocab;
    const d = cfg.dModel;
    // N(0, d^-½) as fairseq initialises them: after the √d scaling the token embedding has unit
    // variance, the same scale as the positions. (PyTorch's N(0, 1) times √d would drown the
    // position signal that copy/reverse/dates depend on.)
    const embedStd = 1 / Math.sqrt(d);
    this.src_embedding = this.registerModule('src_embedding', new Embedding(ctx, cfg.srcVocab, d, { paddingIdx: 0, std: embedStd }));
    this.tgt_embedding = this.registerModule('tgt_embedding', new Embedding(ctx, cfg.tgtVocab, d, { paddingIdx: 0, std: embedStd }));
    if (cfg.positional === 'learned') {
      this.srcPos = this.registerParameter('src_pos', normalParam(ctx, [cfg.maxLen, d], 0.02));
      this.tgtPos = this.registerParameter('tgt_pos', normalParam(ctx, [cfg.maxLen, d], 0.02));
    } else {
      const pe = sinusoid(cfg.maxLen, d);
      this.srcPos = fromData(pe, [cfg.maxLen, d], 'f32', ctx.backend);
      this.tgtPos = this.srcPos;
    }
    this.encoder = this.registerModule('encoder', new Stack(ctx, Array.from({ length: cfg.layers }, () => new EncoderLayer(ctx, cfg)), d));
    this.decoder = this.registerModule('decoder', new Stack(ctx, Array.from({ length: cfg.layers }, () => new DecoderLayer(ctx, cfg)), d));
    if (cfg.tieEmbeddings) {
      // Output layer shares the target embedding matrix (Press & Wolf 2017); only a bias is new.
      this.generator = null;
      this.generatorBias = this.registerParameter('generator_bias', normalParam(ctx, [cfg.tgtVocab], 0));
    } else {
      this.generator = this.registerModule('generator', new Linear(ctx, d, cfg.tgtVocab));
      this.generatorBias = null;
    }
    this.embedDrop = this.registerModule('dropout', new Dropout(cfg.dropout, ctx));
  }

  private embed(ids: Tensor, table: Embedding, pos: Tensor): Tensor {
    const T = ids.shape[1];
    if (T > this.cfg.maxLen) throw new Error(`sequence of ${T} tokens is longer than the model's maximum length ${this.cfg.maxLen}`);
    const e = scale(table.forward(ids), Math.sqrt(this.cfg.dModel));
    const p = narrow(pos, 0, 0, T);
    return this.embedDrop.forward(add(e, p));
  }

  encode(batch: SourceBatch, options: { needWeights?: boolean; seed?: number } = {}): TransformerEncoded {
    if (options.seed !== undefined) reseedModules([this.embedDrop, this.encoder], (options.seed ^ ENCODE_SALT) >>> 0);
    let x = this.embed(batch.src, this.src_embedding, this.srcPos);
    const attention: AttentionRecord[] = [];
    this.encoder.layers.items.forEach((layer, i) => {
      const r = layer.forward(x, batch.srcMask, !!options.needWeights);
      x = r.x;
      if (r.weights) attention.push({ name: `encoder.layers.${i}.self_attn`, kind: 'encoder-self', layer: i, weights: r.weights });
    });
    const memory = this.encoder.norm.forward(x);
    return { batch: batch.src.shape[0], srcLen: batch.src.shape[1], memory, memMask: batch.srcMask, attention };
  }

  decode(encIn: Encoded, tgtIn: Tensor, options: DecodeOptions = {}): { logits: Tensor; attention: AttentionRecord[] } {
    const enc = encIn as TransformerEncoded;
    let memory = enc.memory;
    let memMask = enc.memMask;
    if (options.rows) {
      // Beam search: hypothesis i reads source rows[i]; gather rows with an embedding lookup.
      const rows = fromData(options.rows, [options.rows.length], 'i32', memory.backend);
      const [B, S, D] = memory.shape;
      memory = reshape(embedding(rows, reshape(memory, [B, S * D])), [options.rows.length, S, D]);
      memMask = reshape(embedding(rows, memMask), [options.rows.length, S]);
    }
    if (options.seed !== undefined) reseedModules([this.embedDrop, this.decoder], (options.seed ^ DECODE_SALT) >>> 0);
    let y = this.embed(tgtIn, this.tgt_embedding, this.tgtPos);
    const attention: AttentionRecord[] = [];
    this.decoder.layers.items.forEach((layer, i) => {
      const r = layer.forward(y, memory, memMask, !!options.needWeights);
      y = r.y;
      if (r.self) attention.push({ name: `decoder.layers.${i}.self_attn`, kind: 'decoder-self', layer: i, weights: r.self });
      if (r.cross) attention.push({ name: `decoder.layers.${i}.multihead_attn`, kind: 'cross', layer: i, weights: r.cross });
    });
    const h = this.decoder.norm.forward(y);
    const logits = this.generator
      ? this.generator.forward(h)
      : matmul(h, transpose(this.tgt_embedding.weight), this.generatorBias);
    return { logits, attention };
  }
}
