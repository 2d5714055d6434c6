// chrF (Popović 2015, "chrF: character n-gram F-score for automatic MT evaluation") computed as
// sacreBLEU computes it by default (chrF2: character orders 1..6, no word n-grams, β = 2, white
// space removed before the n-grams are taken, no epsilon smoothing):
//   - per segment and order n: the hypothesis's n-gram count, the reference's, and the clipped
//     matches (multiset intersection); summed over the corpus;
//   - over the orders with hypothesis and reference n-grams ("effective order"), precision P and
//     recall R are averaged, then chrF = (1 + β²) · P · R / (β² · P + R), on the 0–100 scale;
//   - several references: each segment takes the statistics of the reference with the highest
//     sentence-level chrF (the first among equals, the first reference when all score 0).
// Characters are Unicode code points (Python's string indexing).

export const CHRF_ORDER = 6;
export const CHRF_BETA = 2;

function charNgrams(chars: readonly string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= chars.length; i++) {
    const g = chars.slice(i, i + n).join('');
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/** [hypothesis n-grams, reference n-grams, matches] for each order 1..CHRF_ORDER, flattened. */
function segmentStats(hypNgrams: readonly Map<string, number>[], ref: string): number[] {
  const chars = Array.from(ref.replace(/\s+/gu, ''));
  const stats: number[] = [];
  for (let n = 1; n <= CHRF_ORDER; n++) {
    const h = hypNgrams[n - 1];
    const r = charNgrams(chars, n);
    let hypCount = 0;
    let match = 0;
    for (const [g, c] of h) {
      hypCount += c;
      const rc = r.get(g);
      if (rc !== undefined) match += Math.min(c, rc);
    }
    let refCount = 0;
    for (const c of r.values()) refCount += c;
    stats.push(hypCount, refCount, match);
  }
  return stats;
}

/** chrF (0–100) of summed statistics. */
export function chrfOfStats(stats: readonly number[], beta = CHRF_BETA): number {
  let p = 0;
  let r = 0;
  let effective = 0;
  for (let i = 0; i < CHRF_ORDER; i++) {
    const [hyp, ref, match] = [stats[3 * i], stats[3 * i + 1], stats[3 * i + 2]];
    if (hyp > 0 && ref > 0) {
      p += match / hyp;
      r += match / ref;
      effective++;
    }
  }
  if (effective === 0) return 0;
  p /= effective;
  r /= effective;
  if (p + r === 0) return 0;
  const b2 = beta * beta;
  return (100 * (1 + b2) * p * r) / (b2 * p + r);
}

/** Corpus chrF: `refs[i]` holds every reference of hypothesis i (at least one). */
export function corpusChrf(hyps: readonly string[], refs: readonly (readonly string[])[]): number {
  if (refs.length !== hyps.length) throw new Error(`chrF: ${refs.length} reference sets for ${hyps.length} hypotheses`);
  const total = new Array<number>(3 * CHRF_ORDER).fill(0);
  hyps.forEach((hyp, i) => {
    if (refs[i].length === 0) throw new Error(`chrF: segment ${i + 1} has no reference`);
    const chars = Array.from(hyp.replace(/\s+/gu, ''));
    const hypNgrams = Array.from({ length: CHRF_ORDER }, (_, k) => charNgrams(chars, k + 1));
    let best: number[] | null = null;
    let bestScore = -1;
    for (const ref of refs[i]) {
      const s = segmentStats(hypNgrams, ref);
      const f = chrfOfStats(s);
      if (f > bestScore) {
        bestScore = f;
        best = s;
      }
    }
    best!.forEach((v, k) => (total[k] += v));
  });
  return chrfOfStats(total);
}

/** Sentence chrF against one or more references. */
export function sentenceChrf(hyp: string, refs: readonly string[]): number {
  return corpusChrf([hyp], [refs]);
}
