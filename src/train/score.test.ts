import { describe, expect, it } from 'vitest';
import { corpusBleu } from './bleu';
import { bleuTokenizerFor, groupBySource, scoreTranslations } from './score';

describe('multi-reference scoring of pair files', () => {
  const pairs = [
    { src: 'Go.', tgt: 'Va !' },
    { src: 'Hi.', tgt: 'Salut !' },
    { src: 'Go. ', tgt: 'Bouge !' },
    { src: 'Hi.', tgt: 'Bonjour !' },
    { src: 'Run!', tgt: 'Cours !' },
  ];

  it('groups the lines that share a source, in order of first appearance', () => {
    expect(groupBySource(pairs)).toEqual([
      { src: 'Go.', refs: ['Va !', 'Bouge !'] },
      { src: 'Hi.', refs: ['Salut !', 'Bonjour !'] },
      { src: 'Run!', refs: ['Cours !'] },
    ]);
  });

  it('a hypothesis matching any reference counts as exact, and BLEU uses every reference', () => {
    const groups = groupBySource(pairs);
    const hyps = ['Bouge !', 'Bonjour !', 'Courez !'];
    const s = scoreTranslations(hyps, groups.map((g) => g.refs), '13a');
    expect(s.exactMatch).toBeCloseTo(2 / 3, 10);
    expect(s.chrf).toBeGreaterThan(50);
    const long = [
      ['je vais à la maison maintenant .', 'je rentre chez moi maintenant .'],
      ['il fait très beau aujourd’hui .', 'le temps est très beau aujourd’hui .'],
    ];
    const longHyps = ['je rentre chez moi maintenant .', 'le temps est très beau aujourd’hui .'];
    const multi = scoreTranslations(longHyps, long, '13a').bleu;
    expect(multi).toBeCloseTo(100, 6);
    expect(multi).toBeGreaterThan(corpusBleu(longHyps, [long.map((r) => r[0])], '13a'));
    expect(scoreTranslations(['Va !', 'Salut !', 'Cours !'], groups.map((g) => g.refs), '13a').exactMatch).toBe(1);
  });

  it('scores Chinese targets with the zh tokenizer', () => {
    expect(bleuTokenizerFor(['我爱你。'])).toBe('zh');
    expect(bleuTokenizerFor(['je t’aime'])).toBe('13a');
  });
});
