// The pair-file cases of issue 7 that pairs-file.test.ts does not already cover: real binary
// formats, a 10 MB single line, and a 200 MB file streamed in chunks (generated here chunk by
// chunk, never held whole) with CRLF / LF mixed, a BOM, CJK, emoji and combining characters cut
// across chunk boundaries. (Empty files, NUL bytes, invalid UTF-8, lines without a tab, only
// blank lines, BOM / CRLF / CJK / emoji / combining characters and the fast-check fuzzing are in
// pairs-file.test.ts.)

import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parsePairsBytes, parsePairsStream, parsePairsText } from './pairs-file';
import { errorOf } from './testing/pairs-errors';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('binary files get one message naming the first bad line', () => {
  const cases: [string, number[], RegExp][] = [
    // PNG: 0x89 is not a UTF-8 lead byte.
    ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52], /^line 1 is not valid UTF-8 \(at byte 0 of the file\)/],
    // gzip: 0x1f 0x8b: the second byte is a lone continuation byte.
    ['gzip', [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03], /^line 1 is not valid UTF-8 \(at byte 1 of the file\)/],
    // ELF: ASCII magic, then NULs.
    ['ELF', [0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00], /^line 1 contains a NUL byte: this looks like a binary file/],
    // ZIP (a .xlsx or .docx): "PK\x03\x04" then NULs.
    ['ZIP', [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00], /^line 1 contains a NUL byte/],
    // A UTF-16LE text file with its BOM (what some editors save as "Unicode").
    ['UTF-16LE', [0xff, 0xfe, ...[...'a\tb\n'].flatMap((c) => [c.charCodeAt(0), 0])], /^line 1 is not valid UTF-8 \(at byte 0 of the file\): save the file as UTF-8$/],
    // UTF-16BE without BOM: ASCII with NULs in between.
    ['UTF-16BE', [...'hi\tsalut\n'].flatMap((c) => [0, c.charCodeAt(0)]), /^line 1 contains a NUL byte/],
  ];
  for (const [name, bytes, message] of cases) {
    it(name, async () => {
      const e = errorOf(new Uint8Array(bytes));
      expect(e.message).toMatch(message);
      expect(e.line).toBe(1);
      // The same from a stream, one byte at a time.
      async function* bytewise(): AsyncGenerator<Uint8Array> {
        for (const b of bytes) yield new Uint8Array([b]);
      }
      await expect(parsePairsStream(bytewise())).rejects.toThrow(e.message);
    });
  }

  it('a binary blob after good lines names its own line', () => {
    const e = errorOf(new Uint8Array([...utf8('Hi.\tSalut.\r\nGo.\tVa !\n'), 0x89, 0x50, 0x4e, 0x47]));
    expect(e.line).toBe(3);
    expect(e.message).toBe('line 3 is not valid UTF-8 (at byte 21 of the file): save the file as UTF-8');
  });
});

const MB = 1 << 20;

/** `total` bytes of `fill`, as `chunk`-byte pieces (the last may be shorter). */
async function* repeated(fill: number, total: number, chunk: number, counter: { bytes: number }): AsyncGenerator<Uint8Array> {
  const piece = new Uint8Array(chunk).fill(fill);
  for (let at = 0; at < total; at += chunk) {
    const n = Math.min(chunk, total - at);
    counter.bytes += n;
    yield n === chunk ? piece : piece.subarray(0, n);
  }
}

async function* concatStreams(...parts: (AsyncIterable<Uint8Array> | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) {
    if (p instanceof Uint8Array) yield p;
    else yield* p;
  }
}

describe('a 10 MB single line', () => {
  it('is refused at the line-length limit as soon as the limit is passed, without reading the rest', async () => {
    const counter = { bytes: 0 };
    const src = repeated(0x61, 10 * MB, 64 * 1024, counter);
    await expect(parsePairsStream(concatStreams(src, utf8('\tb\n')))).rejects.toThrow(/^line 1 is longer than 100000 characters$/);
    // The parser stopped within two chunks of the limit instead of collecting 10 MB.
    expect(counter.bytes).toBeLessThanOrEqual(100_000 + 2 * 64 * 1024);
  });

  it('in the middle of a file, names its line', async () => {
    const counter = { bytes: 0 };
    const stream = concatStreams(utf8('a\tb\r\n\nc\td\n'), repeated(0x7a, 10 * MB, 1 << 20, counter), utf8('\tz\n'));
    await expect(parsePairsStream(stream)).rejects.toThrow(/^line 4 is longer than 100000 characters$/);
  });

  it('is read whole when the caller raises the limit, then kept or filtered by length', async () => {
    // 10 MB of "word " (2 M words) as the source, streamed in 1 MiB chunks.
    const word = utf8('word ');
    const body = new Uint8Array(10 * MB);
    for (let i = 0; i < body.length; i += word.length) body.set(word.subarray(0, Math.min(word.length, body.length - i)), i);
    const chunks = () => concatStreams(...Array.from({ length: 10 }, (_, i) => body.subarray(i * MB, (i + 1) * MB)), utf8('\tcible\n'));
    const kept = await parsePairsStream(chunks(), { maxLineLength: 11 * MB });
    expect(kept.pairs).toHaveLength(1);
    expect(kept.pairs[0].src.length).toBe(10 * MB - 1); // trimmed: the last "word " loses its space
    expect(kept.pairs[0].tgt).toBe('cible');
    const filtered = await parsePairsStream(chunks(), { maxLineLength: 11 * MB, maxSrcLength: 50, lengthUnit: 'chars' });
    expect(filtered.pairs).toEqual([]);
    expect(filtered.skipped.tooLong).toBe(1);
  });
});

/** A full garbage collection (V8's gc, exposed at run time), so that heap sizes measure what is retained. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/**
 * `total` bytes of `block` repeated, as chunks of `chunk` bytes cut anywhere in the block (inside
 * multi-byte characters, between CR and LF). Generated one chunk at a time, never held whole.
 */
async function* blockFile(block: Uint8Array, total: number, chunk: number, onChunk: () => void, bom = false): AsyncGenerator<Uint8Array> {
  if (bom) yield utf8('\ufeff');
  for (let at = 0; at < total; ) {
    const n = Math.min(chunk, total - at);
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n; ) {
      const off = (at + filled) % block.length;
      const take = Math.min(block.length - off, n - filled);
      out.set(block.subarray(off, off + take), filled);
      filled += take;
    }
    at += n;
    onChunk();
    yield out;
  }
}

describe('a 200 MB file, streamed', () => {
  // One block of lines with everything a real file mixes: LF and CRLF, blank lines, an
  // attribution column, CJK, emoji (with skin tones and ZWJ sequences), combining accents that NFC
  // composes, Hangul jamo, right-to-left text, and long lines with an empty side (skipped), which
  // make up most of the bytes so that the kept pairs stay few.
  const FILLER = `\t${Array.from({ length: 2000 }, (_, i) => `mot${i}`).join(' ')}\n`;
  const LINES = [
    'I have a cat.\t我有一只猫。\tCC-BY 2.0 (France) Attribution: tatoeba.org\r\n',
    'Thumbs up 👍🏽.\tBravo 👨‍👩‍👧‍👦 !\n',
    '\r\n',
    'Cafe\u0301 au lait.\tUn cafe\u0301 au lait.\n',
    '\u1100\u1161\u11a8.\t각.\r\n',
    FILLER,
    'Peace.\tسلام.\n',
    FILLER,
    '   \n',
    FILLER,
    'Go.\tVa !\n',
    FILLER,
  ];
  const BLOCK = utf8(LINES.join(''));
  const PER_BLOCK = { pairs: 6, lines: LINES.length, blank: 2, emptySide: 4 };
  const CHUNK = MB + 7;

  it('gives the pairs of one block times the number of blocks, whatever the chunk cuts', async () => {
    const blocks = Math.ceil((200 * MB) / BLOCK.length);
    const total = blocks * BLOCK.length;
    let chunks = 0;
    const t0 = performance.now();
    const r = await parsePairsStream(blockFile(BLOCK, total, CHUNK, () => chunks++, true));
    const seconds = (performance.now() - t0) / 1000;
    console.log(`[pairs-file] ${(total / MB).toFixed(0)} MiB in ${chunks} chunks parsed in ${seconds.toFixed(1)} s: ${r.pairs.length} pairs`);
    expect(total).toBeGreaterThanOrEqual(200 * MB);
    expect(chunks).toBe(Math.ceil(total / CHUNK));
    const one = parsePairsText(LINES.join(''));
    expect(one.pairs).toHaveLength(PER_BLOCK.pairs);
    expect(one.pairs.map((p) => p.src)).toContain('Café au lait.');
    expect(one.pairs.map((p) => p.src)).toContain('각.');
    expect(r.lines).toBe(blocks * PER_BLOCK.lines);
    expect(r.skipped).toEqual({ blank: blocks * PER_BLOCK.blank, emptySide: blocks * PER_BLOCK.emptySide, prefix: 0, tooLong: 0 });
    expect(r.pairs).toHaveLength(blocks * PER_BLOCK.pairs);
    for (let b = 0; b < blocks; b += 331) expect(r.pairs.slice(b * PER_BLOCK.pairs, (b + 1) * PER_BLOCK.pairs)).toEqual(one.pairs);
    expect(r.pairs.slice(-PER_BLOCK.pairs)).toEqual(one.pairs);
  });

  it('is never held whole: 200 MB of skipped lines retain under 16 MiB while being read', async () => {
    const gc = collector();
    const block = utf8(`${FILLER}\r\n${FILLER.replace('mot1 ', '猫 ')}`);
    const total = Math.ceil((200 * MB) / block.length) * block.length;
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let n = 0;
    const sample = () => {
      if (++n % 10 !== 0) return;
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    };
    const r = await parsePairsStream(concatStreams(blockFile(block, total, CHUNK, sample), utf8('last\tdernier\n')));
    expect(r.pairs).toEqual([{ src: 'last', tgt: 'dernier' }]);
    expect(r.skipped.emptySide).toBe((total / block.length) * 2);
    console.log(`[pairs-file] 200 MiB of skipped lines: at most ${(peak / MB).toFixed(1)} MiB retained while reading`);
    expect(peak).toBeLessThan(16 * MB);
  });

  // Known problem, left to the parser's owner: a kept pair's strings are slices of the decoded
  // chunk they came from, and V8 keeps the whole chunk's text alive for them. A file whose chunks
  // each contribute a pair is then retained in full (≈ 400 MiB for 200 MB of mostly-skipped
  // lines with some CJK, decoded as two-byte strings), even though the pairs are a few hundred KB.
  // Copying the kept sides into fresh strings would fix it; this test then starts to fail and
  // should become a plain `it`.
  it('kept pairs do not keep the text of the chunks they came from alive', async () => {
    const gc = collector();
    const total = Math.ceil((64 * MB) / BLOCK.length) * BLOCK.length;
    gc();
    const base = process.memoryUsage().heapUsed;
    const r = await parsePairsStream(blockFile(BLOCK, total, CHUNK, () => undefined));
    gc();
    const retained = process.memoryUsage().heapUsed - base;
    const pairBytes = r.pairs.reduce((s, p) => s + 2 * (p.src.length + p.tgt.length) + 64, 0);
    console.log(`[pairs-file] ${r.pairs.length} pairs (~${(pairBytes / MB).toFixed(1)} MiB) retain ${(retained / MB).toFixed(0)} MiB`);
    expect(retained).toBeLessThan(4 * pairBytes + 8 * MB);
  });
});

describe('valid-but-odd text imports, however the bytes arrive', () => {
  it('CJK, emoji sequences, combining marks, RTL text and a BOM, streamed one byte at a time', async () => {
    const text = '\ufeff我爱你。\tJe t’aime.\r\n🏳️‍🌈 👩🏾‍💻\t🇫🇷 ✔︎\nn\u0303o\u0308\tñö\n\u05e9\u05dc\u05d5\u05dd\tשלום\n';
    const bytes = utf8(text);
    async function* bytewise(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    }
    const r = await parsePairsStream(bytewise());
    expect(r.pairs).toEqual([
      { src: '我爱你。', tgt: 'Je t’aime.' },
      { src: '🏳️‍🌈 👩🏾‍💻', tgt: '🇫🇷 ✔︎' },
      { src: 'ñö', tgt: 'ñö' },
      { src: 'שלום', tgt: 'שלום' },
    ]);
    expect(r.pairs[2].src).toBe('\u00f1\u00f6'); // NFC composed the combining tilde and diaeresis
    expect(r).toEqual(parsePairsBytes(bytes));
  });
});
