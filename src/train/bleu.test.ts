import { describe, it, expect } from 'vitest';
import {
  BleuError,
  computeBleu,
  corpusBleu,
  corpusBleuScore,
  exactMatch,
  exactMatchText,
  sentenceBleu,
  tokenAccuracy,
  tokenize13a,
  tokenizeIntl,
  tokenizeZh,
} from './bleu';

// Expected values below are the ones in sacreBLEU's own test suite (test/test_bleu.py), where
// `raw_corpus_bleu(hyps, refs, v)` means: tokenize 'none', smoothing 'floor' with value v,
// effective order on; its scores are on the 0–1 scale there.
const rawCorpusBleu = (hyps: string[], refs: string[][], floor: number | undefined) =>
  corpusBleuScore(hyps, refs, { tokenize: 'none', smooth: 'floor', smoothValue: floor, effectiveOrder: true });

const README_REFS = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const README_HYPS = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

describe('corpus BLEU against sacreBLEU test_bleu.py', () => {
  it('README example with default settings (13a, exp smoothing): 48.530827', () => {
    expect(Math.abs(corpusBleu(README_HYPS, README_REFS) - 48.530827)).toBeLessThan(1e-6);
    expect(Math.abs(corpusBleuScore(README_HYPS, README_REFS, { tokenize: '13a' }).score - 48.530827)).toBeLessThan(1e-6);
    expect(Math.abs(corpusBleuScore(README_HYPS, README_REFS, { smooth: 'none' }).score - 48.530827)).toBeLessThan(1e-6);
  });

  it("README example with tokenize 'none': 49.1919566 and 'intl': 43.91623493", () => {
    expect(Math.abs(corpusBleuScore(README_HYPS, README_REFS, { tokenize: 'none' }).score - 49.1919566)).toBeLessThan(1e-6);
    expect(Math.abs(corpusBleuScore(README_HYPS, README_REFS, { tokenize: 'intl' }).score - 43.91623493)).toBeLessThan(1e-6);
  });

  it('empty hypotheses are kept and score 0', () => {
    expect(corpusBleu(['', '', ''], README_REFS)).toBe(0);
  });

  it('max n-gram order 1..6 gives 77.65 60.50 53.93 48.53 46.14 43.28', () => {
    const got = [1, 2, 3, 4, 5, 6].map((n) => corpusBleuScore(README_HYPS, README_REFS, { maxNgramOrder: n }).score.toFixed(2));
    expect(got).toEqual(['77.65', '60.50', '53.93', '48.53', '46.14', '43.28']);
  });

  it('raw BLEU cases', () => {
    expect(rawCorpusBleu(['this is a test', 'another test'], [['ref1', 'ref2']], 0.01).score / 100).toBe(0);
    expect(Math.abs(rawCorpusBleu(['this is a test'], [['this is a test']], 0.01).score / 100 - 1)).toBeLessThan(1e-8);
    expect(Math.abs(rawCorpusBleu(['this is a fest'], [['this is a test']], 0.01).score / 100 - 0.223606797749979)).toBeLessThan(1e-8);
  });

  it('effective order cases', () => {
    const cases: [string, string, number][] = [
      ['test', 'a test', 0.3678794411714425],
      ['a test', 'a test', 1.0],
      ['a little test', 'a test', 0.03218297948685433],
    ];
    for (const [h, r, want] of cases) expect(Math.abs(rawCorpusBleu([h], [[r]], 0.01).score / 100 - want)).toBeLessThan(1e-8);
  });

  it('sufficient statistics: counts [4,2,1,0] of totals [6,5,4,3]', () => {
    const s = rawCorpusBleu(['am I am a character sequence'], [['I am a symbol string sequence a a']], 0.01);
    expect(s.counts).toEqual([4, 2, 1, 0]);
    expect(s.totals).toEqual([6, 5, 4, 3]);
  });

  it('floor offset: 0.1555722182 with the default floor 0.1, 0 with floor 0', () => {
    const h = ['am I am a character sequence'];
    const r = [['I am a symbol string sequence a a']];
    expect(Math.abs(rawCorpusBleu(h, r, 0).score / 100)).toBeLessThan(1e-8);
    expect(Math.abs(rawCorpusBleu(h, r, undefined).score / 100 - 0.1555722182)).toBeLessThan(1e-8);
    expect(Math.abs(rawCorpusBleu(h, r, 0.1).score / 100 - 0.1555722182)).toBeLessThan(1e-8);
  });

  it('scoring from statistics: 0.8375922397', () => {
    expect(Math.abs(computeBleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11).score / 100 - 0.8375922397)).toBeLessThan(1e-8);
  });

  it('degenerate statistics score exactly 0', () => {
    const cases: [number[], number[], number, number, number][] = [
      [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0],
      [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0],
      [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0],
      [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0],
      [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
      [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
    ];
    for (const [c, t, sys, ref, floor] of cases) {
      expect(computeBleu(c, t, sys, ref, { smooth: 'floor', smoothValue: floor }).score / 100).toBe(0);
    }
  });
});

describe('BLEU formula by hand', () => {
  it("'exp' smoothing: a zero-match order gets 100 / (2^k · total) instead of zeroing the score", () => {
    // hyp "a b c d e" vs ref "a b x d e": 1-grams 4/5, 2-grams 2/4, 3-grams 0/3, 4-grams 0/2.
    const s = corpusBleuScore(['a b c d e'], ['a b x d e'], { tokenize: 'none' });
    expect(s.counts).toEqual([4, 2, 0, 0]);
    expect(s.totals).toEqual([5, 4, 3, 2]);
    const p = [80, 50, 100 / (2 * 3), 100 / (4 * 2)];
    const want = Math.exp((Math.log(p[0]) + Math.log(p[1]) + Math.log(p[2]) + Math.log(p[3])) / 4);
    expect(s.precisions).toEqual(p);
    expect(s.score).toBeCloseTo(want, 10);
    expect(s.score).toBeGreaterThan(0);
    // Without smoothing the same statistics give 0.
    expect(corpusBleuScore(['a b c d e'], ['a b x d e'], { tokenize: 'none', smooth: 'none' }).score).toBe(0);
  });

  it('brevity penalty exp(1 − r/c) and closest reference length with ties to the shorter', () => {
    // c = 4, references of lengths 6 and 2: both 2 away, the shorter (2) is taken → no penalty.
    const tie = corpusBleuScore(['a b c d'], [['a b c d e f'], ['a b']], { tokenize: 'none' });
    expect(tie.refLen).toBe(2);
    expect(tie.bp).toBe(1);
    const short = corpusBleuScore(['a b c d'], ['a b c d e f'], { tokenize: 'none' });
    expect(short.bp).toBeCloseTo(Math.exp(1 - 6 / 4), 12);
    // all n-grams of the hypothesis match: BLEU = 100 · BP
    expect(short.score).toBeCloseTo(100 * Math.exp(1 - 6 / 4), 10);
  });

  it('clips n-gram counts by the most generous reference', () => {
    // "the the the the" against "the cat" and "the the": 'the' clipped to 2 of 4.
    const s = corpusBleuScore(['the the the the'], [['the cat'], ['the the']], { tokenize: 'none' });
    expect(s.counts[0]).toBe(2);
    expect(s.counts[1]).toBe(1);
  });

  it('hypotheses shorter than 4 tokens everywhere give 0 (no 4-grams at all)', () => {
    expect(corpusBleu(['a b c'], ['a b c'], 'none')).toBe(0);
  });

  it('accepts one reference stream as a plain string array', () => {
    expect(corpusBleu(README_HYPS, README_REFS[0])).toBeCloseTo(corpusBleu(README_HYPS, [README_REFS[0]]), 12);
  });

  it('rejects mismatched streams and segments without any reference', () => {
    expect(() => corpusBleu(['a'], [['a', 'b']])).toThrow(BleuError);
    expect(() => corpusBleu(['a'], [])).toThrow('no reference stream');
    expect(() => corpusBleu(['a', 'b'], [['x', ''], ['y', '']])).toThrow('segment 2 has no (non-empty) reference');
    // an empty string in one stream is fine when another stream has a reference
    expect(corpusBleu(['a b c d'], [[''], ['a b c d']], 'none')).toBeCloseTo(100, 10);
  });

  it('sentence BLEU uses effective order', () => {
    expect(sentenceBleu('a test', ['a test']).score).toBeCloseTo(100, 10);
    // 1-grams 1/1 against "a test" (length 2): BP = e^(1-2) → 36.79
    expect(sentenceBleu('test', ['a test']).score).toBeCloseTo(100 * Math.exp(-1), 10);
  });
});

describe('13a tokenizer (mteval-v13a rules)', () => {
  it('splits punctuation, keeps apostrophes, and treats periods / commas / dashes next to digits', () => {
    expect(tokenize13a("It wasn't surprising.")).toBe("It wasn't surprising .");
    expect(tokenize13a('Hello, world! (really?)')).toBe('Hello , world ! ( really ? )');
    expect(tokenize13a('It costs 3.50, or 1,000.')).toBe('It costs 3.50 , or 1,000 .');
    expect(tokenize13a('pages 10-20 and well-known')).toBe('pages 10 - 20 and well-known');
    expect(tokenize13a('a/b $5 50% #1 @x')).toBe('a / b $ 5 50 % # 1 @ x');
  });

  it('removes <skipped>, joins "-\\n", turns newlines into spaces and unescapes entities', () => {
    expect(tokenize13a('a <skipped> b')).toBe('a b');
    expect(tokenize13a('hyphen-\nated line\nbreak')).toBe('hyphenated line break');
    expect(tokenize13a('&quot;Tom &amp; Jerry&quot; &lt;3 &gt;')).toBe('" Tom & Jerry " < 3 >');
    // no other entity is unescaped
    expect(tokenize13a('&apos;')).toBe('& apos ;');
  });

  it('collapses white space the way Python str.split() does', () => {
    expect(tokenize13a('a\u00a0 b\u3000c\x1cd')).toBe('a b c d');
  });

  it('does not split CJK characters', () => {
    expect(tokenize13a('我们有一只猫。')).toBe('我们有一只猫。');
  });
});

describe('zh tokenizer', () => {
  it('separates every Chinese character and tokenises the rest like 13a', () => {
    expect(tokenizeZh('我们有一只猫。')).toBe('我 们 有 一 只 猫 。');
    expect(tokenizeZh(' 我有3.5个apple, ok ')).toBe('我 有 3.5 个 apple , ok');
    expect(tokenizeZh('你好！')).toBe('你 好 ！');
  });

  it("reproduces sacreBLEU's effective ranges (U+2001–U+2A6D counted; U+2000 and astral ideographs not)", () => {
    expect(tokenizeZh('a“b”c')).toBe('a “ b ” c');
    expect(tokenizeZh('a\u2000b')).toBe('a b');
    expect(tokenizeZh('a𠀀b')).toBe('a𠀀b');
  });

  it('scores Chinese by character n-grams', () => {
    const hyp = ['她不高兴。'];
    const ref = ['她不高兴。'];
    expect(corpusBleu(hyp, ref, 'zh')).toBeCloseTo(100, 10);
    // With 13a the whole sentence is one token.
    expect(corpusBleuScore(['她很高兴。'], ref).totals[0]).toBe(1);
    expect(corpusBleuScore(['她很高兴。'], ref, { tokenize: 'zh' }).totals[0]).toBe(5);
  });
});

describe('intl tokenizer', () => {
  it('splits Unicode punctuation except between digits, and symbols', () => {
    expect(tokenizeIntl('Hello, «world»! 3.5 €5')).toBe('Hello , « world » ! 3.5 € 5');
  });
});

describe('token accuracy and exact match', () => {
  it('token accuracy counts reference positions plus the end', () => {
    expect(tokenAccuracy([[1, 2, 3]], [[1, 2, 3]])).toBe(1);
    expect(tokenAccuracy([[1, 2]], [[1, 2, 3]])).toBe(2 / 4);
    expect(tokenAccuracy([[]], [[1, 2, 3]])).toBe(0);
    expect(tokenAccuracy([[1, 2, 3, 4]], [[1, 2, 3]])).toBe(3 / 4);
    expect(tokenAccuracy([['a', 'x']], [['a', 'b']])).toBe(2 / 3);
    expect(tokenAccuracy([], [])).toBe(0);
  });

  it('exact match', () => {
    expect(exactMatch([[1, 2], [3]], [[1, 2], [4]])).toBe(0.5);
    expect(exactMatch([], [])).toBe(0);
    expect(exactMatchText(['she is  happy. ', 'no'], ['she is happy.', 'yes'])).toBe(0.5);
  });
});
