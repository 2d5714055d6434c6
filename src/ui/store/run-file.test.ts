import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../train/config';
import { decodeRun, encodeRun, RunFileError, type SavedRun } from './run-file';
import { emptySeries } from './series';

function run(): SavedRun {
  const series = emptySeries();
  series.step.push(1, 2);
  series.columns.loss.push(2.5, NaN);
  series.columns.lr.push(1e-3, 1e-3);
  series.columns.gradNormPre.push(3, Infinity);
  series.columns.gradNormPost.push(1, 1);
  series.columns.tokensPerSec.push(100, 100);
  series.columns.ms.push(5, 5);
  series.columns.gpuBytes.push(10, 10);
  return {
    format: 1,
    runId: 'run-x',
    savedAt: 123,
    startedAt: 100,
    config: { ...DEFAULT_CONFIG, lr: 0.01, normType: 'inf' },
    pairFile: { name: 'pairs.tsv', pairs: [{ src: 'hi', tgt: '你好' }] },
    metrics: {
      series,
      grid: { stride: 1, steps: [1], pre: [new Float32Array([1, 2])], post: [new Float32Array([0.5, 1])] },
      evals: [{ step: 2, split: 'valid', loss: 2, tokenAccuracy: 0.5, exactMatch: 0.25, bleu: 12.5 }],
    },
    snapshots: [
      {
        step: 1,
        probe: 0,
        srcTokens: ['a', 'b', 'c'],
        tgtTokens: ['x'],
        maps: [{ name: 'decoder.layers.0.multihead_attn', kind: 'cross', layer: 0, heads: 2, rows: 1, cols: 3, data: new Float32Array([0.2, 0.3, 0.5, 0, 1, 0]) }],
      },
    ],
    checkpoint: new Uint8Array([1, 2, 3, 4, 5]),
    step: 2,
    runState: 'paused',
  };
}

describe('run file', () => {
  it('round-trips a run, binary blobs and non-finite numbers included', () => {
    const r = run();
    const back = decodeRun(encodeRun(r));
    expect(back.config).toEqual(r.config);
    expect(back.pairFile).toEqual(r.pairFile);
    expect(back.metrics.series.columns.loss[1]).toBeNaN();
    expect(back.metrics.series.columns.gradNormPre[1]).toBe(Infinity);
    expect(Array.from(back.metrics.grid.post[0])).toEqual([0.5, 1]);
    expect(back.snapshots[0].maps[0].data).toBeInstanceOf(Float32Array);
    expect(Array.from(back.snapshots[0].maps[0].data)).toEqual(Array.from(r.snapshots[0].maps[0].data));
    expect(Array.from(back.checkpoint!)).toEqual([1, 2, 3, 4, 5]);
    expect(back.metrics.evals).toEqual(r.metrics.evals);
    expect(back.step).toBe(2);
  });

  it('round-trips a run without checkpoint or pair file', () => {
    const r = { ...run(), checkpoint: null, pairFile: null, snapshots: [] };
    const back = decodeRun(encodeRun(r));
    expect(back.checkpoint).toBeNull();
    expect(back.pairFile).toBeNull();
  });

  it('refuses files that are not run files', () => {
    expect(() => decodeRun(new TextEncoder().encode('hello world, not a run'))).toThrow(RunFileError);
    expect(() => decodeRun(new Uint8Array(3))).toThrow(/not a run file/);
  });

  it('refuses a truncated file', () => {
    const bytes = encodeRun(run());
    expect(() => decodeRun(bytes.slice(0, bytes.length - 4))).toThrow(/truncated/);
    expect(() => decodeRun(bytes.slice(0, 20))).toThrow(/truncated/);
  });

  it('refuses another format version', () => {
    const bytes = encodeRun(run());
    new DataView(bytes.buffer).setUint32(4, 99, true);
    expect(() => decodeRun(bytes)).toThrow(/format 99/);
  });

  it('refuses an invalid config, naming the field', () => {
    const r = run();
    const bad = { ...r, config: { ...r.config, lr: -5 } };
    expect(() => decodeRun(encodeRun(bad))).toThrow(/lr/);
  });
});
