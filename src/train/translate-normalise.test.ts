// What the translate box does with an input the model cannot read as typed: the dates task's
// sources are lower case, so "July 4 1776" is read as "july 4 1776" (and the page is told), and
// characters that are not in the vocabulary are shown as written and marked, not as <unk>.
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../engine';
import { taskInput } from '../data/tasks';
import { validateConfig } from './config';
import { Trainer } from './trainer';

function datesTrainer(): Trainer {
  const r = validateConfig({ task: 'dates', model: 'rnn', cell: 'gru', hidden: 8, embed: 8, batch: 4, maxLen: 40, evalEvery: 1000, probeEvery: 1000 });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return Trainer.create(r.config, cpuBackend);
}

describe('translate input', () => {
  it('the dates task reads its input lower-cased; other tasks as typed', () => {
    expect(taskInput('dates', 'July 4 1776')).toBe('july 4 1776');
    expect(taskInput('eng-fra', 'She is HAPPY .')).toBe('She is HAPPY .');
    expect(taskInput('custom', 'Abc')).toBe('Abc');
  });

  it('a capitalised month is read, not mangled to <unk>; unknown characters are marked as written', async () => {
    const t = datesTrainer();
    try {
      const a = await t.translate(1, 'July 4 1776', 1);
      expect(a.readAs).toBe('july 4 1776');
      expect(a.srcTokens.slice(0, 4)).toEqual(['j', 'u', 'l', 'y']);
      expect(a.unknown.some(Boolean)).toBe(false);
      const b = await t.translate(2, 'zq 4', 1);
      expect(b.readAs).toBeUndefined();
      expect(b.srcTokens.slice(0, 2)).toEqual(['z', 'q']);
      expect(b.unknown.slice(0, 2)).toEqual([true, true]);
    } finally {
      t.dispose();
    }
  });

  it('beam search lists its K hypotheses, ranked by log p / |y|^0.6; greedy lists none', async () => {
    const t = datesTrainer();
    try {
      const a = await t.translate(1, '23.11.2026', 4);
      const hs = a.hypotheses!;
      expect(hs).toHaveLength(4);
      expect(hs[0].text).toBe(a.text);
      for (const h of hs) {
        expect(h.logProb).toBeLessThan(0);
        expect(h.score).toBeCloseTo(h.logProb / Math.pow(Math.max(1, h.length + (h.finished ? 1 : 0)), 0.6), 6);
      }
      const finished = hs.filter((h) => h.finished);
      for (let i = 1; i < finished.length; i++) expect(finished[i].score).toBeLessThanOrEqual(finished[i - 1].score);
      expect(new Set(hs.map((h) => `${h.text}|${h.logProb}`)).size).toBe(4);
      const g = await t.translate(2, '23.11.2026', 1);
      expect(g.hypotheses).toBeUndefined();
      // Every cross-attention map of the answer: the RNN's one attention, a row per output step.
      expect(g.crossMaps!.map((m) => [m.kind, m.rows, m.cols])).toEqual([['rnn', g.outTokens.length, g.srcTokens.length]]);
      const m = g.crossMaps![0];
      for (let r = 0; r < m.rows; r++) expect(m.data.slice(r * m.cols, (r + 1) * m.cols).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    } finally {
      t.dispose();
    }
  });
});
