// Shape ops. reshape (of contiguous data), transpose/permute, narrow/slice and expand are views
// sharing storage; contiguous() and concat() run the strided copy kernel (elementwise.wgsl, op copy).

import { record1 } from '../autograd';
import { contiguousStrides, normAxis, numel, sameShape, shapeStr, type Shape } from '../shape';
import { empty } from '../storage';
import type { Tensor } from '../tensor';
import { copyInto, fillInto } from './elementwise';
import { sumTo } from './reduce';

/** A row-major copy of x (x itself, as a new view, when it already is contiguous). */
export function contiguousRaw(x: Tensor): Tensor {
  if (x.isContiguous) return x.view(x.shape, contiguousStrides(x.shape), x.offset);
  const out = empty(x.shape, x.dtype, x.backend);
  copyInto(out, x);
  return out;
}

export function contiguous(x: Tensor): Tensor {
  const out = contiguousRaw(x);
  return record1(out, [x], (g) => [contiguousRaw(g)], 'contiguous');
}

function resolveShape(shape: readonly number[], size: number): number[] {
  const infer = shape.indexOf(-1);
  if (infer >= 0) {
    const known = shape.reduce((a, d, i) => (i === infer ? a : a * d), 1);
    if (known === 0 || size % known !== 0) throw new Error(`reshape: cannot infer -1 in ${shapeStr(shape)} for ${size} elements`);
    const s = [...shape];
    s[infer] = size / known;
    return s;
  }
  if (numel(shape) !== size) throw new Error(`reshape: ${shapeStr(shape)} does not hold ${size} elements`);
  return [...shape];
}

export function reshapeRaw(x: Tensor, shape: readonly number[]): Tensor {
  const s = resolveShape(shape, x.size);
  if (x.isContiguous) return x.view(s, contiguousStrides(s), x.offset);
  const c = contiguousRaw(x);
  const v = c.view(s, contiguousStrides(s), c.offset);
  c.dispose();
  return v;
}

/** torch.reshape: a view when x is contiguous, else a copy. One size may be -1. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const out = reshapeRaw(x, shape);
  return record1(out, [x], (g) => [reshapeRaw(g, x.shape)], 'reshape');
}

/** torch.permute. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.rank) throw new Error(`permute: ${dims.length} dims for a tensor of rank ${x.rank}`);
  const d = dims.map((a) => normAxis(a, x.rank));
  if (new Set(d).size !== d.length) throw new Error(`permute: repeated dim in [${dims.join(', ')}]`);
  const out = x.view(
    d.map((i) => x.shape[i]),
    d.map((i) => x.strides[i]),
    x.offset,
  );
  const inv = new Array<number>(d.length);
  d.forEach((src, i) => (inv[src] = i));
  return record1(out, [x], (g) => [contiguousRaw(permuteRaw(g, inv))], 'permute');
}

function permuteRaw(x: Tensor, d: readonly number[]): Tensor {
  return x.view(
    d.map((i) => x.shape[i]),
    d.map((i) => x.strides[i]),
    x.offset,
  );
}

/** torch.transpose(x, a, b). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const dims = [...Array(x.rank).keys()];
  const i = normAxis(a, x.rank);
  const j = normAxis(b, x.rank);
  [dims[i], dims[j]] = [dims[j], dims[i]];
  return permute(x, dims);
}

/** torch.narrow: elements start..start+length-1 along `axis`, as a view. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const ax = normAxis(axis, x.rank);
  if (start < 0 || length < 0 || start + length > x.shape[ax]) {
    throw new Error(`narrow: [${start}, ${start + length}) is outside dim ${ax} of size ${x.shape[ax]}`);
  }
  const shape = [...x.shape];
  shape[ax] = length;
  const out = x.view(shape, x.strides, x.offset + start * x.strides[ax]);
  return record1(
    out,
    [x],
    (g) => {
      const gx = empty(x.shape, 'f32', x.backend);
      fillInto(gx, 0);
      const dst = gx.view(shape, gx.strides, start * gx.strides[ax]);
      copyInto(dst, g);
      dst.dispose();
      return [gx];
    },
    'narrow',
  );
}

/** x[..., i, ...] along `axis`, dropping that axis. */
export function select(x: Tensor, axis: number, index: number): Tensor {
  const ax = normAxis(axis, x.rank);
  const n = narrow(x, ax, index, 1);
  const shape = x.shape.filter((_, i) => i !== ax);
  const out = reshape(n, shape);
  n.dispose();
  return out;
}

/** Broadcasts size-1 dims (and new leading dims) to `shape`, as a view with stride 0. */
export function expand(x: Tensor, shape: Shape): Tensor {
  const lead = shape.length - x.rank;
  if (lead < 0) throw new Error(`expand: cannot expand ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  const strides = shape.map((d, i) => {
    if (i < lead) return 0;
    const sd = x.shape[i - lead];
    if (sd === d) return x.strides[i - lead];
    if (sd === 1) return 0;
    throw new Error(`expand: cannot expand ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  });
  const out = x.view(shape, strides, x.offset);
  return record1(out, [x], (g) => [sumTo(g, x.shape)], 'expand');
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const ax = normAxis(axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(ax, 0, 1);
  return reshape(x, shape);
}

/** torch.cat along `axis`. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new Error('concat: no tensors');
  const ax = normAxis(axis, xs[0].rank);
  const shape = [...xs[0].shape];
  shape[ax] = 0;
  for (const t of xs) {
    const s = [...t.shape];
    s[ax] = 0;
    if (!sameShape(s, shape.map((d, i) => (i === ax ? 0 : d)))) {
      throw new Error(`concat: shapes ${xs.map((x) => shapeStr(x.shape)).join(', ')} differ outside dim ${ax}`);
    }
    shape[ax] += t.shape[ax];
  }
  const out = empty(shape, xs[0].dtype, xs[0].backend);
  let off = 0;
  const starts: number[] = [];
  for (const t of xs) {
    starts.push(off);
    const s = [...shape];
    s[ax] = t.shape[ax];
    const dst = out.view(s, out.strides, off * out.strides[ax]);
    copyInto(dst, t);
    dst.dispose();
    off += t.shape[ax];
  }
  return record1(
    out,
    [...xs],
    (g) =>
      xs.map((t, i) => {
        if (!t.requiresGrad) return null;
        const s = [...shape];
        s[ax] = t.shape[ax];
        const v = g.view(s, g.strides, g.offset + starts[i] * g.strides[ax]);
        const c = contiguousRaw(v);
        v.dispose();
        return c;
      }),
    'concat',
  );
}

/** torch.stack along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  const us = xs.map((x) => unsqueeze(x, axis));
  const out = concat(us, axis);
  for (const u of us) u.dispose();
  return out;
}
