import { describe, expect, it } from 'vitest';
import { parsePairsText, PairsFileError } from '../../data/pairs-file';
import { lineErrorOf } from './import-pairs';
import { en } from '../i18n/en';

describe('lineErrorOf', () => {
  it('the page says "line 1" once for a binary file, not "line 1: line 1 contains …"', () => {
    let err: unknown;
    try {
      parsePairsText('a\0b\tc\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PairsFileError);
    const le = lineErrorOf(err as PairsFileError);
    const shown = en.data.lineError.replace('{{line}}', String(le.line)).replace('{{message}}', le.message);
    expect(shown).toBe('line 1: contains a NUL byte: this looks like a binary file');
  });

  it('a message that does not start with its line stays as it is', () => {
    expect(lineErrorOf(new PairsFileError('the file is empty', 0))).toEqual({ line: 0, message: 'the file is empty' });
  });
});
