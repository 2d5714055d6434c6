// Scores of translations against pair files: the lines that share a source are one segment with
// several references (Tatoeba has several translations of many sentences), and BLEU, chrF and
// exact match are all multi-reference.

import type { Pair } from '../data/pair';
import { corpusBleu, type BleuTokenizerName } from './bleu';
import { corpusChrf } from './chrf';

export interface SourceGroup {
  src: string;
  refs: string[];
}

/** One group per distinct source (trimmed, white space collapsed), in order of first appearance. */
export function groupBySource(pairs: readonly Pair[]): SourceGroup[] {
  const groups = new Map<string, SourceGroup>();
  for (const p of pairs) {
    const key = p.src.replace(/\s+/gu, ' ').trim();
    const g = groups.get(key);
    if (g) g.refs.push(p.tgt);
    else groups.set(key, { src: p.src, refs: [p.tgt] });
  }
  return [...groups.values()];
}

export interface TranslationScores {
  /** Corpus BLEU, 0–100 (sacreBLEU's 13a, or its 'zh' tokenizer for Chinese targets). */
  bleu: number;
  /** Corpus chrF2, 0–100. */
  chrf: number;
  /** Fraction of segments whose hypothesis equals one of its references (white space collapsed). */
  exactMatch: number;
}

/** Chinese targets are scored with sacreBLEU's 'zh' tokenizer. */
export function bleuTokenizerFor(refs: readonly string[]): BleuTokenizerName {
  return refs.slice(0, 200).some((r) => /\p{Script=Han}/u.test(r)) ? 'zh' : '13a';
}

export function scoreTranslations(hyps: readonly string[], refs: readonly (readonly string[])[], tokenize: BleuTokenizerName): TranslationScores {
  if (hyps.length === 0) return { bleu: 0, chrf: 0, exactMatch: 0 };
  const streams = Array.from({ length: Math.max(...refs.map((r) => r.length)) }, (_, k) => refs.map((r) => r[k] ?? ''));
  const norm = (s: string) => s.replace(/\s+/gu, ' ').trim();
  const exact = hyps.filter((h, i) => refs[i].some((r) => norm(r) === norm(h))).length;
  return { bleu: corpusBleu(hyps, streams, tokenize), chrf: corpusChrf(hyps, refs), exactMatch: exact / hyps.length };
}
