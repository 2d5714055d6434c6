import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../../train/config';
import { estimateSize } from '../../train/estimate';
import type { ModelInfo } from '../../train/protocol';
import { pendingParameterCount } from './param-count';

const running: RunConfig = { ...DEFAULT_CONFIG, task: 'eng-fra', model: 'transformer', dModel: 32, layers: 1 };
const info = (c: RunConfig): ModelInfo => ({
  params: [],
  numParameters: estimateSize(c, 40, 50).parameters,
  vocab: { src: 40, tgt: 50 },
  task: c.task,
  description: '',
  examples: [],
  splits: { train: 1, valid: 1, test: 1 },
  probes: [],
});

describe('pendingParameterCount', () => {
  it('follows a model change made mid-run (applied on Reset)', () => {
    const edited = { ...running, dModel: 64 };
    const n = pendingParameterCount(running, edited, info(running));
    expect(n).toBe(estimateSize(edited, 40, 50).parameters);
    expect(n).toBeGreaterThan(info(running).numParameters);
  });

  it('nothing pending: no second number; another task: unknown vocabulary, none either', () => {
    expect(pendingParameterCount(running, running, info(running))).toBeNull();
    expect(pendingParameterCount(running, { ...running, lr: 0.5 }, info(running))).toBeNull();
    expect(pendingParameterCount(running, { ...running, task: 'dates', dModel: 64 }, info(running))).toBeNull();
    expect(pendingParameterCount(null, running, null)).toBeNull();
  });
});
