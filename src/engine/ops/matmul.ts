// Batched matmul with broadcasting batch dims, transposed operands read as views, optional bias
// and activation epilogue.
//   shapes: a [...batch, M, K], b [...batch, K, N] (or [K, N]), bias [N] → out [...batch, M, N]
//   out = act(a · b + bias), act ∈ {identity, relu, gelu}
//   backward (identity act): dA = dC · Bᵀ, dB = Aᵀ · dC (summed over broadcast batch dims),
//   dbias = Σ_rows dC.
// Kernels: shaders/matmul.wgsl, one entry point per variant (simple reference, register-tiled
// 4/8/16, workgroup-tiled 64), and shaders/matmul_subgroup.wgsl (register-tiled 16 sharing B
// across a quad; only where the device has `subgroups`). The variant is chosen per call: an
// explicit option, else a forced one (tests, benchmarks), else the per-adapter autotuned table
// (src/engine/gpu/autotune.ts), else a deterministic default by adapter and problem size.

import code from '../../../shaders/matmul.wgsl?raw';
import subgroupCode from '../../../shaders/matmul_subgroup.wgsl?raw';
import { isGradEnabled, record1 } from '../autograd';
import { autotune, fnv1a, tunedChoice, type AutotuneOptions, type TuneProblem, type TuneTable, type Tunable } from '../gpu/autotune';
import type { GpuBackend } from '../gpu/gpu-backend';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { broadcastShapes, numel, shapeStr } from '../shape';
import { cpuArray, empty, fromData, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { UNARY } from './elementwise';
import { reduceRaw, sumTo } from './reduce';
import { contiguousRaw, expand, reshape, reshapeRaw } from './view';
import { wasmMatmul } from '../wasm/matmul';

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
  return { t: c, sb: rows * cols, sr: cols, sc: 1, owned: true };
}

/** Activation codes of the fused epilogue; must match ACT_* in shaders/matmul.wgsl. */
export const MATMUL_ACTIVATIONS = { none: 0, relu: 1, gelu: 2 } as const;
export type MatmulActivation = keyof typeof MATMUL_ACTIVATIONS;

interface VariantInfo {
  entryPoint: string;
  /** Rows and columns of C per workgroup: outputs per invocation × workgroup size. */
  block: number;
  /** A device feature the kernel needs (its WGSL then starts with `enable <feature>;`). */
  needs?: GPUFeatureName;
}

/**
 * The kernels, llm.c style from simplest to fastest: `simple` (kernel 1, the reference), the
 * barrier-free register-tiled `reg4`/`reg8`/`reg16` (T×T outputs per invocation; the fastest on
 * SwiftShader), and the workgroup-memory tiled `wg64` (64×64 per workgroup; meant for real GPUs,
 * where the autotuner decides; on SwiftShader it is slow, every barrier being a coroutine switch).
 */
export const MATMUL_VARIANTS = {
  simple: { entryPoint: 'mm_4x4', block: 32 },
  reg4: { entryPoint: 'mm_reg4', block: 16 },
  reg8: { entryPoint: 'mm_reg8', block: 32 },
  reg16: { entryPoint: 'mm_reg16', block: 64 },
  wg64: { entryPoint: 'mm_wg64', block: 64 },
  sg16: { entryPoint: 'mm_sg16', block: 64, needs: 'subgroups' },
} as const satisfies Record<string, VariantInfo>;
export type MatmulVariant = keyof typeof MATMUL_VARIANTS;
export const MATMUL_VARIANT_NAMES = Object.keys(MATMUL_VARIANTS) as MatmulVariant[];

const SUBGROUP_CODE = `enable subgroups;\n${code}\n${subgroupCode}`;

const specs = new Map<MatmulVariant, KernelSpec>();
function specOf(v: MatmulVariant): KernelSpec {
  let s = specs.get(v);
  if (!s) {
    const info: VariantInfo = MATMUL_VARIANTS[v];
    s = info.needs
      ? { name: 'matmul_subgroup', code: SUBGROUP_CODE, entryPoint: info.entryPoint, bindings: ['read', 'read', 'read', 'write'] }
      : { name: 'matmul', code, entryPoint: info.entryPoint, bindings: ['read', 'read', 'read', 'write'] };
    specs.set(v, s);
  }
  return s;
}

/** Whether this backend's device can run variant `v` (it has the feature the kernel needs). */
export function matmulVariantAvailable(backend: GpuBackend, v: MatmulVariant): boolean {
  const needs = (MATMUL_VARIANTS[v] as VariantInfo).needs;
  return !needs || backend.ctx.features.has(needs);
}

/** The variants this backend's device can run. */
export function matmulVariantsOn(backend: GpuBackend): MatmulVariant[] {
  return MATMUL_VARIANT_NAMES.filter((v) => matmulVariantAvailable(backend, v));
}

export interface MatmulOptions {
  /** Fused epilogue act(a·b + bias); default 'none'. Forward only: `matmul` records no activation. */
  activation?: MatmulActivation;
  /** Run this kernel instead of the selected one (tests, benchmarks). */
  variant?: MatmulVariant;
}

let forced: MatmulVariant | null = null;

/** Makes every GPU matmul (including those inside backward passes) use `v`; null restores selection. */
export function forceMatmulVariant(v: MatmulVariant | null): void {
  forced = v;
}

/** Features of a problem for the autotuner's nearest-neighbour lookup: log₂ outputs, log₂ depth. */
function problemPoint(M: number, N: number, K: number, batch: number): number[] {
  return [Math.log2(Math.max(1, M * N * batch)), Math.log2(Math.max(1, K))];
}

// On SwiftShader the workgroups of a dispatch are spread over the CPU cores and each runs its
// invocations 4 at a time in SIMD lanes, so a larger tile pays only while the grid stays wide;
// measured (docs/results.md): reg16 wins from 64 invocations up (128³), and at 64³ reg8 with 64
// invocations ties reg16 with 16.
const MIN_INVOCATIONS = 64;

/** The deterministic choice (no autotuning): by adapter family and problem size. */
export function defaultMatmulVariant(backend: GpuBackend, M: number, N: number, _K: number, batch: number): MatmulVariant {
  if (backend.isAdapter('swiftshader')) {
    const wide = matmulVariantAvailable(backend, 'sg16') ? 'sg16' : 'reg16';
    for (const [v, t] of [[wide, 16], ['reg8', 8]] as const) {
      if (Math.ceil(M / t) * Math.ceil(N / t) * batch >= MIN_INVOCATIONS) return v;
    }
    return 'reg4';
  }
  // A real GPU (not measured here yet; autotuning decides there): shared-memory tiles once there
  // are enough 64×64 blocks to occupy its cores.
  return Math.ceil(M / 64) * Math.ceil(N / 64) * batch >= 16 ? 'wg64' : 'reg4';
}

/** The kernel a GPU matmul of this size runs (after forcing, autotuning and defaults). */
export function matmulVariantFor(backend: GpuBackend, M: number, N: number, K: number, batch: number): MatmulVariant {
  if (forced) return forced;
  return (
    tunedChoice<MatmulVariant>(backend, 'matmul', problemPoint(M, N, K, batch)) ?? defaultMatmulVariant(backend, M, N, K, batch)
  );
}

function applyActivation(x: number, act: MatmulActivation): number {
  return act === 'relu' ? UNARY.relu.cpu(x, 0, 0) : act === 'gelu' ? UNARY.gelu.cpu(x, 0, 0) : x;
}

/** matmul without autograd, with an optional fused activation epilogue. */
export function matmulRaw(a: Tensor, b: Tensor, bias?: Tensor | null, options: MatmulOptions = {}): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: operands must have rank ≥ 2, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new Error('matmul: f32 operands expected');
  const M = a.shape[a.rank - 2];
  const K = a.shape[a.rank - 1];
  const N = b.shape[b.rank - 1];
  if (b.shape[b.rank - 2] !== K) throw new Error(`matmul: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not align (${K} vs ${b.shape[b.rank - 2]})`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== N)) throw new Error(`matmul: bias must have shape [${N}], got ${shapeStr(bias.shape)}`);
  const act = options.activation ?? 'none';
  if (!(act in MATMUL_ACTIVATIONS)) throw new Error(`matmul: unknown activation '${act}'`);
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = numel(batchShape);
  const out = empty([...batchShape, M, N], 'f32', a.backend);
  if (out.size === 0) return out;
  const A = as3d(a, batchShape);
  const B = as3d(b, batchShape);
  if (a.backend.kind === 'cpu' && a.backend.wasm && act !== 'gelu' && (!bias || bias.strides[0] === 1)) {
    // WebAssembly SIMD kernel (src/engine/wasm/matmul.ts); the loops below stay the reference.
    const operand = (o: Operand3) => ({ data: cpuArray(o.t) as Float32Array, offset: o.t.offset, sb: o.sb, sr: o.sr, sc: o.sc });
    const z = bias ? { data: cpuArray(bias) as Float32Array, offset: bias.offset } : null;
    wasmMatmul(a.backend.wasm, operand(A), operand(B), batch, M, N, K, z, act, cpuArray(out) as Float32Array, 0);
  } else if (a.backend.kind === 'cpu') {
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
          O[(n * M + i) * N + j] = applyActivation(Z ? acc + Z[bias!.offset + j] : acc, act);
        }
      }
    }
  } else {
    const backend = a.backend;
    const variant = options.variant ?? matmulVariantFor(backend, M, N, K, batch);
    if (!matmulVariantAvailable(backend, variant)) throw new Error(`matmul: kernel ${variant} needs the '${(MATMUL_VARIANTS[variant] as VariantInfo).needs}' feature, which this device lacks`);
    const block = MATMUL_VARIANTS[variant].block;
    const u = uniforms()
      .u32(M, N, K, batch)
      .u32(A.sb, A.sr, A.sc, A.t.offset)
      .u32(B.sb, B.sr, B.sc, B.t.offset)
      .u32(0, bias ? bias.offset : 0, bias ? 1 : 0, MATMUL_ACTIVATIONS[act]);
    const biasBuf = bias ? gpuBuffer(bias) : backend.dummy;
    backend.dispatch(specOf(variant), [gpuBuffer(A.t), gpuBuffer(B.t), biasBuf, gpuBuffer(out)], u, [
      Math.ceil(N / block),
      Math.ceil(M / block),
      batch,
    ]);
  }
  if (A.owned) A.t.dispose();
  if (B.owned) B.t.dispose();
  return out;
}

interface TuneShape {
  M: number;
  N: number;
  K: number;
  batch: number;
}

/** Problems the matmul autotuner times: square sizes, a wide output and a batched thin one (attention-like). */
const TUNE_PROBLEMS: TuneShape[] = [
  { M: 64, N: 64, K: 64, batch: 1 },
  { M: 128, N: 128, K: 128, batch: 1 },
  { M: 256, N: 256, K: 256, batch: 1 },
  { M: 512, N: 512, K: 128, batch: 1 },
  { M: 64, N: 64, K: 16, batch: 16 },
];

const tuneLabel = (p: TuneShape) => `${p.batch > 1 ? `${p.batch}×` : ''}${p.M}×${p.N}×${p.K}`;

/** The matmul tunable: every variant on TUNE_PROBLEMS, with fixed pseudo-random operands. */
export const matmulTunable: Tunable<MatmulVariant> = {
  op: 'matmul',
  version: fnv1a(SUBGROUP_CODE),
  candidates: (backend: GpuBackend) => matmulVariantsOn(backend),
  problems: () => TUNE_PROBLEMS.map((p) => ({ label: tuneLabel(p), point: problemPoint(p.M, p.N, p.K, p.batch) })),
  prepare(backend: GpuBackend, problem: TuneProblem) {
    const p = TUNE_PROBLEMS.find((q) => tuneLabel(q) === problem.label);
    if (!p) throw new Error(`matmul autotune: unknown problem ${problem.label}`);
    // Knuth's multiplicative hash gives values spread over [-0.5, 0.5) without an RNG.
    const fill = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
    const x = fromData(fill(p.batch * p.M * p.K), [p.batch, p.M, p.K], 'f32', backend);
    const w = fromData(fill(p.K * p.N), [p.K, p.N], 'f32', backend);
    return {
      run: (v: MatmulVariant) => matmulRaw(x, w, null, { variant: v }).dispose(),
      dispose: () => {
        x.dispose();
        w.dispose();
      },
    };
  },
};

/**
 * Times every matmul variant on this adapter once (stored per adapter; see autotune.ts) so that
 * later matmuls use the fastest kernel for their size. Call after creating the backend.
 */
export function autotuneMatmul(backend: GpuBackend, options: AutotuneOptions = {}): Promise<TuneTable<MatmulVariant>> {
  return autotune(backend, matmulTunable, options);
}

function tView(x: Tensor): Tensor {
  const r = x.rank;
  const shape = [...x.shape];
  const strides = [...x.strides];
  [shape[r - 2], shape[r - 1]] = [shape[r - 1], shape[r - 2]];
  [strides[r - 2], strides[r - 1]] = [strides[r - 1], strides[r - 2]];
  return x.view(shape, strides, x.offset);
}

/**
 * `f` applied to x [..., k] viewed as [rows, k] (all leading dims folded into the rows), its
 * [rows, n] result viewed back as [..., n]. Under no-grad the two intermediate views are freed at
 * once (inference often runs outside tidy()); with grad on the tape keeps them until the
 * enclosing tidy.
 */
function onFoldedRows(x: Tensor, f: (rows: Tensor) => Tensor): Tensor {
  const x2 = reshape(x, [-1, x.shape[x.rank - 1]]);
  const y2 = f(x2);
  const y = reshape(y2, [...x.shape.slice(0, -1), y2.shape[1]]);
  if (!isGradEnabled()) {
    x2.dispose();
    y2.dispose();
  }
  return y;
}

/** torch.matmul for rank ≥ 2 operands, with an optional bias added to every row (a fused epilogue). */
export function matmul(a: Tensor, b: Tensor, bias?: Tensor | null): Tensor {
  if (b.rank === 2 && a.rank > 2 && a.isContiguous) {
    // A shared weight (every linear layer on [B, T, d]): one [B·T, d] product for the forward
    // and for dA instead of B small ones (the profiler showed matmul at 41–59 % of a step, most
    // of it in these small batched products).
    return onFoldedRows(a, (a2) => matmul(a2, b, bias));
  }
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

/**
 * PyTorch's nn.functional.linear: y = x · Wᵀ + b with W of shape [out, in], x [..., in]. Its own
 * tape entry, so that no transpose of W is ever copied:
 *   dx = dy · W,   dW = dy₂ᵀ · x₂ (rows of all leading dims folded),   db = Σ_rows dy.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.rank !== 2) throw new Error(`linear: weight must be [out, in], got ${shapeStr(weight.shape)}`);
  if (x.rank > 2 && x.isContiguous) return onFoldedRows(x, (x2) => linear(x2, weight, bias));
  const wt = tView(weight);
  const out = matmulRaw(x, wt, bias);
  wt.dispose();
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record1(
    out,
    inputs,
    (g) => {
      const gx = x.requiresGrad ? matmulRaw(g, weight) : null;
      let gw: Tensor | null = null;
      if (weight.requiresGrad) {
        const g2 = reshapeRaw(g, [-1, g.shape[g.rank - 1]]);
        const x2 = reshapeRaw(x, [-1, x.shape[x.rank - 1]]);
        const gt = tView(g2);
        gw = matmulRaw(gt, x2);
        for (const t of [g2, x2, gt]) t.dispose();
      }
      const gbias = bias?.requiresGrad ? reduceRaw('sum', g, [...Array(g.rank - 1).keys()]) : null;
      return [gx, gw, gbias];
    },
    'linear',
  );
}

