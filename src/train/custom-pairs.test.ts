// Imported pair files ('custom') are read as BPE pieces unless the run names a tokenizer, as the
// real tasks are (issue #11); the generated tasks keep their own levels.
import { describe, expect, it } from 'vitest';
import type { Pair } from '../data/pair';
import { validateConfig, type RunConfig } from './config';
import { loadDataset } from './dataset';

function config(over: Record<string, unknown>): RunConfig {
  const r = validateConfig({ vocabSize: 300, ...over });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

const names = ['Tom', 'Mary', 'John', 'Alice', 'Paris', 'London'];
const pairs: Pair[] = Array.from({ length: 40 }, (_, i) => ({
  src: `${names[i % names.length]} is my friend number ${i}.`,
  tgt: `${names[i % names.length]} est mon ami numéro ${i}.`,
}));

describe('imported pair files', () => {
  it('default to one joint BPE vocabulary that keeps case and has no <unk>', () => {
    const data = loadDataset(config({ task: 'custom' }), pairs);
    expect(data.srcTokenizer.level).toBe('bpe');
    expect(data.srcTokenizer).toBe(data.tgtTokenizer);
    const { unknown } = data.srcTokenizer.encodeWithUnknown('Zoé is my friend.');
    expect(unknown.some(Boolean)).toBe(false);
    expect(data.srcTokenizer.pieces('Tom is').join('')).toBe('▁Tom▁is');
  });

  it('a tokenizer the run names still wins', () => {
    const data = loadDataset(config({ task: 'custom', tokenizer: 'word' }), pairs);
    expect(data.srcTokenizer.level).toBe('word');
    expect(data.tgtTokenizer.level).toBe('word');
  });

  it('the generated tasks keep their own levels', () => {
    expect(loadDataset(config({ task: 'dates' })).srcTokenizer.level).toBe('char');
    expect(loadDataset(config({ task: 'eng-fra' })).srcTokenizer.level).toBe('word');
  });
});
