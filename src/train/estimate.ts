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

/** Weights and biases of one recurrent layer, per direction (the cells' PyTorch layouts). */
function cellParams(cell: RunConfig['cell'], inSize: number, H: number): number {
  switch (cell) {
    case 'lstm': // weight_ih [4H, In], weight_hh [4H, H], bias_ih [4H], bias_hh [4H]
      return 4 * H * (inSize + H) + 8 * H;
    case 'gru': // the same with 3 gates
      return 3 * H * (inSize + H) + 6 * H;
    case 'janet': // weight_ih [2H, In], weight_hh [2H, H], bias_ih [2H]
      return 2 * H * (inSize + H) + 2 * H;
    case 'indrnn':
    case 'indrnn2': // weight_ih [H, In], weight_hh [H] (diagonal), bias_ih [H]
      return H * inSize + 2 * H;
  }
}

/** Optimizer state slots per parameter element (the optimizer keeps them all in one buffer). */
function optimizerSlots(c: RunConfig): number {
  if (c.optimizer === 'sgd') return c.momentum !== 0 ? 1 : 0;
  return 2; // exp_avg, exp_avg_sq
}

export function estimateSize(c: RunConfig, srcVocab: number, tgtVocab: number): SizeEstimate {
  const B = c.batch;
  const T = c.maxLen + 2;
  const buffers: [string, number][] = [];
  let params = 0;
  let activations = 0;
  if (c.model === 'transformer') {
    const d = c.dModel;
    const mha = 4 * d * d + 4 * d; // in_proj [3d, d] + bias, out_proj [d, d] + bias
    const ff = 2 * d * c.dFF + c.dFF + d;
    // Encoder layers: attention, feed-forward, 2 norms; decoder layers: 2 attentions, feed-forward,
    // 3 norms; a final norm on each side.
    params += (srcVocab + tgtVocab) * d + c.layers * (mha + ff + 4 * d) + c.layers * (2 * mha + ff + 6 * d) + 4 * d;
    // The generator: its own weight unless tied to the target embedding; its bias either way.
    params += (c.tieEmbeddings ? 0 : tgtVocab * d) + tgtVocab;
    if (c.positional === 'learned') params += 2 * T * d;
    buffers.push(['embedding table', Math.max(srcVocab, tgtVocab) * d]);
    buffers.push(['feed-forward activations', B * T * c.dFF]);
    buffers.push(['attention projections', B * T * 3 * d]);
    buffers.push(['attention weights', B * c.heads * T * T]);
    activations += c.layers * 3 * (B * T * (8 * d + 2 * c.dFF) + 2 * B * c.heads * T * T);
  } else {
    const H = c.hidden;
    const E = c.embed;
    const gates = c.cell === 'lstm' ? 4 : c.cell === 'gru' ? 3 : c.cell === 'janet' ? 2 : 1;
    const dirs = c.bidirectional ? 2 : 1;
    // Hidden size per encoder direction; the directions side by side make the memory.
    const He = Math.ceil(H / dirs);
    const encOut = dirs * He;
    let encIn = E;
    for (let l = 0; l < c.layers; l++) {
      params += dirs * cellParams(c.cell, encIn, He);
      encIn = encOut;
    }
    let decIn = E;
    for (let l = 0; l < c.layers; l++) {
      params += cellParams(c.cell, decIn, H);
      decIn = H;
    }
    params += (srcVocab + tgtVocab) * E;
    if (encOut !== H) params += H * encOut; // encoder_proj (odd H, bidirectional), no bias
    params += (c.cell === 'lstm' ? 2 : 1) * (H * encOut + H); // bridge_h (and bridge_c)
    params += c.scoring === 'general' ? H * H : c.scoring === 'additive' ? 2 * H * H + H : 0;
    params += 2 * H * H; // combine [H, 2H], no bias
    params += tgtVocab * H + tgtVocab; // generator
    buffers.push(['embedding table', Math.max(srcVocab, tgtVocab) * E]);
    buffers.push(['gate pre-activations', B * T * gates * H]);
    buffers.push(['attention weights', B * T * T]);
    activations += 2 * c.layers * T * B * (gates + 4) * H * dirs;
  }
  buffers.push(['output logits', B * T * tgtVocab]);
  activations += 3 * B * T * tgtVocab;
  buffers.push(['output layer weight', tgtVocab * (c.model === 'transformer' ? c.dModel : c.hidden)]);
  // All gradients are packed into one buffer for clipping and the update, and the optimizer keeps
  // its state for every parameter in one buffer too: with a large model these are the biggest.
  buffers.push(['packed gradients', params]);
  buffers.push(['optimizer state', optimizerSlots(c) * params]);
  const [largestBufferName, largestElems] = buffers.reduce((a, b) => (b[1] > a[1] ? b : a));
  return {
    parameters: params,
    largestBufferBytes: largestElems * 4,
    largestBufferName,
    // Parameters, gradients and up to two optimizer slots, plus activations, in f32.
    totalBytes: (params * 4 + activations) * 4,
  };
}

export interface AdapterLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const gb = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/**
 * The most memory a run may need in all (estimateSize's totalBytes), checked on every backend
 * before anything is allocated: a shared link may ask for 12 layers of d_model 1024 at batch 4096
 * (~3,500 GiB). The CPU backend holds everything in the page's JavaScript heap, which a browser
 * caps at a few GiB per tab; a GPU's own memory is larger, and its per-buffer limit is checked
 * too (checkLimits).
 */
export const MAX_TOTAL_BYTES = { webgpu: 8 * 2 ** 30, cpu: 2 * 2 ** 30 } as const;

/** A one-line refusal when the whole run would need more memory than the backend's budget, else null. */
export function checkBudget(e: SizeEstimate, backend: keyof typeof MAX_TOTAL_BYTES): string | null {
  const cap = MAX_TOTAL_BYTES[backend];
  if (e.totalBytes > cap) {
    return `the run would need about ${gb(e.totalBytes)} of memory, more than the playground allows on ${backend === 'cpu' ? 'the CPU' : 'the GPU'} (${gb(cap)}): reduce the batch size, the sequence length or the model size`;
  }
  return null;
}

/** A one-line refusal when the estimate exceeds the adapter's limits, else null. */
export function checkLimits(e: SizeEstimate, limits: AdapterLimits): string | null {
  const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  if (e.largestBufferBytes > cap) {
    return `the model needs a ${mb(e.largestBufferBytes)} buffer (${e.largestBufferName}), more than this GPU allows in one buffer (${mb(cap)}): reduce the batch size, the sequence length or the model size`;
  }
  return null;
}
