// The element-wise family (webgpu-torch's op table idea): each op is one row giving its WGSL op
// code (shaders/elementwise.wgsl) and its CPU twin; forward and backward are built from rows.
// Binary ops broadcast like PyTorch; the gradient of a broadcast operand is summed back to its shape.

import code from '../../../shaders/elementwise.wgsl?raw';
import { record1 } from '../autograd';
import type { Backend } from '../backend';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { broadcastShapes, coalesceDims, sameShape, type Shape } from '../shape';
import { cpuArray, empty, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { sumTo } from './reduce';
import { elementwiseRows } from '../wasm/elementwise-rows';

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

/** erf via Numerical Recipes' erfcc (fractional error < 1.2e-7), the same formula as the WGSL. */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}

const sigmoidCpu = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);

type Fn1 = (x: number, a: number, b: number) => number;
type Fn2 = (x: number, y: number, a: number, b: number) => number;

export const UNARY = {
  copy: { code: 0, cpu: ((x) => x) as Fn1 },
  neg: { code: 1, cpu: ((x) => -x) as Fn1 },
  relu: { code: 2, cpu: ((x) => Math.max(x, 0)) as Fn1 },
  gelu: { code: 3, cpu: ((x) => 0.5 * x * (1 + erf(x * INV_SQRT2))) as Fn1 },
  tanh: { code: 4, cpu: ((x) => Math.tanh(x)) as Fn1 },
  sigmoid: { code: 5, cpu: sigmoidCpu as Fn1 },
  exp: { code: 6, cpu: ((x) => Math.exp(x)) as Fn1 },
  log: { code: 7, cpu: ((x) => Math.log(x)) as Fn1 },
  sqrt: { code: 8, cpu: ((x) => Math.sqrt(x)) as Fn1 },
  abs: { code: 9, cpu: ((x) => Math.abs(x)) as Fn1 },
  square: { code: 10, cpu: ((x) => x * x) as Fn1 },
  affine: { code: 11, cpu: ((x, a, b) => a * x + b) as Fn1 },
  clamp: { code: 12, cpu: ((x, a, b) => Math.min(Math.max(x, a), b)) as Fn1 },
  powAbs: { code: 13, cpu: ((x, a) => Math.pow(Math.abs(x), a)) as Fn1 },
  fill: { code: 14, cpu: ((_x, a) => a) as Fn1 },
  reciprocal: { code: 15, cpu: ((x) => 1 / x) as Fn1 },
  isFinite: { code: 16, cpu: ((x) => (Number.isFinite(x) ? 1 : 0)) as Fn1 },
} as const;

export const BINARY = {
  add: { code: 0, cpu: ((x, y) => x + y) as Fn2 },
  sub: { code: 1, cpu: ((x, y) => x - y) as Fn2 },
  mul: { code: 2, cpu: ((x, y) => x * y) as Fn2 },
  div: { code: 3, cpu: ((x, y) => x / y) as Fn2 },
  maximum: { code: 4, cpu: ((x, y) => Math.max(x, y)) as Fn2 },
  minimum: { code: 5, cpu: ((x, y) => Math.min(x, y)) as Fn2 },
  reluGrad: { code: 6, cpu: ((g, x) => (x > 0 ? g : 0)) as Fn2 },
  geluGrad: {
    code: 7,
    cpu: ((g, x) => g * (0.5 * (1 + erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x))) as Fn2,
  },
  tanhGrad: { code: 8, cpu: ((g, y) => g * (1 - y * y)) as Fn2 },
  sigmoidGrad: { code: 9, cpu: ((g, y) => g * y * (1 - y)) as Fn2 },
  absGrad: { code: 10, cpu: ((g, x) => g * sign(x)) as Fn2 },
  clampGrad: { code: 11, cpu: ((g, x, a, b) => (x >= a && x <= b ? g : 0)) as Fn2 },
  powAbsGrad: {
    code: 12,
    cpu: ((g, x, a) => (x === 0 && a >= 1 ? 0 : g * a * Math.pow(Math.abs(x), a - 1) * sign(x))) as Fn2,
  },
  axpby: { code: 13, cpu: ((x, y, a, b) => a * x + b * y) as Fn2 },
} as const;

/** Op names by code. */
const UNARY_NAMES: string[] = [];
for (const [name, row] of Object.entries(UNARY)) UNARY_NAMES[row.code] = name;
const BINARY_NAMES: string[] = [];
for (const [name, row] of Object.entries(BINARY)) BINARY_NAMES[row.code] = name;

export type UnaryOp = keyof typeof UNARY;
export type BinaryOp = keyof typeof BINARY;

function spec(entryPoint: 'unary_main' | 'binary_main', op: number, contig: boolean): KernelSpec {
  return {
    name: 'elementwise',
    code,
    entryPoint,
    constants: { OP: op, CONTIG: contig ? 1 : 0 },
    bindings: ['read', 'read', 'write'],
  };
}

/** Strides of `t` seen through a broadcast to `shape` (0 on broadcast dims), right-aligned. */
export function broadcastStrides(t: Tensor, shape: Shape): number[] {
  const out = new Array<number>(shape.length).fill(0);
  const off = shape.length - t.rank;
  for (let i = 0; i < t.rank; i++) out[off + i] = t.shape[i] === 1 && shape[off + i] !== 1 ? 0 : t.strides[i];
  return out;
}

function pad8(v: readonly number[], fill: number): number[] {
  if (v.length > 8) throw new Error(`element-wise ops support rank ≤ 8, got ${v.length}`);
  return [...new Array<number>(8 - v.length).fill(fill), ...v];
}

function contiguousStridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Core launcher: out[idx] = f(a[idx], b[idx]) over `shape`, where `out` may be a strided view
 * (used by copy-into-slice). With b null the unary op runs.
 */
function launch(
  backend: Backend,
  kind: 'unary' | 'binary',
  op: number,
  cpu: (x: number, y: number, a: number, b: number) => number,
  shape: Shape,
  a: Tensor,
  b: Tensor | null,
  out: Tensor,
  alpha: number,
  beta: number,
): void {
  const n = out.size;
  if (n === 0) return;
  const sa = broadcastStrides(a, shape);
  const sb = b ? broadcastStrides(b, shape) : sa;
  const so = out.strides;
  if (backend.kind === 'cpu' && backend.wasm) {
    // The WebAssembly backend's row loops (src/engine/wasm/elementwise-rows.ts); the loop below stays the reference.
    const name = (kind === 'unary' ? UNARY_NAMES : BINARY_NAMES)[op];
    const A = cpuArray(a);
    elementwiseRows(kind, name, cpu, shape, A, a.offset, sa, b ? cpuArray(b) : A, b ? b.offset : a.offset, sb, cpuArray(out), out.offset, so, alpha, beta);
    return;
  }
  if (backend.kind === 'cpu') {
    const A = cpuArray(a);
    const B = b ? cpuArray(b) : A;
    const O = cpuArray(out);
    const rank = shape.length;
    const idx = new Array<number>(rank).fill(0);
    let ia = a.offset;
    let ib = b ? b.offset : a.offset;
    let io = out.offset;
    for (let i = 0; i < n; i++) {
      O[io] = cpu(A[ia], B[ib], alpha, beta);
      for (let d = rank - 1; d >= 0; d--) {
        idx[d]++;
        ia += sa[d];
        ib += sb[d];
        io += so[d];
        if (idx[d] < shape[d]) break;
        ia -= sa[d] * shape[d];
        ib -= sb[d] * shape[d];
        io -= so[d] * shape[d];
        idx[d] = 0;
      }
    }
    return;
  }
  const cs = contiguousStridesOf(shape);
  const isContig = (s: readonly number[]) => s.every((v, i) => shape[i] === 1 || v === cs[i]);
  const contig = isContig(sa) && isContig(sb) && isContig(so);
  const u = uniforms();
  // Fewest dims for the kernel's unravel (a transpose of [B, T, h, d] keeps 4, a slice 2).
  const c = coalesceDims(shape, [sa, sb, so]);
  const sh = pad8(c.shape, 1);
  const [a8, b8, o8] = c.strides.map((st) => pad8(st, 0));
  u.vec4u(...sh.slice(0, 4)).vec4u(...sh.slice(4));
  u.vec4u(...a8.slice(0, 4)).vec4u(...a8.slice(4));
  u.vec4u(...b8.slice(0, 4)).vec4u(...b8.slice(4));
  u.vec4u(...o8.slice(0, 4)).vec4u(...o8.slice(4));
  u.u32(n, a.offset, b ? b.offset : a.offset, out.offset).f32(alpha, beta).u32(0x7fc00000, 0); // a quiet NaN's bits
  // A kernel may not read and write one buffer in a dispatch: a fill (a === out) reads the dummy.
  const A = a.storage === out.storage ? backend.dummy : gpuBuffer(a);
  backend.dispatch(
    spec(kind === 'unary' ? 'unary_main' : 'binary_main', op, contig),
    [A, b ? gpuBuffer(b) : A, gpuBuffer(out)],
    u,
    Math.ceil(n / 256),
  );
}

function assertF32(t: Tensor, op: string): void {
  if (t.dtype !== 'f32') throw new Error(`${op}: expected an f32 tensor, got ${t.dtype}`);
}

/** Unary op without autograd. */
export function unaryRaw(op: UnaryOp, x: Tensor, alpha = 0, beta = 0): Tensor {
  assertF32(x, op);
  const out = empty(x.shape, 'f32', x.backend);
  const row = UNARY[op];
  launch(x.backend, 'unary', row.code, (v, _y, a, b) => row.cpu(v, a, b), x.shape, x, null, out, alpha, beta);
  return out;
}

/** Binary op without autograd; broadcasts. */
export function binaryRaw(op: BinaryOp, x: Tensor, y: Tensor, alpha = 0, beta = 0): Tensor {
  assertF32(x, op);
  assertF32(y, op);
  if (x.backend !== y.backend) throw new Error(`${op}: operands are on different backends`);
  const shape = broadcastShapes(x.shape, y.shape);
  const out = empty(shape, 'f32', x.backend);
  launch(x.backend, 'binary', BINARY[op].code, BINARY[op].cpu, shape, x, y, out, alpha, beta);
  return out;
}

/** dst[...] = src[...] element by element; dst may be any strided view (e.g. a slice of a bigger tensor). */
export function copyInto(dst: Tensor, src: Tensor): void {
  if (!sameShape(dst.shape, src.shape)) throw new Error(`copyInto: shapes [${dst.shape}] and [${src.shape}] differ`);
  if (dst.dtype !== src.dtype) throw new Error('copyInto: dtypes differ');
  if (src.dtype === 'i32' && src.backend.kind !== 'cpu') {
    throw new Error('copyInto: strided copies of i32 tensors are only supported on the CPU');
  }
  launch(dst.backend, 'unary', UNARY.copy.code, (v) => v, dst.shape, src, null, dst, 0, 0);
}

/** Fills `dst` (any view) with a constant. */
export function fillInto(dst: Tensor, value: number): void {
  launch(dst.backend, 'unary', UNARY.fill.code, () => value, dst.shape, dst, null, dst, value, 0);
}

// ---- ops with autograd ---------------------------------------------------------------------

function unaryWithGrad(op: UnaryOp, x: Tensor, grad: (g: Tensor, out: Tensor) => Tensor, alpha = 0, beta = 0): Tensor {
  const out = unaryRaw(op, x, alpha, beta);
  return record1(out, [x], (g) => [grad(g, out)], op);
}

export const neg = (x: Tensor) => unaryWithGrad('neg', x, (g) => unaryRaw('neg', g));
export const relu = (x: Tensor) => unaryWithGrad('relu', x, (g) => binaryRaw('reluGrad', g, x));
/** GELU, exact (erf) form: x·Φ(x), PyTorch's default `approximate='none'`. */
export const gelu = (x: Tensor) => unaryWithGrad('gelu', x, (g) => binaryRaw('geluGrad', g, x));
export const tanh = (x: Tensor) => unaryWithGrad('tanh', x, (g, y) => binaryRaw('tanhGrad', g, y));
export const sigmoid = (x: Tensor) => unaryWithGrad('sigmoid', x, (g, y) => binaryRaw('sigmoidGrad', g, y));
export const exp = (x: Tensor) => unaryWithGrad('exp', x, (g, y) => binaryRaw('mul', g, y));
export const log = (x: Tensor) => unaryWithGrad('log', x, (g) => binaryRaw('div', g, x));
/** d sqrt(x) = g / (2 sqrt(x)). */
export const sqrt = (x: Tensor) =>
  unaryWithGrad('sqrt', x, (g, y) => {
    const t = binaryRaw('div', g, y);
    const r = unaryRaw('affine', t, 0.5, 0);
    t.dispose();
    return r;
  });
export const abs = (x: Tensor) => unaryWithGrad('abs', x, (g) => binaryRaw('absGrad', g, x));
/** d x² = 2·g·x. */
export const square = (x: Tensor) =>
  unaryWithGrad('square', x, (g) => {
    const t = binaryRaw('mul', g, x);
    const r = unaryRaw('affine', t, 2, 0);
    t.dispose();
    return r;
  });
/** c·x */
export const scale = (x: Tensor, c: number) => unaryWithGrad('affine', x, (g) => unaryRaw('affine', g, c, 0), c, 0);
/** x + c */
export const addScalar = (x: Tensor, c: number) => unaryWithGrad('affine', x, (g) => unaryRaw('copy', g), 1, c);
/** torch.clamp(x, lo, hi); the gradient passes where lo ≤ x ≤ hi. */
export const clamp = (x: Tensor, lo: number, hi: number) =>
  unaryWithGrad('clamp', x, (g) => binaryRaw('clampGrad', g, x, lo, hi), lo, hi);
/** |x|^p, for p-norms. */
export const powAbs = (x: Tensor, p: number) => unaryWithGrad('powAbs', x, (g) => binaryRaw('powAbsGrad', g, x, p), p);

function binaryWithGrad(
  op: BinaryOp,
  x: Tensor,
  y: Tensor,
  gx: ((g: Tensor) => Tensor) | null,
  gy: ((g: Tensor) => Tensor) | null,
): Tensor {
  const out = binaryRaw(op, x, y);
  return record1(
    out,
    [x, y],
    (g) => [
      x.requiresGrad && gx ? reduceTo(gx(g), x.shape) : null,
      y.requiresGrad && gy ? reduceTo(gy(g), y.shape) : null,
    ],
    op,
  );
}

/** Sums a broadcast gradient back to an operand's shape (and frees the unreduced one). */
function reduceTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const r = sumTo(g, shape);
  g.dispose();
  return r;
}

export const add = (x: Tensor, y: Tensor) => binaryWithGrad('add', x, y, (g) => unaryRaw('copy', g), (g) => unaryRaw('copy', g));
export const sub = (x: Tensor, y: Tensor) => binaryWithGrad('sub', x, y, (g) => unaryRaw('copy', g), (g) => unaryRaw('neg', g));
export const mul = (x: Tensor, y: Tensor) => binaryWithGrad('mul', x, y, (g) => binaryRaw('mul', g, y), (g) => binaryRaw('mul', g, x));
/** x / y; d/dy = -g·x/y² = -g·out/y. */
export const div = (x: Tensor, y: Tensor) =>
  binaryWithGrad(
    'div',
    x,
    y,
    (g) => binaryRaw('div', g, y),
    (g) => {
      const q = binaryRaw('div', x, y);
      const t = binaryRaw('mul', g, q);
      const r = binaryRaw('div', t, y);
      q.dispose();
      t.dispose();
      const n = unaryRaw('neg', r);
      r.dispose();
      return n;
    },
  );
