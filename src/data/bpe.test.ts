import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BpeModel, META, normalizeBpeText, trainBpe, metaWords } from './bpe';
import { Tokenizer, TokenizerError, UNK } from './tokenizer';

const counts = (texts: readonly string[]) => {
  const m = new Map<string, number>();
  for (const t of texts) for (const w of metaWords(normalizeBpeText(t))) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
};

const ENGLISH = [
  'the cat sat on the mat.',
  'the cats sat on the mats.',
  'a cat is not a dog.',
  'the dog sat on the cat.',
  'lower newer wider lowest newest widest',
];

/** The first `n` pairs of the shipped Tatoeba eng-fra file. */
function tatoebaPairs(n: number): [string, string][] {
  const text = readFileSync(new URL('../../public/data/tatoeba-eng-fra.tsv', import.meta.url), 'utf8');
  const out: [string, string][] = [];
  let start = 0;
  while (out.length < n) {
    const end = text.indexOf('\n', start);
    if (end < 0) break;
    const [src, tgt] = text.slice(start, end).split('\t');
    out.push([src, tgt]);
    start = end + 1;
  }
  return out;
}

describe('BPE training', () => {
  it('merges the most frequent pair first, and the pieces spell the words', () => {
    const { merges, alphabet } = trainBpe(counts(ENGLISH), { merges: 20, minCharCount: 1 });
    expect(alphabet).toContain(META);
    // "▁t" (from "the") is among the first merges, and every merged piece joins two known pieces.
    expect(merges.slice(0, 3).map(([l, r]) => l + r)).toContain(`${META}t`);
    const known = new Set(alphabet);
    for (const [l, r] of merges) {
      expect(known.has(l) && known.has(r)).toBe(true);
      known.add(l + r);
    }
  });

  it('is deterministic, whatever the order of the training texts', () => {
    const a = Tokenizer.build(ENGLISH, { level: 'bpe', maxSize: 320 });
    const b = Tokenizer.build([...ENGLISH].reverse(), { level: 'bpe', maxSize: 320 });
    expect(b.toJSON()).toEqual(a.toJSON());
  });

  it('fills the vocabulary up to maxSize: specials, 256 byte pieces, alphabet, merges', () => {
    const pairs = tatoebaPairs(3000);
    const tok = Tokenizer.build(pairs.flat(), { level: 'bpe', maxSize: 1000 });
    expect(tok.size).toBe(1000);
    expect(tok.tokenList.slice(0, 6)).toEqual(['<pad>', '<bos>', '<eos>', '<unk>', '<0x00>', '<0x01>']);
  });

  it('stops merging when no pair occurs twice', () => {
    const { merges } = trainBpe(new Map([[`${META}abc`, 1]]), { merges: 10, minCharCount: 1 });
    expect(merges).toEqual([]);
  });
});

describe('BPE encoding', () => {
  const tok = Tokenizer.build(ENGLISH, { level: 'bpe', maxSize: 330 });

  it('round-trips any text up to normalisation (NFKC, white space)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        expect(tok.decode(tok.encode(s))).toBe(normalizeBpeText(s));
      }),
      { numRuns: 300 },
    );
    for (const s of ['  The  café\tsat. ', 'ｆｕｌｌ ｗｉｄｔｈ', '我爱你。', '👩‍👩‍👧 🇫🇷', 'e\u0301t\u00e9']) {
      expect(tok.decode(tok.encode(s))).toBe(normalizeBpeText(s));
    }
  });

  it('keeps case and applies NFKC', () => {
    expect(tok.encode('the cat')).not.toEqual(tok.encode('The Cat'));
    expect(tok.decode(tok.encode('The Cat'))).toBe('The Cat');
    expect(tok.normalize('ﬁ ①')).toBe('fi 1');
  });

  it('falls back to UTF-8 byte pieces for characters it has never seen, never to <unk>', () => {
    const pieces = tok.pieces('猫 Ω');
    expect(pieces).toEqual([META, '<0xE7>', '<0x8C>', '<0xAB>', META, '<0xCE>', '<0xA9>']);
    expect(tok.encode('猫 Ω')).not.toContain(UNK);
    expect(tok.decode(tok.encode('猫 Ω'))).toBe('猫 Ω');
  });

  it('applies merges by rank, leftmost first among equals (the rule Hugging Face tokenizers uses)', () => {
    const model = new BpeModel({ alphabet: [META, 'a', 'b'], merges: [['a', 'a'], ['b', 'b'], ['aa', 'b']] });
    expect(model.encodeWord(`${META}aaab`)).toEqual([META, 'aa', 'a', 'b']);
    expect(model.encodeWord(`${META}aabb`)).toEqual([META, 'aa', 'bb']);
    expect(model.encodeWord(`${META}aab`)).toEqual([META, 'aab']);
  });

  it('splits Chinese, written without spaces, into multi-character pieces learned from frequency', () => {
    const zh = ['我喜欢喝咖啡。', '他喜欢喝茶。', '我们喜欢喝水。', '你喜欢喝什么？', '她不喜欢喝咖啡。'];
    const t = Tokenizer.build(zh, { level: 'bpe', maxSize: 300 });
    const pieces = t.pieces('我喜欢喝咖啡。');
    expect(pieces.some((p) => p.includes('喜欢'))).toBe(true);
    expect(pieces.length).toBeLessThan(Array.from('▁我喜欢喝咖啡。').length);
    expect(t.decode(t.encode('我喜欢喝咖啡。'))).toBe('我喜欢喝咖啡。');
  });

  it('gives no <unk> piece for typed sentences with capitals, names, numbers and unseen words', () => {
    const pairs = tatoebaPairs(5000);
    const t = Tokenizer.build(pairs.flat(), { level: 'bpe', maxSize: 2000 });
    const typed = [
      'I am a student.',
      'July 4 1776',
      'Zbigniew Brzezinski visited Łódź on 2024-02-29 at 10:30.',
      'Antidisestablishmentarianism is SUPERCALIFRAGILISTIC!',
      'Je m’appelle Ægir, j’ai 42 ans — ça va ?',
      'ЁЖИК в тумане 🦔',
      '東京は大きい',
    ];
    for (const s of typed) {
      expect(t.pieces(s)).not.toContain('<unk>');
      expect(t.encode(s)).not.toContain(UNK);
      expect(t.decode(t.encode(s))).toBe(normalizeBpeText(s));
    }
  });
});

describe('BPE tokenizer JSON', () => {
  const tok = Tokenizer.build(ENGLISH, { level: 'bpe', maxSize: 320 });

  it('round-trips through JSON with the same ids', () => {
    const back = Tokenizer.fromJSON(JSON.stringify(tok.toJSON()));
    expect(back.level).toBe('bpe');
    expect(back.tokenList).toEqual(tok.tokenList);
    for (const s of ENGLISH) expect(back.encode(s)).toEqual(tok.encode(s));
  });

  it('refuses tokens that do not match the merges, and sizes over the limits', () => {
    const json = tok.toJSON();
    expect(() => Tokenizer.fromJSON({ ...json, tokens: [...json.tokens.slice(0, -1), 'xyz'] })).toThrow(TokenizerError);
    expect(() => Tokenizer.fromJSON({ ...json, bpe: undefined })).toThrow(/needs its "bpe"/);
    expect(() => Tokenizer.fromJSON({ ...json, bpe: { ...json.bpe, alphabet: ['ab'] } })).toThrow(/one character/);
    const long = 'x'.repeat(300);
    expect(() => Tokenizer.fromJSON({ ...json, tokens: [...json.tokens, long] })).toThrow(TokenizerError);
    expect(() => Tokenizer.build(ENGLISH, { level: 'bpe', maxSize: 200_000 })).toThrow(/at most/);
  });
});
