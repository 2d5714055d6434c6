// Word-level, character-level and BPE (subword) tokenizers with a vocabulary built from the
// training split. BPE (level 'bpe') is described in src/data/bpe.ts: NFKC instead of NFC, case
// kept, byte pieces instead of <unk>; the rules below are those of the word and char levels.
//
// Ids: the four special tokens come first, <pad>=0, <bos>=1, <eos>=2, <unk>=3 (the same ids as
// PAD/BOS/EOS in src/train/batches.ts), then the vocabulary sorted by frequency in the training
// texts (descending), ties broken by the token string in code-unit order, so that the same
// training split always gives the same ids.
//
// Normalisation (applied to every text before splitting, at build time and at encode time):
//   1. Unicode NFC, so that "é" typed as e + U+0301 and the precomposed U+00E9 are one token;
//   2. optional lower-casing (String.prototype.toLowerCase, locale-independent); on by default at
//      word level (Latin text: "The" and "the" should share an embedding), off at character level;
//   3. every run of white space (any Unicode space separator, tabs, line breaks) becomes one
//      ASCII space, and leading / trailing space is removed.
//
// Word-level splitting ("pieces"):
//   - a word is a run of letters, digits and combining marks (\p{L}\p{N}\p{M}); an apostrophe
//     (' or ’) or a hyphen between two word characters stays inside the word, so "don't",
//     "aujourd'hui", "j'ai" and "peut-être" are single tokens, and so does '.', ',' or ':'
//     between two digits ("3.14", "10:30");
//   - Han ideographs, kana and CJK / full-width punctuation are one token per character even at
//     word level, because Chinese and Japanese are written without spaces between words;
//   - every other non-space character (punctuation, symbols, emoji) is a token of its own,
//     together with any combining marks that follow it (and, for emoji, skin-tone modifiers and
//     zero-width-joined sequences; a flag's two regional indicators are one token).
// Character level: every Unicode code point of the normalised text is a token, spaces included.
//
// Decoding stops at the first <eos> and skips <pad> and <bos>. At word level tokens are joined
// with single spaces except: no space before closing punctuation (. , ! ? ; : % ) ] } » … and
// their CJK / full-width forms), none after opening brackets and quotes (( [ { « ¿ ¡), and none
// next to a CJK character. At character level the tokens are concatenated.

import { z } from 'zod';
import { BpeModel, BYTE_PIECES, metaWords, normalizeBpeText, trainBpe, type BpeModelJSON } from './bpe';

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
export const UNK = 3;
export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<unk>'] as const;

/** 'bpe': SentencePiece-style byte-pair encoding with byte fallback (src/data/bpe.ts). */
export type TokenizerLevel = 'word' | 'char' | 'bpe';

/**
 * The largest vocabulary, special tokens included: what `build` keeps at most (the most frequent
 * tokens; the rest become <unk>) and what `fromJSON` accepts from a checkpoint someone sent.
 */
export const MAX_VOCAB_SIZE = 200_000;

export interface TokenizerOptions {
  level: TokenizerLevel;
  /** Lower-case before splitting; default true at word level, false at character level. */
  lowercase?: boolean;
  /** Tokens seen fewer times than this in the training texts map to <unk> (default 1: keep all). */
  minFreq?: number;
  /** Upper bound on the vocabulary size, the four special tokens included (default and at most MAX_VOCAB_SIZE; for 'bpe': the size it fills). */
  maxSize?: number;
}

/** Upper bounds on what a tokenizer read from a file may hold (checkpoints come from strangers). */
export const TOKENIZER_LIMITS = { tokens: 100_000, tokenLength: 256, merges: 100_000 } as const;

/** The serialised form stored in a checkpoint's metadata (as a JSON string). */
export interface TokenizerJSON {
  format: 'attention-playground-tokenizer';
  /** 1: word and char levels; 2 adds 'bpe' (with `bpe`). */
  version: 1 | 2;
  level: TokenizerLevel;
  lowercase: boolean;
  /** Every token in id order, the four special tokens first. */
  tokens: string[];
  /** The BPE alphabet and merges (level 'bpe' only). */
  bpe?: BpeModelJSON;
}

const tokenString = z.string().max(TOKENIZER_LIMITS.tokenLength);
const tokenizerJsonSchema = z.object({
  format: z.literal('attention-playground-tokenizer'),
  version: z.union([z.literal(1), z.literal(2)]),
  level: z.enum(['word', 'char', 'bpe']),
  lowercase: z.boolean(),
  tokens: z.array(tokenString).max(TOKENIZER_LIMITS.tokens),
  bpe: z
    .object({
      alphabet: z.array(tokenString).max(TOKENIZER_LIMITS.tokens),
      merges: z.array(z.tuple([tokenString, tokenString])).max(TOKENIZER_LIMITS.merges),
    })
    .optional(),
});

export interface EncodedWithUnknown {
  ids: number[];
  /** One flag per id: true where the piece was not in the vocabulary (and became <unk>). */
  unknown: boolean[];
  /** The pieces that were out of vocabulary, in order of appearance, each once. */
  unknownWords: string[];
}

/** Han ideographs, kana, CJK symbols and punctuation, CJK compatibility forms, full-width forms. */
const CJK_CLASS = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\u3000-\\u303f\\ufe30-\\ufe4f\\uff00-\\uffef]';
const CJK_CHAR = new RegExp(CJK_CLASS, 'u');
/** A word character: letter, digit or combining mark that is not CJK. */
const WORD_CHAR = `(?:(?!${CJK_CLASS})[\\p{L}\\p{N}\\p{M}])`;
/** Joiners kept inside a word: apostrophes and hyphens; '.', ',' and ':' between digits (3.14, 10:30). */
const JOINER = `(?:['’-]|(?<=\\p{N})[.,:](?=\\p{N}))`;
/** A character that is neither space nor word character: punctuation, symbols, emoji. */
const OTHER_CHAR = '[^\\s\\p{L}\\p{N}\\p{M}]';
/**
 * What stays attached to such a character: combining marks (incl. variation selectors), emoji
 * skin-tone modifiers, tag characters (subdivision flags), and zero-width-joined emoji.
 */
const OTHER_TAIL = `(?:[\\p{M}\\u{1F3FB}-\\u{1F3FF}\\u{E0020}-\\u{E007F}]|\\u200d${OTHER_CHAR})*`;
// One piece: a CJK character; or a word (word characters joined by joiners); or a flag (two
// regional indicators); or any other single non-space character with what stays attached to it.
const WORD_PIECE = new RegExp(
  `${CJK_CLASS}|${WORD_CHAR}+(?:${JOINER}${WORD_CHAR}+)*|\\p{Regional_Indicator}{2}|${OTHER_CHAR}${OTHER_TAIL}`,
  'gu',
);

const CLOSING = new Set(['.', ',', '!', '?', ';', ':', '%', ')', ']', '}', '»', '…', '”', '’', '。', '，', '、', '！', '？', '；', '：', '）', '」', '』', '】', '》', '〉']);
const OPENING = new Set(['(', '[', '{', '«', '“', '‘', '¿', '¡', '（', '「', '『', '【', '《', '〈']);

/** NFC, optional lower-casing, white space collapsed to single spaces and trimmed. */
export function normalizeText(text: string, lowercase: boolean): string {
  let s = text.normalize('NFC');
  if (lowercase) s = s.toLowerCase();
  return s.replace(/\s+/gu, ' ').trim();
}

/** Word-level pieces of an already normalised text. */
export function splitWords(normalized: string): string[] {
  return normalized.match(WORD_PIECE) ?? [];
}

/** Character-level pieces (code points) of an already normalised text. */
export function splitChars(normalized: string): string[] {
  return Array.from(normalized);
}

export function isCjkToken(token: string): boolean {
  return CJK_CHAR.test(token);
}

/** Joins word-level tokens with the spacing rules stated at the top of this file. */
export function joinWords(tokens: readonly string[]): string {
  let out = '';
  let prev = '';
  for (const t of tokens) {
    if (out.length > 0) {
      const tight = CLOSING.has(t) || OPENING.has(prev) || isCjkToken(t) || isCjkToken(prev);
      if (!tight) out += ' ';
    }
    out += t;
    prev = t;
  }
  return out;
}

/** `[<bos>, ...ids, <eos>]`. */
export function withBosEos(ids: readonly number[]): number[] {
  return [BOS, ...ids, EOS];
}

/** `[...ids, <eos>]`, the form source sequences and decoder targets use. */
export function withEos(ids: readonly number[]): number[] {
  return [...ids, EOS];
}

export class TokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

export class Tokenizer {
  readonly level: TokenizerLevel;
  readonly lowercase: boolean;
  private readonly vocab: readonly string[];
  private readonly index: Map<string, number>;
  /** The subword model of a 'bpe' tokenizer. */
  readonly bpe: BpeModel | null;

  private constructor(level: TokenizerLevel, lowercase: boolean, vocab: readonly string[], bpe: BpeModel | null = null) {
    this.level = level;
    this.lowercase = lowercase;
    this.vocab = vocab;
    this.index = new Map(vocab.map((t, i) => [t, i]));
    this.bpe = bpe;
  }

  /**
   * A BPE tokenizer trained on `texts`, filling a vocabulary of `maxSize` ids: the special
   * tokens, the 256 byte pieces, the alphabet, then one piece per merge (src/data/bpe.ts).
   */
  private static buildBpe(texts: Iterable<string>, maxSize: number, minCharCount?: number): Tokenizer {
    const counts = new Map<string, number>();
    for (const text of texts) for (const w of metaWords(normalizeBpeText(text))) counts.set(w, (counts.get(w) ?? 0) + 1);
    const base = SPECIAL_TOKENS.length + BYTE_PIECES.length;
    const maxAlphabet = Math.max(1, Math.min(4000, maxSize - base));
    const alphabetOnly = trainBpe(counts, { merges: 0, minCharCount, maxAlphabet });
    const merges = Math.max(0, maxSize - base - alphabetOnly.alphabet.length);
    const model = new BpeModel(merges > 0 ? trainBpe(counts, { merges, minCharCount, maxAlphabet }) : alphabetOnly);
    return Tokenizer.fromBpeModel(model);
  }

  private static fromBpeModel(model: BpeModel): Tokenizer {
    const vocab: string[] = [...SPECIAL_TOKENS, ...BYTE_PIECES];
    const seen = new Set(vocab);
    for (const p of model.pieces) {
      if (!seen.has(p)) {
        seen.add(p);
        vocab.push(p);
      }
    }
    return new Tokenizer('bpe', false, vocab, model);
  }

  /** Builds the vocabulary from training texts (the training split only: valid/test words stay unknown). */
  static build(texts: Iterable<string>, options: TokenizerOptions): Tokenizer {
    const level = options.level;
    const lowercase = options.lowercase ?? level === 'word';
    const minFreq = options.minFreq ?? 1;
    const maxSize = Math.min(options.maxSize ?? MAX_VOCAB_SIZE, MAX_VOCAB_SIZE);
    if (!(maxSize >= SPECIAL_TOKENS.length)) {
      throw new TokenizerError(`maxSize must be at least ${SPECIAL_TOKENS.length} (the special tokens), got ${maxSize}`);
    }
    if (level === 'bpe') {
      const size = Number.isFinite(maxSize) ? maxSize : 8000;
      if (size > TOKENIZER_LIMITS.tokens) throw new TokenizerError(`a BPE vocabulary holds at most ${TOKENIZER_LIMITS.tokens} pieces, not ${size}`);
      return Tokenizer.buildBpe(texts, size, options.minFreq);
    }
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const piece of Tokenizer.piecesOf(text, level, lowercase)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
    }
    const specials = new Set<string>(SPECIAL_TOKENS);
    const entries = [...counts].filter(([t, c]) => c >= minFreq && !specials.has(t));
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const kept = entries.slice(0, Math.max(0, maxSize - SPECIAL_TOKENS.length)).map(([t]) => t);
    return new Tokenizer(level, lowercase, [...SPECIAL_TOKENS, ...kept]);
  }

  /** Restores a tokenizer from `toJSON()` output (an object or its JSON string); validates it within TOKENIZER_LIMITS. */
  static fromJSON(json: unknown): Tokenizer {
    let value = json;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value) as unknown;
      } catch {
        throw new TokenizerError('tokenizer JSON: not valid JSON');
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TokenizerError('tokenizer JSON: expected an object');
    const raw = value as Record<string, unknown>;
    if (raw.format !== 'attention-playground-tokenizer') throw new TokenizerError('tokenizer JSON: "format" must be "attention-playground-tokenizer"');
    if (raw.level !== 'word' && raw.level !== 'char' && raw.level !== 'bpe') throw new TokenizerError('tokenizer JSON: "level" must be "word", "char" or "bpe"');
    if (raw.version !== (raw.level === 'bpe' ? 2 : 1)) throw new TokenizerError(`tokenizer JSON: unsupported version ${String(raw.version)}`);
    if (typeof raw.lowercase !== 'boolean') throw new TokenizerError('tokenizer JSON: "lowercase" must be a boolean');
    if (Array.isArray(raw.tokens) && raw.tokens.length > MAX_VOCAB_SIZE) {
      throw new TokenizerError(`tokenizer JSON: ${raw.tokens.length} tokens, more than the ${MAX_VOCAB_SIZE.toLocaleString('en')} a vocabulary may have`);
    }
    if (!Array.isArray(raw.tokens) || !raw.tokens.every((t) => typeof t === 'string')) {
      throw new TokenizerError('tokenizer JSON: "tokens" must be an array of strings');
    }
    // The sizes, and the BPE part, within TOKENIZER_LIMITS.
    const r = tokenizerJsonSchema.safeParse(value);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new TokenizerError(`tokenizer JSON: ${i.path.length ? `"${i.path.join('.')}": ` : ''}${i.message}`);
    }
    const o = r.data;
    const tokens = o.tokens;
    SPECIAL_TOKENS.forEach((s, i) => {
      if (tokens[i] !== s) throw new TokenizerError(`tokenizer JSON: token ${i} must be ${s}`);
    });
    if (new Set(tokens).size !== tokens.length) throw new TokenizerError('tokenizer JSON: "tokens" has duplicates');
    if (o.level === 'bpe') {
      if (!o.bpe) throw new TokenizerError('tokenizer JSON: a "bpe" tokenizer needs its "bpe" alphabet and merges');
      if (o.bpe.alphabet.some((c) => Array.from(c).length !== 1)) throw new TokenizerError('tokenizer JSON: every "bpe.alphabet" entry must be one character');
      const rebuilt = Tokenizer.fromBpeModel(new BpeModel(o.bpe));
      if (rebuilt.size !== tokens.length || rebuilt.vocab.some((t, i) => t !== tokens[i])) {
        throw new TokenizerError('tokenizer JSON: "tokens" do not match the BPE alphabet and merges');
      }
      return rebuilt;
    }
    return new Tokenizer(o.level, o.lowercase, [...tokens]);
  }

  private static piecesOf(text: string, level: TokenizerLevel, lowercase: boolean): string[] {
    const n = normalizeText(text, lowercase);
    return level === 'word' ? splitWords(n) : splitChars(n);
  }

  /** Pieces of a text: BPE pieces (byte pieces for unseen characters), or words / characters. */
  private splitText(text: string): string[] {
    return this.bpe ? this.bpe.encode(text) : Tokenizer.piecesOf(text, this.level, this.lowercase);
  }

  /** Vocabulary size, the special tokens included. */
  get size(): number {
    return this.vocab.length;
  }

  /** Every token in id order. */
  get tokenList(): readonly string[] {
    return this.vocab;
  }

  normalize(text: string): string {
    return this.bpe ? normalizeBpeText(text) : normalizeText(text, this.lowercase);
  }

  /** The pieces of a text after normalisation, before the vocabulary lookup. */
  pieces(text: string): string[] {
    return this.splitText(text);
  }

  idOf(token: string): number {
    return this.index.get(token) ?? UNK;
  }

  tokenOf(id: number): string {
    return this.vocab[id] ?? SPECIAL_TOKENS[UNK];
  }

  has(token: string): boolean {
    return this.index.has(token);
  }

  /** Token ids of a text, without <bos> / <eos> (see `withBosEos`, `withEos`). */
  encode(text: string): number[] {
    return this.pieces(text).map((p) => this.idOf(p));
  }

  /** Like `encode`, also reporting which pieces were out of vocabulary (the UI marks them). */
  encodeWithUnknown(text: string): EncodedWithUnknown {
    const ids: number[] = [];
    const unknown: boolean[] = [];
    const seen = new Set<string>();
    const unknownWords: string[] = [];
    for (const p of this.pieces(text)) {
      const id = this.index.get(p);
      ids.push(id ?? UNK);
      unknown.push(id === undefined);
      if (id === undefined && !seen.has(p)) {
        seen.add(p);
        unknownWords.push(p);
      }
    }
    return { ids, unknown, unknownWords };
  }

  /**
   * The token strings of ids, one per id with nothing dropped, so that they line up with the
   * positions of an attention map (<eos>, <pad> and <bos> appear as their names).
   */
  tokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.tokenOf(id));
  }

  /** Text of ids: stops at the first <eos>, skips <pad> and <bos>, joins by the level's rule. */
  decode(ids: readonly number[]): string {
    const parts: string[] = [];
    for (const id of ids) {
      if (id === EOS) break;
      if (id === PAD || id === BOS) continue;
      parts.push(this.tokenOf(id));
    }
    if (this.bpe) return BpeModel.decode(parts);
    return this.level === 'word' ? joinWords(parts) : parts.join('');
  }

  toJSON(): TokenizerJSON {
    const json: TokenizerJSON = {
      format: 'attention-playground-tokenizer',
      version: this.bpe ? 2 : 1,
      level: this.level,
      lowercase: this.lowercase,
      tokens: [...this.vocab],
    };
    if (this.bpe) json.bpe = { alphabet: [...this.bpe.json.alphabet], merges: this.bpe.json.merges.map(([l, r]) => [l, r]) };
    return json;
  }
}
