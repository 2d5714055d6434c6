import { describe, expect, it } from 'vitest';
import { parseTrainArgs, UsageError } from './args';
import { DEFAULT_CONFIG, configFromSearchParams, configToSearchParams, validateConfig } from '../train/config';

describe('train options', () => {
  it('maps kebab-case options onto the config; a later option overrides an earlier one', () => {
    const { config, cli } = parseTrainArgs(['--task', 'eng-fra', '--d-model', '32', '--lr', '0.01', '--lr=0.02', '--json', '--clip-range', '-0.1,1', '--clip', 'range', '--norm-type', 'inf']);
    expect(config.task).toBe('eng-fra');
    expect(config.dModel).toBe(32);
    expect(config.lr).toBe(0.02);
    expect(config.clipLo).toBe(-0.1);
    expect(config.clipHi).toBe(1);
    expect(config.normType).toBe('inf');
    expect(cli.json).toBe(true);
  });
  it('refuses bad values with a one-line message naming the option', () => {
    const bad: [string[], RegExp][] = [
      [['--lr', '-1'], /--lr: must be ≥ 0/],
      [['--lr', 'Infinity'], /--lr/],
      [['--lr', 'abc'], /--lr/],
      [['--heads', '3'], /--heads: heads \(3\) must divide d_model \(64\)/],
      [['--clip', 'range', '--clip-range', '1,-1'], /--clip-range: clip range lower bound/],
      [['--clip', 'range', '--clip-lo', '3'], /--clip-lo: clip range lower bound/],
      [['--max-norm', '0'], /--max-norm: must be > 0/],
      [['--steps', '-1'], /--steps: must be ≥ 0/],
      [['--task', 'klingon'], /--task/],
      [['--cell', 'rnn9'], /--cell/],
      [['--layers', '0'], /--layers: must be at least 1/],
      [['--wat', '1'], /unknown option --wat/],
      [['--lr'], /--lr needs a value/],
      [['--clip-range', '1'], /--clip-range must be LO,HI/],
      [['--task', 'custom'], /--task custom needs --pairs/],
      [['--clip', 'range', '--clip-group', '/(a)\\1/'], /^--clip-group: not a valid regular expression: .*\\1/],
      [['--clip-group', '/a/g'], /^--clip-group: unsupported regular-expression flag 'g'/],
    ];
    for (const [argv, re] of bad) {
      let err: unknown;
      try {
        parseTrainArgs(argv);
      } catch (e) {
        err = e;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    }
  });
  it('--weight-decay-exclude bias-norm (and refuses other values)', () => {
    expect(parseTrainArgs(['--weight-decay-exclude', 'bias-norm']).config.weightDecayExclude).toBe('bias-norm');
    expect(DEFAULT_CONFIG.weightDecayExclude).toBe('none');
    expect(() => parseTrainArgs(['--weight-decay-exclude', 'biases'])).toThrow(/--weight-decay-exclude/);
  });
  it('accepts any finite learning rate ≥ 0, as torch.optim does (0, and 1e6 to show divergence)', () => {
    expect(parseTrainArgs(['--lr', '0']).config.lr).toBe(0);
    expect(parseTrainArgs(['--lr', '50']).config.lr).toBe(50);
    expect(parseTrainArgs(['--lr', '1e6']).config.lr).toBe(1e6);
  });
  it('accepts negative numbers as values', () => {
    expect(parseTrainArgs(['--clip-lo', '-0.5', '--clip-hi', '2']).config.clipLo).toBe(-0.5);
  });
});

describe('config in the URL', () => {
  it('round-trips and keeps only non-default fields', () => {
    const c = { ...DEFAULT_CONFIG, task: 'eng-zh' as const, lr: 0.005, normType: 'inf' as const };
    const p = configToSearchParams(c);
    expect([...p.keys()].sort()).toEqual(['lr', 'normType', 'task']);
    expect(configFromSearchParams(p)).toEqual({ config: c, errors: [] });
  });
  it('applies valid fields and reports invalid ones without applying them', () => {
    const { config, errors } = configFromSearchParams(new URLSearchParams('lr=-1&heads=5&batch=16&tab=charts'));
    expect(config.batch).toBe(16);
    expect(config.lr).toBe(DEFAULT_CONFIG.lr);
    expect(config.heads).toBe(DEFAULT_CONFIG.heads);
    expect(errors.map((e) => e.field).sort()).toEqual(['heads', 'lr']);
  });
  it('validateConfig names unknown fields', () => {
    const r = validateConfig({ nope: 1 } as never);
    expect(r.ok).toBe(false);
  });
});
