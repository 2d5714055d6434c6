import { describe, expect, it } from 'vitest';
import { coalesceDims } from './shape';

describe('coalesceDims', () => {
  const one = (shape: number[], strides: number[]) => {
    const c = coalesceDims(shape, [strides]);
    return [c.shape, c.strides[0]];
  };
  it('merges contiguous neighbours and drops size-1 dims, keeping every offset', () => {
    expect(one([32, 16, 64], [1024, 64, 1])).toEqual([[32768], [1]]);
    expect(one([32, 16], [1024, 64])).toEqual([[512], [64]]);
    expect(one([4, 1, 5], [5, 7, 1])).toEqual([[20], [1]]);
    // a transposed matrix does not merge
    expect(one([3, 4], [1, 3])).toEqual([[3, 4], [1, 3]]);
    expect(one([], [])).toEqual([[], []]);
  });

  it('merges only where every operand can', () => {
    // a contiguous [32, 11, 64] copied into the first half of [32, 11, 128]
    expect(coalesceDims([32, 11, 64], [[704, 64, 1], [1408, 128, 1]])).toEqual({ shape: [352, 64], strides: [[64, 1], [128, 1]] });
    // a broadcast operand (stride 0) merges with itself
    expect(coalesceDims([3, 4], [[0, 0], [4, 1]])).toEqual({ shape: [12], strides: [[0], [1]] });
  });
});
