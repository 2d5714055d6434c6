// Greedy and beam-search decoding over any Seq2SeqModel. Each search step re-runs the decoder on
// the current prefixes (causal decoders give the same numbers as incremental state, and the
// sentences here are short); only the last position's logits are read back.
//
// Beam search: W hypotheses per source; each step expands every live hypothesis by every token,
// keeps the W best by total log-probability; a hypothesis ends at EOS. The final choice among
// finished hypotheses uses length-normalised score  log p(y) / |y|^α  (GNMT's α, default 0.6).

import { fromData, narrow, noGrad, reshape, tidy, toFloat32, type Backend, type Tensor } from '../engine';
import type { Encoded, Seq2SeqModel, SourceBatch } from '../models/seq2seq';
import { BOS, EOS, type HostBatch } from './batches';

export interface Decoded {
  /** Output token ids, without BOS/EOS. */
  tokens: number[];
  /**
   * Cross-attention alignment [tokens.length + 1 (incl. EOS), srcLen], averaged over heads; empty
   * when the caller asked for none (`alignments: false`).
   */
  alignment: Float32Array;
  srcLen: number;
  score: number;
  /** Beam search only: the W hypotheses it ends with, best length-normalised score first. */
  hypotheses?: Hypothesis[];
}

export interface Hypothesis {
  /** Output token ids, without BOS/EOS. */
  tokens: number[];
  /** log p(y | x), EOS included when the hypothesis finished. */
  logProb: number;
  /** logProb / |y|^α, the score the search ranks finished hypotheses by. */
  score: number;
  /** Whether the hypothesis ended with EOS (else it was cut at the length limit). */
  finished: boolean;
}

export interface DecodeConfig {
  maxLen: number;
  beam?: number;
  lengthPenalty?: number;
  /** Also run the decoder once more for the alignments (default true); evaluation needs only the tokens. */
  alignments?: boolean;
}

function logSoftmaxRow(x: Float32Array, off: number, n: number, out: Float64Array): void {
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = Math.max(m, x[off + i]);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(x[off + i] - m);
  const lse = m + Math.log(s);
  for (let i = 0; i < n; i++) out[i] = x[off + i] - lse;
}

/** Last-position logits for each prefix (all prefixes have equal length), read back. */
async function nextLogits(model: Seq2SeqModel, enc: Encoded, prefixes: number[][], rows: number[], backend: Backend): Promise<Float32Array> {
  const t = prefixes[0].length;
  const n = prefixes.length;
  const logits = tidy(() => noGrad(() => {
    const tgtIn = fromData(prefixes.flat(), [n, t], 'i32', backend);
    const { logits: all } = model.decode(enc, tgtIn, { rows });
    const last = narrow(all, 1, t - 1, 1);
    return reshape(last, [n, model.tgtVocab]);
  }));
  const data = await toFloat32(logits);
  logits.dispose();
  return data;
}

/** Cross-attention of the decoder on the full output, averaged over heads (last cross layer). */
async function alignments(model: Seq2SeqModel, enc: Encoded, outputs: number[][], rows: number[], backend: Backend): Promise<Float32Array[]> {
  const n = outputs.length;
  const t = Math.max(...outputs.map((o) => o.length)) + 1;
  const prefixes = outputs.map((o) => [BOS, ...o, ...new Array<number>(t - 1 - o.length).fill(0)]);
  const w = tidy(() => noGrad(() => {
    const tgtIn = fromData(prefixes.flat(), [n, t], 'i32', backend);
    const { attention } = model.decode(enc, tgtIn, { rows, needWeights: true });
    const cross = attention.filter((a) => a.kind === 'cross' || a.kind === 'rnn');
    return cross.length ? cross[cross.length - 1].weights : null;
  }));
  if (!w) return outputs.map((o) => new Float32Array((o.length + 1) * enc.srcLen));
  const [, heads, q, s] = w.shape;
  const data = await toFloat32(w);
  w.dispose();
  return outputs.map((o, i) => {
    const rowsOut = o.length + 1;
    const a = new Float32Array(rowsOut * s);
    for (let h = 0; h < heads; h++) {
      for (let r = 0; r < rowsOut; r++) for (let c = 0; c < s; c++) a[r * s + c] += data[((i * heads + h) * q + r) * s + c] / heads;
    }
    return a;
  });
}

export function sourceBatchOf(hb: HostBatch, backend: Backend): SourceBatch {
  return {
    src: fromData(hb.src, [hb.size, hb.srcLen], 'i32', backend),
    srcMask: fromData(hb.srcMask, [hb.size, hb.srcLen], 'f32', backend),
    srcLengths: hb.srcLengths,
  };
}

function disposeSource(s: SourceBatch): void {
  s.src.dispose();
  s.srcMask.dispose();
}

/** Decodes every source of a batch. Greedy when beam ≤ 1. */
export async function decodeBatch(model: Seq2SeqModel, hb: HostBatch, backend: Backend, cfg: DecodeConfig): Promise<Decoded[]> {
  const wasTraining = model.training;
  model.eval();
  try {
    // Every tensor op below runs inside noGrad(...) in synchronous pieces: a no-grad flag
    // cannot span an await.
    const source = sourceBatchOf(hb, backend);
    const enc = tidy(() => noGrad(() => model.encode(source)));
    try {
      const beam = Math.max(1, cfg.beam ?? 1);
      const results = beam === 1 ? await greedy(model, enc, hb.size, backend, cfg) : await beamSearch(model, enc, hb.size, beam, backend, cfg);
      const aligns =
        cfg.alignments === false
          ? results.map(() => new Float32Array(0))
          : await alignments(model, enc, results.map((r) => r.tokens), results.map((_, i) => i), backend);
      return results.map((r, i) => ({ ...r, alignment: aligns[i], srcLen: hb.srcLen }));
    } finally {
      disposeEncoded(enc);
      disposeSource(source);
    }
  } finally {
    model.train(wasTraining);
  }
}

/** Frees the tensors an Encoded holds (any Tensor-valued field, and recorded attention). */
export function disposeEncoded(enc: Encoded): void {
  for (const v of Object.values(enc)) {
    if (v && typeof v === 'object' && 'dispose' in v && typeof (v as Tensor).dispose === 'function') (v as Tensor).dispose();
    if (Array.isArray(v)) for (const x of v) if (x && typeof x === 'object' && 'dispose' in x) (x as Tensor).dispose();
  }
  for (const a of enc.attention) a.weights.dispose();
}

async function greedy(model: Seq2SeqModel, enc: Encoded, n: number, backend: Backend, cfg: DecodeConfig): Promise<{ tokens: number[]; score: number }[]> {
  const prefixes = Array.from({ length: n }, () => [BOS]);
  const done = new Array<boolean>(n).fill(false);
  const scores = new Array<number>(n).fill(0);
  const V = model.tgtVocab;
  const lp = new Float64Array(V);
  const rows = [...Array(n).keys()];
  for (let t = 0; t < cfg.maxLen && done.some((d) => !d); t++) {
    const logits = await nextLogits(model, enc, prefixes, rows, backend);
    for (let i = 0; i < n; i++) {
      if (done[i]) {
        prefixes[i].push(0);
        continue;
      }
      logSoftmaxRow(logits, i * V, V, lp);
      let best = 0;
      for (let v = 1; v < V; v++) if (lp[v] > lp[best]) best = v;
      scores[i] += lp[best];
      prefixes[i].push(best);
      if (best === EOS) done[i] = true;
    }
  }
  return prefixes.map((p, i) => {
    const out = p.slice(1);
    const end = out.indexOf(EOS);
    return { tokens: end >= 0 ? out.slice(0, end) : out, score: scores[i] };
  });
}

interface Hyp {
  tokens: number[];
  logp: number;
}

async function beamSearch(model: Seq2SeqModel, enc: Encoded, n: number, W: number, backend: Backend, cfg: DecodeConfig): Promise<{ tokens: number[]; score: number; hypotheses: Hypothesis[] }[]> {
  const alpha = cfg.lengthPenalty ?? 0.6;
  const V = model.tgtVocab;
  const lp = new Float64Array(V);
  let live: Hyp[][] = Array.from({ length: n }, () => [{ tokens: [BOS], logp: 0 }]);
  const finished: Hyp[][] = Array.from({ length: n }, () => []);
  const norm = (h: Hyp) => h.logp / Math.pow(Math.max(1, h.tokens.length - 1), alpha);
  for (let t = 0; t < cfg.maxLen && live.some((l) => l.length > 0); t++) {
    const flat: { src: number; hyp: Hyp }[] = [];
    live.forEach((hs, src) => hs.forEach((hyp) => flat.push({ src, hyp })));
    const logits = await nextLogits(model, enc, flat.map((f) => f.hyp.tokens), flat.map((f) => f.src), backend);
    const cands: { src: number; hyp: Hyp; tok: number; logp: number }[][] = Array.from({ length: n }, () => []);
    flat.forEach((f, i) => {
      logSoftmaxRow(logits, i * V, V, lp);
      // Only the W best tokens of each hypothesis can enter the W best of its source.
      const idx = [...Array(V).keys()].sort((a, b) => lp[b] - lp[a]).slice(0, W);
      for (const tok of idx) cands[f.src].push({ src: f.src, hyp: f.hyp, tok, logp: f.hyp.logp + lp[tok] });
    });
    live = cands.map((cs, src) => {
      cs.sort((a, b) => b.logp - a.logp);
      const next: Hyp[] = [];
      for (const c of cs) {
        if (next.length + finished[src].length >= W && next.length >= W) break;
        const h = { tokens: [...c.hyp.tokens, c.tok], logp: c.logp };
        if (c.tok === EOS) finished[src].push(h);
        else if (next.length < W) next.push(h);
      }
      // Stop a source once W hypotheses have finished and no live one can still beat the best.
      if (finished[src].length >= W) return [];
      return next;
    });
  }
  return finished.map((fs, src) => {
    // The W best by length-normalised score, finished ones first (an unfinished one was cut at
    // the length limit); the first is the answer.
    const ranked = (hs: Hyp[], done: boolean) => hs.map((h) => ({ h, done })).sort((a, b) => norm(b.h) - norm(a.h));
    const pool = [...ranked(fs, true), ...ranked(live[src], false)].slice(0, W);
    const hypotheses = pool.map(({ h, done }) => ({ tokens: h.tokens.slice(1).filter((t) => t !== EOS), logProb: h.logp, score: norm(h), finished: done }));
    return { tokens: hypotheses[0].tokens, score: hypotheses[0].score, hypotheses };
  });
}
