import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../train/config';
import { differingFields, summarizeRun, useCompare } from './compare-store';
import { emptySeries } from './series';

function series(n: number) {
  const s = emptySeries();
  for (let i = 1; i <= n; i++) {
    s.step.push(i);
    s.columns.loss.push(10 / i);
    s.columns.lr.push(0.001);
    s.columns.gradNormPre.push(2);
    s.columns.gradNormPost.push(1);
    s.columns.tokensPerSec.push(1);
    s.columns.ms.push(1);
    s.columns.gpuBytes.push(1);
  }
  return s;
}

beforeEach(() => useCompare.getState().hydrate([]));

describe('compare store', () => {
  it('summarises a run into a reduced curve and its valid evaluations', () => {
    const r = summarizeRun('a', 'A', DEFAULT_CONFIG, series(2000), [
      { step: 100, split: 'valid', loss: 1, tokenAccuracy: 0.1, exactMatch: 0, bleu: 1 },
      { step: 100, split: 'test', loss: 1, tokenAccuracy: 0.1, exactMatch: 0, bleu: 1 },
    ], 1);
    expect(r.curve.step.length).toBeLessThanOrEqual(400);
    expect(r.steps).toBe(2000);
    expect(r.evals.length).toBe(1);
    expect(r.curve.loss[0]).toBeGreaterThan(r.curve.loss[r.curve.loss.length - 1]);
  });

  it('gives each kept run its own colour, and a re-kept run keeps its colour', () => {
    const keep = useCompare.getState().keep;
    const a = keep(summarizeRun('a', 'A', DEFAULT_CONFIG, series(10), [], 1));
    const b = keep(summarizeRun('b', 'B', { ...DEFAULT_CONFIG, lr: 0.01 }, series(10), [], 2));
    expect(a.color).not.toBe(b.color);
    const a2 = keep(summarizeRun('a', 'A again', DEFAULT_CONFIG, series(20), [], 3));
    expect(a2.color).toBe(a.color);
    expect(useCompare.getState().runs.map((r) => r.label)).toEqual(['B', 'A again']);
    useCompare.getState().remove('b');
    const c = keep(summarizeRun('c', 'C', DEFAULT_CONFIG, series(5), [], 4));
    expect(c.color).toBe(b.color);
  });

  it('lists the config fields in which kept runs differ', () => {
    expect(differingFields([{ config: DEFAULT_CONFIG }])).toEqual([]);
    expect(differingFields([{ config: DEFAULT_CONFIG }, { config: { ...DEFAULT_CONFIG, lr: 1, clip: 'none' } }]).sort()).toEqual(['clip', 'lr']);
  });
});
