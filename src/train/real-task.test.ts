// The real Tatoeba tasks: splits by distinct source sentence, a joint BPE vocabulary from the
// training split, and checkpoints that carry the BPE tokenizer and resume exactly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../engine';
import { normalizeText } from '../data/tokenizer';
import type { Pair } from '../data/pair';
import { validateConfig, type RunConfig } from './config';
import { loadDataset } from './dataset';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { Trainer } from './trainer';

function pairsOf(file: string, n: number): Pair[] {
  const lines = readFileSync(new URL(`../../public/data/${file}`, import.meta.url), 'utf8').replace(/^\ufeff/, '').split('\n');
  // Every 20th line: sentences of all lengths, several translations of one source now and then.
  return lines
    .filter((l, i) => l.includes('\t') && i % 20 < 2)
    .slice(0, n)
    .map((l) => {
      const [src, tgt] = l.split('\t');
      return { src, tgt };
    });
}

function config(over: Partial<RunConfig>): RunConfig {
  const r = validateConfig({ task: 'tatoeba-eng-fra', layers: 1, dModel: 16, heads: 2, dFF: 32, batch: 8, vocabSize: 400, dropout: 0.1, ...over });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

describe('real Tatoeba tasks', () => {
  const pairs = pairsOf('tatoeba-eng-fra.tsv', 600);

  it('split by distinct source sentence and share one BPE vocabulary trained on the training split', () => {
    const data = loadDataset(config({}), pairs);
    const sources = (split: typeof data.train) => new Set(split.map((p) => normalizeText(data.srcTokenizer.decode(p.src), true)));
    const train = sources(data.train);
    for (const s of sources(data.valid)) expect(train.has(s)).toBe(false);
    for (const s of sources(data.test)) expect(train.has(s)).toBe(false);
    expect(data.srcTokenizer).toBe(data.tgtTokenizer);
    expect(data.srcTokenizer.level).toBe('bpe');
    expect(data.srcTokenizer.size).toBe(400);
    expect(data.train.length + data.valid.length + data.test.length + data.dropped).toBe(pairs.length);
  });

  it('separate vocabularies when asked, and a clear message without the pairs', () => {
    const data = loadDataset(config({ jointVocab: false }), pairs);
    expect(data.srcTokenizer).not.toBe(data.tgtTokenizer);
    expect(() => loadDataset(config({}), [])).toThrow(/Tatoeba English → French.*needs its sentence pairs/);
  });

  it('a checkpoint keeps the BPE tokenizer and the next step matches after loading', async () => {
    const a = Trainer.create(config({}), cpuBackend, { pairs });
    for (let i = 0; i < 3; i++) await a.trainStep();
    const bytes = await saveCheckpoint(a);
    const { trainer: b } = loadCheckpoint(bytes, cpuBackend, { pairs });
    expect(b.step).toBe(3);
    expect(b.data.srcTokenizer.toJSON()).toEqual(a.data.srcTokenizer.toJSON());
    const [la, lb] = [(await a.trainStep()).metrics.loss, (await b.trainStep()).metrics.loss];
    expect(lb).toBe(la);
    a.dispose();
    b.dispose();
  });
});
