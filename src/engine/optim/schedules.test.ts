// Learning-rate schedules: their shapes at the points that define them (warm-up end / peak,
// the inverse-square-root decay, the cosine's midpoint and end), against the formulas.
import { describe, expect, it } from 'vitest';
import { constantSchedule, cosineSchedule, createSchedule, inverseSqrtSchedule } from './schedules';

const steps = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('learning-rate schedules', () => {
  it('constant', () => {
    const s = constantSchedule(3e-4);
    expect(steps(50).every((t) => s(t) === 3e-4)).toBe(true);
  });

  it('inverse-sqrt: linear warm-up, peak = base at the warm-up end, then base·√(w/s); the Transformer formula up to scale', () => {
    const base = 2e-3;
    const w = 100;
    const s = inverseSqrtSchedule(base, w);
    const lrs = steps(1000).map(s);
    expect(Math.max(...lrs)).toBeCloseTo(base, 15);
    expect(lrs.indexOf(Math.max(...lrs)) + 1).toBe(w);
    expect(s(1)).toBeCloseTo(base / w, 15);
    expect(s(50)).toBeCloseTo(base / 2, 15);
    expect(s(400)).toBeCloseTo(base / 2, 15);
    expect(s(w + 1)).toBeLessThan(s(w));
    // Vaswani et al. 2017: d^−0.5 · min(s^−0.5, s · w^−1.5); ours is that times base·√(d·w).
    const d = 512;
    for (const t of [1, 37, 100, 101, 999]) {
      const noam = d ** -0.5 * Math.min(t ** -0.5, t * w ** -1.5);
      expect(s(t) / noam).toBeCloseTo(base * Math.sqrt(d * w), 10);
    }
    // Without warm-up the peak is the first step.
    const s0 = inverseSqrtSchedule(base, 0);
    expect(s0(1)).toBe(base);
    expect(s0(4)).toBeCloseTo(base / 2, 15);
  });

  it('cosine: warm-up to base, half-way down at the midpoint of the decay, minLr at the end and after', () => {
    const [base, total, w, min] = [1e-3, 1100, 100, 1e-5];
    const s = cosineSchedule(base, total, w, min);
    expect(s(1)).toBeCloseTo(base / w, 15);
    expect(s(w)).toBe(base);
    expect(Math.max(...steps(total).map(s))).toBe(base);
    expect(s(w + (total - w) / 2)).toBeCloseTo((base + min) / 2, 15);
    expect(s(total)).toBe(min);
    expect(s(total + 500)).toBe(min);
    expect(s(total - 1)).toBeGreaterThan(min);
    const lrs = steps(total).slice(w).map(s);
    expect(lrs.every((v, i) => i === 0 || v <= lrs[i - 1])).toBe(true);
    // PyTorch's CosineAnnealingLR closed form, T_cur = s − w, T_max = total − w.
    expect(s(w + 250)).toBeCloseTo(min + ((base - min) * (1 + Math.cos((Math.PI * 250) / 1000))) / 2, 15);
    const noWarm = cosineSchedule(base, 10);
    expect(noWarm(1)).toBeCloseTo(base * (1 + Math.cos(Math.PI / 10)) / 2, 15);
    expect(noWarm(10)).toBe(0);
  });

  it('createSchedule dispatches on the kind', () => {
    expect(createSchedule('constant', { base: 1 })(10)).toBe(1);
    expect(createSchedule('inverse-sqrt', { base: 1, warmup: 4 })(16)).toBeCloseTo(0.5, 15);
    expect(createSchedule('cosine', { base: 1, total: 2 })(2)).toBe(0);
  });
});
