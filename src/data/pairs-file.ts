// Import of user sentence-pair files in the Tatoeba / Anki ("manythings.org") format: one pair
// per line, `source<TAB>target[<TAB>attribution]`, UTF-8, with LF or CRLF line ends.
//
// The parser streams: bytes are decoded chunk by chunk by a fatal UTF-8 TextDecoder and cut into
// lines as they arrive, so a 200 MB file is never held as one string; a line is only assembled
// once it is known to be shorter than `maxLineLength`, which bounds memory by that limit plus
// one chunk. The bytes of a character split across chunks are carried over to the next chunk
// here rather than inside the decoder's stream state, so that every decode call sees whole
// characters and an invalid byte is located exactly (the same line and offset however the file
// was cut into chunks). Every problem is reported as a PairsFileError with a one-line message naming the
// first offending line (1-based, counting blank lines too).
//
// Per line: a trailing CR is dropped; a line of only white space is skipped (counted as
// `blank`); a line without a tab is an error; columns after the second (the attribution) are
// ignored; both sides are NFC-normalised and trimmed; a pair with an empty side is skipped
// (`emptySide`). Then the optional filters apply, in this order: `prefixes` (on the first column
// as written in the file, before `reverse`), `reverse` (swap the columns), and the length limits
// (on the source and target after `reverse`). `maxPairs` stops reading once that many pairs are
// kept, so the rest of the file is not examined.

import type { Pair, Splits } from './pair';
import { Rng } from './rng';
import { normalizeText, splitWords } from './tokenizer';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A copy of `s` that shares no memory with the string it was sliced from. */
function freshString(s: string): string {
  return utf8Decoder.decode(utf8Encoder.encode(s));
}

export class PairsFileError extends Error {
  constructor(
    message: string,
    /** The first offending line (1-based), when the problem is tied to one. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'PairsFileError';
  }
}

export interface PairsFileOptions {
  /** Longest source kept, in `lengthUnit`s; longer pairs are skipped as `tooLong`. */
  maxSrcLength?: number;
  /** Longest target kept, in `lengthUnit`s. */
  maxTgtLength?: number;
  /**
   * 'tokens': word-level tokens as the word tokenizer splits them (punctuation separate, each CJK
   * character one token); 'chars': Unicode code points. Default 'tokens'.
   */
  lengthUnit?: 'tokens' | 'chars';
  /**
   * Keep only pairs whose first column starts with one of these, compared after lower-casing and
   * white-space normalisation (like the PyTorch seq2seq tutorial's "i am", "he is", ... filter).
   */
  prefixes?: readonly string[];
  /** Stop after this many kept pairs. */
  maxPairs?: number;
  /** Swap the columns: translate from the second column to the first. */
  reverse?: boolean;
  /** A line longer than this many characters (UTF-16 code units) is an error. Default 100 000. */
  maxLineLength?: number;
  /** A file longer than this many bytes is an error, found while streaming. Default PAIR_FILE_LIMITS.bytes. */
  maxBytes?: number;
  /** More usable pairs than this is an error (unless `maxPairs` stops sooner). Default PAIR_FILE_LIMITS.pairs. */
  pairLimit?: number;
}

export interface SkippedCounts {
  /** Empty or white-space-only lines. */
  blank: number;
  /** Lines whose source or target is empty after trimming. */
  emptySide: number;
  /** Pairs filtered out by `prefixes`. */
  prefix: number;
  /** Pairs filtered out by `maxSrcLength` / `maxTgtLength`. */
  tooLong: number;
}

export interface PairsFileResult {
  pairs: Pair[];
  skipped: SkippedCounts;
  /** Lines read (all of the file's lines unless `maxPairs` stopped the reading early). */
  lines: number;
  /** True when `maxPairs` stopped the reading before the end of the file. */
  stoppedEarly: boolean;
}

export const DEFAULT_MAX_LINE_LENGTH = 100_000;
/**
 * Bounds on a pair file from the web, so that it cannot exhaust the page: its size, checked
 * before reading where the size is known (File.size, stat) and while streaming otherwise, and the
 * pairs kept (Tatoeba's largest language pairs have a few hundred thousand). Lines are bounded
 * by `maxLineLength`.
 */
export const PAIR_FILE_LIMITS = { bytes: 256 * 2 ** 20, pairs: 1_000_000 } as const;

const mib = (bytes: number) => `${+(bytes / 2 ** 20).toFixed(1)} MiB`;

/** The one-line refusal of a pair file of `bytes` bytes, before it is read; null when it may be read. */
export function pairFileSizeError(bytes: number): string | null {
  const max = PAIR_FILE_LIMITS.bytes;
  return bytes > max ? `the file has ${mib(bytes)}, more than the ${mib(max)} a pair file may have` : null;
}

/**
 * How many bytes at the end of `bytes` begin a multi-byte UTF-8 sequence that the chunk does not
 * complete. They are held back and put in front of the next chunk, so that each call to the
 * decoder sees whole characters and an error can be located exactly within the bytes it saw.
 */
function incompleteTail(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let k = 1; k <= Math.min(3, n); k++) {
    const b = bytes[n - k];
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: the lead byte is further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

/**
 * Index of the byte at which a fresh fatal stream decoder first fails on `bytes`, or -1 when it
 * does not fail (the bytes are valid UTF-8, possibly ending inside a character).
 */
function firstInvalidByte(bytes: Uint8Array): number {
  const fails = (k: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, k), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  if (!fails(bytes.length)) return -1;
  // Failure is monotone in the prefix length: find the shortest failing prefix.
  let lo = 1;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fails(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

class StopReading {}

/** The incremental parser behind every entry point: push decoded text or bytes, then finish. */
class PairsParser {
  private readonly opts: Required<Omit<PairsFileOptions, 'maxSrcLength' | 'maxTgtLength' | 'maxPairs'>> & PairsFileOptions;
  private readonly prefixes: string[] | undefined;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private carry: Uint8Array = new Uint8Array(0);
  private bytesSeen = 0;
  private charsSeen = 0;
  private parts: string[] = [];
  private partLength = 0;
  private lineNo = 0;
  private readonly pairs: Pair[] = [];
  private readonly skipped: SkippedCounts = { blank: 0, emptySide: 0, prefix: 0, tooLong: 0 };
  private stopped = false;

  constructor(options: PairsFileOptions) {
    this.opts = { lengthUnit: 'tokens', prefixes: [], reverse: false, maxLineLength: DEFAULT_MAX_LINE_LENGTH, maxBytes: PAIR_FILE_LIMITS.bytes, pairLimit: PAIR_FILE_LIMITS.pairs, ...options };
    this.prefixes = options.prefixes && options.prefixes.length > 0 ? options.prefixes.map((p) => normalizeText(p, true)) : undefined;
  }

  get done(): boolean {
    return this.stopped;
  }

  pushBytes(chunk: Uint8Array): void {
    if (this.stopped || chunk.length === 0) return;
    const bytes = this.carry.length === 0 ? chunk : concat(this.carry, chunk);
    const tail = incompleteTail(bytes);
    const whole = bytes.subarray(0, bytes.length - tail);
    /** File offset of whole[0]. */
    const startOffset = this.bytesSeen - this.carry.length;
    this.bytesSeen += chunk.length;
    if (this.bytesSeen > this.opts.maxBytes) throw new PairsFileError(`the file is larger than the ${mib(this.opts.maxBytes)} a pair file may have`);
    // A copy: a Node Buffer's slice() is a view, and the stream may reuse the chunk's memory.
    this.carry = new Uint8Array(bytes.subarray(bytes.length - tail));
    let text: string;
    try {
      // Not in stream mode: `whole` ends on a character boundary, so anything the decoder would
      // hold back is an unfinished sequence cut by a new lead byte, which is an error now.
      text = this.decoder.decode(whole);
    } catch {
      const found = firstInvalidByte(whole);
      // -1: every byte of `whole` could still start valid text; the first held-back byte breaks it.
      const bad = found === -1 ? whole.length : found;
      // Lines before the bad byte are processed first: a problem there comes earlier in the file.
      this.pushText(this.withoutBom(new TextDecoder('utf-8', { ignoreBOM: true }).decode(whole.subarray(0, bad), { stream: true }), startOffset));
      if (this.stopped) return;
      throw this.invalidUtf8(startOffset + bad);
    }
    this.pushText(this.withoutBom(text, startOffset));
  }

  /** Drops a byte-order mark at the very start of the file (and nowhere else). */
  private withoutBom(text: string, startOffset: number): string {
    return startOffset === 0 && text.startsWith('\ufeff') ? text.slice(1) : text;
  }

  pushText(text: string): void {
    if (this.stopped) return;
    this.charsSeen += text.length;
    // Text given directly (not through pushBytes): its length stands in for the size.
    if (this.bytesSeen === 0 && this.charsSeen > this.opts.maxBytes) throw new PairsFileError(`the text is longer than the ${mib(this.opts.maxBytes)} a pair file may have`);
    let start = 0;
    try {
      for (;;) {
        const nl = text.indexOf('\n', start);
        const end = nl === -1 ? text.length : nl;
        if (end > start) this.append(text.slice(start, end));
        if (nl === -1) break;
        this.finishLine();
        start = nl + 1;
      }
    } catch (e) {
      if (e instanceof StopReading) {
        this.stopped = true;
        return;
      }
      throw e;
    }
  }

  finish(): PairsFileResult {
    if (!this.stopped) {
      if (this.carry.length > 0) {
        const bad = firstInvalidByte(this.carry);
        throw this.invalidUtf8(this.bytesSeen - this.carry.length + Math.max(0, bad), bad === -1);
      }
      try {
        if (this.partLength > 0 || this.parts.length > 0) this.finishLine();
      } catch (e) {
        if (!(e instanceof StopReading)) throw e;
        this.stopped = true;
      }
    }
    if (!this.stopped) {
      if (this.charsSeen === 0) throw new PairsFileError('the file is empty');
      if (this.skipped.blank === this.lineNo) {
        throw new PairsFileError(`the file has only blank lines (${this.lineNo} line${this.lineNo === 1 ? '' : 's'})`);
      }
    }
    return { pairs: this.pairs, skipped: { ...this.skipped }, lines: this.lineNo, stoppedEarly: this.stopped };
  }

  private invalidUtf8(fileOffset: number, atEnd = false): PairsFileError {
    const line = this.lineNo + 1;
    const where = atEnd ? 'the file ends inside a multi-byte character' : `at byte ${fileOffset} of the file`;
    return new PairsFileError(`line ${line} is not valid UTF-8 (${where}): save the file as UTF-8`, line);
  }

  /**
   * Adds a piece of the current line. Of a NUL character and the first character beyond the
   * length limit, whichever comes first in the line is reported, so that the outcome does not
   * depend on where the chunks were cut.
   */
  private append(segment: string): void {
    const line = this.lineNo + 1;
    const room = Math.max(0, this.opts.maxLineLength - this.partLength);
    let over = segment.length > room ? room : -1;
    // A CR that ends the line is not content; if it is the last character of this piece, the LF
    // may follow in the next one, so it is not yet counted (the next piece of this line will be).
    if (over !== -1 && over === segment.length - 1 && segment[over] === '\r') over = -1;
    const nul = segment.indexOf('\0');
    if (nul !== -1 && (over === -1 || nul < over)) {
      throw new PairsFileError(`line ${line} contains a NUL byte: this looks like a binary file`, line);
    }
    if (over !== -1) throw new PairsFileError(`line ${line} is longer than ${this.opts.maxLineLength} characters`, line);
    this.parts.push(segment);
    this.partLength += segment.length;
  }

  private finishLine(): void {
    this.lineNo++;
    let line = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
    this.parts = [];
    this.partLength = 0;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.handleLine(line, this.lineNo);
  }

  private handleLine(line: string, n: number): void {
    if (line.trim() === '') {
      this.skipped.blank++;
      return;
    }
    const tab = line.indexOf('\t');
    if (tab === -1) throw new PairsFileError(`line ${n} has no tab: expected source<TAB>target[<TAB>attribution]`, n);
    const tab2 = line.indexOf('\t', tab + 1);
    const first = line.slice(0, tab).normalize('NFC').trim();
    const second = line.slice(tab + 1, tab2 === -1 ? line.length : tab2).normalize('NFC').trim();
    if (first === '' || second === '') {
      this.skipped.emptySide++;
      return;
    }
    if (this.prefixes) {
      const head = normalizeText(first, true);
      if (!this.prefixes.some((p) => head.startsWith(p))) {
        this.skipped.prefix++;
        return;
      }
    }
    const pair = this.opts.reverse ? { src: second, tgt: first } : { src: first, tgt: second };
    const { maxSrcLength, maxTgtLength } = this.opts;
    if (
      (maxSrcLength !== undefined && this.lengthOf(pair.src) > maxSrcLength) ||
      (maxTgtLength !== undefined && this.lengthOf(pair.tgt) > maxTgtLength)
    ) {
      this.skipped.tooLong++;
      return;
    }
    // A kept side is a slice of the decoded chunk, and V8 keeps the whole chunk alive for it
    // (a 200 MB file kept ~400 MB for a few MB of pairs): store fresh copies instead.
    if (this.pairs.length >= this.opts.pairLimit) {
      throw new PairsFileError(`line ${n}: the file has more than ${this.opts.pairLimit.toLocaleString('en')} usable pairs, the most a run may train on`, n);
    }
    this.pairs.push({ src: freshString(pair.src), tgt: freshString(pair.tgt) });
    if (this.opts.maxPairs !== undefined && this.pairs.length >= this.opts.maxPairs) throw new StopReading();
  }

  private lengthOf(s: string): number {
    if (this.opts.lengthUnit === 'chars') {
      let n = 0;
      for (const _ of s) n++;
      return n;
    }
    return splitWords(normalizeText(s, false)).length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Parses a pair file from a stream of byte chunks (e.g. `File.stream()`, a Node read stream). */
export async function parsePairsStream(chunks: AsyncIterable<Uint8Array>, options: PairsFileOptions = {}): Promise<PairsFileResult> {
  const parser = new PairsParser(options);
  for await (const chunk of chunks) {
    parser.pushBytes(chunk);
    if (parser.done) break;
  }
  return parser.finish();
}

/** Parses a pair file given as byte chunks already in memory (synchronous). */
export function parsePairsBytes(chunks: Uint8Array | Iterable<Uint8Array>, options: PairsFileOptions = {}): PairsFileResult {
  const parser = new PairsParser(options);
  for (const chunk of chunks instanceof Uint8Array ? [chunks] : chunks) {
    parser.pushBytes(chunk);
    if (parser.done) break;
  }
  return parser.finish();
}

/** Parses a pair file given as text (a leading byte-order mark is dropped). */
export function parsePairsText(text: string, options: PairsFileOptions = {}): PairsFileResult {
  const parser = new PairsParser(options);
  parser.pushText(text.startsWith('\ufeff') ? text.slice(1) : text);
  return parser.finish();
}

/** Adapts a WHATWG ReadableStream (whose async iteration not every browser has) to an async iterable. */
export async function* readableStreamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export interface SplitPairsOptions {
  seed: number;
  /** Share of the pairs for validation (default 0.1), at most `maxValid` (default 1000). */
  validFraction?: number;
  maxValid?: number;
  /** Share of the pairs for testing (default 0.1), at most `maxTest` (default 1000). */
  testFraction?: number;
  maxTest?: number;
}

/**
 * Splits pairs into train / valid / test, deterministically from the seed. Pairs are grouped by
 * source sentence (compared lower-cased, NFC, white space collapsed, as the word tokenizer sees
 * it), and whole groups go to one split, so no validation or test source also occurs in
 * training (Tatoeba has many sources with several translations). Test is filled first, then
 * validation, each up to its target size in pairs; the rest is training, in shuffled order.
 */
export function splitPairs(pairs: readonly Pair[], options: SplitPairsOptions): Splits {
  const n = pairs.length;
  const nTest = Math.min(options.maxTest ?? 1000, Math.round(n * (options.testFraction ?? 0.1)));
  const nValid = Math.min(options.maxValid ?? 1000, Math.round(n * (options.validFraction ?? 0.1)));
  const groups = new Map<string, Pair[]>();
  for (const p of pairs) {
    const key = normalizeText(p.src, true);
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  const order = new Rng(options.seed).shuffle([...groups.values()]);
  const splits: Splits = { train: [], valid: [], test: [] };
  for (const g of order) {
    const target = splits.test.length < nTest ? splits.test : splits.valid.length < nValid ? splits.valid : splits.train;
    target.push(...g);
  }
  return splits;
}
