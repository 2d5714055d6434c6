import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  BOS,
  EOS,
  MAX_VOCAB_SIZE,
  SPECIAL_TOKENS,
  PAD,
  UNK,
  Tokenizer,
  TokenizerError,
  joinWords,
  normalizeText,
  splitWords,
  withBosEos,
  withEos,
} from './tokenizer';

const words = (s: string, lowercase = true) => splitWords(normalizeText(s, lowercase));

describe('normalisation and word splitting', () => {
  it('lower-cases, collapses white space and splits punctuation off', () => {
    expect(words('  She is NOT\tvery   happy. ')).toEqual(['she', 'is', 'not', 'very', 'happy', '.']);
    expect(words('Hello, world!')).toEqual(['hello', ',', 'world', '!']);
  });

  it('keeps apostrophes and hyphens inside words', () => {
    expect(words("Don't stop; I'm here.")).toEqual(["don't", 'stop', ';', "i'm", 'here', '.']);
    expect(words("J'ai vu l’homme aujourd'hui, peut-être.")).toEqual(["j'ai", 'vu', 'l’homme', "aujourd'hui", ',', 'peut-être', '.']);
    expect(words("'quoted' - dash")).toEqual(["'", 'quoted', "'", '-', 'dash']);
  });

  it('keeps decimal points and times between digits inside the number', () => {
    expect(words('It costs 3.14 euros at 10:30.')).toEqual(['it', 'costs', '3.14', 'euros', 'at', '10:30', '.']);
  });

  it('makes every CJK character a token, even at word level and next to Latin letters', () => {
    expect(words('我们有一只猫。')).toEqual(['我', '们', '有', '一', '只', '猫', '。']);
    expect(words('I love北京!')).toEqual(['i', 'love', '北', '京', '!']);
    expect(words('これはペンです')).toEqual(['こ', 'れ', 'は', 'ペ', 'ン', 'で', 'す']);
  });

  it('applies NFC so that decomposed and precomposed accents give one token', () => {
    const decomposed = 'e\u0301te\u0301';
    expect(words(decomposed)).toEqual(['été']);
    expect(words(decomposed)).toEqual(words('été'));
  });

  it('keeps emoji sequences and flags whole', () => {
    expect(words('ok 👍🏽 👨‍👩‍👧 🇫🇷 ❤️!')).toEqual(['ok', '👍🏽', '👨‍👩‍👧', '🇫🇷', '❤️', '!']);
  });

  it('treats a narrow no-break space like any space', () => {
    expect(words('Courez\u202f!')).toEqual(['courez', '!']);
  });

  it('can keep case', () => {
    expect(words('Paris is Big', false)).toEqual(['Paris', 'is', 'Big']);
  });

  it('loses no non-space character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const n = normalizeText(s, false);
        expect(splitWords(n).join('')).toBe(n.replace(/ /g, ''));
      }),
      { numRuns: 300 },
    );
  });
});

describe('joinWords', () => {
  it('puts no space before closing punctuation or after opening brackets', () => {
    expect(joinWords(['she', 'is', 'not', 'very', 'happy', '.'])).toBe('she is not very happy.');
    expect(joinWords(['(', 'vraiment', ')', '?', '¿', 'qué', '?'])).toBe('(vraiment)? ¿qué?');
    expect(joinWords(['a', ',', 'b', ':', 'c', '%'])).toBe('a, b: c%');
  });

  it('puts no space between or around CJK characters', () => {
    expect(joinWords(['我', '们', '有', '一', '只', '猫', '。'])).toBe('我们有一只猫。');
    expect(joinWords(['i', 'love', '北', '京', 'too'])).toBe('i love北京too');
  });
});

describe('Tokenizer', () => {
  const train = ['she is happy .', 'he is happy .', 'she is not happy .', 'we are tired .'];

  it('numbers the special tokens first, then by frequency desc and string', () => {
    const t = Tokenizer.build(train, { level: 'word' });
    expect(t.tokenList.slice(0, 4)).toEqual(['<pad>', '<bos>', '<eos>', '<unk>']);
    // counts: . 4, is 3, happy 3, she 2, then are/he/not/tired/we 1 each (string order)
    expect(t.tokenList.slice(4)).toEqual(['.', 'happy', 'is', 'she', 'are', 'he', 'not', 'tired', 'we']);
    expect(t.size).toBe(13);
    expect([PAD, BOS, EOS, UNK]).toEqual([0, 1, 2, 3]);
  });

  it('is independent of the order of the training texts', () => {
    const a = Tokenizer.build(train, { level: 'word' });
    const b = Tokenizer.build([...train].reverse(), { level: 'word' });
    expect(a.tokenList).toEqual(b.tokenList);
  });

  it('bounds the vocabulary: build keeps the MAX_VOCAB_SIZE most frequent tokens, fromJSON refuses more', () => {
    const many = Array.from({ length: MAX_VOCAB_SIZE + 10 }, (_, i) => `w${i}`);
    expect(Tokenizer.build([many.join(' '), 'w7'], { level: 'word' }).size).toBe(MAX_VOCAB_SIZE);
    const json = { format: 'attention-playground-tokenizer', version: 1, level: 'word', lowercase: true, tokens: [...SPECIAL_TOKENS, ...many] };
    expect(() => Tokenizer.fromJSON(json)).toThrow(/^tokenizer JSON: 200014 tokens, more than the 200,000 a vocabulary may have$/);
  });

  it('applies minFreq and maxSize', () => {
    expect(Tokenizer.build(train, { level: 'word', minFreq: 2 }).tokenList.slice(4)).toEqual(['.', 'happy', 'is', 'she']);
    expect(Tokenizer.build(train, { level: 'word', maxSize: 6 }).tokenList).toEqual(['<pad>', '<bos>', '<eos>', '<unk>', '.', 'happy']);
    expect(() => Tokenizer.build(train, { level: 'word', maxSize: 3 })).toThrow(TokenizerError);
  });

  it('encodes without bos/eos and maps unknown words to <unk>, reporting them', () => {
    const t = Tokenizer.build(train, { level: 'word' });
    const ids = t.encode('She is VERY happy!');
    expect(ids).toEqual([t.idOf('she'), t.idOf('is'), UNK, t.idOf('happy'), UNK]);
    const r = t.encodeWithUnknown('She is VERY happy! very');
    expect(r.ids).toEqual([...ids, UNK]);
    expect(r.unknown).toEqual([false, false, true, false, true, true]);
    expect(r.unknownWords).toEqual(['very', '!']);
    expect(withBosEos([5, 6])).toEqual([BOS, 5, 6, EOS]);
    expect(withEos([5, 6])).toEqual([5, 6, EOS]);
  });

  it('decodes: stops at eos, skips pad and bos, joins properly', () => {
    const t = Tokenizer.build(train, { level: 'word' });
    const ids = t.encode('she is not happy .');
    expect(t.decode([BOS, ...ids, EOS, t.idOf('we'), PAD])).toBe('she is not happy.');
    expect(t.decode([PAD, BOS, t.idOf('we'), PAD, t.idOf('are')])).toBe('we are');
    expect(t.decode([t.idOf('she'), UNK])).toBe('she <unk>');
    expect(t.decode([9999])).toBe('<unk>');
    expect(t.tokens([BOS, t.idOf('she'), EOS, PAD])).toEqual(['<bos>', 'she', '<eos>', '<pad>']);
  });

  it('does not let text collide with the special tokens', () => {
    const t = Tokenizer.build(['<unk> <pad>'], { level: 'word' });
    expect(t.tokenList).toEqual(['<pad>', '<bos>', '<eos>', '<unk>', '<', '>', 'pad', 'unk']);
    const c = Tokenizer.build(['<eos>'], { level: 'char' });
    expect(c.size).toBe(4 + 5);
  });

  it('character level: code points, spaces included, case kept by default, concatenated on decode', () => {
    const t = Tokenizer.build(['Nov 23, 2026', '2026-11-23'], { level: 'char' });
    expect(t.lowercase).toBe(false);
    expect(t.pieces('Nov  23')).toEqual(['N', 'o', 'v', ' ', '2', '3']);
    expect(t.decode(t.encode('Nov 23, 2026'))).toBe('Nov 23, 2026');
    const zh = Tokenizer.build(['我们有一只猫。'], { level: 'char' });
    expect(zh.decode(zh.encode('我们有一只猫。'))).toBe('我们有一只猫。');
    expect(zh.encodeWithUnknown('我有狗').unknownWords).toEqual(['狗']);
  });

  it('round-trips through JSON and rejects malformed JSON', () => {
    const t = Tokenizer.build(train, { level: 'word', maxSize: 10 });
    const json = JSON.stringify(t.toJSON());
    const u = Tokenizer.fromJSON(json);
    expect(u.tokenList).toEqual(t.tokenList);
    expect(u.level).toBe('word');
    expect(u.lowercase).toBe(true);
    expect(u.encode('She is happy.')).toEqual(t.encode('She is happy.'));
    expect(Tokenizer.fromJSON(t.toJSON()).size).toBe(t.size);

    const good = t.toJSON();
    expect(() => Tokenizer.fromJSON('{')).toThrow('not valid JSON');
    expect(() => Tokenizer.fromJSON([])).toThrow('expected an object');
    expect(() => Tokenizer.fromJSON({ ...good, version: 2 })).toThrow('unsupported version 2');
    expect(() => Tokenizer.fromJSON({ ...good, level: 'byte' })).toThrow('"level"');
    expect(() => Tokenizer.fromJSON({ ...good, lowercase: 'yes' })).toThrow('"lowercase"');
    expect(() => Tokenizer.fromJSON({ ...good, tokens: ['<pad>', '<bos>', '<eos>', '<unk>', 1] })).toThrow('array of strings');
    expect(() => Tokenizer.fromJSON({ ...good, tokens: ['<bos>', '<pad>', '<eos>', '<unk>'] })).toThrow('token 0 must be <pad>');
    expect(() => Tokenizer.fromJSON({ ...good, tokens: ['<pad>', '<bos>', '<eos>', '<unk>', 'a', 'a'] })).toThrow('duplicates');
  });

  it('decode(encode(s)) restores any normalised sentence made of known words', () => {
    const vocabWords = ['she', 'is', 'happy', '.', ',', '!', '(', ')', "don't", '我', '们'];
    const t = Tokenizer.build([vocabWords.join(' ')], { level: 'word' });
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabWords), { maxLength: 12 }), (ws) => {
        const text = joinWords(ws);
        expect(t.decode(t.encode(text))).toBe(text);
      }),
    );
  });
});
