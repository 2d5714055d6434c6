// Reductions over axes: sum, mean, sum of squares, max, max |x|, sum |x|^p.
// Kernels: shaders/reduce.wgsl. sum's backward broadcasts the gradient back (expand, a view).

import code from '../../../shaders/reduce.wgsl?raw';
import { record1 } from '../autograd';
import { uniforms } from '../gpu/uniforms';
import { coalesceDims, normAxis, type Shape } from '../shape';
import { cpuArray, empty, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { expand, reshapeRaw } from './view';
import { scale, unaryRaw } from './elementwise';

export type ReduceOp = 'sum' | 'sumSquares' | 'max' | 'maxAbs' | 'sumPowAbs';
const OP_CODE: Record<ReduceOp, number> = { sum: 0, sumSquares: 1, max: 2, maxAbs: 3, sumPowAbs: 4 };

function cpuReduce(op: ReduceOp, alpha: number): { init: number; map: (x: number) => number; combine: (a: number, b: number) => number } {
  const sum = (a: number, b: number) => a + b;
  const max = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
  switch (op) {
    case 'sum':
      return { init: 0, map: (x) => x, combine: sum };
    case 'sumSquares':
      return { init: 0, map: (x) => x * x, combine: sum };
    case 'max':
      return { init: -3.4028234e38, map: (x) => x, combine: max };
    case 'maxAbs':
      return { init: 0, map: (x) => Math.abs(x), combine: max };
    case 'sumPowAbs':
      return { init: 0, map: (x) => Math.pow(Math.abs(x), alpha), combine: sum };
  }
}

/**
 * Reduces `x` over `axes` without autograd. The result keeps the reduced axes as size 1 when
 * `keepDims`, else drops them. `alpha` is p for sumPowAbs.
 */
export function reduceRaw(op: ReduceOp, x: Tensor, axes: readonly number[], keepDims = false, alpha = 0): Tensor {
  if (x.dtype !== 'f32') throw new Error(`${op}: expected an f32 tensor`);
  const rank = x.rank;
  const red = new Set(axes.map((a) => normAxis(a, rank)));
  const keptAxes = [...Array(rank).keys()].filter((d) => !red.has(d));
  const redAxes = [...Array(rank).keys()].filter((d) => red.has(d));
  const outShapeKeep = x.shape.map((d, i) => (red.has(i) ? 1 : d));
  const outShape = keepDims ? outShapeKeep : keptAxes.map((d) => x.shape[d]);
  const out = empty(outShape, 'f32', x.backend);
  const nOut = out.size;
  let nRed = 1;
  for (const d of redAxes) nRed *= x.shape[d];
  if (nOut === 0) return out;
  // Fewest dims (a contiguous block becomes one), so the kernel's offset arithmetic is short.
  const keep = coalesceDims(keptAxes.map((d) => x.shape[d]), [keptAxes.map((d) => x.strides[d])]);
  const reduced = coalesceDims(redAxes.map((d) => x.shape[d]), [redAxes.map((d) => x.strides[d])]);
  const [keepShape, keepStrides, redShape, redStrides] = [keep.shape, keep.strides[0], reduced.shape, reduced.strides[0]];
  if (x.backend.kind === 'cpu') {
    const X = cpuArray(x);
    const O = cpuArray(out);
    const { init, map, combine } = cpuReduce(op, alpha);
    const offsetOf = (i: number, shape: number[], strides: number[]) => {
      let off = 0;
      for (let d = shape.length - 1; d >= 0; d--) {
        off += (i % shape[d]) * strides[d];
        i = Math.floor(i / shape[d]);
      }
      return off;
    };
    for (let k = 0; k < nOut; k++) {
      const base = x.offset + offsetOf(k, keepShape, keepStrides);
      let acc = init;
      for (let r = 0; r < nRed; r++) acc = combine(acc, map(X[base + offsetOf(r, redShape, redStrides)]));
      O[k] = acc;
    }
    return out;
  }
  // Dims are padded in front with size 1, so the innermost real dim stays innermost in offsetOf.
  const u = uniforms();
  const k8 = padFront(keepShape, 1);
  const kst8 = padFront(keepStrides, 0);
  const r8 = padFront(redShape, 1);
  const rst8 = padFront(redStrides, 0);
  u.vec4u(...k8.slice(0, 4)).vec4u(...k8.slice(4)).vec4u(...kst8.slice(0, 4)).vec4u(...kst8.slice(4));
  u.vec4u(...r8.slice(0, 4)).vec4u(...r8.slice(4)).vec4u(...rst8.slice(0, 4)).vec4u(...rst8.slice(4));
  u.u32(nOut, nRed, x.offset, 0).f32(alpha).u32(0, 0, 0);
  const useGroup = nRed >= 1024 && nOut <= 512;
  x.backend.dispatch(
    {
      name: 'reduce',
      code,
      entryPoint: useGroup ? 'reduce_group' : 'reduce_thread',
      constants: { OP: OP_CODE[op] },
      bindings: ['read', 'write'],
    },
    [gpuBuffer(x), gpuBuffer(out)],
    u,
    useGroup ? nOut : Math.ceil(nOut / 64),
  );
  return out;
}

function padFront(v: readonly number[], fill: number): number[] {
  if (v.length > 8) throw new Error(`reductions support rank ≤ 8, got ${v.length}`);
  return [...new Array<number>(8 - v.length).fill(fill), ...v];
}

function allAxes(x: Tensor): number[] {
  return [...Array(x.rank).keys()];
}

/** torch.sum(x, dim, keepdim). With no axes, sums everything to a scalar (shape []). */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = axes === undefined ? allAxes(x) : typeof axes === 'number' ? [axes] : axes;
  const out = reduceRaw('sum', x, ax, keepDims);
  return record1(out, [x], (g) => {
    const kept = x.shape.map((d, i) => (ax.map((a) => normAxis(a, x.rank)).includes(i) ? 1 : d));
    const gk = reshapeRaw(g, kept);
    const e = expand(gk, x.shape);
    const r = unaryRaw('copy', e);
    gk.dispose();
    e.dispose();
    return [r];
  }, 'sum');
}

/** torch.mean(x, dim, keepdim). */
export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = axes === undefined ? allAxes(x) : typeof axes === 'number' ? [axes] : axes;
  let n = 1;
  for (const a of ax) n *= x.shape[normAxis(a, x.rank)];
  const s = sum(x, ax, keepDims);
  return scale(s, 1 / n);
}

function stridesFor(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Sums a (broadcast) gradient down to `shape`: the reverse of broadcasting, without autograd. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const r = reduceRaw('sum', g, axes, true);
  // Drop the leading broadcast axes: a contiguous reshape, so a view.
  const v = r.view(shape, stridesFor(shape), r.offset);
  r.dispose();
  return v;
}
