import { describe, expect, it } from 'vitest';
import { readOptions } from './options';

describe('readOptions', () => {
  it('reads values (spaced or with =) and flags in order; --help wins', () => {
    expect(readOptions(['--text', '--json', '--beam=4', '--json'], ['text', 'beam'], ['json'])).toEqual([
      { name: 'text', value: '--json' },
      { name: 'beam', value: '4' },
      { name: 'json', value: '' },
    ]);
    expect(readOptions(['--beam', '2', '-h'], ['beam'])).toBe('help');
  });

  it('refuses unknown options, missing values, stray arguments and a value on a flag', () => {
    expect(() => readOptions(['--bogus'], ['text'])).toThrow('unknown option --bogus (see --help)');
    expect(() => readOptions(['--text'], ['text'])).toThrow('--text needs a value');
    expect(() => readOptions(['hello'], ['text'])).toThrow("unexpected argument 'hello' (see --help)");
    expect(() => readOptions(['--json=1'], ['text'], ['json'])).toThrow('unknown option --json');
  });
});
