// The exported tokenizer.json, loaded by Hugging Face's pure-JS tokenizers library, gives the
// same ids as our encoder on a real corpus and on typed text with unseen characters.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { toHuggingFaceTokenizerJson } from './hf-tokenizer';
import { Tokenizer } from './tokenizer';

function lines(file: string): string[][] {
  return readFileSync(new URL(`../../public/data/${file}`, import.meta.url), 'utf8')
    .replace(/^\ufeff/, '')
    .split('\n')
    .filter((l) => l.includes('\t'))
    .map((l) => l.split('\t').slice(0, 2));
}

describe('Hugging Face tokenizer.json export', () => {
  const fra = lines('tatoeba-eng-fra.tsv');
  const zh = lines('tatoeba-eng-zh.tsv');
  // Train on every 10th pair; the corpus compared is other pairs, of both languages, and typed text.
  const training = [...fra.filter((_, i) => i % 10 === 0), ...zh.filter((_, i) => i % 10 === 0)].flat();
  const tok = Tokenizer.build(training, { level: 'bpe', maxSize: 3000 });
  const hf = new HfTokenizer(toHuggingFaceTokenizerJson(tok), {});
  const corpus = [
    ...fra.filter((_, i) => i % 37 === 5).flat(),
    ...zh.filter((_, i) => i % 29 === 3).flat(),
    'July 4 1776',
    '  Zbigniew   Brzeziński\tvisited Łódź — 3½ times!  ',
    'ｆｕｌｌ ｗｉｄｔｈ ﬁ ①',
    '东京 🦔 ЁЖИК',
  ];

  it('gives identical ids and the same text back', () => {
    expect(corpus.length).toBeGreaterThan(4000);
    let mismatches = 0;
    for (const s of corpus) {
      const ours = tok.encode(s);
      const theirs = hf.encode(s, { add_special_tokens: false }).ids;
      if (ours.join(',') !== theirs.join(',')) {
        mismatches++;
        if (mismatches < 4) expect({ s, theirs }).toEqual({ s, theirs: ours });
      }
      expect(hf.decode(ours, { skip_special_tokens: true, clean_up_tokenization_spaces: false })).toBe(tok.decode(ours));
    }
    expect(mismatches).toBe(0);
  });

  it('refuses to export a word-level tokenizer', () => {
    expect(() => toHuggingFaceTokenizerJson(Tokenizer.build(['a b'], { level: 'word' }))).toThrow(/only a BPE tokenizer/);
  });
});
