import { describe, expect, it } from 'vitest';
import { nextEvaluation } from './eval-chart';

describe('nextEvaluation', () => {
  it('is the next multiple of evalEvery after the current step', () => {
    expect(nextEvaluation(0, 200)).toBe(200);
    expect(nextEvaluation(73, 200)).toBe(200);
    expect(nextEvaluation(200, 200)).toBe(400);
    expect(nextEvaluation(8, 10)).toBe(10);
  });
});
