// The element-wise family on the WebAssembly backend's typed arrays, in plain TypeScript: these ops
// are memory-bound (one or two loads and a store per element), so copying operands into the
// kernels' memory would cost as much as the op. What made the reference loop slow (8–20 ns per
// element in a training step, 6 M elements of copies, adds and relus) is fixed here instead:
// dims are coalesced (a contiguous tensor becomes one row), the index odometer runs once per row,
// and the common ops have their own row loop, so that V8 inlines the arithmetic instead of
// calling one of seventeen closures per element.

import { coalesceDims } from '../shape';

type Arr = Float32Array | Float64Array | Int32Array;
/** One row: out[io + i·so] = f(a[ia + i·sa], b[ib + i·sb]) for i < n. */
type Row = (o: Arr, io: number, so: number, a: Arr, ia: number, sa: number, b: Arr, ib: number, sb: number, n: number, alpha: number, beta: number) => void;

const UNARY_ROWS: Record<string, Row> = {
  copy: (o, io, so, a, ia, sa, _b, _ib, _sb, n) => {
    if (so === 1 && sa === 1) o.set(a.subarray(ia, ia + n), io);
    else for (let i = 0; i < n; i++) o[io + i * so] = a[ia + i * sa];
  },
  fill: (o, io, so, _a, _ia, _sa, _b, _ib, _sb, n, alpha) => {
    if (so === 1) o.fill(alpha, io, io + n);
    else for (let i = 0; i < n; i++) o[io + i * so] = alpha;
  },
  neg: (o, io, so, a, ia, sa, _b, _ib, _sb, n) => {
    for (let i = 0; i < n; i++) o[io + i * so] = -a[ia + i * sa];
  },
  relu: (o, io, so, a, ia, sa, _b, _ib, _sb, n) => {
    for (let i = 0; i < n; i++) o[io + i * so] = Math.max(a[ia + i * sa], 0);
  },
  affine: (o, io, so, a, ia, sa, _b, _ib, _sb, n, alpha, beta) => {
    for (let i = 0; i < n; i++) o[io + i * so] = alpha * a[ia + i * sa] + beta;
  },
  square: (o, io, so, a, ia, sa, _b, _ib, _sb, n) => {
    for (let i = 0; i < n; i++) {
      const x = a[ia + i * sa];
      o[io + i * so] = x * x;
    }
  },
};

const BINARY_ROWS: Record<string, Row> = {
  add: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++) o[io + i * so] = a[ia + i * sa] + b[ib + i * sb];
  },
  sub: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++) o[io + i * so] = a[ia + i * sa] - b[ib + i * sb];
  },
  mul: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++) o[io + i * so] = a[ia + i * sa] * b[ib + i * sb];
  },
  div: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++) o[io + i * so] = a[ia + i * sa] / b[ib + i * sb];
  },
  reluGrad: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++) o[io + i * so] = b[ib + i * sb] > 0 ? a[ia + i * sa] : 0;
  },
  axpby: (o, io, so, a, ia, sa, b, ib, sb, n, alpha, beta) => {
    for (let i = 0; i < n; i++) o[io + i * so] = alpha * a[ia + i * sa] + beta * b[ib + i * sb];
  },
};

/**
 * out = f(a, b) over `shape` with element strides sa, sb, so (0 on broadcast dims) from offsets
 * ia, ib, io; `cpu` is the op's reference function, used for the ops without a row loop here.
 */
export function elementwiseRows(
  kind: 'unary' | 'binary',
  name: string,
  cpu: (x: number, y: number, a: number, b: number) => number,
  shape: readonly number[],
  a: Arr,
  ia: number,
  sa: readonly number[],
  b: Arr,
  ib: number,
  sb: readonly number[],
  o: Arr,
  io: number,
  so: readonly number[],
  alpha: number,
  beta: number,
): void {
  const c = coalesceDims(shape, [sa, sb, so]);
  const rank = c.shape.length;
  if (rank === 0) {
    o[io] = cpu(a[ia], b[ib], alpha, beta);
    return;
  }
  const row =
    (kind === 'unary' ? UNARY_ROWS[name] : BINARY_ROWS[name]) ??
    ((o, io, so, a, ia, sa, b, ib, sb, n, alpha, beta) => {
      for (let i = 0; i < n; i++) o[io + i * so] = cpu(a[ia + i * sa], b[ib + i * sb], alpha, beta);
    });
  const [ca, cb, co] = c.strides;
  const n = c.shape[rank - 1];
  const [ra, rb, ro] = [ca[rank - 1], cb[rank - 1], co[rank - 1]];
  const rows = c.shape.reduce((p, d) => p * d, 1) / n;
  const idx = new Array<number>(rank).fill(0);
  for (let r = 0; r < rows; r++) {
    row(o, io, ro, a, ia, ra, b, ib, rb, n, alpha, beta);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      ia += ca[d];
      ib += cb[d];
      io += co[d];
      if (idx[d] < c.shape[d]) break;
      ia -= ca[d] * c.shape[d];
      ib -= cb[d] * c.shape[d];
      io -= co[d] * c.shape[d];
      idx[d] = 0;
    }
  }
}
