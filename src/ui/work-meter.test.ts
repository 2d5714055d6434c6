import { afterEach, describe, expect, it } from 'vitest';
import { clearWork, measureWork, recordWork, summarizeWork, workSamples } from './work-meter';

afterEach(clearWork);

describe('work meter', () => {
  it('records what measureWork ran, even when it throws', () => {
    expect(measureWork('a', () => 7)).toBe(7);
    expect(() => measureWork('b', () => { throw new Error('x'); })).toThrow('x');
    expect(workSamples().map((s) => s.kind)).toEqual(['a', 'b']);
    expect(workSamples().every((s) => s.duration >= 0)).toBe(true);
  });

  it('summarizes count, total, max, p95 and the slowest kind', () => {
    for (let i = 1; i <= 100; i++) recordWork(i === 100 ? 'draw' : 'event', i, i);
    const s = summarizeWork(workSamples(51));
    expect(s.count).toBe(50);
    expect(s.totalMs).toBe((51 + 100) * 25);
    expect(s.maxMs).toBe(100);
    expect(s.p95Ms).toBe(98);
    expect(s.slowest).toEqual({ kind: 'draw', ms: 100 });
    expect(summarizeWork([])).toEqual({ count: 0, totalMs: 0, maxMs: 0, p95Ms: 0, slowest: null });
  });
});
