import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createReadStream, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  PairsFileError,
  parsePairsBytes,
  parsePairsStream,
  parsePairsText,
  readableStreamChunks,
  splitPairs,
  type PairsFileOptions,
  type PairsFileResult,
} from './pairs-file';
import { normalizeText } from './tokenizer';
import { errorOf } from './testing/pairs-errors';

const SAMPLE = fileURLToPath(new URL('../../../shared/data/tatoeba-eng-fra-2500.tsv', import.meta.url));
const HAVE_SAMPLE = existsSync(SAMPLE);
if (!HAVE_SAMPLE) console.warn(`pairs-file tests: ${SAMPLE} is missing; the Tatoeba sample tests are skipped`);

const utf8 = (s: string) => new TextEncoder().encode(s);

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** The PairsFileError message of parsing `bytes`, or a failure if it parses. */
/** Either the result or the error message, for comparing outcomes. */
function outcome(f: () => PairsFileResult): PairsFileResult | string {
  try {
    return f();
  } catch (e) {
    if (e instanceof PairsFileError) return `error: ${e.message}`;
    throw e;
  }
}

describe.skipIf(!HAVE_SAMPLE)(`the Tatoeba eng-fra sample (2,500 lines)${HAVE_SAMPLE ? '' : ` — skipped: ${SAMPLE} not found`}`, () => {
  const read = (options: PairsFileOptions = {}, highWaterMark = 4096) =>
    parsePairsStream(createReadStream(SAMPLE, { highWaterMark }) as AsyncIterable<Uint8Array>, options);

  it('streams all 2,500 pairs with the attribution column dropped', async () => {
    const r = await read();
    expect(r.lines).toBe(2500);
    expect(r.pairs.length).toBe(2500);
    expect(r.skipped).toEqual({ blank: 0, emptySide: 0, prefix: 0, tooLong: 0 });
    expect(r.pairs[0]).toEqual({ src: 'Go.', tgt: 'Va !' });
    expect(r.pairs[3]).toEqual({ src: 'Run!', tgt: 'Courez\u202f!' });
    expect(r.pairs[2499]).toEqual({ src: "I'm so sorry.", tgt: 'Je suis tellement désolée !' });
    for (const p of r.pairs) expect(p.tgt).not.toContain('CC-BY');
  });

  it('gives the same pairs whatever the chunk size, and the same as parsePairsText', async () => {
    const { readFileSync } = await import('node:fs');
    const whole = readFileSync(SAMPLE, 'utf8');
    const a = await read({}, 7);
    const b = await read({}, 65536);
    expect(a).toEqual(b);
    expect(parsePairsText(whole)).toEqual(b);
  });

  it("filters by the PyTorch tutorial's English prefixes, reverses, limits lengths and counts", async () => {
    const prefixes = ['i am ', "i'm ", 'he is', "he's", 'she is', "she's", 'you are', "you're", 'we are', "we're", 'they are', "they're"];
    const r = await read({ prefixes, reverse: true, maxSrcLength: 10, maxTgtLength: 10 });
    expect(r.pairs.length).toBeGreaterThan(100);
    expect(r.skipped.prefix + r.skipped.tooLong + r.pairs.length).toBe(2500);
    for (const p of r.pairs) {
      // reversed: the English (filtered) column is now the target
      expect(prefixes.some((x) => normalizeText(p.tgt, true).startsWith(x))).toBe(true);
    }
    const short = await read({ maxSrcLength: 2, lengthUnit: 'tokens' });
    expect(short.pairs.every((p) => normalizeText(p.src, false).split(' ').length <= 2)).toBe(true);
    expect(short.skipped.tooLong).toBe(2500 - short.pairs.length);
  });

  it('stops reading at maxPairs', async () => {
    const r = await read({ maxPairs: 10 }, 256);
    expect(r.pairs.length).toBe(10);
    expect(r.stoppedEarly).toBe(true);
    expect(r.lines).toBe(10);
  });

  it('splits deterministically with no test or validation source in training', async () => {
    const { pairs } = await read();
    const s1 = splitPairs(pairs, { seed: 3 });
    const s2 = splitPairs(pairs, { seed: 3 });
    expect(s1).toEqual(s2);
    expect(s1.test.length).toBeGreaterThanOrEqual(250);
    expect(s1.valid.length).toBeGreaterThanOrEqual(250);
    expect(s1.train.length + s1.valid.length + s1.test.length).toBe(2500);
    const key = (p: { src: string }) => normalizeText(p.src, true);
    const train = new Set(s1.train.map(key));
    const valid = new Set(s1.valid.map(key));
    for (const p of s1.test) expect(train.has(key(p)) || valid.has(key(p))).toBe(false);
    for (const p of s1.valid) expect(train.has(key(p))).toBe(false);
    expect(splitPairs(pairs, { seed: 4 }).test).not.toEqual(s1.test);
  });
});

describe('formats', () => {
  it('handles a BOM, CRLF and LF mixed, blank lines, extra columns, surrounding spaces', () => {
    const text = '\ufeffHi.\tSalut.\r\n\r\n  \nGo.\tVa !\tCC-BY\n\t\nRun!\tCours !\r\n';
    const r = parsePairsText(text);
    expect(r.pairs).toEqual([
      { src: 'Hi.', tgt: 'Salut.' },
      { src: 'Go.', tgt: 'Va !' },
      { src: 'Run!', tgt: 'Cours !' },
    ]);
    expect(r.lines).toBe(6);
    expect(r.skipped.blank).toBe(3);
    expect(r.skipped.emptySide).toBe(0);
    expect(parsePairsBytes(utf8(text))).toEqual(r);
    // the BOM bytes are dropped by the decoder too
    expect(parsePairsBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('a\tb')])).pairs).toEqual([{ src: 'a', tgt: 'b' }]);
  });

  it('skips lines with an empty side and keeps a last line without a newline', () => {
    const r = parsePairsText('a\t\n\tb\nc\td');
    expect(r.pairs).toEqual([{ src: 'c', tgt: 'd' }]);
    expect(r.skipped.emptySide).toBe(2);
    expect(r.lines).toBe(3);
  });

  it('keeps CJK, emoji and combining characters, NFC-normalised', () => {
    const r = parsePairsBytes(utf8('I have a cat 🐱.\t我有一只猫🐱。\nCafe\u0301\tcafe\u0301\n'));
    expect(r.pairs).toEqual([
      { src: 'I have a cat 🐱.', tgt: '我有一只猫🐱。' },
      { src: 'Café', tgt: 'café' },
    ]);
  });

  it('counts lengths in tokens or characters', () => {
    const text = 'I am here.\tJe suis là.\n我有一只猫。\tI have a cat.\n';
    // tokens: "i am here ." = 4, "我 有 一 只 猫 。" = 6
    expect(parsePairsText(text, { maxSrcLength: 4 }).pairs.map((p) => p.src)).toEqual(['I am here.']);
    expect(parsePairsText(text, { maxSrcLength: 6, lengthUnit: 'chars' }).pairs.map((p) => p.src)).toEqual(['我有一只猫。']);
    expect(parsePairsText(text, { maxTgtLength: 4 }).pairs.map((p) => p.src)).toEqual(['I am here.']);
    expect(parsePairsText(text, { reverse: true, maxSrcLength: 4 }).pairs).toEqual([{ src: 'Je suis là.', tgt: 'I am here.' }]);
  });
});

describe('errors', () => {
  it('empty file', () => {
    expect(errorOf(new Uint8Array(0)).message).toBe('the file is empty');
    expect(errorOf(new Uint8Array([0xef, 0xbb, 0xbf])).message).toBe('the file is empty');
    expect(errorOf('').message).toBe('the file is empty');
  });

  it('only blank lines', () => {
    const e = errorOf(utf8('\n  \r\n\t\n'));
    expect(e.message).toBe('the file has only blank lines (3 lines)');
  });

  it('a NUL byte names its line', () => {
    const e = errorOf(utf8('a\tb\nc\td\ne\0\tf\n'));
    expect(e.message).toBe('line 3 contains a NUL byte: this looks like a binary file');
    expect(e.line).toBe(3);
  });

  it('invalid UTF-8 names its line, in any chunking', () => {
    const bytes = new Uint8Array([...utf8('a\tb\nc\t'), 0xff, ...utf8('d\ne\tf\n')]);
    expect(errorOf(bytes).message).toBe('line 2 is not valid UTF-8 (at byte 6 of the file): save the file as UTF-8');
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 7), bytes.subarray(7)];
    expect(outcome(() => parsePairsBytes(chunks))).toBe(`error: ${errorOf(bytes).message}`);
    // a multi-byte character cut short by an ASCII byte, and one cut short by the end of the file
    expect(errorOf(new Uint8Array([...utf8('x\ty\n\n'), 0xe2, 0x82, 0x41])).message).toBe(
      'line 3 is not valid UTF-8 (at byte 7 of the file): save the file as UTF-8',
    );
    expect(errorOf(new Uint8Array([...utf8('x\ty\n'), 0xe2, 0x82])).message).toBe(
      'line 2 is not valid UTF-8 (the file ends inside a multi-byte character): save the file as UTF-8',
    );
    // overlong encoding and a UTF-16 surrogate encoded in UTF-8 are invalid too
    expect(errorOf(new Uint8Array([0xc0, 0xaf, 0x09, 0x61])).line).toBe(1);
    expect(errorOf(new Uint8Array([0x61, 0x09, 0xed, 0xa0, 0x80])).line).toBe(1);
  });

  it('a line without a tab', () => {
    const e = errorOf('a\tb\n\njust text\nc\td\n');
    expect(e.message).toBe('line 3 has no tab: expected source<TAB>target[<TAB>attribution]');
    expect(e.line).toBe(3);
  });

  it('a line longer than the limit, detected while streaming', async () => {
    const long = `${'a'.repeat(100_001)}\tb\n`;
    expect(errorOf(`x\ty\n${long}`).message).toBe('line 2 is longer than 100000 characters');
    expect(errorOf('abcdef\tb\n', { maxLineLength: 5 }).message).toBe('line 1 is longer than 5 characters');
    // exactly at the limit, with CRLF: fine
    expect(parsePairsText('abc\tb\r\n', { maxLineLength: 5 }).pairs.length).toBe(1);
    // An endless line: the parser must give up at the limit instead of collecting it.
    let produced = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      const chunk = new Uint8Array(4096).fill(0x61);
      for (;;) {
        produced += chunk.length;
        yield chunk;
      }
    }
    await expect(parsePairsStream(endless())).rejects.toThrow('line 1 is longer than 100000 characters');
    expect(produced).toBeLessThan(110_000);
  });

  it('errors are reported in file order: the first bad line wins', () => {
    expect(errorOf(utf8('a\0\tb\nno tab\n')).line).toBe(1);
    expect(errorOf(new Uint8Array([...utf8('no tab\n'), 0xff])).message).toContain('line 1 has no tab');
    expect(errorOf(new Uint8Array([...utf8('a\0'), 0xff])).message).toContain('NUL');
  });
});

describe('options', () => {
  it('maxPairs stops reading an endless stream', async () => {
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (let i = 0; ; i++) yield utf8(`src ${i}\ttgt ${i}\n`);
    }
    const r = await parsePairsStream(endless(), { maxPairs: 5 });
    expect(r.pairs.map((p) => p.src)).toEqual(['src 0', 'src 1', 'src 2', 'src 3', 'src 4']);
    expect(r.stoppedEarly).toBe(true);
  });

  it('prefixes compare lower-cased and white-space-normalised first columns', () => {
    const r = parsePairsText('I am  tired.\tJe suis fatigué.\nYou are here.\tTu es là.\nHe is here.\tIl est là.\n', { prefixes: ['i am ', 'HE IS'] });
    expect(r.pairs.map((p) => p.src)).toEqual(['I am  tired.', 'He is here.']);
    expect(r.skipped.prefix).toBe(1);
  });

  it('reads a WHATWG ReadableStream', async () => {
    const bytes = utf8('a\tb\nc\td\n');
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.subarray(0, 5));
        c.enqueue(bytes.subarray(5));
        c.close();
      },
    });
    const r = await parsePairsStream(readableStreamChunks(stream));
    expect(r.pairs).toEqual([
      { src: 'a', tgt: 'b' },
      { src: 'c', tgt: 'd' },
    ]);
  });
});

describe('splitPairs', () => {
  it('keeps all translations of one source in the same split', () => {
    const pairs = Array.from({ length: 300 }, (_, i) => ({ src: `Sentence ${i % 100}.`, tgt: `t${i}` }));
    const s = splitPairs(pairs, { seed: 1, validFraction: 0.2, testFraction: 0.2 });
    const where = new Map<string, string>();
    for (const [name, list] of Object.entries(s)) {
      for (const p of list as { src: string }[]) {
        const k = normalizeText(p.src, true);
        expect(where.get(k) ?? name).toBe(name);
        where.set(k, name);
      }
    }
    expect(s.test.length).toBeGreaterThanOrEqual(60);
    expect(s.valid.length).toBeGreaterThanOrEqual(60);
    expect(splitPairs(pairs, { seed: 1, maxTest: 9, maxValid: 0 }).test.length).toBeLessThan(12);
    expect(splitPairs(pairs, { seed: 1, maxValid: 0 }).valid).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property-based fuzzing

/** Text of one side: no tab, line break or NUL, not blank. */
const side = fc
  .string({ unit: fc.oneof(fc.constantFrom('a', 'é', 'e\u0301', ' ', '我', '猫', '🐱', '👍🏽', '.', "'", '\u202f', 'Z'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 12 })
  .filter((s) => !/[\t\n\r\0]/.test(s) && s.normalize('NFC').trim() !== '');

const fileParts = fc.record({
  bom: fc.boolean(),
  lines: fc.array(
    fc.record({ src: side, tgt: side, attribution: fc.option(fc.constantFrom('CC-BY 2.0', 'x\ty'), { nil: undefined }), eol: fc.constantFrom('\n', '\r\n'), blankAfter: fc.boolean() }),
    { minLength: 1, maxLength: 15 },
  ),
  finalNewline: fc.boolean(),
});

/** Cuts bytes at the given (sorted, deduplicated) positions. */
function cut(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const points = [...new Set(positions.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

describe('fuzzing (fast-check)', () => {
  it('arbitrary bytes give pairs or a PairsFileError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = outcome(() => parsePairsBytes(bytes, { maxLineLength: 50 }));
        if (typeof r !== 'string') expect(Array.isArray(r.pairs)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('arbitrary bytes with tabs and newlines mixed in give pairs or a PairsFileError', () => {
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x09, 0x0a, 0x0d, 0x61, 0xe6, 0x88, 0x91));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 200 }), (xs) => {
        outcome(() => parsePairsBytes(new Uint8Array(xs)));
      }),
      { numRuns: 2000 },
    );
  });

  it('valid generated files round-trip', () => {
    fc.assert(
      fc.property(fileParts, ({ bom, lines, finalNewline }) => {
        let text = bom ? '\ufeff' : '';
        lines.forEach((l, i) => {
          text += `${l.src}\t${l.tgt}${l.attribution !== undefined ? `\t${l.attribution}` : ''}`;
          if (i < lines.length - 1 || finalNewline) text += l.eol;
          if (l.blankAfter && i < lines.length - 1) text += '  \r\n';
        });
        const want = lines.map((l) => ({ src: l.src.normalize('NFC').trim(), tgt: l.tgt.normalize('NFC').trim() }));
        const r = parsePairsBytes(utf8(text));
        expect(r.pairs).toEqual(want);
        expect(r.skipped.blank).toBe(lines.slice(0, -1).filter((l) => l.blankAfter).length);
        expect(parsePairsText(text)).toEqual(r);
        expect(parsePairsText(text, { reverse: true }).pairs).toEqual(want.map((p) => ({ src: p.tgt, tgt: p.src })));
      }),
      { numRuns: 300 },
    );
  });

  it('chunk boundaries anywhere, even inside a multi-byte character, give identical results', () => {
    const anyFile = fc.oneof(
      fileParts.map(({ bom, lines }) => utf8((bom ? '\ufeff' : '') + lines.map((l) => `${l.src}\t${l.tgt}${l.eol}`).join(''))),
      // valid files with a few bytes corrupted (invalid UTF-8, NULs, lost tabs)
      fc.tuple(fileParts, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 })).map(([{ lines }, edits]) => {
        const b = utf8(lines.map((l) => `${l.src}\t${l.tgt}${l.eol}`).join(''));
        for (const [at, v] of edits) b[at % b.length] = v;
        return b;
      }),
      fc.uint8Array({ maxLength: 120 }),
    );
    fc.assert(
      fc.property(anyFile, fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 3, max: 60 }), (bytes, positions, maxLineLength) => {
        const options = { maxLineLength };
        const whole = outcome(() => parsePairsBytes(bytes, options));
        const pieces = outcome(() => parsePairsBytes(cut(bytes, positions), options));
        expect(pieces).toEqual(whole);
        const single = outcome(() => parsePairsBytes(cut(bytes, Array.from({ length: bytes.length }, (_, i) => i)), options));
        expect(single).toEqual(whole);
      }),
      { numRuns: 1000 },
    );
  });

  it('the async stream gives the same outcome as the in-memory parser', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 1, max: 9 }), async (bytes, size) => {
        const want = outcome(() => parsePairsBytes(bytes));
        let got: PairsFileResult | string;
        try {
          got = await parsePairsStream(chunksOf(bytes, size));
        } catch (e) {
          if (!(e instanceof PairsFileError)) throw e;
          got = `error: ${e.message}`;
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});
