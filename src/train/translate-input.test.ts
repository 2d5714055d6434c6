import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../engine';
import { withinBoundAsync } from '../data/testing/hang-bound';
import { validateConfig } from './config';
import { Trainer } from './trainer';
import { MAX_TRANSLATE_CHARS, translateInputError } from './translate-input';

describe('the sentence given to translate', () => {
  it('is bounded in characters before tokenizing, and in tokens by the model', async () => {
    expect(translateInputError('x'.repeat(MAX_TRANSLATE_CHARS))).toBeNull();
    expect(translateInputError('x'.repeat(MAX_TRANSLATE_CHARS + 1))).toBe('the sentence has 5,001 characters; at most 5,000 can be translated');
    const r = validateConfig({ task: 'copy', layers: 1, dModel: 8, heads: 2, dFF: 16, batch: 4, maxLen: 8 });
    if (!r.ok) throw new Error('bad test config');
    const t = Trainer.create(r.config, cpuBackend);
    try {
      // A megabyte of text (the CLI's --text, a worker message): refused at once.
      await expect(withinBoundAsync(() => t.translate(1, 'a b '.repeat(250_000)), '1 MB sentence')).rejects.toThrow(/^the sentence has 1,000,000 characters/);
      await expect(t.translate(2, 'a '.repeat(9))).rejects.toThrow('the sentence has 9 tokens; this model reads at most 8');
    } finally {
      t.dispose();
    }
  });
});
