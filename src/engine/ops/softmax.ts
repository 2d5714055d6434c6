// softmax and log-softmax along an axis (torch.softmax / torch.log_softmax), with an optional
// keep-mask for attention. Kernels: shaders/softmax.wgsl (the schedule is explained there).
//
//   softmax(x)_j    = exp(x_j − m) / Σ_k exp(x_k − m),  m = max_k x_k
//   logSoftmax(x)_j = x_j − m − log Σ_k exp(x_k − m)
//   backward:  softmax    dx = y ⊙ (dy − Σ dy ⊙ y)
//              logSoftmax dx = dy − softmax(x) ⊙ Σ dy
//
// Non-finite logits follow PyTorch: a row holding a NaN or a +∞, or whose logits are all −∞, is
// NaN throughout, and so is its gradient (exp(x − m) is exp(NaN) there).
//
// Mask: an f32 tensor broadcastable to x's shape (e.g. [B, 1, 1, Tk] or [B, Tq, Tk]); 1 keeps an
// element, 0 masks it out (as if its logit were −∞). A fully masked row gives all zeros and a zero
// gradient, never NaN: a deliberate difference from PyTorch (which gives NaN there), listed in
// docs/engine.md; only the mask decides it — kept logits that are all −∞ still give NaN. For
// logSoftmax, masked positions give 0, not −∞: a −∞ would turn any loss that multiplies or sums it
// into NaN. Callers that sum log-probabilities must exclude masked positions themselves.
//
// Operands are read through their strides along and across `dim`, so any axis, transposed views
// and broadcast masks need no copies; the output is contiguous in x's shape.

import code from '../../../shaders/softmax.wgsl?raw';
import { record1 } from '../autograd';
import type { Backend } from '../backend';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { broadcastShapes, normAxis, sameShape, shapeStr, type Shape } from '../shape';
import { cpuArray, empty, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { broadcastStrides } from './elementwise';

const WORKGROUP = 64;
/** A quiet NaN's bits: WGSL has no NaN literal (a constant NaN is a shader-creation error). */
const NAN_BITS = 0x7fc00000;

/** How one operand is read: row r, element j at off + Σ_d idx_d(r)·rowStrides[d] + j·stride. */
interface Operand {
  rowStrides: number[];
  stride: number;
  off: number;
}

/** The row space is x's shape without `dim`; `strides` are the operand's strides over x's shape. */
function operand(strides: readonly number[], dim: number, off: number): Operand {
  return { rowStrides: strides.filter((_, i) => i !== dim), stride: strides[dim], off };
}

function operandOf(t: Tensor, shape: Shape, dim: number): Operand {
  return operand(broadcastStrides(t, shape), dim, t.offset);
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

function padFront(v: readonly number[], fill: number): number[] {
  if (v.length > 8) throw new Error(`softmax supports rank ≤ 9, got ${v.length + 1}`);
  return [...new Array<number>(8 - v.length).fill(fill), ...v];
}

/** Row bases of every row, in row order (for the CPU loops). */
function rowBases(rowShape: readonly number[], op: Operand): number[] {
  const n = rowShape.reduce((a, d) => a * d, 1);
  const out = new Array<number>(n);
  for (let r = 0; r < n; r++) {
    let rem = r;
    let o = op.off;
    for (let d = rowShape.length - 1; d >= 0; d--) {
      o += (rem % rowShape[d]) * op.rowStrides[d];
      rem = Math.floor(rem / rowShape[d]);
    }
    out[r] = o;
  }
  return out;
}

function checkMask(x: Tensor, mask: Tensor | null | undefined, op: string): Tensor | null {
  if (!mask) return null;
  if (mask.dtype !== 'f32') throw new Error(`${op}: the mask must be an f32 tensor (1 keep, 0 masked), got ${mask.dtype}`);
  if (mask.backend !== x.backend) throw new Error(`${op}: the mask is on a different backend`);
  let ok = mask.rank <= x.rank;
  if (ok) {
    try {
      ok = sameShape(broadcastShapes(mask.shape, x.shape), x.shape);
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new Error(`${op}: mask ${shapeStr(mask.shape)} does not broadcast to x ${shapeStr(x.shape)}`);
  return mask;
}

function spec(entryPoint: 'softmax_forward' | 'softmax_backward', log: boolean): KernelSpec {
  return {
    name: 'softmax',
    code,
    entryPoint,
    constants: { LOG: log ? 1 : 0 },
    bindings: entryPoint === 'softmax_forward' ? ['read', 'read', 'write'] : ['read', 'read', 'read', 'write'],
  };
}

function launch(backend: Backend, entry: 'softmax_forward' | 'softmax_backward', log: boolean, shape: Shape, dim: number,
  ops: Operand[], buffers: GPUBuffer[], hasMask: boolean): void {
  if (backend.kind !== 'webgpu') throw new Error('softmax launch: GPU only');
  const rowShape = padFront(shape.filter((_, i) => i !== dim), 1);
  const rows = shape.reduce((a, d, i) => (i === dim ? a : a * d), 1);
  const u = uniforms().vec4u(...rowShape.slice(0, 4)).vec4u(...rowShape.slice(4));
  for (let k = 0; k < 4; k++) {
    const st = padFront(ops[k]?.rowStrides ?? [], 0);
    u.vec4u(...st.slice(0, 4)).vec4u(...st.slice(4));
  }
  u.vec4u(...ops.map((o) => o.stride)).vec4u(...ops.map((o) => o.off));
  u.u32(shape[dim], rows, hasMask ? 1 : 0, NAN_BITS);
  backend.dispatch(spec(entry, log), buffers, u, Math.ceil(rows / WORKGROUP));
}

/** Forward without autograd: softmax (log = false) or log-softmax of x along `dim`. */
export function softmaxRaw(x: Tensor, dim = -1, mask: Tensor | null = null, log = false): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  if (x.dtype !== 'f32') throw new Error(`${op}: expected an f32 tensor, got ${x.dtype}`);
  const m = checkMask(x, mask, op);
  const d = normAxis(dim, x.rank);
  const out = empty(x.shape, 'f32', x.backend);
  const n = x.shape[d];
  if (out.size === 0) return out;
  const ox = operandOf(x, x.shape, d);
  const om = m ? operandOf(m, x.shape, d) : operand(new Array<number>(x.rank).fill(0), d, 0);
  const oy = operand(contiguousStridesOf(x.shape), d, 0);
  if (x.backend.kind === 'cpu') {
    const X = cpuArray(x);
    const M = m ? cpuArray(m) : null;
    const Y = cpuArray(out);
    const rowShape = x.shape.filter((_, i) => i !== d);
    const [bx, bm, by] = [rowBases(rowShape, ox), rowBases(rowShape, om), rowBases(rowShape, oy)];
    const keep = (r: number, j: number) => !M || M[bm[r] + j * om.stride] !== 0;
    for (let r = 0; r < bx.length; r++) {
      let mx = -Infinity;
      let kept = 0;
      for (let j = 0; j < n; j++) {
        if (!keep(r, j)) continue;
        mx = Math.max(mx, X[bx[r] + j * ox.stride]); // NaN propagates, as in PyTorch
        kept++;
      }
      if (kept === 0) {
        for (let j = 0; j < n; j++) Y[by[r] + j * oy.stride] = 0;
        continue;
      }
      let s = 0;
      for (let j = 0; j < n; j++) if (keep(r, j)) s += Math.exp(X[bx[r] + j * ox.stride] - mx);
      // All −∞ (mx = −∞), a +∞ or a NaN: exp(x − mx) is NaN somewhere, so s is NaN, and the whole
      // row is NaN, masked positions too (as masked_fill(−∞) then softmax gives in PyTorch).
      if (Number.isNaN(s)) {
        for (let j = 0; j < n; j++) Y[by[r] + j * oy.stride] = NaN;
        continue;
      }
      const logS = Math.log(s);
      for (let j = 0; j < n; j++) {
        const v = X[bx[r] + j * ox.stride];
        Y[by[r] + j * oy.stride] = !keep(r, j) ? 0 : log ? v - mx - logS : Math.exp(v - mx) / s;
      }
    }
    return out;
  }
  const b = x.backend;
  launch(b, 'softmax_forward', log, x.shape, d, [ox, om, oy], [gpuBuffer(x), m ? gpuBuffer(m) : b.dummy, gpuBuffer(out)], !!m);
  return out;
}

/** dx from the forward output y and the output gradient dy, without autograd. */
export function softmaxBackwardRaw(y: Tensor, dy: Tensor, dim = -1, mask: Tensor | null = null, log = false): Tensor {
  const d = normAxis(dim, y.rank);
  if (!sameShape(y.shape, dy.shape)) throw new Error(`softmax backward: dy ${shapeStr(dy.shape)} differs from y ${shapeStr(y.shape)}`);
  const dx = empty(y.shape, 'f32', y.backend);
  const n = y.shape[d];
  if (dx.size === 0) return dx;
  // The softmax gradient needs no mask: y = 0 at masked positions already zeroes them.
  const m = log ? mask : null;
  const oy = operandOf(y, y.shape, d);
  const og = operandOf(dy, y.shape, d);
  const om = m ? operandOf(m, y.shape, d) : operand(new Array<number>(y.rank).fill(0), d, 0);
  const od = operand(contiguousStridesOf(y.shape), d, 0);
  if (y.backend.kind === 'cpu') {
    const Y = cpuArray(y);
    const G = cpuArray(dy);
    const M = m ? cpuArray(m) : null;
    const D = cpuArray(dx);
    const rowShape = y.shape.filter((_, i) => i !== d);
    const [by, bg, bm, bd] = [rowBases(rowShape, oy), rowBases(rowShape, og), rowBases(rowShape, om), rowBases(rowShape, od)];
    for (let r = 0; r < by.length; r++) {
      const keep = (j: number) => !M || M[bm[r] + j * om.stride] !== 0;
      let acc = 0;
      for (let j = 0; j < n; j++) {
        const g = G[bg[r] + j * og.stride];
        if (log) acc += keep(j) ? g : 0;
        else acc += g * Y[by[r] + j * oy.stride];
      }
      for (let j = 0; j < n; j++) {
        const yv = Y[by[r] + j * oy.stride];
        const g = G[bg[r] + j * og.stride];
        D[bd[r] + j * od.stride] = log ? (keep(j) ? g - Math.exp(yv) * acc : 0) : yv * (g - acc);
      }
    }
    return dx;
  }
  const b = y.backend;
  launch(b, 'softmax_backward', log, y.shape, d, [oy, og, om, od],
    [gpuBuffer(y), gpuBuffer(dy), m ? gpuBuffer(m) : b.dummy, gpuBuffer(dx)], !!m);
  return dx;
}

function withGrad(x: Tensor, dim: number, mask: Tensor | null | undefined, log: boolean): Tensor {
  const m = mask ?? null;
  const y = softmaxRaw(x, dim, m, log);
  return record1(y, [x], (g) => [softmaxBackwardRaw(y, g, dim, m, log)], log ? 'logSoftmax' : 'softmax');
}

/** torch.softmax(x, dim), with an optional keep-mask (1 keep, 0 masked; fully masked rows give 0). */
export function softmax(x: Tensor, dim = -1, mask?: Tensor | null): Tensor {
  return withGrad(x, dim, mask, false);
}

/** torch.log_softmax(x, dim), with an optional keep-mask (masked and fully masked positions give 0, not −∞). */
export function logSoftmax(x: Tensor, dim = -1, mask?: Tensor | null): Tensor {
  return withGrad(x, dim, mask, true);
}
