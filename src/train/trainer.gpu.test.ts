// The Trainer end to end on small configs: the loss falls, runs are deterministic, the metrics
// stream holds what the page plots, checkpoints round-trip exactly, and bad checkpoints are
// refused without touching the model in memory.
import { describe, expect, it } from 'vitest';
import { memoryOf, toArray } from '../engine';
import { testBackends } from '../engine/testing/backends';
import { validateConfig, type RunConfig } from './config';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { Trainer } from './trainer';
import { readSafetensors, writeSafetensors } from './safetensors';

function config(over: Partial<RunConfig>): RunConfig {
  const r = validateConfig({
    task: 'reverse',
    layers: 1,
    dModel: 32,
    heads: 2,
    dFF: 64,
    hidden: 32,
    embed: 16,
    batch: 16,
    steps: 1000,
    lr: 0.003,
    warmup: 10,
    maxLen: 14,
    evalEvery: 1000,
    probeEvery: 1000,
    ...over,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

async function run(t: Trainer, n: number): Promise<number[]> {
  const losses: number[] = [];
  for (let i = 0; i < n; i++) losses.push((await t.trainStep()).metrics.loss);
  return losses;
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.each(testBackends())('Trainer on $name', ({ get }) => {
  it('transformer: the loss falls, metrics are complete, and the same seed gives the same curve', async () => {
    const backend = await get();
    const cfg = config({ model: 'transformer', clip: 'norm', maxNorm: 0.5, lr: 0.005, warmup: 20 });
    const a = Trainer.create(cfg, backend);
    const first = await a.trainStep();
    const m = first.metrics;
    expect(m.step).toBe(1);
    expect(m.paramNormsPre).toHaveLength(a.paramNames.length);
    expect(m.gradNormPost).toBeLessThanOrEqual(0.5 * (1 + 1e-4));
    expect(m.gradNormPost).toBeLessThanOrEqual(m.gradNormPre * (1 + 1e-6));
    expect(m.tokensPerSec).toBeGreaterThan(0);
    const losses = [m.loss, ...(await run(a, 159))];
    expect(avg(losses.slice(-10))).toBeLessThan(0.75 * avg(losses.slice(0, 10)));
    const b = Trainer.create(cfg, backend);
    const again = await run(b, 5);
    expect(again).toEqual(losses.slice(0, 5));
    a.dispose();
    b.dispose();
  });

  it('rnn with attention: the loss falls on copy (GRU, dot scoring)', async () => {
    const backend = await get();
    const t = Trainer.create(config({ model: 'rnn', task: 'copy', cell: 'gru', scoring: 'dot', lr: 0.01 }), backend);
    const losses = await run(t, 120);
    expect(avg(losses.slice(-10))).toBeLessThan(0.5 * avg(losses.slice(0, 10)));
    t.dispose();
  });

  it('evaluates, probes attention and translates', async () => {
    const backend = await get();
    const t = Trainer.create(config({ model: 'transformer', steps: 10 }), backend);
    await run(t, 3);
    const ev = await t.evaluate('valid', 20);
    expect(ev.loss).toBeGreaterThan(0);
    expect(ev.tokenAccuracy).toBeGreaterThanOrEqual(0);
    expect(ev.bleu).toBeGreaterThanOrEqual(0);
    const snap = await t.probeAttention(0);
    expect(snap.maps.map((m) => m.kind).sort()).toEqual(['cross', 'decoder-self', 'encoder-self']);
    for (const map of snap.maps) {
      expect(map.data.length).toBe(map.heads * map.rows * map.cols);
      // every query row of every head sums to 1
      for (let r = 0; r < map.heads * map.rows; r++) {
        let s = 0;
        for (let c = 0; c < map.cols; c++) s += map.data[r * map.cols + c];
        expect(s).toBeCloseTo(1, 4);
      }
    }
    const tr = await t.translate(7, 'a b c', 2);
    expect(tr.id).toBe(7);
    expect(tr.srcTokens).toEqual(['a', 'b', 'c', '<eos>']);
    expect(tr.alignment.length).toBe(tr.outTokens.length * tr.srcTokens.length);
    await expect(t.translate(1, '   ')).rejects.toThrow(/empty/);
    t.dispose();
  });

  it('live memory stays flat over training steps', async () => {
    const backend = await get();
    const t = Trainer.create(config({ model: 'transformer' }), backend);
    await run(t, 3);
    const before = memoryOf(backend).liveBytes;
    await run(t, 20);
    expect(memoryOf(backend).liveBytes).toBe(before);
    t.dispose();
  });

  it.each(['transformer', 'rnn'] as const)('%s: a checkpoint round-trips weights, optimizer state and step; the next step matches, dropout masks too', async (model) => {
    const backend = await get();
    // Dropout masks follow from (seed, step), not from generator state a checkpoint does not hold.
    const cfg = config({ model, optimizer: 'adamw', weightDecay: 0.01, dropout: 0.2 });
    const a = Trainer.create(cfg, backend);
    await run(a, 4);
    const bytes = await saveCheckpoint(a);
    const { trainer: b } = loadCheckpoint(bytes, backend);
    expect(b.step).toBe(4);
    const pa = a.model.namedParameters();
    const pb = b.model.namedParameters();
    for (let i = 0; i < pa.length; i++) expect(await toArray(pb[i][1])).toEqual(await toArray(pa[i][1]));
    const [la, lb] = [(await a.trainStep()).metrics.loss, (await b.trainStep()).metrics.loss];
    expect(lb).toBe(la);
    a.dispose();
    b.dispose();
  });

  it('refuses bad checkpoints with one message', async () => {
    const backend = await get();
    const a = Trainer.create(config({ model: 'transformer' }), backend);
    const good = await saveCheckpoint(a, { optimizer: false });
    expect(() => loadCheckpoint(good.slice(0, good.length - 10), backend)).toThrow(/^checkpoint: not a valid \.safetensors file/);
    const hugeHeader = good.slice();
    new DataView(hugeHeader.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => loadCheckpoint(hugeHeader, backend)).toThrow(/checkpoint: not a valid/);
    expect(() => loadCheckpoint(writeSafetensors({}, { format: 'other' }), backend)).toThrow(/not an Attention Playground checkpoint/);
    expect(() => loadCheckpoint(writeSafetensors({}, { format: 'attention-playground', config: '{' }), backend)).toThrow(/not valid JSON/);
    // A config whose shapes differ from the tensors (d_model 32 → 64).
    const other = Trainer.create(config({ model: 'transformer', dModel: 64 }), backend);
    const otherBytes = await saveCheckpoint(other, { optimizer: false });
    other.dispose();
    const { trainer: ok } = loadCheckpoint(otherBytes, backend);
    ok.dispose();
    const file = readSafetensors(await saveCheckpoint(a, { optimizer: false }));
    const swapped = writeSafetensors(file.tensors, { ...file.metadata, config: file.metadata.config.replace('"dModel":32', '"dModel":64') });
    expect(() => loadCheckpoint(swapped, backend)).toThrow(/has shape \[.*\], the config needs/);
    const renamed = writeSafetensors({ ...file.tensors, 'encoder.extra': file.tensors['generator.bias'] }, file.metadata);
    expect(() => loadCheckpoint(renamed, backend)).toThrow(/'encoder.extra' is not a parameter/);
    a.dispose();
  });
});
