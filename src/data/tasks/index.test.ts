import { describe, it, expect } from 'vitest';
import { Tokenizer } from '../tokenizer';
import { TASKS, TASK_NAMES, TaskError, isTaskName } from './index';
import { generateSplits } from './generate';

describe('task registry', () => {
  it('names every task once, with a one-sentence description', () => {
    expect(Object.keys(TASKS).sort()).toEqual([...TASK_NAMES].sort());
    for (const name of TASK_NAMES) {
      const t = TASKS[name];
      expect(t.name).toBe(name);
      expect(t.title.length).toBeGreaterThan(0);
      expect(t.description).toMatch(/^[^\n]+\.$/);
      expect(t.description.split(/\. (?=[A-Z])/).length).toBe(1);
    }
    expect(isTaskName('dates')).toBe(true);
    expect(isTaskName('custom')).toBe(false);
  });

  for (const name of TASK_NAMES) {
    it(`${name}: default sizes, disjoint splits, examples known to the vocabulary`, () => {
      const t = TASKS[name];
      const s = t.generate(1);
      expect({ train: s.train.length, valid: s.valid.length, test: s.test.length }).toEqual(t.defaultSizes);
      const train = new Set(s.train.map((p) => p.src));
      for (const p of [...s.valid, ...s.test]) expect(train.has(p.src)).toBe(false);
      const src = Tokenizer.build(s.train.map((p) => p.src), { level: t.level.src });
      const tgt = Tokenizer.build(s.train.map((p) => p.tgt), { level: t.level.tgt });
      for (const e of t.examples) expect(src.encodeWithUnknown(e).unknownWords, `${name}: "${e}"`).toEqual([]);
      // the test targets are (almost) all covered by the training vocabulary
      const unknown = s.test.filter((p) => tgt.encodeWithUnknown(p.tgt).unknownWords.length > 0).length;
      expect(unknown / s.test.length).toBeLessThan(0.05);
      // vocabularies stay small enough for a browser model
      expect(src.size).toBeLessThan(1500);
      expect(tgt.size).toBeLessThan(1500);
      // the same seed gives the same data, another seed other data
      expect(t.generate(1, { train: 30, valid: 5, test: 5 })).toEqual(t.generate(1, { train: 30, valid: 5, test: 5 }));
      expect(t.generate(2, { train: 30, valid: 5, test: 5 })).not.toEqual(t.generate(1, { train: 30, valid: 5, test: 5 }));
    });

    it(`${name}: the source decides the target (no source has two translations across seeds)`, () => {
      // A corpus keeps one target per source, so a source the generator could render two ways
      // shows up only across corpora. Were there such sources, the test split would hold targets
      // no model can predict from the source, and exact match would measure luck.
      const targets = new Map<string, Set<string>>();
      for (let seed = 1; seed <= 4; seed++) {
        const s = TASKS[name].generate(seed);
        for (const p of [...s.train, ...s.valid, ...s.test]) targets.set(p.src, (targets.get(p.src) ?? new Set()).add(p.tgt));
      }
      const open = [...targets].filter(([, t]) => t.size > 1).map(([src, t]) => `${src} → ${[...t].join(' | ')}`);
      expect(open.slice(0, 5)).toEqual([]);
    });
  }

  it('refuses bad sizes and a space of sentences too small for the request', () => {
    expect(() => TASKS.copy.generate(1, { train: -1 })).toThrow(TaskError);
    expect(() => TASKS.dates.generate(1, { valid: 1.5 })).toThrow('the valid size must be a whole number');
    expect(() => generateSplits('tiny', 1, { train: 5, valid: 0, test: 0 }, (rng) => ({ src: String(rng.int(3)), tgt: 'x' }))).toThrow(
      'tiny: found only 3 distinct sentences',
    );
  });
});
