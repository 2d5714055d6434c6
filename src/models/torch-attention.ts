// PyTorch 1.13's attention core as F.multi_head_attention_forward computes it, on explicit scores
// (for MultiheadAttention.forwardTorch; the models' own path is the fused kernel):
//
//   S = q kᵀ / √d + M,   P = softmax(S),   P' = dropout(P),   O = P' v
//
// q [B, h, Tq, d], k [B, h, Tk, d], v [B, h, Tk, dv]. M is the sum of the additive masks:
//   attn_mask [Tq, Tk] (every batch and head) or [B·h, Tq, Tk] (row b·h + i for batch b, head i);
//   key_padding_mask [B, Tk] (over keys).
// Each is PyTorch's bool mask — here an i32 tensor of 0/1, 1 = masked (PyTorch's True), turned
// into −∞ / 0 — or a float (f32) mask added as it is. A query row whose every key is masked gives
// NaN output and weights, as in PyTorch (the softmax of a row of −∞).
// With both masks, 1.13 merges them as bools (logical_or, or masked_fill(−∞) into a float
// attn_mask): a float key_padding_mask then counts as "nonzero = masked". That combination is
// refused here (pass the key padding as a bool mask); every other combination is 1.13's.

import {
  add,
  dropout,
  embedding,
  fromData,
  matmul,
  reshape,
  scale,
  softmax,
  transpose,
  type Tensor,
} from '../engine';

export interface TorchAttentionMasks {
  /** [B, Tk]: i32 bool (1 = padding, PyTorch's True) or f32 added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** [Tq, Tk] or [B·h, Tq, Tk]: i32 bool (1 = not allowed) or f32 added to the scores. */
  attnMask?: Tensor | null;
}

const shapeOf = (t: Tensor) => `[${t.shape.join(', ')}]`;

/**
 * PyTorch's bool → float mask conversion (masked_fill(mask, −inf)): i32 0/1 → f32 0/−∞, through an
 * embedding lookup in the table [[0], [−∞]], which runs on every backend (the CPU refuses values
 * other than 0 and 1; a GPU reads them as 0, not masked).
 */
function additive(mask: Tensor): Tensor {
  if (mask.dtype === 'f32') return mask;
  const table = fromData([0, -Infinity], [2, 1], 'f32', mask.backend);
  return reshape(embedding(mask, table), mask.shape);
}

export function torchAttentionCore(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  masks: TorchAttentionMasks,
  drop: { p: number; seed: number } | null,
): { out: Tensor; weights: Tensor } {
  const [B, H, Tq, d] = q.shape;
  const Tk = k.shape[2];
  let s = scale(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(d));
  const am = masks.attnMask;
  if (am) {
    const ok2 = am.rank === 2 && am.shape[0] === Tq && am.shape[1] === Tk;
    const ok3 = am.rank === 3 && am.shape[0] === B * H && am.shape[1] === Tq && am.shape[2] === Tk;
    if (!ok2 && !ok3) throw new Error(`MultiheadAttention: attn_mask must be [${Tq}, ${Tk}] or [${B * H}, ${Tq}, ${Tk}], got ${shapeOf(am)}`);
    const m = additive(am);
    s = add(s, ok3 ? reshape(m, [B, H, Tq, Tk]) : m);
  }
  const kpm = masks.keyPaddingMask;
  if (kpm && am && kpm.dtype === 'f32') {
    throw new Error('MultiheadAttention: a float key_padding_mask with an attn_mask is not supported (PyTorch 1.13 reads it as a bool mask there): pass a bool (i32 0/1) key_padding_mask');
  }
  if (kpm) {
    if (kpm.rank !== 2 || kpm.shape[0] !== B || kpm.shape[1] !== Tk) {
      throw new Error(`MultiheadAttention: key_padding_mask must be [${B}, ${Tk}], got ${shapeOf(kpm)}`);
    }
    s = add(s, reshape(additive(kpm), [B, 1, 1, Tk]));
  }
  const p = softmax(s, -1);
  const weights = drop && drop.p > 0 ? dropout(p, drop.p, true, drop.seed) : p;
  return { out: matmul(weights, v), weights };
}
