import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { StepMetrics } from '../../train/protocol';
import { appendGrid, appendRows, completeSeries, downsample, emptyGrid, emptySeries, RateMeter } from './series';

function row(step: number, over: Partial<StepMetrics> = {}): StepMetrics {
  return {
    step,
    loss: 1 / step,
    lr: 0.001,
    gradNormPre: 2,
    gradNormPost: 1,
    paramNormsPre: [1, 2, 3],
    paramNormsPost: [0.5, 1, 1.5],
    clipCoef: 1,
    clampedFraction: 0,
    paramClamped: [0, 0, 0],
    tokensPerSec: 100,
    ms: 10,
    gpuBytes: 1000,
    ...over,
  };
}

describe('appendRows', () => {
  it('appends in order and drops rows at or before the last stored step', () => {
    const s = emptySeries();
    expect(appendRows(s, [row(1), row(2), row(3)])).toBe(3);
    expect(appendRows(s, [row(2), row(3), row(4)])).toBe(1);
    expect(s.step).toEqual([1, 2, 3, 4]);
    expect(s.columns.loss).toEqual([1, 1 / 2, 1 / 3, 1 / 4]);
    expect(s.columns.gpuBytes.length).toBe(4);
  });
});

describe('downsample', () => {
  it('returns every point when there are fewer than maxPoints', () => {
    const pts = downsample([1, 2, 3], { y: [4, 5, 6] }, 10);
    expect(pts).toEqual([
      { step: 1, y: 4 },
      { step: 2, y: 5 },
      { step: 3, y: 6 },
    ]);
  });

  it('averages equal buckets and never exceeds maxPoints', () => {
    const steps = Array.from({ length: 1001 }, (_, i) => i + 1);
    const ys = steps.map((s) => s * 2);
    const pts = downsample(steps, { y: ys }, 100);
    expect(pts.length).toBeLessThanOrEqual(100);
    expect(pts[0].y).toBeCloseTo(2 * pts[0].step, 6);
    // Buckets are contiguous: the steps increase.
    for (let i = 1; i < pts.length; i++) expect(pts[i].step).toBeGreaterThan(pts[i - 1].step);
  });

  it('leaves non-finite values out of a bucket mean', () => {
    const pts = downsample([1, 2], { y: [NaN, 3] }, 1);
    expect(pts).toEqual([{ step: 2, y: 3 }]);
    expect(downsample([1], { y: [Infinity] }, 1)[0].y).toBeUndefined();
  });

  it('keeps post ≤ pre and post ≤ max norm bucket by bucket (what the clipping chart shows)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (pre, maxPoints) => {
        const maxNorm = 1;
        const post = pre.map((g) => Math.min(g, maxNorm));
        const steps = pre.map((_, i) => i + 1);
        for (const p of downsample(steps, { pre, post }, maxPoints)) {
          expect(p.post).toBeLessThanOrEqual(p.pre + 1e-12);
          expect(p.post).toBeLessThanOrEqual(maxNorm + 1e-12);
        }
      }),
    );
  });
});

describe('appendGrid', () => {
  it('stays within maxColumns by doubling the stride, keeping the first column', () => {
    const g = emptyGrid();
    const rows = Array.from({ length: 1000 }, (_, i) => row(i + 1));
    appendGrid(g, rows, 64);
    expect(g.steps.length).toBeLessThanOrEqual(64);
    expect(g.steps[0]).toBe(1);
    expect(g.stride).toBeGreaterThan(1);
    for (let i = 1; i < g.steps.length; i++) expect(g.steps[i] - g.steps[i - 1]).toBeGreaterThanOrEqual(g.stride / 2);
    expect(g.pre.length).toBe(g.steps.length);
    expect(Array.from(g.post[0])).toEqual([0.5, 1, 1.5]);
  });

  it('skips rows without per-parameter norms', () => {
    const g = emptyGrid();
    appendGrid(g, [row(1, { paramNormsPre: [], paramNormsPost: [] })]);
    expect(g.steps).toEqual([]);
  });
});

describe('RateMeter', () => {
  it('measures steps per second over its window', () => {
    const m = new RateMeter(2000);
    m.add(0, 0);
    m.add(1000, 10);
    m.add(2000, 30);
    expect(m.stepsPerSec()).toBeCloseTo(15, 6);
    m.add(5000, 60);
    // The samples older than the window are dropped (two are always kept).
    expect(m.stepsPerSec()).toBeCloseTo(10, 6);
    m.reset();
    expect(m.stepsPerSec()).toBe(0);
  });
});

describe('completeSeries', () => {
  it('a series saved before the clipping columns existed gets them as NaN, one per step', () => {
    const old = { step: [1, 2], columns: { loss: [1, 2], lr: [0, 0], gradNormPre: [1, 1], gradNormPost: [1, 1], tokensPerSec: [1, 1], ms: [1, 1], gpuBytes: [1, 1] } };
    const s = completeSeries(old);
    expect(s.columns.clipCoef).toEqual([NaN, NaN]);
    expect(s.columns.clampedFraction).toEqual([NaN, NaN]);
    appendRows(s, [row(3, { clipCoef: 0.5, clampedFraction: 0.25 })]);
    expect(s.columns.clipCoef).toEqual([NaN, NaN, 0.5]);
    expect(s.columns.loss).toHaveLength(3);
  });
});
