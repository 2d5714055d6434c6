// Parity with PyTorch's nn.MultiheadAttention (batch_first=True): outputs, per-head attention
// weights (average_attn_weights=False) and the gradients of sum(out ⊙ R) with respect to the
// inputs and every parameter, against tools/parity/mha.py run in float64 by Debian's python3-torch.
// Self-attention with padding, cross-attention with padding, causal masks (Tq = Tk and Tq < Tk),
// without biases. Node projects only (it spawns /usr/bin/python3); skipped with a reason in the
// browser or when torch is missing.
import { describe, it } from 'vitest';
import { backward, copyInto, fromData, initContext, mul, sum, tidy, toArray, type Backend, type Tensor } from '../engine';
import { testBackends } from '../engine/testing/backends';
import { randomData } from '../engine/testing/check';
import { MultiheadAttention } from './attention';
import { expectParity as expectParityWithin, inBrowser, NEEDS_NODE, nodeModules, runTorchScript, torchMissing, type NodeModules } from '../engine/testing/torch-parity';

interface TorchResult {
  out: number[];
  weights: number[];
  grads: { query: number[]; key?: number[]; value?: number[]; params: Record<string, number[]> };
  torch: string;
}

function runTorch(m: NodeModules, input: object): TorchResult {
  return runTorchScript<TorchResult>(m, new URL('../../tools/parity/mha.py', import.meta.url), input);
}

const RTOL = 1e-4;
const ATOL = 1e-6;

function expectParity(actual: ArrayLike<number>, expected: readonly number[], what: string): number {
  return expectParityWithin(actual, expected, what, RTOL, ATOL);
}

interface Case {
  name: string;
  mode: 'self' | 'cross' | 'separate';
  B: number;
  Tq: number;
  Tk: number;
  E: number;
  H: number;
  bias: boolean;
  causal?: boolean;
  /** [B, Tk], 1 = real. No row fully masked: PyTorch gives NaN there, we give 0. */
  mask?: number[];
  /** forwardTorch with PyTorch's masks (bool: 1 = masked, as i32; float: added), kdim/vdim, averaged weights. */
  torch?: {
    keyPadding?: TorchMask;
    attnMask?: TorchMask;
    average: boolean;
    kdim?: number;
    vdim?: number;
  };
}

interface TorchMask {
  data: number[];
  shape: number[];
  kind: 'bool' | 'float';
}

const CASES: Case[] = [
  { name: 'self-attention with key padding, 4 heads', mode: 'self', B: 3, Tq: 5, Tk: 5, E: 16, H: 4, bias: true, mask: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0] },
  { name: 'cross-attention over a padded memory, 2 heads', mode: 'cross', B: 3, Tq: 4, Tk: 6, E: 8, H: 2, bias: true, mask: [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0] },
  { name: 'causal self-attention without biases, 1 head', mode: 'self', B: 2, Tq: 6, Tk: 6, E: 8, H: 1, bias: false, causal: true },
  { name: 'separate query/key/value, causal with Tq < Tk (bottom-right), padding, 2 heads', mode: 'separate', B: 2, Tq: 3, Tk: 5, E: 8, H: 2, bias: true, causal: true, mask: [1, 1, 1, 1, 1, 0, 1, 1, 1, 1] },
  {
    name: 'forwardTorch: bool key_padding_mask (True = pad) and a bool 2-D attn_mask, averaged weights',
    mode: 'cross', B: 2, Tq: 3, Tk: 4, E: 8, H: 2, bias: true,
    torch: {
      keyPadding: { data: [0, 0, 0, 1, 0, 0, 0, 0], shape: [2, 4], kind: 'bool' },
      attnMask: { data: [0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0], shape: [3, 4], kind: 'bool' },
      average: true,
    },
  },
  {
    name: 'forwardTorch: float 3-D attn_mask [B·h, Tq, Tk] and a bool key_padding_mask, per-head weights',
    mode: 'self', B: 2, Tq: 4, Tk: 4, E: 8, H: 2, bias: true,
    torch: {
      keyPadding: { data: [0, 1, 0, 0, 0, 0, 1, 1], shape: [2, 4], kind: 'bool' },
      attnMask: { data: randomData(2 * 2 * 4 * 4, 77), shape: [4, 4, 4], kind: 'float' },
      average: false,
    },
  },
  {
    name: 'forwardTorch: a float key_padding_mask alone (added to the scores), averaged weights',
    mode: 'cross', B: 2, Tq: 3, Tk: 4, E: 8, H: 4, bias: false,
    torch: { keyPadding: { data: [0, -1, 0, 0.5, 0, 0, -2, -30], shape: [2, 4], kind: 'float' }, average: true },
  },
  {
    name: 'forwardTorch: kdim 6, vdim 5 (q/k/v_proj_weight), bool 3-D attn_mask, averaged weights',
    mode: 'separate', B: 2, Tq: 3, Tk: 4, E: 8, H: 2, bias: true,
    torch: {
      attnMask: { data: Array.from({ length: 4 * 3 * 4 }, (_, i) => (i % 5 === 1 ? 1 : 0)), shape: [4, 3, 4], kind: 'bool' },
      average: true,
      kdim: 6,
      vdim: 5,
    },
  },
];

async function parityCase(m: NodeModules, b: Backend, c: Case): Promise<void> {
  const { B, Tq, Tk, E, H } = c;
  const [kdim, vdim] = [c.torch?.kdim ?? E, c.torch?.vdim ?? E];
  const mha = new MultiheadAttention(initContext(7, b), E, H, { bias: c.bias, kdim, vdim });
  const named = mha.namedParameters();
  // Non-zero biases, so their gradients and the bias paths are exercised (PyTorch initialises them to 0).
  for (const [n, p] of named) {
    if (n.endsWith('bias')) {
      const src = fromData(randomData(p.size, n.length, 0.2), p.shape, 'f32', b);
      copyInto(p, src);
      src.dispose();
    }
  }
  const qd = randomData(B * Tq * E, 1);
  const kd = randomData(B * Tk * kdim, 2);
  const vd = randomData(B * Tk * vdim, 3);
  const R = randomData(B * Tq * E, 4);
  const input: Record<string, unknown> = {
    embedDim: E,
    numHeads: H,
    bias: c.bias,
    mode: c.mode,
    queryShape: [B, Tq, E],
    keyShape: [B, Tk, kdim],
    valueShape: [B, Tk, vdim],
    kdim,
    vdim,
    query: qd,
    key: kd,
    value: vd,
    R,
    causal: !!c.causal,
    params: Object.fromEntries(await Promise.all(named.map(async ([n, p]) => [n, Array.from(await toArray(p))] as const))),
  };
  if (c.mask) input.keyPaddingMask = c.mask;
  if (c.torch?.keyPadding) input.torchKeyPaddingMask = c.torch.keyPadding;
  if (c.torch?.attnMask) input.torchAttnMask = c.torch.attnMask;
  if (c.torch) input.averageAttnWeights = c.torch.average;
  const ref = runTorch(m, input);

  const query = fromData(qd, [B, Tq, E], 'f32', b);
  const key = c.mode === 'self' ? query : fromData(kd, [B, Tk, kdim], 'f32', b);
  const value = c.mode === 'separate' ? fromData(vd, [B, Tk, vdim], 'f32', b) : key;
  const leaves = [...new Set([query, key, value])];
  for (const t of leaves) t.requiresGrad = true;
  const mask = c.mask ? fromData(c.mask, [B, Tk], 'f32', b) : null;
  // PyTorch's bool masks travel as i32 0/1 (1 = masked), float masks as f32.
  const torchMask = (tm: TorchMask | undefined) => (tm ? fromData(tm.data, tm.shape, tm.kind === 'bool' ? 'i32' : 'f32', b) : null);
  const got = tidy(() => {
    const Rt = fromData(R, [B, Tq, E], 'f32', b);
    if (c.torch) {
      const opts = { keyPaddingMask: torchMask(c.torch.keyPadding), attnMask: torchMask(c.torch.attnMask), averageAttnWeights: c.torch.average };
      const [out, weights] = mha.forwardTorch(query, key, value, opts);
      backward(sum(mul(out, Rt)));
      return [out, weights!];
    }
    const r = mha.forward(query, key, value, { keyPaddingMask: mask, causal: c.causal, needWeights: true });
    backward(sum(mul(r.out, Rt)));
    return [r.out, r.weights!];
  });
  const [out, weights] = await Promise.all(got.map(toArray));
  const worst: Record<string, number> = {};
  worst.out = expectParity(out, ref.out, 'out');
  worst.weights = expectParity(weights, ref.weights, 'weights');
  worst['∂query'] = expectParity(await toArray(query.grad!), ref.grads.query, '∂query');
  if (c.mode !== 'self') worst['∂key'] = expectParity(await toArray(key.grad!), ref.grads.key!, '∂key');
  if (c.mode === 'separate') worst['∂value'] = expectParity(await toArray(value.grad!), ref.grads.value!, '∂value');
  let wp = 0;
  for (const [n, p] of named) wp = Math.max(wp, expectParity(await toArray(p.grad!), ref.grads.params[n], `∂${n}`));
  worst['∂params'] = wp;
  console.log(
    `[mha parity] ${b.kind}, torch ${ref.torch}, ${c.name}: max relative error ` +
      Object.entries(worst)
        .map(([k, v]) => `${k} ${v.toExponential(1)}`)
        .join(', '),
  );
  for (const t of [...got, ...leaves.map((l) => l.grad), ...leaves, mask] as (Tensor | null)[]) t?.dispose();
  mha.dispose();
}

for (const nb of testBackends()) {
  describe(`MultiheadAttention parity with PyTorch nn.MultiheadAttention on ${nb.name}`, () => {
    for (const c of CASES) {
      it(`batch_first, ${c.name}: output, per-head weights, gradients of the inputs and every parameter`, async (ctx) => {
        if (inBrowser) ctx.skip(NEEDS_NODE);
        const m = await nodeModules();
        const missing = await torchMissing(m);
        if (missing) ctx.skip(missing);
        await parityCase(m, await nb.get(), c);
      });
    }
  });
}
