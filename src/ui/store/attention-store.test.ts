import { beforeEach, describe, expect, it } from 'vitest';
import type { AttentionSnapshot } from '../../train/protocol';
import { insertSnapshot, snapshotAt, snapshotsOfProbe, thinSnapshots, useAttention } from './attention-store';

function snap(step: number, probe = 0): AttentionSnapshot {
  return { step, probe, srcTokens: ['a'], tgtTokens: ['b'], maps: [{ name: 'attention', kind: 'rnn', layer: 0, heads: 1, rows: 1, cols: 1, data: new Float32Array([1]) }] };
}

beforeEach(() => useAttention.getState().clear());

describe('snapshots', () => {
  it('inserts in step order and replaces a snapshot of the same step and probe', () => {
    let list = insertSnapshot([], snap(50));
    list = insertSnapshot(list, snap(25));
    list = insertSnapshot(list, snap(75));
    const again = snap(50);
    list = insertSnapshot(list, again);
    expect(list.map((s) => s.step)).toEqual([25, 50, 75]);
    expect(list[1]).toBe(again);
  });

  it('thins the older half beyond the cap, keeping the first and the newest', () => {
    const list = Array.from({ length: 300 }, (_, i) => snap((i + 1) * 10));
    const thin = thinSnapshots(list, 100);
    expect(thin.length).toBeLessThanOrEqual(100);
    expect(thin[0].step).toBe(10);
    expect(thin[thin.length - 1].step).toBe(3000);
    for (let i = 1; i < thin.length; i++) expect(thin[i].step).toBeGreaterThan(thin[i - 1].step);
  });

  it('the store keeps at most MAX_SNAPSHOTS', () => {
    for (let s = 1; s <= 500; s++) useAttention.getState().add(snap(s));
    const n = useAttention.getState().snapshots.length;
    expect(n).toBeLessThanOrEqual(120);
    expect(useAttention.getState().snapshots[n - 1].step).toBe(500);
  });

  it('snapshotAt follows the newest or finds the one at or before a step', () => {
    const list = [snap(10), snap(20), snap(30)];
    expect(snapshotAt(list, null)?.step).toBe(30);
    expect(snapshotAt(list, 25)?.step).toBe(20);
    expect(snapshotAt(list, 5)?.step).toBe(10);
    expect(snapshotAt([], null)).toBeNull();
  });

  it('filters by probe, falling back to all', () => {
    const list = [snap(10, 0), snap(20, 1)];
    expect(snapshotsOfProbe(list, 1).map((s) => s.step)).toEqual([20]);
    expect(snapshotsOfProbe(list, 2).length).toBe(2);
  });
});
