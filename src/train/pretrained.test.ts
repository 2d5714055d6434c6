// The checkpoints the page ships: each one is where PRETRAINED says, is a checkpoint of the task
// it is registered for, and loads for translation the way the worker loads it (no pair file:
// a real task's pairs are fetched only to train, its checkpoint carries the tokenizers).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../engine';
import { loadCheckpoint } from './checkpoint';
import { PRETRAINED } from './pretrained';

const publicFile = (path: string) => new URL(`../../public/${path}`, import.meta.url);

describe('shipped pretrained checkpoints', () => {
  for (const [task, path] of Object.entries(PRETRAINED)) {
    it(`${task}: ${path} loads without its pairs and translates`, async () => {
      if (path === undefined) throw new Error(`no path for ${task}`);
      expect(existsSync(publicFile(path))).toBe(true);
      const { trainer } = loadCheckpoint(new Uint8Array(readFileSync(publicFile(path))), cpuBackend);
      try {
        expect(trainer.config.task).toBe(task);
        const example = trainer.info().examples?.[0]?.src ?? 'Tom is my friend.';
        const r = await trainer.translate(1, example, 1);
        expect(r.outTokens.length).toBeGreaterThan(0);
        expect(r.alignment.length).toBe(r.outTokens.length * r.srcTokens.length);
      } finally {
        trainer.dispose();
      }
    }, 60_000);
  }

  it('the real French model splits a sentence with a capital and a name into known BPE pieces', async () => {
    const path = PRETRAINED['tatoeba-eng-fra'];
    if (path === undefined) throw new Error('tatoeba-eng-fra is not registered');
    const { trainer } = loadCheckpoint(new Uint8Array(readFileSync(publicFile(path))), cpuBackend);
    try {
      expect(trainer.data.srcTokenizer.level).toBe('bpe');
      const r = await trainer.translate(1, 'Tom is my friend.', 1);
      expect(r.subword).toBe(true);
      expect(r.srcTokens[0]).toBe('▁Tom');
      expect(r.unknown.some(Boolean)).toBe(false);
      expect([...r.srcTokens, ...r.outTokens]).not.toContain('<unk>');
    } finally {
      trainer.dispose();
    }
  }, 60_000);
});
