// The Trainer: one class used by the browser's worker and by the CLI. It owns the data, the
// model, the optimizer and the clipping rule, and runs training steps that are encoded and
// submitted in one go; the step's numbers (loss, norms, non-finite flag) come back through a
// single asynchronous readback, so the caller can encode the next step while it is in flight.

import {
  backward,
  fromData,
  initContext,
  memoryOf,
  noGrad,
  reshape,
  tidy,
  toFloat32,
  zeroGrad,
  type Backend,
  type Tensor,
} from '../engine';
import { crossEntropy } from '../engine/ops/cross-entropy';
import { buildModel } from './build-model';
import { BucketBatcher, evalBatches, IGNORE_INDEX, type HostBatch } from './batches';
import type { RunConfig } from './config';
import { decodeBatch, sourceBatchOf } from './decode';
import type { AttentionMap, AttentionSnapshot, EvalMetrics, ModelInfo, Pair, StepMetrics, Translation } from './protocol';
import { loadDataset, type Dataset, type Vocabularies } from './dataset';
import { taskInput } from '../data/tasks';
import { TrainingRule } from './training-rule';
import type { Seq2SeqModel } from '../models/seq2seq';
import { corpusBleu, exactMatch, tokenAccuracy } from './bleu';
import { checkBudget, checkLimits, estimateSize } from './estimate';
import { translateInputError } from './translate-input';
import { corpusChrf } from './chrf';
import type { EncodedPair } from './batches';

/**
 * Every target of each source in a split, keyed by the source ids: the references of
 * multi-reference scoring (a real data set has several translations of many sentences).
 */
export function referencesBySource(pairs: readonly EncodedPair[]): Map<string, number[][]> {
  const m = new Map<string, number[][]>();
  for (const p of pairs) {
    const key = p.src.join(',');
    const refs = m.get(key);
    if (refs) refs.push(p.tgt);
    else m.set(key, [p.tgt]);
  }
  return m;
}

/** How a run that went non-finite is reported (the CLI's error line, the page's pause message). */
export function nonFiniteMessage(step: number, parameter: string): string {
  return `step ${step}: the loss or gradients became non-finite (first non-finite gradient: ${parameter})`;
}

/** The configuration asks for more than the adapter can hold (a config error, not a crash). */
export class ConfigLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigLimitError';
  }
}

export interface StepResult {
  metrics: StepMetrics;
  /** Set when the step's loss or a gradient was non-finite (the update was skipped or the run must stop). */
  nonFinite?: { parameter: string };
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class Trainer {
  step = 0;
  skippedSteps = 0;
  private readonly batcher: BucketBatcher | null;
  private readonly probeSources: number[][];
  /** The reference translations of the probe sentences (target ids). */
  private readonly probeTargets: number[][];
  /**
   * Longest output a decoder may produce: the longest training target plus a margin (an
   * untrained model rarely says EOS; decoding to maxLen would cost several times more).
   */
  private readonly decodeLimit: number;

  private constructor(
    readonly config: RunConfig,
    readonly backend: Backend,
    readonly data: Dataset,
    readonly model: Seq2SeqModel,
    readonly rule: TrainingRule,
  ) {
    this.batcher = data.train.length ? new BucketBatcher(data.train, config.batch, config.seed) : null;
    this.probeSources = (data.valid.length ? data.valid : data.train).slice(0, 3).map((p) => p.src);
    this.probeTargets = (data.valid.length ? data.valid : data.train).slice(0, 3).map((p) => p.tgt);
    const longest = data.train.reduce((m, p) => Math.max(m, p.tgt.length), 0);
    this.decodeLimit = longest > 0 ? Math.min(config.maxLen + 1, longest + 5) : config.maxLen + 1;
  }

  /**
   * Builds the data, the model and the optimizer. A run over the memory budget, or whose buffers
   * would exceed the adapter's limits, is refused before the model is allocated.
   */
  static create(config: RunConfig, backend: Backend, options: { pairs?: readonly Pair[]; vocab?: Vocabularies } = {}): Trainer {
    const data = loadDataset(config, options.pairs, options.vocab);
    const estimate = estimateSize(config, data.srcTokenizer.size, data.tgtTokenizer.size);
    const refusal = checkBudget(estimate, backend.kind) ?? (backend.kind === 'webgpu' ? checkLimits(estimate, backend.device.limits) : null);
    if (refusal) throw new ConfigLimitError(refusal);
    const ctx = initContext(config.seed, backend);
    const model = buildModel(config, data.srcTokenizer.size, data.tgtTokenizer.size, ctx);
    const rule = new TrainingRule(config, model, backend);
    return new Trainer(config, backend, data, model, rule);
  }

  /** Continues a loaded run at `step`: the batch order is replayed so the next batch is the one the run would have seen. */
  resumeAt(step: number, skippedSteps = 0): void {
    for (let i = this.step; i < step && this.batcher; i++) this.batcher.next();
    this.step = step;
    this.skippedSteps = skippedSteps;
  }

  get canTrain(): boolean {
    return this.batcher !== null;
  }

  get paramNames(): string[] {
    return this.model.namedParameters().map(([n]) => n);
  }

  info(): ModelInfo {
    return {
      params: this.model.namedParameters().map(([name, p]) => ({ name, shape: [...p.shape] })),
      numParameters: this.model.numParameters(),
      vocab: { src: this.data.srcTokenizer.size, tgt: this.data.tgtTokenizer.size },
      task: this.data.task,
      description: this.data.description,
      examples: this.data.examples,
      splits: { train: this.data.train.length, valid: this.data.valid.length, test: this.data.test.length },
      probes: this.probeSources.map((s) => this.data.srcTokenizer.decode(s)),
    };
  }

  private upload(hb: HostBatch) {
    const b = this.backend;
    return {
      source: sourceBatchOf(hb, b),
      tgtIn: fromData(hb.tgtIn, [hb.size, hb.tgtLen], 'i32', b),
      tgtOut: fromData(hb.tgtOut, [hb.size * hb.tgtLen], 'i32', b),
    };
  }

  /** Teacher-forced loss of one batch (a scalar tensor), recorded on the tape when grad is on. */
  private batchLoss(hb: HostBatch, seed: number, teacherForcing: number): Tensor {
    const { source, tgtIn, tgtOut } = this.upload(hb);
    const enc = this.model.encode(source, { seed });
    const { logits } = this.model.decode(enc, tgtIn, { seed, teacherForcing });
    return crossEntropy(reshape(logits, [-1, this.model.tgtVocab]), tgtOut, {
      ignoreIndex: IGNORE_INDEX,
      labelSmoothing: this.config.labelSmoothing,
    });
  }

  /**
   * Encodes and submits one training step; resolves with its metrics once the single readback
   * arrives. Calls may overlap: the next step can be encoded while this one's numbers are read.
   */
  trainStep(): Promise<StepResult> {
    if (!this.batcher) throw new Error('this model was loaded without its training pairs: import them to train further');
    const hb = this.batcher.next();
    const t0 = now();
    const step = ++this.step;
    const seed = (this.config.seed * 1_000_003 + step) >>> 0;
    const lr = this.rule.learningRate(step);
    this.model.train();
    const stats = tidy(() => {
      const loss = this.batchLoss(hb, seed, this.config.teacherForcing);
      backward(loss);
      return this.rule.apply(loss, lr);
    });
    zeroGrad(this.model.parameters());
    this.rule.afterStep();
    const tokens = hb.tokens;
    return toFloat32(stats).then((v) => {
      stats.dispose();
      const ms = now() - t0;
      const decoded = this.rule.decodeStats(v);
      if (decoded.nonFinite) this.skippedSteps++;
      return {
        metrics: {
          step,
          loss: decoded.loss,
          lr,
          gradNormPre: decoded.normPre,
          gradNormPost: decoded.normPost,
          paramNormsPre: decoded.paramPre,
          paramNormsPost: decoded.paramPost,
          clipCoef: decoded.clipCoef,
          clampedFraction: decoded.clampedFraction,
          paramClamped: decoded.paramClamped,
          tokensPerSec: (tokens / ms) * 1000,
          ms,
          gpuBytes: memoryOf(this.backend).liveBytes,
        },
        nonFinite: decoded.nonFinite ? { parameter: this.paramNames[decoded.firstNonFinite] ?? 'loss' } : undefined,
      };
    });
  }

  /**
   * Loss, token accuracy and exact match on (up to `limit` examples of) a split, greedy decoding;
   * BLEU and chrF once per distinct source among them, against every target of that source in the split.
   */
  async evaluate(split: 'valid' | 'test', limit = 500): Promise<EvalMetrics> {
    const all = split === 'valid' ? this.data.valid : this.data.test;
    const pairs = all.slice(0, limit);
    const batches = evalBatches(pairs, Math.max(16, this.config.batch));
    let lossSum = 0;
    let tokens = 0;
    const hyps: number[][] = [];
    const refs: number[][] = [];
    const srcs: number[][] = [];
    this.model.eval();
    for (const hb of batches) {
      const l = tidy(() => noGrad(() => this.batchLoss(hb, 0, 1)));
      lossSum += (await toFloat32(l))[0] * hb.tokens;
      l.dispose();
      tokens += hb.tokens;
      const out = await decodeBatch(this.model, hb, this.backend, { maxLen: this.decodeLimit, alignments: false });
      out.forEach((d, i) => {
        hyps.push(d.tokens);
        refs.push(pairs[hb.indices[i]].tgt);
        srcs.push(pairs[hb.indices[i]].src);
      });
    }
    this.model.train();
    const detok = (ids: number[]) => this.data.tgtTokenizer.decode(ids);
    const refsOf = referencesBySource(all);
    const seen = new Set<string>();
    const textHyps: string[] = [];
    const textRefs: string[][] = [];
    hyps.forEach((h, i) => {
      const key = srcs[i].join(',');
      if (seen.has(key)) return;
      seen.add(key);
      textHyps.push(detok(h));
      textRefs.push((refsOf.get(key) ?? [refs[i]]).map(detok));
    });
    // sacreBLEU's layout: reference stream k holds each segment's k-th reference ('' = none).
    const streams = Array.from({ length: Math.max(1, ...textRefs.map((r) => r.length)) }, (_, k) => textRefs.map((r) => r[k] ?? ''));
    return {
      step: this.step,
      split,
      loss: tokens ? lossSum / tokens : NaN,
      tokenAccuracy: tokenAccuracy(hyps, refs),
      exactMatch: exactMatch(hyps, refs),
      bleu: textHyps.length ? corpusBleu(textHyps, streams, this.data.bleuTokenizer) : 0,
      chrf: textHyps.length ? corpusChrf(textHyps, textRefs) : 0,
    };
  }

  /** Every attention map of the model on probe sentence `probe`, decoding its own greedy output. */
  async probeAttention(probe = 0): Promise<AttentionSnapshot> {
    const which = Math.min(probe, this.probeSources.length - 1);
    const src = this.probeSources[which];
    const hb = evalBatches([{ src, tgt: [] }], 1)[0];
    // Its own pass below records every map (not only the cross-attention alignment).
    const [decoded] = await decodeBatch(this.model, hb, this.backend, { maxLen: this.decodeLimit, alignments: false });
    const out = decoded.tokens;
    const full = evalBatches([{ src, tgt: out }], 1)[0];
    this.model.eval();
    const records = tidy(() =>
      noGrad(() => {
        const { source, tgtIn } = this.upload(full);
        const enc = this.model.encode(source, { needWeights: true });
        const { attention } = this.model.decode(enc, tgtIn, { needWeights: true });
        const all = [...enc.attention, ...attention];
        enc.attention = [];
        return all;
      }),
    );
    this.model.train();
    const maps = [];
    for (const r of records) {
      const [, heads, rows, cols] = r.weights.shape;
      maps.push({ name: r.name, kind: r.kind, layer: r.layer, heads, rows, cols, data: await toFloat32(r.weights) });
      r.weights.dispose();
    }
    return {
      step: this.step,
      probe,
      srcTokens: [...this.data.srcTokenizer.tokens(src), '<eos>'],
      tgtTokens: [...this.data.tgtTokenizer.tokens(out), '<eos>'],
      reference: this.data.tgtTokenizer.decode(this.probeTargets[which] ?? []),
      maps,
    };
  }

  /**
   * Every cross-attention map (each layer, each head; the RNN's one attention) of the decoder
   * reading `out` (+ EOS) over `src`: one teacher-forced pass on the chosen output.
   */
  private async crossMaps(src: number[], out: number[]): Promise<AttentionMap[]> {
    const full = evalBatches([{ src, tgt: out }], 1)[0];
    const wasTraining = this.model.training;
    this.model.eval();
    const records = tidy(() =>
      noGrad(() => {
        const { source, tgtIn } = this.upload(full);
        const enc = this.model.encode(source);
        const { attention } = this.model.decode(enc, tgtIn, { needWeights: true });
        for (const a of enc.attention) a.weights.dispose();
        enc.attention = [];
        const cross = attention.filter((a) => a.kind === 'cross' || a.kind === 'rnn');
        for (const a of attention) if (!cross.includes(a)) a.weights.dispose();
        return cross;
      }),
    );
    this.model.train(wasTraining);
    const maps: AttentionMap[] = [];
    for (const r of records) {
      const [, heads, rows, cols] = r.weights.shape;
      maps.push({ name: r.name, kind: r.kind, layer: r.layer, heads, rows, cols, data: await toFloat32(r.weights) });
      r.weights.dispose();
    }
    return maps;
  }

  /** Translates one sentence (greedy, or beam search when beam > 1). */
  async translate(id: number, typed: string, beam = 1): Promise<Translation> {
    const tooLong = translateInputError(typed);
    if (tooLong) throw new Error(tooLong);
    const text = taskInput(this.data.task, typed);
    const { ids, unknown } = this.data.srcTokenizer.encodeWithUnknown(text);
    if (ids.length === 0) throw new Error('nothing to translate: the sentence is empty');
    if (ids.length > this.config.maxLen) throw new Error(`the sentence has ${ids.length} tokens; this model reads at most ${this.config.maxLen}`);
    const hb = evalBatches([{ src: ids, tgt: [] }], 1)[0];
    const [d] = await decodeBatch(this.model, hb, this.backend, { maxLen: this.decodeLimit, beam });
    const maps = await this.crossMaps(ids, d.tokens);
    return {
      id,
      // Unknown pieces are shown as written (marked), not as <unk>.
      srcTokens: [...this.data.srcTokenizer.pieces(text), '<eos>'],
      unknown: [...unknown, false],
      outTokens: [...this.data.tgtTokenizer.tokens(d.tokens), '<eos>'],
      text: this.data.tgtTokenizer.decode(d.tokens),
      alignment: d.alignment,
      ...(text !== typed ? { readAs: text } : {}),
      ...(this.data.srcTokenizer.level === 'bpe' ? { subword: true } : {}),
      crossMaps: maps,
      ...(d.hypotheses
        ? { hypotheses: d.hypotheses.map((h) => ({ text: this.data.tgtTokenizer.decode(h.tokens), logProb: h.logProb, score: h.score, length: h.tokens.length, finished: h.finished })) }
        : {}),
    };
  }

  dispose(): void {
    this.model.dispose();
    this.rule.dispose();
  }
}

