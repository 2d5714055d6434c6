// Byte-pair encoding in the SentencePiece style (Sennrich et al. 2016, "Neural Machine
// Translation of Rare Words with Subword Units"; Kudo & Richardson 2018, SentencePiece):
//
//   - text is normalised (Unicode NFKC, every run of white space one space, trimmed; case kept),
//     then cut at spaces into words, and each word gets the meta symbol U+2581 "▁" in front, so
//     that spaces survive as part of the pieces ("▁Hello", "▁world") and a text without spaces
//     (Chinese) is one long word that BPE splits by frequency alone;
//   - training starts from the characters of the training words (those seen at least
//     `minCharCount` times form the alphabet) and repeatedly merges the most frequent adjacent
//     pair of symbols, counted over the word types weighted by their frequency, until the
//     vocabulary is full or no pair occurs twice; ties go to the pair of smaller symbol ids
//     (older symbols), so the same texts always give the same merges;
//   - encoding a word applies the learned merges by rank: while some adjacent pair has a merge,
//     the pair of lowest rank (leftmost among equals) is merged. This is the rule of Hugging Face
//     `tokenizers`' BPE model, so an exported tokenizer.json gives the same pieces;
//   - byte fallback: a character outside the vocabulary becomes its UTF-8 bytes, the pieces
//     "<0x00>" … "<0xFF>" that every vocabulary holds, so no text ever maps to <unk>.
//
// Decoding concatenates the pieces, turns runs of byte pieces back into UTF-8 text, replaces
// "▁" by a space and drops the one space at the start.

export const META = '\u2581';

/** The piece of byte b, as SentencePiece and Hugging Face write it ("<0x0A>"). */
export function bytePiece(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

export const BYTE_PIECES: readonly string[] = Array.from({ length: 256 }, (_, b) => bytePiece(b));
const BYTE_OF = new Map(BYTE_PIECES.map((p, b) => [p, b]));

/** NFKC, white space collapsed to single spaces and trimmed; case kept. */
export function normalizeBpeText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** The words of a normalised text, each with "▁" in front. */
export function metaWords(normalized: string): string[] {
  if (normalized.length === 0) return [];
  return normalized.split(' ').map((w) => META + w);
}

export interface BpeTrainOptions {
  /** Number of merges to learn at most. */
  merges: number;
  /** Characters seen fewer times are left to the byte fallback (default 2). */
  minCharCount?: number;
  /** Characters kept at most, the most frequent first (default 4000). */
  maxAlphabet?: number;
}

export interface BpeModelJSON {
  /** The alphabet: single characters, "▁" included, in id order. */
  alphabet: string[];
  /** The merges in rank order, each "left right" (the form of Hugging Face's tokenizer.json). */
  merges: [string, string][];
}

const utf8 = new TextEncoder();

/** A binary max-heap of [count, key] with the smaller key first among equal counts. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  private above(i: number, j: number): boolean {
    return this.counts[i] > this.counts[j] || (this.counts[i] === this.counts[j] && this.keys[i] < this.keys[j]);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const last = this.counts.length - 1;
    this.swap(0, last);
    this.counts.pop();
    this.keys.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.counts.length && this.above(l, m)) m = l;
      if (r < this.counts.length && this.above(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/** Symbol ids stay below 2^21, so a pair (a, b) packs exactly into one float64 as a·2^21 + b. */
const PAIR_SHIFT = 2 ** 21;

/** Learns merges from word counts (words already carry their "▁"). Deterministic. */
export function trainBpe(wordCounts: ReadonlyMap<string, number>, options: BpeTrainOptions): BpeModelJSON {
  const minCharCount = options.minCharCount ?? 2;
  const maxAlphabet = options.maxAlphabet ?? 4000;
  const charCounts = new Map<string, number>();
  for (const [w, c] of wordCounts) for (const ch of w) charCounts.set(ch, (charCounts.get(ch) ?? 0) + c);
  const alphabet = [...charCounts]
    .filter(([ch, c]) => c >= minCharCount || ch === META)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxAlphabet)
    .map(([ch]) => ch);
  if (!alphabet.includes(META)) alphabet.unshift(META);
  const symbols: string[] = [...alphabet];
  const idOf = new Map(alphabet.map((ch, i) => [ch, i]));

  // Word types as symbol arrays; -1 marks a character left to the byte fallback (it never merges).
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [w, c] of wordCounts) {
    words.push(Array.from(w, (ch) => idOf.get(ch) ?? -1));
    freq.push(c);
  }
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: 1 | -1) => {
    const s = words[wi];
    const f = freq[wi] * sign;
    for (let i = 0; i + 1 < s.length; i++) {
      if (s[i] < 0 || s[i + 1] < 0) continue;
      const key = s[i] * PAIR_SHIFT + s[i + 1];
      pairCount.set(key, (pairCount.get(key) ?? 0) + f);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(wi);
      }
    }
  };
  for (let wi = 0; wi < words.length; wi++) addPairs(wi, 1);
  const heap = new PairHeap();
  for (const [key, c] of pairCount) heap.push(c, key);

  const merges: [string, string][] = [];
  while (merges.length < options.merges && heap.size > 0) {
    const [count, key] = heap.pop();
    if (pairCount.get(key) !== count) continue; // a stale entry; the current count was pushed too
    if (count < 2) break;
    const a = Math.floor(key / PAIR_SHIFT);
    const b = key - a * PAIR_SHIFT;
    const merged = symbols.length;
    if (merged >= PAIR_SHIFT) break;
    symbols.push(symbols[a] + symbols[b]);
    merges.push([symbols[a], symbols[b]]);
    const touched = new Set<number>();
    for (const wi of pairWords.get(key) ?? []) {
      const s = words[wi];
      let has = false;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) has = true;
      if (!has) continue;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] >= 0 && s[i + 1] >= 0) touched.add(s[i] * PAIR_SHIFT + s[i + 1]);
      addPairs(wi, -1);
      const out: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(s[i]);
      }
      words[wi] = out;
      addPairs(wi, 1);
      for (let i = 0; i + 1 < out.length; i++) if (out[i] >= 0 && out[i + 1] >= 0) touched.add(out[i] * PAIR_SHIFT + out[i + 1]);
    }
    pairWords.delete(key);
    pairCount.delete(key);
    for (const k of touched) {
      const c = pairCount.get(k);
      if (c === undefined) continue;
      if (c <= 0) {
        pairCount.delete(k);
        pairWords.delete(k);
      } else heap.push(c, k);
    }
  }
  return { alphabet, merges };
}

/** Encoding and decoding with a learned alphabet and merge list. */
export class BpeModel {
  /** Rank of each merge, keyed "left right" (pieces never contain a plain space). */
  private readonly ranks: Map<string, number>;
  /** Every piece the model can produce from its alphabet and merges. */
  readonly pieces: readonly string[];
  private readonly known: Set<string>;
  private readonly cache = new Map<string, string[]>();

  constructor(readonly json: BpeModelJSON) {
    this.ranks = new Map(json.merges.map(([l, r], i) => [`${l} ${r}`, i]));
    this.pieces = [...json.alphabet, ...json.merges.map(([l, r]) => l + r)];
    this.known = new Set(this.pieces);
  }

  /** Pieces of one word ("▁" already in front); characters outside the alphabet as byte pieces. */
  encodeWord(word: string): string[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const s = Array.from(word);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < s.length; i++) {
        const r = this.ranks.get(`${s[i]} ${s[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      s.splice(best, 2, s[best] + s[best + 1]);
    }
    const out: string[] = [];
    for (const p of s) {
      if (this.known.has(p)) out.push(p);
      else for (const b of utf8.encode(p)) out.push(BYTE_PIECES[b]);
    }
    // The cache is bounded: a stranger's text cannot grow it without limit.
    if (this.cache.size < 100_000 && word.length <= 64) this.cache.set(word, out);
    return out;
  }

  /** Pieces of a text (normalised here). */
  encode(text: string): string[] {
    return metaWords(normalizeBpeText(text)).flatMap((w) => this.encodeWord(w));
  }

  /** Text of pieces: byte pieces regrouped into UTF-8, "▁" to spaces, the leading space dropped. */
  static decode(pieces: readonly string[]): string {
    let out = '';
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length) out += new TextDecoder().decode(new Uint8Array(bytes));
      bytes = [];
    };
    for (const p of pieces) {
      const b = BYTE_OF.get(p);
      if (b !== undefined) bytes.push(b);
      else {
        flush();
        out += p;
      }
    }
    flush();
    out = out.replaceAll(META, ' ');
    return out.startsWith(' ') ? out.slice(1) : out;
  }
}
