// The optimizer's parameter groups for "no weight decay on biases and norms", on real models.
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../engine/backend';
import { initContext } from '../engine/nn/module';
import { buildModel } from './build-model';
import { DEFAULT_CONFIG, type RunConfig } from './config';
import { isBiasOrNorm, TrainingRule, weightDecayGroups } from './training-rule';

const build = (c: RunConfig) => buildModel(c, 11, 13, initContext(0, cpuBackend));

describe('weight decay groups', () => {
  it('names: biases and norm layers, not weights, embeddings or IndRNN recurrent weights', () => {
    for (const n of ['bias', 'encoder.layers.0.norm1.weight', 'decoder.norm.bias', 'x.in_proj_bias', 'generator_bias', 'encoder.rnn.bias_ih_l0_reverse']) {
      expect(isBiasOrNorm(n), n).toBe(true);
    }
    for (const n of ['encoder.layers.0.linear1.weight', 'src_embedding.weight', 'x.in_proj_weight', 'encoder.rnn.weight_hh_l0', 'normal.weight', 'src_pos']) {
      expect(isBiasOrNorm(n), n).toBe(false);
    }
  });
  it('Transformer and GRU seq2seq: two groups, the second without decay; every parameter once', () => {
    for (const c of [
      { ...DEFAULT_CONFIG, optimizer: 'adamw', weightDecay: 0.1, weightDecayExclude: 'bias-norm' },
      { ...DEFAULT_CONFIG, model: 'rnn', cell: 'gru', optimizer: 'sgd', weightDecay: 0.01, weightDecayExclude: 'bias-norm' },
    ] as RunConfig[]) {
      const model = build(c);
      const named = model.namedParameters();
      const groups = weightDecayGroups(c, named);
      expect(groups).toHaveLength(2);
      expect(groups[1].weightDecay).toBe(0);
      const names = (g: (typeof groups)[number]) => (g.params as [string, unknown][]).map(([n]) => n);
      expect([...names(groups[0]), ...names(groups[1])].sort()).toEqual(named.map(([n]) => n).sort());
      expect(names(groups[1]).every(isBiasOrNorm)).toBe(true);
      expect(names(groups[1]).length).toBeGreaterThan(0);
      const rule = new TrainingRule(c, model, cpuBackend);
      expect(rule.optimizer.paramGroups.map((g) => g.weightDecay)).toEqual([c.weightDecay, 0]);
      rule.optimizer.dispose();
      model.dispose();
    }
  });
  it("'none' keeps one group with the configured decay", () => {
    const c: RunConfig = { ...DEFAULT_CONFIG, optimizer: 'adamw', weightDecay: 0.05 };
    const model = build(c);
    const rule = new TrainingRule(c, model, cpuBackend);
    expect(rule.optimizer.paramGroups.map((g) => g.weightDecay)).toEqual([0.05]);
    rule.optimizer.dispose();
    model.dispose();
  });
});
