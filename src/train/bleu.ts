// Corpus BLEU (Papineni et al., 2002) computed the way sacreBLEU (Post, 2018) computes it by
// default, so that numbers shown here can be compared with published sacreBLEU scores:
//   - tokenisation '13a' (mteval-v13a.pl as ported in sacreBLEU's tokenizer_13a / tokenizer_re),
//     or 'zh' for Chinese, 'intl' (mteval-v14 international) or 'none' (split on white space);
//   - n-gram orders 1..4, clipped counts (each hypothesis n-gram counts at most as often as it
//     appears in the reference that has the most of it), summed over the corpus;
//   - brevity penalty BP = exp(1 − r/c) when c < r, else 1, where c is the total hypothesis length
//     and r the sum over segments of the reference length closest to the hypothesis length (ties
//     go to the shorter reference);
//   - BLEU = BP · exp(Σₙ log pₙ / 4) on the 0–100 scale, pₙ = 100 · correctₙ / totalₙ;
//   - smoothing 'exp' (sacreBLEU's default for corpus BLEU; NIST's method, "method 3" in Chen &
//     Cherry 2014): an order with zero matches gets pₙ = 100 / (2ᵏ · totalₙ), k counting the
//     zero-match orders so far. So one empty order does NOT make the score 0; the score is 0 when
//     no n-gram of any order matches (sacreBLEU's early exit, its issue #141) or when the
//     hypotheses have no n-grams of some order at all (e.g. every hypothesis shorter than 4 tokens:
//     the order is skipped, its precision stays 0, and log 0 is taken as −9999999999).
//
// References follow sacreBLEU's layout: either one stream (`refs[i]` is the reference of
// hypothesis i) or a list of streams (`refs[k][i]` is the k-th reference of hypothesis i). An
// empty string in a stream means "no k-th reference for this segment"; a segment with no
// reference at all is an error, as in sacreBLEU.

export type BleuTokenizerName = '13a' | 'zh' | 'intl' | 'none';
export type BleuSmoothing = 'exp' | 'floor' | 'add-k' | 'none';

export interface BleuOptions {
  tokenize?: BleuTokenizerName;
  lowercase?: boolean;
  smooth?: BleuSmoothing;
  /** For 'floor' (default 0.1) and 'add-k' (default 1). */
  smoothValue?: number;
  /** Average only over orders up to the highest one the hypotheses have n-grams of (sentence BLEU). */
  effectiveOrder?: boolean;
  maxNgramOrder?: number;
}

export interface BleuScore {
  /** 0–100. */
  score: number;
  /** Clipped matching n-grams per order. */
  counts: number[];
  /** Hypothesis n-grams per order. */
  totals: number[];
  /** Per-order precisions on the 0–100 scale (after smoothing). */
  precisions: number[];
  bp: number;
  sysLen: number;
  refLen: number;
}

export class BleuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BleuError';
  }
}

/** Python's str.split() / str.strip() white space (str.isspace), which differs from JS \s. */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, 'g');
const PY_TRIM_END = new RegExp(`[${PY_SPACE}]+$`);
const PY_TRIM_START = new RegExp(`^[${PY_SPACE}]+`);

/** `' '.join(line.split())` in Python. */
function pySplitJoin(line: string): string {
  return line.replace(PY_SPACE_RUN, ' ').replace(/^ | $/g, '');
}

function pyStrip(line: string): string {
  return line.replace(PY_TRIM_START, '').replace(PY_TRIM_END, '');
}

// The language-dependent part of mteval-v13a (sacreBLEU's TokenizerRegexp), rule by rule:
const RE_PUNCT = /([{-~[-` -&(-+:-@/])/g; // split off ASCII punctuation and symbols except ' , - .
const RE_PERIOD_COMMA_AFTER_NONDIGIT = /([^0-9])([.,])/g; // period / comma unless preceded by a digit
const RE_PERIOD_COMMA_BEFORE_NONDIGIT = /([.,])([^0-9])/g; // period / comma unless followed by a digit
const RE_DASH_AFTER_DIGIT = /([0-9])(-)/g; // dash when preceded by a digit

function tokenizeRegexp(line: string): string {
  let s = line.replace(RE_PUNCT, ' $1 ');
  s = s.replace(RE_PERIOD_COMMA_AFTER_NONDIGIT, '$1 $2 ');
  s = s.replace(RE_PERIOD_COMMA_BEFORE_NONDIGIT, ' $1 $2');
  s = s.replace(RE_DASH_AFTER_DIGIT, '$1 $2 ');
  return pySplitJoin(s);
}

/** mteval-v13a tokenisation as in sacreBLEU's Tokenizer13a. */
export function tokenize13a(line: string): string {
  let s = line.replaceAll('<skipped>', '');
  s = s.replaceAll('-\n', '');
  s = s.replaceAll('\n', ' ');
  if (s.includes('&')) {
    s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  }
  return tokenizeRegexp(` ${s} `);
}

// sacreBLEU's TokenizerZh table of "Chinese" code point ranges. Two of its entries are written
// '\u20000'–'\u2a6d6' and '\u2f800'–'\u2fa1d', which Python reads as two-character strings (a BMP
// character followed by a digit); compared with a single character they select U+2001–U+2A6D
// and U+2F81–U+2FA1 (so general punctuation such as “ ” — … counts as "Chinese") and no
// supplementary-plane ideograph is matched. We reproduce that effective behaviour so that scores
// agree with sacreBLEU's 'zh' tokenizer.
const ZH_RANGES: readonly (readonly [number, number])[] = [
  [0x3400, 0x4db5],
  [0x4e00, 0x9fa5],
  [0x9fa6, 0x9fbb],
  [0xf900, 0xfa2d],
  [0xfa30, 0xfa6a],
  [0xfa70, 0xfad9],
  [0x2001, 0x2a6d],
  [0x2f81, 0x2fa1],
  [0xff00, 0xffef],
  [0x2e80, 0x2eff],
  [0x3000, 0x303f],
  [0x31c0, 0x31ef],
  [0x2f00, 0x2fdf],
  [0x2ff0, 0x2fff],
  [0x3100, 0x312f],
  [0x31a0, 0x31bf],
  [0xfe10, 0xfe1f],
  [0xfe30, 0xfe4f],
  [0x2600, 0x26ff],
  [0x2700, 0x27bf],
  [0x3200, 0x32ff],
  [0x3300, 0x33ff],
];

export function isZhChar(codePoint: number): boolean {
  for (const [lo, hi] of ZH_RANGES) if (codePoint >= lo && codePoint <= hi) return true;
  return false;
}

/** sacreBLEU's 'zh' tokenizer: every Chinese character separated, the rest tokenised like 13a's regexes. */
export function tokenizeZh(line: string): string {
  let out = '';
  for (const ch of pyStrip(line)) {
    out += isZhChar(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  }
  return tokenizeRegexp(out);
}

const INTL_RULES: readonly (readonly [RegExp, string])[] = [
  [/(\P{N})(\p{P})/gu, '$1 $2 '],
  [/(\p{P})(\P{N})/gu, ' $1 $2'],
  [/(\p{S})/gu, ' $1 '],
];

/** sacreBLEU's 'intl' tokenizer (mteval-v14 international): Unicode punctuation and symbols split off. */
export function tokenizeIntl(line: string): string {
  let s = line;
  for (const [re, rep] of INTL_RULES) s = s.replace(re, rep);
  return pySplitJoin(s);
}

export function bleuTokenize(line: string, tokenizer: BleuTokenizerName = '13a'): string {
  switch (tokenizer) {
    case '13a':
      return tokenize13a(line);
    case 'zh':
      return tokenizeZh(line);
    case 'intl':
      return tokenizeIntl(line);
    case 'none':
      return line;
  }
}

/**
 * BLEU from its sufficient statistics (a port of sacreBLEU's BLEU.compute_bleu). `correct` and
 * `total` are not modified. The default smoothing here is 'none', as in sacreBLEU's static
 * method; `corpusBleu` passes 'exp'.
 */
export function computeBleu(
  correct: readonly number[],
  total: readonly number[],
  sysLen: number,
  refLen: number,
  options: { smooth?: BleuSmoothing; smoothValue?: number; effectiveOrder?: boolean; maxNgramOrder?: number } = {},
): BleuScore {
  const smooth = options.smooth ?? 'none';
  const maxOrder = options.maxNgramOrder ?? 4;
  const smoothValue = options.smoothValue ?? (smooth === 'floor' ? 0.1 : smooth === 'add-k' ? 1 : 0);
  const counts = [...correct];
  const totals = [...total];
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(maxOrder).fill(0);
  if (!counts.some((c) => c !== 0)) {
    return { score: 0, counts, totals, precisions, bp, sysLen, refLen };
  }
  let smoothMteval = 1;
  let effOrder = maxOrder;
  for (let n = 1; n <= maxOrder; n++) {
    if (smooth === 'add-k' && n > 1) {
      counts[n - 1] += smoothValue;
      totals[n - 1] += smoothValue;
    }
    if (totals[n - 1] === 0) break;
    if (options.effectiveOrder) effOrder = n;
    if (counts[n - 1] === 0) {
      if (smooth === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * totals[n - 1]);
      } else if (smooth === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / totals[n - 1];
      }
    } else {
      precisions[n - 1] = (100 * counts[n - 1]) / totals[n - 1];
    }
  }
  // sacreBLEU's my_log: log of a non-positive number is taken as −9999999999.
  const myLog = (x: number) => (x > 0 ? Math.log(x) : -9999999999);
  let sum = 0;
  for (let i = 0; i < effOrder; i++) sum += myLog(precisions[i]);
  const score = bp * Math.exp(sum / effOrder);
  return { score, counts, totals, precisions, bp, sysLen, refLen };
}

/** Counts of all n-grams of orders 1..maxOrder of a token list, keyed by the space-joined n-gram. */
function ngramCounts(tokens: readonly string[], maxOrder: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      // Tokens never contain spaces (they come from a white-space split), so the key is unique.
      const key = tokens.slice(i, i + n).join(' ');
      m.set(key, (m.get(key) ?? 0) + 1);
    }
  }
  return m;
}

function splitTokens(s: string): string[] {
  const t = pySplitJoin(s);
  return t === '' ? [] : t.split(' ');
}

function referenceStreams(refs: readonly string[] | readonly (readonly string[])[]): (readonly string[])[] {
  if (refs.length === 0) return [];
  return typeof refs[0] === 'string' ? [refs as readonly string[]] : [...(refs as readonly (readonly string[])[])];
}

/** Corpus BLEU with all of sacreBLEU's statistics. */
export function corpusBleuScore(
  hyps: readonly string[],
  refs: readonly string[] | readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuScore {
  const tokenizer = options.tokenize ?? '13a';
  const maxOrder = options.maxNgramOrder ?? 4;
  const streams = referenceStreams(refs);
  if (streams.length === 0) throw new BleuError('BLEU: no reference stream given');
  for (const [k, s] of streams.entries()) {
    if (s.length !== hyps.length) {
      throw new BleuError(`BLEU: reference stream ${k + 1} has ${s.length} segments but there are ${hyps.length} hypotheses`);
    }
  }
  const preprocess = (s: string) => {
    // sacreBLEU strips trailing white space (Python rstrip) before tokenising.
    const t = options.lowercase ? s.toLowerCase() : s;
    return bleuTokenize(t.replace(PY_TRIM_END, ''), tokenizer);
  };
  const correct = new Array<number>(maxOrder).fill(0);
  const total = new Array<number>(maxOrder).fill(0);
  let sysLen = 0;
  let refLen = 0;
  hyps.forEach((hyp, i) => {
    const lines = streams.map((s) => s[i]).filter((x) => x !== '');
    if (lines.length === 0) throw new BleuError(`BLEU: segment ${i + 1} has no (non-empty) reference`);
    const refNgrams = new Map<string, number>();
    const refLens: number[] = [];
    for (const line of lines) {
      const toks = splitTokens(preprocess(line));
      refLens.push(toks.length);
      for (const [g, c] of ngramCounts(toks, maxOrder)) refNgrams.set(g, Math.max(refNgrams.get(g) ?? 0, c));
    }
    const hypToks = splitTokens(preprocess(hyp));
    const hypLen = hypToks.length;
    // Closest reference length, ties to the shorter one (sacreBLEU's _get_closest_ref_len).
    let closestDiff = -1;
    let closestLen = -1;
    for (const r of refLens) {
      const d = Math.abs(hypLen - r);
      if (closestDiff === -1 || d < closestDiff) {
        closestDiff = d;
        closestLen = r;
      } else if (d === closestDiff && r < closestLen) {
        closestLen = r;
      }
    }
    sysLen += hypLen;
    refLen += closestLen;
    for (const [g, c] of ngramCounts(hypToks, maxOrder)) {
      const n = g.split(' ').length - 1;
      total[n] += c;
      const r = refNgrams.get(g);
      if (r !== undefined) correct[n] += Math.min(c, r);
    }
  });
  return computeBleu(correct, total, sysLen, refLen, {
    smooth: options.smooth ?? 'exp',
    smoothValue: options.smoothValue,
    effectiveOrder: options.effectiveOrder ?? false,
    maxNgramOrder: maxOrder,
  });
}

/** Corpus BLEU (0–100) with sacreBLEU's defaults; `tokenize` picks the tokenizer ('zh' for Chinese targets). */
export function corpusBleu(
  hyps: readonly string[],
  refs: readonly string[] | readonly (readonly string[])[],
  tokenize: BleuTokenizerName = '13a',
): number {
  return corpusBleuScore(hyps, refs, { tokenize }).score;
}

/** Sentence BLEU as sacreBLEU's sentence_bleu: 'exp' smoothing and effective order. */
export function sentenceBleu(hyp: string, refs: readonly string[], options: BleuOptions = {}): BleuScore {
  return corpusBleuScore(
    [hyp],
    refs.map((r) => [r]),
    { smooth: 'exp', effectiveOrder: true, ...options },
  );
}

/**
 * Fraction of reference positions, the end of the sequence included, at which the hypothesis
 * has the same token (teacher-forcing style, position by position). The end position counts as
 * right only when the hypothesis stops exactly there: a correct but truncated hypothesis loses
 * the missing tokens and the end, one that runs on loses only the end. 0 for an empty corpus.
 */
export function tokenAccuracy<T>(hyps: readonly (readonly T[])[], refs: readonly (readonly T[])[]): number {
  let right = 0;
  let count = 0;
  refs.forEach((r, i) => {
    const h = hyps[i] ?? [];
    for (let j = 0; j < r.length; j++) if (j < h.length && h[j] === r[j]) right++;
    // The end position: the hypothesis must stop exactly where the reference does.
    if (h.length === r.length) right++;
    count += r.length + 1;
  });
  return count === 0 ? 0 : right / count;
}

/** Fraction of sentences whose token sequence equals the reference exactly. 0 for an empty corpus. */
export function exactMatch<T>(hyps: readonly (readonly T[])[], refs: readonly (readonly T[])[]): number {
  if (refs.length === 0) return 0;
  let n = 0;
  refs.forEach((r, i) => {
    const h = hyps[i] ?? [];
    if (h.length === r.length && h.every((t, j) => t === r[j])) n++;
  });
  return n / refs.length;
}

/** Exact match of detokenised strings, compared after collapsing white space. */
export function exactMatchText(hyps: readonly string[], refs: readonly string[]): number {
  const norm = (s: string) => s.replace(/\s+/gu, ' ').trim();
  return exactMatch(
    hyps.map((h) => [norm(h)]),
    refs.map((r) => [norm(r)]),
  );
}
