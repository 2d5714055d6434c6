// The pair-file suites' check that a file is refused with exactly one PairsFileError of one line.
import { expect } from 'vitest';
import { PairsFileError, parsePairsBytes, parsePairsText, type PairsFileOptions } from '../pairs-file';

/** The PairsFileError that parsing `bytes` (or text) raises; fails the test when there is none. */
export function errorOf(bytes: Uint8Array | string, options: PairsFileOptions = {}): PairsFileError {
  try {
    if (typeof bytes === 'string') parsePairsText(bytes, options);
    else parsePairsBytes(bytes, options);
  } catch (e) {
    if (e instanceof PairsFileError) {
      expect(e.message).not.toContain('\n');
      return e;
    }
    throw e;
  }
  throw new Error('expected a PairsFileError');
}
