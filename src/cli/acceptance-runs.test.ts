import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from './args';
import { ACCEPTANCE_RUNS, goalMet, resultsTable, selectRuns, withSteps, type DoneLine } from './acceptance-runs';

const done = (exactMatch: number, bleu: number): DoneLine => ({ done: true, steps: 10, exactMatch, bleu, tokenAccuracy: 1, seconds: 90, backend: 'cpu', adapter: 'CPU reference' });

describe('acceptance runs', () => {
  it("are the issue's runs, each a valid train command", () => {
    expect(ACCEPTANCE_RUNS.map((r) => r.name)).toEqual([
      'dates-default-transformer',
      'eng-fra-default-transformer',
      'dates-rnn-lstm',
      'dates-rnn-gru',
      'dates-rnn-janet',
      'dates-rnn-indrnn',
      'dates-rnn-indrnn2',
    ]);
    for (const r of ACCEPTANCE_RUNS) {
      const { config } = parseTrainArgs(r.args);
      expect(config.task).toBe(r.name.split('-').slice(0, r.name.startsWith('eng-') ? 2 : 1).join('-'));
      expect(config.model).toBe(r.name.includes('-rnn-') ? 'rnn' : 'transformer');
    }
  });

  it('selects by name and names the known runs on a typo', () => {
    expect(selectRuns([])).toHaveLength(ACCEPTANCE_RUNS.length);
    expect(selectRuns(['dates-rnn-gru']).map((r) => r.name)).toEqual(['dates-rnn-gru']);
    expect(() => selectRuns(['dates-rnn-gruu'])).toThrow(/no run named 'dates-rnn-gruu' \(runs: dates-default-transformer, /);
  });

  it('overrides the steps', () => {
    expect(withSteps(['--task', 'dates', '--steps', '3000', '--lr', '0.1'], 20)).toEqual(['--task', 'dates', '--lr', '0.1', '--steps', '20']);
    expect(withSteps(['--task', 'dates'], undefined)).toEqual(['--task', 'dates']);
  });

  it('checks exact match and BLEU against the goal, and tabulates', () => {
    const goal = { exactMatch: 0.9, bleu: 85 };
    expect(goalMet(goal, done(0.9, 85))).toBe(true);
    expect(goalMet(goal, done(0.95, 80))).toBe(false);
    expect(goalMet({ exactMatch: 0.98 }, done(0.979, 99))).toBe(false);
    const [transformer, fra] = ACCEPTANCE_RUNS;
    const table = resultsTable([
      { run: transformer, done: done(0.996, 99.9) },
      { run: fra, error: 'error: boom' },
    ]).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toBe('| dates-default-transformer | default Transformer | 10 | 1.5 min | 99.6 % | 99.9 | exact match ≥ 98 % | yes | cpu (CPU reference) |');
    expect(table[3]).toContain('| failed: error: boom |');
  });
});
