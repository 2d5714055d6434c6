// Pair files from the web, of any size and content: they give pairs or one PairsFileError, within
// a per-input time bound, and the bounds on size and pairs hold without reading past them.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAIR_FILE_LIMITS, PairsFileError, pairFileSizeError, parsePairsBytes, parsePairsStream } from './pairs-file';
import { withinBound } from './testing/hang-bound';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Pairs or the PairsFileError message; anything else thrown fails the test. */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (e) {
    if (e instanceof PairsFileError) {
      expect(e.message).toMatch(/^[^\n]+$/);
      return e.message;
    }
    throw e;
  }
}

/** `bytes` cut at the given positions. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  out.push(bytes.subarray(prev));
  return out;
}

describe('pair files, mutated and hostile', () => {
  const valid = utf8('\ufeffGo.\tVa !\tCC-BY 2.0\r\nI am happy.\tJe suis heureux.\n我很好。\tI am fine.\n\n  \t \nCafe\u0301\tcafé\n');

  it('mutations of a valid file in any chunking, with any options: pairs or one PairsFileError, within the bound', () => {
    const options = fc.record(
      {
        maxSrcLength: fc.nat({ max: 20 }),
        maxTgtLength: fc.nat({ max: 20 }),
        lengthUnit: fc.constantFrom('tokens' as const, 'chars' as const),
        prefixes: fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
        maxPairs: fc.integer({ min: 1, max: 5 }),
        reverse: fc.boolean(),
        maxLineLength: fc.integer({ min: 1, max: 40 }),
        maxBytes: fc.integer({ min: 1, max: 200 }),
      },
      { requiredKeys: [] },
    );
    const edit = fc.tuple(fc.nat(), fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x09, 0x0a, 0x0d, 0x00, 0xe6, 0xcc, 0x81)));
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), fc.nat(), options, (edits, cuts, cut, opts) => {
        const b = valid.slice(0, cut % (valid.length + 1));
        for (const [at, v] of edits) if (b.length) b[at % b.length] = v;
        withinBound(() => outcome(() => parsePairsBytes(chunked(b, cuts), opts)), `mutated file ${JSON.stringify([...b])}`);
      }),
      { numRuns: 500 },
    );
  });

  it('pathological lines (long words, joiners, combining marks, tabs, CRs) are split in linear time', () => {
    const unit = fc.constantFrom('a', '1', '.', "'", '-', '\u0301', '\u200d', '!', '\t', '\r', ' ', '我', '🇫', '👍🏽');
    fc.assert(
      fc.property(fc.array(unit, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1000, max: 20_000 }), (pattern, times) => {
        const line = pattern.join('').repeat(Math.ceil(times / pattern.length));
        const text = `${line}\tx\nx\t${line}\n`;
        withinBound(() => outcome(() => parsePairsBytes(utf8(text), { maxSrcLength: 10, maxTgtLength: 10 })), `line of ${JSON.stringify(pattern.join(''))} × ${times}`);
      }),
      { numRuns: 40 },
    );
  });

  it('a file over the size limit is refused before it is read, and a stream stops at the limit', async () => {
    expect(pairFileSizeError(2 * 2 ** 30)).toBe('the file has 2048 MiB, more than the 256 MiB a pair file may have');
    expect(pairFileSizeError(PAIR_FILE_LIMITS.bytes)).toBeNull();
    // A 2 GB stream whose size is unknown: reading stops just past maxBytes.
    let read = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      const chunk = utf8('Hi.\tSalut.\n'.repeat(6000));
      while (read < 2 * 2 ** 30) {
        read += chunk.length;
        yield chunk;
      }
    }
    await expect(parsePairsStream(endless(), { maxBytes: 2 ** 20 })).rejects.toThrow(new PairsFileError('the file is larger than the 1 MiB a pair file may have'));
    expect(read).toBeLessThan(2 ** 20 + 100_000);
  });

  it('more usable pairs than a run may train on is refused, naming the line; maxPairs stops sooner as before', () => {
    expect(PAIR_FILE_LIMITS.pairs).toBe(1_000_000);
    const chunks = Array.from({ length: 11 }, () => utf8('a\tb\n\n'.repeat(1000)));
    expect(outcome(() => parsePairsBytes(chunks, { pairLimit: 10_000 }))).toBe('line 20001: the file has more than 10,000 usable pairs, the most a run may train on');
    expect((outcome(() => parsePairsBytes(chunks, { pairLimit: 10_000, maxPairs: 5 })) as { pairs: unknown[] }).pairs).toHaveLength(5);
  });
});
