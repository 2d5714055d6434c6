import { describe, it, expect } from 'vitest';
import { Rng } from '../rng';
import { ZH_ANIMALS, ZH_PEOPLE, ZH_THINGS, generateEngZh, sampleEngZhPair } from './eng-zh';

describe('eng-zh sentences', () => {
  // Draw until each of these sentences has come up, then check its translation.
  const expected: Record<string, string> = {
    'she is not happy .': '她不高兴。',
    'i have a cat .': '我有一只猫。',
    "he doesn't have a cat .": '他没有猫。',
    'is she tired ?': '她累吗？',
    'she is drinking tea .': '她在喝茶。',
    'he works every day .': '他每天工作。',
    "he doesn't work today .": '他今天不工作。',
    "she doesn't speak french .": '她不会说法语。',
    'he is too tired .': '他太累了。',
    'i am a little tired .': '我有点累。',
  };

  it('translates known sentences exactly', () => {
    const found = new Map<string, string>();
    const rng = new Rng(5);
    for (let i = 0; i < 400_000 && found.size < Object.keys(expected).length; i++) {
      const p = sampleEngZhPair(rng);
      if (p.src in expected) found.set(p.src, p.tgt);
    }
    for (const [src, tgt] of Object.entries(expected)) expect(found.get(src), src).toBe(tgt);
  });

  const splits = generateEngZh(2, { train: 4000, valid: 300, test: 300 });
  const all = [...splits.train, ...splits.valid, ...splits.test];

  it('is deterministic with disjoint splits', () => {
    expect(generateEngZh(2, { train: 4000, valid: 300, test: 300 })).toEqual(splits);
    const train = new Set(splits.train.map((p) => p.src));
    for (const p of [...splits.valid, ...splits.test]) expect(train.has(p.src)).toBe(false);
  });

  it('writes Chinese without spaces or Latin letters, ending in 。 or ？', () => {
    for (const { src, tgt } of all) {
      expect(tgt).toMatch(/^[\p{Script=Han}]+[。？]$/u);
      expect(src).toMatch(/ [.?]$/);
      expect(tgt.endsWith('？')).toBe(src.endsWith('?'));
      if (tgt.endsWith('？')) expect(tgt).toMatch(/吗？$/);
    }
  });

  it('uses 没有 (never 不有), 两 (never 二) before measure words, and no number after 没有', () => {
    const mws = [...new Set([...ZH_PEOPLE, ...ZH_ANIMALS, ...ZH_THINGS].map((n) => n.mw))].join('');
    for (const { tgt } of all) {
      expect(tgt).not.toContain('不有');
      expect(tgt).not.toMatch(new RegExp(`二[${mws}]`));
      expect(tgt).not.toMatch(/没有[一两三四五六七八九十]/);
    }
    expect(all.some((p) => p.tgt.includes('没有'))).toBe(true);
    expect(all.some((p) => /两[只本个辆张]/.test(p.tgt))).toBe(true);
  });

  it('puts the measure word that belongs to the noun in counted noun phrases', () => {
    for (const { src, tgt } of all) {
      // negative statements and questions drop the number and the measure word (没有猫, 有猫吗)
      if (/not |n't |\?/.test(src)) continue;
      const m = src.match(/ (?:a|an|two|three) (cat|dog|book|car|horse|fish)s? /);
      if (!m) continue;
      const mw = { cat: '只', dog: '只', book: '本', car: '辆', horse: '匹', fish: '条' }[m[1] as 'cat'];
      expect(tgt, src).toContain(mw);
    }
  });
});
