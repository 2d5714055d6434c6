import { describe, expect, it } from 'vitest';
import { formatTick, linearTicks, logTicks } from './theme';

describe('ticks', () => {
  it('linear ticks are round, inside the range, and whole steps when asked', () => {
    expect(linearTicks(3, 1058, 5)).toEqual([200, 400, 600, 800, 1000]);
    expect(linearTicks(0, 1, 2)).toEqual([0, 0.5, 1]);
    expect(linearTicks(200, 201, 5, 1)).toEqual([200, 201]);
    expect(linearTicks(5, 5, 5)).toEqual([5]);
  });

  it('log ticks span the data in powers of ten', () => {
    expect(logTicks([0.03, 4])).toEqual([0.01, 0.1, 1, 10]);
    const fine = logTicks([1.5, 3]);
    expect(fine[0]).toBe(1);
    expect(fine[fine.length - 1]).toBe(10);
    expect(fine).toContain(2);
    expect(logTicks([0, -1, NaN])).toEqual([0.1, 1]);
  });

  it('tick labels are short', () => {
    expect(formatTick(12000)).toBe('12k');
    expect(formatTick(0.0015)).toBe('1.5e-3');
    expect(formatTick(0.002)).toBe('2e-3');
    expect(formatTick(2.5)).toBe('2.5');
  });
});
