// Memory estimate of a configuration, checked against the adapter's limits before anything is
// allocated, so that an oversized model is refused with numbers instead of failing mid-step.

import type { RunConfig } from './config';

export interface SizeEstimate {
  parameters: number;
  /** The largest single GPU buffer the model needs, in bytes (one binding). */
  largestBufferBytes: number;
  largestBufferName: string;
  /** Parameters, gradients and optimizer state, plus one step's activations, in bytes. */
  totalBytes: number;
}

export function estimateSize(c: RunConfig, srcVocab: number, tgtVocab: number): SizeEstimate {
  const B = c.batch;
  const T = c.maxLen + 2;
  const buffers: [string, number][] = [];
  let params = 0;
  let activations = 0;
  if (c.model === 'transformer') {
    const d = c.dModel;
    const mha = 4 * d * d + 4 * d;
    const ff = 2 * d * c.dFF + c.dFF + d;
    params += (srcVocab + tgtVocab) * d + c.layers * (mha + ff + 4 * d) + c.layers * (2 * mha + ff + 6 * d) + 4 * d;
    if (!c.tieEmbeddings) params += tgtVocab * d + tgtVocab;
    if (c.positional === 'learned') params += 2 * c.maxLen * d;
    buffers.push(['embedding table', Math.max(srcVocab, tgtVocab) * d]);
    buffers.push(['feed-forward activations', B * T * c.dFF]);
    buffers.push(['attention weights', B * c.heads * T * T]);
    activations += c.layers * 3 * (B * T * (8 * d + 2 * c.dFF) + 2 * B * c.heads * T * T);
  } else {
    const H = c.hidden;
    const E = c.embed;
    const gates = c.cell === 'lstm' ? 4 : c.cell === 'gru' ? 3 : c.cell === 'janet' ? 2 : 1;
    const dirs = c.bidirectional ? 2 : 1;
    const He = c.bidirectional ? Math.ceil(H / 2) : H;
    let encIn = E;
    for (let l = 0; l < c.layers; l++) {
      params += dirs * (gates * He * (encIn + He) + 2 * gates * He);
      encIn = He * dirs;
    }
    let decIn = E;
    for (let l = 0; l < c.layers; l++) {
      params += gates * H * (decIn + H) + 2 * gates * H;
      decIn = H;
    }
    params += (srcVocab + tgtVocab) * E + 2 * H * H + H + tgtVocab * H + tgtVocab;
    buffers.push(['embedding table', Math.max(srcVocab, tgtVocab) * E]);
    buffers.push(['gate pre-activations', B * T * gates * H]);
    activations += 2 * c.layers * T * B * (gates + 4) * H * dirs;
  }
  buffers.push(['output logits', B * T * tgtVocab]);
  activations += 3 * B * T * tgtVocab;
  buffers.push(['output layer weight', tgtVocab * (c.model === 'transformer' ? c.dModel : c.hidden)]);
  const [largestBufferName, largestElems] = buffers.reduce((a, b) => (b[1] > a[1] ? b : a));
  return {
    parameters: params,
    largestBufferBytes: largestElems * 4,
    largestBufferName,
    totalBytes: (params * 4 + activations) * 4,
  };
}

export interface AdapterLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** A one-line refusal when the estimate exceeds the adapter's limits, else null. */
export function checkLimits(e: SizeEstimate, limits: AdapterLimits): string | null {
  const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  if (e.largestBufferBytes > cap) {
    return `the model needs a ${mb(e.largestBufferBytes)} buffer (${e.largestBufferName}), more than this GPU allows in one buffer (${mb(cap)}): reduce the batch size, the sequence length or the model size`;
  }
  return null;
}
