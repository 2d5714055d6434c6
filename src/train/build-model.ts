// RunConfig → a Seq2SeqModel with initialised parameters.

import type { InitContext } from '../engine';
import type { HardAttentionRule } from '../models/attention';
import { RnnSeq2Seq } from '../models/rnn-seq2seq';
import type { Seq2SeqModel } from '../models/seq2seq';
import { Transformer } from '../models/transformer';
import type { RunConfig } from './config';

export function hardRule(c: RunConfig): HardAttentionRule | null {
  if (c.attention !== 'hard') return null;
  return c.hardKind === 'topk' ? { kind: 'topk', k: c.hardK } : { kind: 'threshold', tau: c.hardThreshold };
}

export function buildModel(c: RunConfig, srcVocab: number, tgtVocab: number, ctx: InitContext): Seq2SeqModel {
  const hard = hardRule(c);
  if (c.model === 'transformer') {
    return new Transformer(ctx, {
      srcVocab,
      tgtVocab,
      layers: c.layers,
      dModel: c.dModel,
      heads: c.heads,
      dFF: c.dFF,
      dropout: c.dropout,
      positional: c.positional,
      norm: c.norm,
      tieEmbeddings: c.tieEmbeddings,
      maxLen: c.maxLen + 2,
      hard,
    });
  }
  return new RnnSeq2Seq(ctx, {
    srcVocab,
    tgtVocab,
    cell: c.cell,
    layers: c.layers,
    hidden: c.hidden,
    embed: c.embed,
    bidirectional: c.bidirectional,
    scoring: c.scoring,
    dropout: c.dropout,
    hard,
    maxLen: c.maxLen + 2,
  });
}
