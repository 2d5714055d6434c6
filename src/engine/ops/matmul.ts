// Batched matmul with broadcasting batch dims, transposed operands read as views, optional bias.
//   shapes: a [...batch, M, K], b [...batch, K, N] (or [K, N]), bias [N] → out [...batch, M, N]
//   backward: dA = dC · Bᵀ, dB = Aᵀ · dC (summed over broadcast batch dims), dbias = Σ_rows dC.
// Kernel: shaders/matmul.wgsl.

import code from '../../../shaders/matmul.wgsl?raw';
import { record1 } from '../autograd';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { broadcastShapes, numel, shapeStr } from '../shape';
import { cpuArray, empty, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { reduceRaw, sumTo } from './reduce';
import { contiguousRaw, expand, reshapeRaw } from './view';

/** A 3-D view (batch, rows, cols) of an operand broadcast to `batchShape`, or null if its batch dims need a copy. */
interface Operand3 {
  t: Tensor;
  sb: number;
  sr: number;
  sc: number;
  owned: boolean;
}

function as3d(x: Tensor, batchShape: readonly number[]): Operand3 {
  const r = x.rank;
  const sr = x.strides[r - 2];
  const sc = x.strides[r - 1];
  const lead = batchShape.length - (r - 2);
  // Batch strides after broadcasting; collapsible when they form one arithmetic progression.
  const bs = batchShape.map((d, i) => {
    if (i < lead) return 0;
    const xd = x.shape[i - lead];
    return xd === 1 && d !== 1 ? 0 : x.strides[i - lead];
  });
  const nb = numel(batchShape);
  const live = batchShape.map((d, i) => ({ d, s: bs[i] })).filter((e) => e.d !== 1);
  if (live.every((e) => e.s === 0)) return { t: x, sb: 0, sr, sc, owned: false };
  let ok = true;
  for (let i = 0; i + 1 < live.length; i++) if (live[i].s !== live[i + 1].s * live[i + 1].d) ok = false;
  if (ok) return { t: x, sb: live.length ? live[live.length - 1].s : 0, sr, sc, owned: false };
  // Mixed broadcast/non-collapsible batch dims: materialise the broadcast.
  const e = expand(x, [...batchShape, x.shape[r - 2], x.shape[r - 1]]);
  const c = contiguousRaw(e);
  e.dispose();
  const rows = x.shape[r - 2];
  const cols = x.shape[r - 1];
  void nb;
  return { t: c, sb: rows * cols, sr: cols, sc: 1, owned: true };
}

const SPEC_4X4 = (bias: boolean): KernelSpec => ({
  name: 'matmul',
  code,
  entryPoint: 'mm_4x4',
  constants: { HAS_BIAS: bias ? 1 : 0 },
  bindings: ['read', 'read', 'read', 'write'],
});

/** matmul without autograd. */
export function matmulRaw(a: Tensor, b: Tensor, bias?: Tensor | null): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: operands must have rank ≥ 2, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new Error('matmul: f32 operands expected');
  const M = a.shape[a.rank - 2];
  const K = a.shape[a.rank - 1];
  const N = b.shape[b.rank - 1];
  if (b.shape[b.rank - 2] !== K) throw new Error(`matmul: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not align (${K} vs ${b.shape[b.rank - 2]})`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== N)) throw new Error(`matmul: bias must have shape [${N}], got ${shapeStr(bias.shape)}`);
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = numel(batchShape);
  const out = empty([...batchShape, M, N], 'f32', a.backend);
  if (out.size === 0) return out;
  const A = as3d(a, batchShape);
  const B = as3d(b, batchShape);
  if (a.backend.kind === 'cpu') {
    const X = cpuArray(A.t);
    const Y = cpuArray(B.t);
    const O = cpuArray(out);
    const Z = bias ? cpuArray(bias) : null;
    for (let n = 0; n < batch; n++) {
      const ba = A.t.offset + n * A.sb;
      const bb = B.t.offset + n * B.sb;
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let acc = 0;
          for (let k = 0; k < K; k++) acc += X[ba + i * A.sr + k * A.sc] * Y[bb + k * B.sr + j * B.sc];
          O[(n * M + i) * N + j] = Z ? acc + Z[bias!.offset + j] : acc;
        }
      }
    }
  } else {
    const u = uniforms()
      .u32(M, N, K, batch)
      .u32(A.sb, A.sr, A.sc, A.t.offset)
      .u32(B.sb, B.sr, B.sc, B.t.offset)
      .u32(0, bias ? bias.offset : 0, 0, 0);
    const biasBuf = bias ? gpuBuffer(bias) : a.backend.dummy;
    a.backend.dispatch(SPEC_4X4(!!bias), [gpuBuffer(A.t), gpuBuffer(B.t), biasBuf, gpuBuffer(out)], u, [
      Math.ceil(N / 32),
      Math.ceil(M / 32),
      batch,
    ]);
  }
  if (A.owned) A.t.dispose();
  if (B.owned) B.t.dispose();
  return out;
}

function tView(x: Tensor): Tensor {
  const r = x.rank;
  const shape = [...x.shape];
  const strides = [...x.strides];
  [shape[r - 2], shape[r - 1]] = [shape[r - 1], shape[r - 2]];
  [strides[r - 2], strides[r - 1]] = [strides[r - 1], strides[r - 2]];
  return x.view(shape, strides, x.offset);
}

/** torch.matmul for rank ≥ 2 operands, with an optional bias added to every row (a fused epilogue). */
export function matmul(a: Tensor, b: Tensor, bias?: Tensor | null): Tensor {
  const out = matmulRaw(a, b, bias);
  const inputs = bias ? [a, b, bias] : [a, b];
  return record1(
    out,
    inputs,
    (g) => {
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (a.requiresGrad) {
        const bt = tView(b);
        const full = matmulRaw(g, bt);
        bt.dispose();
        ga = full.rank === a.rank && full.shape.every((d, i) => d === a.shape[i]) ? full : sumAndFree(full, a.shape);
      }
      if (b.requiresGrad) {
        if (b.rank === 2 && a.rank > 2) {
          // Shared weight: dB = A₂ᵀ · dC₂ with the batch folded into the rows (no per-batch copies).
          const a2 = reshapeRaw(a, [-1, a.shape[a.rank - 1]]);
          const g2 = reshapeRaw(g, [-1, g.shape[g.rank - 1]]);
          const at = tView(a2);
          gb = matmulRaw(at, g2);
          for (const t of [a2, g2, at]) t.dispose();
        } else {
          const at = tView(a);
          const full = matmulRaw(at, g);
          at.dispose();
          gb = full.rank === b.rank && full.shape.every((d, i) => d === b.shape[i]) ? full : sumAndFree(full, b.shape);
        }
      }
      const gbias = bias?.requiresGrad ? reduceRaw('sum', g, [...Array(g.rank - 1).keys()]) : null;
      return [ga, gb, gbias];
    },
    'matmul',
  );
}

function sumAndFree(t: Tensor, shape: readonly number[]): Tensor {
  const r = sumTo(t, shape);
  t.dispose();
  return r;
}

/** PyTorch's nn.functional.linear: x · Wᵀ + b with W of shape [out, in]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const wt = weight.view([weight.shape[1], weight.shape[0]], [weight.strides[1], weight.strides[0]], weight.offset);
  // The transposed view must carry the gradient back to `weight`: record it as a transpose op.
  const wtg = record1(wt, [weight], (g) => [transposedCopy(g)], 'transpose');
  return matmul(x, wtg, bias);
}

function transposedCopy(g: Tensor): Tensor {
  const v = tView(g);
  const c = contiguousRaw(v);
  v.dispose();
  return c;
}
