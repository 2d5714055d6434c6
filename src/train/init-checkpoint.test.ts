// Fine-tuning (--init, the page's "start from a shipped model"): a new run on other data keeps
// the checkpoint's architecture, tokenizers and weights, and starts at step 0 with a fresh optimizer.
import { describe, expect, it } from 'vitest';
import { cpuBackend, toArray } from '../engine';
import { validateConfig, type RunConfig } from './config';
import { initFromCheckpoint, saveCheckpoint } from './checkpoint';
import { Trainer } from './trainer';

function config(over: Partial<RunConfig>): RunConfig {
  const r = validateConfig({ layers: 1, dModel: 16, heads: 2, dFF: 32, batch: 8, maxLen: 14, ...over });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

describe('initFromCheckpoint', () => {
  it('takes weights, tokenizers and architecture from the checkpoint, the rest from the new run', async () => {
    const a = Trainer.create(config({ task: 'copy' }), cpuBackend);
    for (let i = 0; i < 3; i++) await a.trainStep();
    const bytes = await saveCheckpoint(a);
    const b = await initFromCheckpoint(bytes, config({ task: 'reverse', dModel: 32, lr: 0.0005, steps: 50 }), cpuBackend);
    expect(b.step).toBe(0);
    expect(b.config.task).toBe('reverse');
    expect(b.config.lr).toBe(0.0005);
    expect(b.config.dModel).toBe(16);
    expect(b.data.srcTokenizer.tokenList).toEqual(a.data.srcTokenizer.tokenList);
    const pa = a.model.namedParameters();
    const pb = b.model.namedParameters();
    for (let i = 0; i < pa.length; i++) expect(await toArray(pb[i][1])).toEqual(await toArray(pa[i][1]));
    const r = await b.trainStep();
    expect(Number.isFinite(r.metrics.loss)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('refuses a file that is not a checkpoint', async () => {
    await expect(initFromCheckpoint(new Uint8Array([1, 2, 3]), config({}), cpuBackend)).rejects.toThrow(/checkpoint: not a valid/);
  });
});
