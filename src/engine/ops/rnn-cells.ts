// Fused recurrent-cell steps: the element-wise part of one time step of a cell, after the
// matmuls, as one kernel (shaders/rnn_cells.wgsl) with its CPU reference and autograd.
//
//   gx = x_t W_ihᵀ + b   [B, G·H]  (computed for all t by one matmul before the loop)
//   gh = h_{t-1} W_hhᵀ   [B, G·H]  (one matmul per step)
//
// LSTM  (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000; PyTorch's gate
//       order i, f, g, o):  i, f, o = σ(a_i), σ(a_f), σ(a_o); g = tanh(a_g); a = gx + gh
//       c_t = f ⊙ c_{t-1} + i ⊙ g;  h_t = o ⊙ tanh(c_t)
// GRU   (Cho et al. 2014, PyTorch's variant, gate order r, z, n; gh includes b_hh):
//       r = σ(gx_r + gh_r); z = σ(gx_z + gh_z); n = tanh(gx_n + r ⊙ gh_n)
//       h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
// JANET (van der Westhuizen & Lasenby 2018, "The unreasonable effectiveness of the forget gate",
//       gate order f, c):  s = gx_f + gh_f;  c̃ = tanh(gx_c + gh_c)
//       c_t = σ(s) ⊙ c_{t-1} + (1 − σ(s − β)) ⊙ c̃;  h_t = c_t   (β = 1 in the paper)
// IndRNN (Li et al. 2018, "Independently Recurrent Neural Network"):
//       h_t = ReLU(gx + u ⊙ h_{t-1}),  u [H] a per-unit recurrent weight
//
// Padding, as pack_padded_sequence: given `lengths` (i32 [B]), row b is padding at step t when
// t ≥ lengths[b]; there the state is carried unchanged and the output y_t is 0. Each step also
// writes y_t (its output for the sequence) into `out`, usually a [B, H] view into the layer's
// [B, T, D·H] output, so that assembling the output sequence needs no copies.
//
// Backward: one kernel per step recomputes the gates from gx + gh and writes every input
// gradient into one packed buffer; the gradients handed to autograd are views into it.

import code from '../../../shaders/rnn_cells.wgsl?raw';
import { record } from '../autograd';
import type { Backend } from '../backend';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { shapeStr } from '../shape';
import { cpuArray, empty, gpuBuffer } from '../storage';
import type { CpuArray, Tensor } from '../tensor';
import { reduceRaw } from './reduce';
import { contiguousRaw } from './view';

const HAS_GH = 1;
const HAS_GC = 2;
const HAS_GY = 4;
const WORKGROUP = 64;

/** Options shared by every step op. */
export interface StepOptions {
  /**
   * i32 [B] valid lengths: row b is padding at this step when t ≥ lengths[b]. Pass null (the
   * default) when every row is real at this step.
   */
  lengths?: Tensor | null;
  /** The step's time index, compared with `lengths`. */
  t?: number;
  /** Where to write the step's output y_t (h_t, 0 at padding): a [B, H] view with unit column stride. Default: a new tensor. */
  out?: Tensor;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** An operand read as rows: element (b, j) at off + b·row + j (and + t·time for sequences). */
interface Rows {
  t: Tensor;
  off: number;
  row: number;
  time: number;
  owned: boolean;
}

/** A [B, n] operand with unit column stride (a copy if its columns are strided). */
function rows2(x: Tensor): Rows {
  if (x.rank !== 2) throw new Error(`expected a [B, n] tensor, got ${shapeStr(x.shape)}`);
  if (x.strides[1] === 1 || x.shape[1] <= 1) return { t: x, off: x.offset, row: x.shape[0] > 1 ? x.strides[0] : x.shape[1], time: 0, owned: false };
  const c = contiguousRaw(x);
  return { t: c, off: c.offset, row: c.shape[1], time: 0, owned: true };
}

/** A [B, T, n] operand with unit column stride. */
function rows3(x: Tensor): Rows {
  if (x.rank !== 3) throw new Error(`expected a [B, T, n] tensor, got ${shapeStr(x.shape)}`);
  if (x.strides[2] === 1 || x.shape[2] <= 1) return { t: x, off: x.offset, row: x.strides[0], time: x.strides[1], owned: false };
  const c = contiguousRaw(x);
  return { t: c, off: c.offset, row: c.strides[0], time: c.strides[1], owned: true };
}

function release(...rs: (Rows | null)[]): void {
  for (const r of rs) if (r?.owned) r.t.dispose();
}

function assertShape(x: Tensor, shape: readonly number[], what: string, op: string): void {
  if (x.rank !== shape.length || x.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${op}: ${what} must have shape ${shapeStr(shape)}, got ${shapeStr(x.shape)}`);
  }
  if (x.dtype !== 'f32') throw new Error(`${op}: ${what} must be f32`);
}

function checkLengths(lengths: Tensor | null | undefined, B: number, op: string): Tensor | null {
  if (!lengths) return null;
  if (lengths.dtype !== 'i32' || lengths.rank !== 1 || lengths.shape[0] !== B || !lengths.isContiguous) {
    throw new Error(`${op}: lengths must be a contiguous i32 tensor of shape [${B}], got ${lengths.dtype} ${shapeStr(lengths.shape)}`);
  }
  return lengths;
}

/** The output y_t: the caller's view, or a new [B, H] tensor. */
function outTensor(out: Tensor | undefined, B: number, H: number, backend: Backend, op: string): Tensor {
  if (!out) return empty([B, H], 'f32', backend);
  assertShape(out, [B, H], 'out', op);
  if (out.strides[1] !== 1 && H > 1) throw new Error(`${op}: out must have a unit column stride`);
  return out;
}

/** Bindings: the lengths, then `reads` read operands, then `writes` written operands. */
function kernel(entryPoint: string, reads: number, writes: number): KernelSpec {
  return {
    name: 'rnn_cells',
    code,
    entryPoint,
    bindings: [...Array<'read'>(1 + reads).fill('read'), ...Array<'write'>(writes).fill('write')],
  };
}

interface Launch {
  B: number;
  H: number;
  T?: number;
  t?: number;
  lengths: Tensor | null;
  flags?: number;
  reverse?: boolean;
  beta?: number;
  /** Operands at bindings 2.. in order (null: unbound, the dummy buffer). */
  operands: (Rows | null)[];
  threads: number;
}

function dispatch(backend: Backend, k: KernelSpec, l: Launch): void {
  if (backend.kind !== 'webgpu') throw new Error('dispatch: GPU only');
  if (l.threads === 0) return;
  const off = l.operands.map((r) => r?.off ?? 0);
  const row = l.operands.map((r) => r?.row ?? 0);
  const tim = l.operands.map((r) => r?.time ?? 0);
  const pad = (v: number[]) => [...v, ...new Array<number>(8 - v.length).fill(0)];
  const [o, r, m] = [pad(off), pad(row), pad(tim)];
  const u = uniforms()
    .u32(l.B, l.H, l.T ?? 0, l.t ?? 0)
    .u32(l.lengths ? 1 : 0, l.lengths ? l.lengths.offset : 0, l.flags ?? 0, l.reverse ? 1 : 0)
    .f32(l.beta ?? 0, 0, 0)
    .u32(0)
    .vec4u(...o.slice(0, 4))
    .vec4u(...o.slice(4))
    .vec4u(...r.slice(0, 4))
    .vec4u(...r.slice(4))
    .vec4u(...m.slice(0, 4))
    .vec4u(...m.slice(4));
  const buffers = [l.lengths ? gpuBuffer(l.lengths) : backend.dummy, ...l.operands.map((x) => (x ? gpuBuffer(x.t) : backend.dummy))];
  backend.dispatch(k, buffers, u, Math.ceil(l.threads / WORKGROUP));
}

/** CPU access to an operand: element (b, j) or (b, t, j). */
function cpuOf(r: Rows): { a: CpuArray; at: (b: number, j: number, t?: number) => number } {
  const a = cpuArray(r.t);
  return { a, at: (b, j, t = 0) => r.off + b * r.row + t * r.time + j };
}

function validRows(lengths: Tensor | null, B: number, t: number): boolean[] {
  if (!lengths) return new Array<boolean>(B).fill(true);
  const L = cpuArray(lengths);
  return Array.from({ length: B }, (_, b) => t < L[lengths.offset + b]);
}

/** Views [B, width] at column `col` of a packed [B, stride] gradient buffer. */
function colView(buf: Tensor, B: number, stride: number, col: number, width: number): Tensor {
  return buf.view([B, width], [stride, 1], buf.offset + col);
}

function flagsOf(gs: (Tensor | null)[]): number {
  return (gs[0] ? HAS_GH : 0) | (gs[1] ? HAS_GC : 0) | (gs[2] ? HAS_GY : 0);
}

// ---- LSTM ---------------------------------------------------------------------------------

/** Forward of one LSTM step without autograd: h_t, c_t and the output y_t (written into `out`). */
export function lstmCellRaw(gx: Tensor, gh: Tensor, h: Tensor, c: Tensor, opts: StepOptions = {}): { h: Tensor; c: Tensor; y: Tensor } {
  const [B, H] = h.shape;
  const op = 'lstmCell';
  assertShape(gx, [B, 4 * H], 'gx', op);
  assertShape(gh, [B, 4 * H], 'gh', op);
  assertShape(c, [B, H], 'c', op);
  const lengths = checkLengths(opts.lengths, B, op);
  const t = opts.t ?? 0;
  const backend = h.backend;
  const hOut = empty([B, H], 'f32', backend);
  const cOut = empty([B, H], 'f32', backend);
  const y = outTensor(opts.out, B, H, backend, op);
  const R = [rows2(gx), rows2(gh), rows2(h), rows2(c), rows2(hOut), rows2(cOut), rows2(y)];
  if (backend.kind === 'cpu') {
    const [X, Gh, Hp, Cp, Ho, Co, Y] = R.map(cpuOf);
    const valid = validRows(lengths, B, t);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const hp = Hp.a[Hp.at(b, j)];
        const cp = Cp.a[Cp.at(b, j)];
        if (!valid[b]) {
          Ho.a[Ho.at(b, j)] = hp;
          Co.a[Co.at(b, j)] = cp;
          Y.a[Y.at(b, j)] = 0;
          continue;
        }
        const a = (k: number) => X.a[X.at(b, k * H + j)] + Gh.a[Gh.at(b, k * H + j)];
        const i = sigmoid(a(0));
        const f = sigmoid(a(1));
        const g = Math.tanh(a(2));
        const o = sigmoid(a(3));
        const cn = f * cp + i * g;
        const hn = o * Math.tanh(cn);
        Ho.a[Ho.at(b, j)] = hn;
        Co.a[Co.at(b, j)] = cn;
        Y.a[Y.at(b, j)] = hn;
      }
    }
  } else {
    dispatch(backend, kernel('lstm_forward', 4, 3), { B, H, t, lengths, operands: R, threads: B * H });
  }
  release(...R);
  return { h: hOut, c: cOut, y };
}

/** Packed LSTM step gradients [B, 6H] = [∂a (4H) | ∂h_{t-1} direct (H) | ∂c_{t-1} (H)]. */
function lstmCellBackwardRaw(gx: Tensor, gh: Tensor, c: Tensor, lengths: Tensor | null, t: number, gs: (Tensor | null)[]): Tensor {
  const [B, H] = c.shape;
  const backend = c.backend;
  const out = empty([B, 6 * H], 'f32', backend);
  const R = [rows2(gx), rows2(gh), rows2(c), ...gs.map((g) => (g ? rows2(g) : null))];
  if (backend.kind === 'cpu') {
    const [X, Gh, Cp] = R.slice(0, 3).map((r) => cpuOf(r!));
    const [dH, dC, dY] = R.slice(3).map((r) => (r ? cpuOf(r) : null));
    const O = cpuArray(out);
    const valid = validRows(lengths, B, t);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const base = b * 6 * H;
        const gH = dH ? dH.a[dH.at(b, j)] : 0;
        const gC = dC ? dC.a[dC.at(b, j)] : 0;
        const gY = dY ? dY.a[dY.at(b, j)] : 0;
        if (!valid[b]) {
          for (let k = 0; k < 4; k++) O[base + k * H + j] = 0;
          O[base + 4 * H + j] = gH;
          O[base + 5 * H + j] = gC;
          continue;
        }
        const cp = Cp.a[Cp.at(b, j)];
        const a = (k: number) => X.a[X.at(b, k * H + j)] + Gh.a[Gh.at(b, k * H + j)];
        const i = sigmoid(a(0));
        const f = sigmoid(a(1));
        const g = Math.tanh(a(2));
        const o = sigmoid(a(3));
        const cn = f * cp + i * g;
        const tc = Math.tanh(cn);
        const dh = gH + gY;
        const dc = gC + dh * o * (1 - tc * tc);
        O[base + j] = dc * g * i * (1 - i);
        O[base + H + j] = dc * cp * f * (1 - f);
        O[base + 2 * H + j] = dc * i * (1 - g * g);
        O[base + 3 * H + j] = dh * tc * o * (1 - o);
        O[base + 4 * H + j] = 0;
        O[base + 5 * H + j] = dc * f;
      }
    }
  } else {
    dispatch(backend, kernel('lstm_backward', 6, 1), {
      B, H, t, lengths, flags: flagsOf(gs), operands: [...R, rows2(out)], threads: B * H,
    });
  }
  release(...R);
  return out;
}

/**
 * One fused LSTM step: gx, gh [B, 4H] (gate order i, f, g, o), h, c [B, H] → h_t, c_t, y_t.
 * Gradients flow to gx, gh (the same ∂a), h (pass-through at padding) and c.
 */
export function lstmCell(gx: Tensor, gh: Tensor, h: Tensor, c: Tensor, opts: StepOptions = {}): { h: Tensor; c: Tensor; y: Tensor } {
  const r = lstmCellRaw(gx, gh, h, c, opts);
  const lengths = opts.lengths ?? null;
  const t = opts.t ?? 0;
  const [B, H] = h.shape;
  record(
    [r.h, r.c, r.y],
    [gx, gh, h, c],
    (gs) => {
      const packed = lstmCellBackwardRaw(gx, gh, c, lengths, t, gs);
      const grads = [
        gx.requiresGrad ? colView(packed, B, 6 * H, 0, 4 * H) : null,
        gh.requiresGrad ? colView(packed, B, 6 * H, 0, 4 * H) : null,
        // Without padding h_{t-1} reaches h_t only through gh, whose matmul carries its gradient.
        h.requiresGrad && lengths ? colView(packed, B, 6 * H, 4 * H, H) : null,
        c.requiresGrad ? colView(packed, B, 6 * H, 5 * H, H) : null,
      ];
      packed.dispose();
      return grads;
    },
    'lstmCell',
  );
  return r;
}

// ---- GRU ----------------------------------------------------------------------------------

/** Forward of one GRU step without autograd (gh includes b_hh). */
export function gruCellRaw(gx: Tensor, gh: Tensor, h: Tensor, opts: StepOptions = {}): { h: Tensor; y: Tensor } {
  const [B, H] = h.shape;
  const op = 'gruCell';
  assertShape(gx, [B, 3 * H], 'gx', op);
  assertShape(gh, [B, 3 * H], 'gh', op);
  const lengths = checkLengths(opts.lengths, B, op);
  const t = opts.t ?? 0;
  const backend = h.backend;
  const hOut = empty([B, H], 'f32', backend);
  const y = outTensor(opts.out, B, H, backend, op);
  const R = [rows2(gx), rows2(gh), rows2(h), rows2(hOut), rows2(y)];
  if (backend.kind === 'cpu') {
    const [X, Gh, Hp, Ho, Y] = R.map(cpuOf);
    const valid = validRows(lengths, B, t);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const hp = Hp.a[Hp.at(b, j)];
        if (!valid[b]) {
          Ho.a[Ho.at(b, j)] = hp;
          Y.a[Y.at(b, j)] = 0;
          continue;
        }
        const r = sigmoid(X.a[X.at(b, j)] + Gh.a[Gh.at(b, j)]);
        const z = sigmoid(X.a[X.at(b, H + j)] + Gh.a[Gh.at(b, H + j)]);
        const n = Math.tanh(X.a[X.at(b, 2 * H + j)] + r * Gh.a[Gh.at(b, 2 * H + j)]);
        const hn = (1 - z) * n + z * hp;
        Ho.a[Ho.at(b, j)] = hn;
        Y.a[Y.at(b, j)] = hn;
      }
    }
  } else {
    dispatch(backend, kernel('gru_forward', 3, 2), { B, H, t, lengths, operands: R, threads: B * H });
  }
  release(...R);
  return { h: hOut, y };
}

/** Packed GRU step gradients [B, 7H] = [∂gx (3H) | ∂gh (3H) | ∂h_{t-1} direct (H)]. */
function gruCellBackwardRaw(gx: Tensor, gh: Tensor, h: Tensor, lengths: Tensor | null, t: number, gs: (Tensor | null)[]): Tensor {
  const [B, H] = h.shape;
  const backend = h.backend;
  const out = empty([B, 7 * H], 'f32', backend);
  const R = [rows2(gx), rows2(gh), rows2(h), ...[gs[0], gs[1]].map((g) => (g ? rows2(g) : null))];
  if (backend.kind === 'cpu') {
    const [X, Gh, Hp] = R.slice(0, 3).map((r) => cpuOf(r!));
    const [dH, dY] = R.slice(3).map((r) => (r ? cpuOf(r) : null));
    const O = cpuArray(out);
    const valid = validRows(lengths, B, t);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const base = b * 7 * H;
        const gH = dH ? dH.a[dH.at(b, j)] : 0;
        const gY = dY ? dY.a[dY.at(b, j)] : 0;
        if (!valid[b]) {
          for (let k = 0; k < 6; k++) O[base + k * H + j] = 0;
          O[base + 6 * H + j] = gH;
          continue;
        }
        const hp = Hp.a[Hp.at(b, j)];
        const r = sigmoid(X.a[X.at(b, j)] + Gh.a[Gh.at(b, j)]);
        const z = sigmoid(X.a[X.at(b, H + j)] + Gh.a[Gh.at(b, H + j)]);
        const hn = Gh.a[Gh.at(b, 2 * H + j)];
        const n = Math.tanh(X.a[X.at(b, 2 * H + j)] + r * hn);
        const dh = gH + gY;
        const dn = dh * (1 - z) * (1 - n * n);
        const dz = dh * (hp - n) * z * (1 - z);
        const dr = dn * hn * r * (1 - r);
        O[base + j] = dr;
        O[base + H + j] = dz;
        O[base + 2 * H + j] = dn;
        O[base + 3 * H + j] = dr;
        O[base + 4 * H + j] = dz;
        O[base + 5 * H + j] = dn * r;
        O[base + 6 * H + j] = dh * z;
      }
    }
  } else {
    dispatch(backend, kernel('gru_backward', 5, 1), {
      B, H, t, lengths, flags: flagsOf([gs[0], null, gs[1]]), operands: [...R, rows2(out)], threads: B * H,
    });
  }
  release(...R);
  return out;
}

/** One fused GRU step: gx, gh [B, 3H] (gate order r, z, n; gh = h W_hhᵀ + b_hh), h [B, H] → h_t, y_t. */
export function gruCell(gx: Tensor, gh: Tensor, h: Tensor, opts: StepOptions = {}): { h: Tensor; y: Tensor } {
  const r = gruCellRaw(gx, gh, h, opts);
  const lengths = opts.lengths ?? null;
  const t = opts.t ?? 0;
  const [B, H] = h.shape;
  record(
    [r.h, r.y],
    [gx, gh, h],
    (gs) => {
      const packed = gruCellBackwardRaw(gx, gh, h, lengths, t, gs);
      const grads = [
        gx.requiresGrad ? colView(packed, B, 7 * H, 0, 3 * H) : null,
        gh.requiresGrad ? colView(packed, B, 7 * H, 3 * H, 3 * H) : null,
        h.requiresGrad ? colView(packed, B, 7 * H, 6 * H, H) : null,
      ];
      packed.dispose();
      return grads;
    },
    'gruCell',
  );
  return r;
}

// ---- JANET --------------------------------------------------------------------------------

/** Forward of one JANET step without autograd; h is also the cell state (h_t = c_t). */
export function janetCellRaw(gx: Tensor, gh: Tensor, h: Tensor, opts: StepOptions & { beta?: number } = {}): { h: Tensor; y: Tensor } {
  const [B, H] = h.shape;
  const op = 'janetCell';
  assertShape(gx, [B, 2 * H], 'gx', op);
  assertShape(gh, [B, 2 * H], 'gh', op);
  const lengths = checkLengths(opts.lengths, B, op);
  const t = opts.t ?? 0;
  const beta = opts.beta ?? 1;
  const backend = h.backend;
  const hOut = empty([B, H], 'f32', backend);
  const y = outTensor(opts.out, B, H, backend, op);
  const R = [rows2(gx), rows2(gh), rows2(h), rows2(hOut), rows2(y)];
  if (backend.kind === 'cpu') {
    const [X, Gh, Hp, Ho, Y] = R.map(cpuOf);
    const valid = validRows(lengths, B, t);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const cp = Hp.a[Hp.at(b, j)];
        if (!valid[b]) {
          Ho.a[Ho.at(b, j)] = cp;
          Y.a[Y.at(b, j)] = 0;
          continue;
        }
        const s = X.a[X.at(b, j)] + Gh.a[Gh.at(b, j)];
        const ct = Math.tanh(X.a[X.at(b, H + j)] + Gh.a[Gh.at(b, H + j)]);
        const c = sigmoid(s) * cp + (1 - sigmoid(s - beta)) * ct;
        Ho.a[Ho.at(b, j)] = c;
        Y.a[Y.at(b, j)] = c;
      }
    }
  } else {
    dispatch(backend, kernel('janet_forward', 3, 2), { B, H, t, lengths, beta, operands: R, threads: B * H });
  }
  release(...R);
  return { h: hOut, y };
}

/** Packed JANET step gradients [B, 3H] = [∂s (H) | ∂a_c (H) | ∂h_{t-1} (H)]. */
function janetCellBackwardRaw(gx: Tensor, gh: Tensor, h: Tensor, lengths: Tensor | null, t: number, beta: number, gs: (Tensor | null)[]): Tensor {
  const [B, H] = h.shape;
  const backend = h.backend;
  const out = empty([B, 3 * H], 'f32', backend);
  const R = [rows2(gx), rows2(gh), rows2(h), ...[gs[0], gs[1]].map((g) => (g ? rows2(g) : null))];
  if (backend.kind === 'cpu') {
    const [X, Gh, Hp] = R.slice(0, 3).map((r) => cpuOf(r!));
    const [dH, dY] = R.slice(3).map((r) => (r ? cpuOf(r) : null));
    const O = cpuArray(out);
    const valid = validRows(lengths, B, t);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const base = b * 3 * H;
        const gH = dH ? dH.a[dH.at(b, j)] : 0;
        const gY = dY ? dY.a[dY.at(b, j)] : 0;
        if (!valid[b]) {
          O[base + j] = 0;
          O[base + H + j] = 0;
          O[base + 2 * H + j] = gH;
          continue;
        }
        const cp = Hp.a[Hp.at(b, j)];
        const s = X.a[X.at(b, j)] + Gh.a[Gh.at(b, j)];
        const ct = Math.tanh(X.a[X.at(b, H + j)] + Gh.a[Gh.at(b, H + j)]);
        const sf = sigmoid(s);
        const sb = sigmoid(s - beta);
        const dc = gH + gY;
        O[base + j] = dc * (cp * sf * (1 - sf) - ct * sb * (1 - sb));
        O[base + H + j] = dc * (1 - sb) * (1 - ct * ct);
        O[base + 2 * H + j] = dc * sf;
      }
    }
  } else {
    dispatch(backend, kernel('janet_backward', 5, 1), {
      B, H, t, lengths, beta, flags: flagsOf([gs[0], null, gs[1]]), operands: [...R, rows2(out)], threads: B * H,
    });
  }
  release(...R);
  return out;
}

/** One fused JANET step: gx, gh [B, 2H] (gate order f, c), h = c [B, H] → h_t, y_t. */
export function janetCell(gx: Tensor, gh: Tensor, h: Tensor, opts: StepOptions & { beta?: number } = {}): { h: Tensor; y: Tensor } {
  const r = janetCellRaw(gx, gh, h, opts);
  const lengths = opts.lengths ?? null;
  const t = opts.t ?? 0;
  const beta = opts.beta ?? 1;
  const [B, H] = h.shape;
  record(
    [r.h, r.y],
    [gx, gh, h],
    (gs) => {
      const packed = janetCellBackwardRaw(gx, gh, h, lengths, t, beta, gs);
      const grads = [
        gx.requiresGrad ? colView(packed, B, 3 * H, 0, 2 * H) : null,
        gh.requiresGrad ? colView(packed, B, 3 * H, 0, 2 * H) : null,
        h.requiresGrad ? colView(packed, B, 3 * H, 2 * H, H) : null,
      ];
      packed.dispose();
      return grads;
    },
    'janetCell',
  );
  return r;
}

// ---- IndRNN -------------------------------------------------------------------------------

function assertU(u: Tensor, H: number, op: string): void {
  assertShape(u, [H], 'u', op);
  if (!u.isContiguous) throw new Error(`${op}: u must be contiguous`);
}

/** u as an operand: element j at offset + j (row stride unused). */
function vecRows(u: Tensor): Rows {
  return { t: u, off: u.offset, row: 0, time: 0, owned: false };
}

/** Forward of one IndRNN step without autograd: h_t = ReLU(gx + u ⊙ h_{t-1}). */
export function indrnnCellRaw(gx: Tensor, u: Tensor, h: Tensor, opts: StepOptions = {}): { h: Tensor; y: Tensor } {
  const [B, H] = h.shape;
  const op = 'indrnnCell';
  assertShape(gx, [B, H], 'gx', op);
  assertU(u, H, op);
  const lengths = checkLengths(opts.lengths, B, op);
  const t = opts.t ?? 0;
  const backend = h.backend;
  const hOut = empty([B, H], 'f32', backend);
  const y = outTensor(opts.out, B, H, backend, op);
  const R = [rows2(gx), vecRows(u), rows2(h), rows2(hOut), rows2(y)];
  if (backend.kind === 'cpu') {
    const [X, U, Hp, Ho, Y] = R.map(cpuOf);
    const valid = validRows(lengths, B, t);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const hp = Hp.a[Hp.at(b, j)];
        const hn = valid[b] ? Math.max(X.a[X.at(b, j)] + U.a[U.at(0, j)] * hp, 0) : hp;
        Ho.a[Ho.at(b, j)] = hn;
        Y.a[Y.at(b, j)] = valid[b] ? hn : 0;
      }
    }
  } else {
    dispatch(backend, kernel('indrnn_forward', 3, 2), { B, H, t, lengths, operands: R, threads: B * H });
  }
  release(...R);
  return { h: hOut, y };
}

/** Packed IndRNN step gradients [(2B + 1), H]: rows ∂gx, then ∂h_{t-1}, then ∂u. */
function indrnnCellBackwardRaw(gx: Tensor, u: Tensor, h: Tensor, lengths: Tensor | null, t: number, gs: (Tensor | null)[]): Tensor {
  const [B, H] = h.shape;
  const backend = h.backend;
  const out = empty([2 * B + 1, H], 'f32', backend);
  const R = [rows2(gx), vecRows(u), rows2(h), ...[gs[0], gs[1]].map((g) => (g ? rows2(g) : null))];
  if (backend.kind === 'cpu') {
    const [X, U, Hp] = R.slice(0, 3).map((r) => cpuOf(r!));
    const [dH, dY] = R.slice(3).map((r) => (r ? cpuOf(r) : null));
    const O = cpuArray(out);
    const valid = validRows(lengths, B, t);
    for (let j = 0; j < H; j++) {
      const uj = U.a[U.at(0, j)];
      let du = 0;
      for (let b = 0; b < B; b++) {
        const gH = dH ? dH.a[dH.at(b, j)] : 0;
        const gY = dY ? dY.a[dY.at(b, j)] : 0;
        if (!valid[b]) {
          O[b * H + j] = 0;
          O[(B + b) * H + j] = gH;
          continue;
        }
        const hp = Hp.a[Hp.at(b, j)];
        const a = X.a[X.at(b, j)] + uj * hp;
        const da = a > 0 ? gH + gY : 0;
        O[b * H + j] = da;
        O[(B + b) * H + j] = da * uj;
        du += da * hp;
      }
      O[2 * B * H + j] = du;
    }
  } else {
    dispatch(backend, kernel('indrnn_backward', 5, 1), {
      B, H, t, lengths, flags: flagsOf([gs[0], null, gs[1]]), operands: [...R, rows2(out)], threads: H,
    });
  }
  release(...R);
  return out;
}

/** One fused IndRNN step: gx [B, H] (= x_t W_ihᵀ + b), u [H], h [B, H] → h_t, y_t. */
export function indrnnCell(gx: Tensor, u: Tensor, h: Tensor, opts: StepOptions = {}): { h: Tensor; y: Tensor } {
  const r = indrnnCellRaw(gx, u, h, opts);
  const lengths = opts.lengths ?? null;
  const t = opts.t ?? 0;
  const [B, H] = h.shape;
  record(
    [r.h, r.y],
    [gx, u, h],
    (gs) => {
      const packed = indrnnCellBackwardRaw(gx, u, h, lengths, t, gs);
      const grads = [
        gx.requiresGrad ? packed.view([B, H], [H, 1], packed.offset) : null,
        u.requiresGrad ? packed.view([H], [1], packed.offset + 2 * B * H) : null,
        h.requiresGrad ? packed.view([B, H], [H, 1], packed.offset + B * H) : null,
      ];
      packed.dispose();
      return grads;
    },
    'indrnnCell',
  );
  return r;
}

/** Options of the whole-sequence IndRNN recurrence. */
export interface SequenceOptions {
  /** i32 [B] valid lengths (positions t ≥ lengths[b] are padding); null: all T steps are real. */
  lengths?: Tensor | null;
  /** Run backward in time (the reverse direction of a bidirectional layer). */
  reverse?: boolean;
  /** Where to write the outputs: a [B, T, H] view with unit column stride. Default: a new tensor. */
  out?: Tensor;
}

/** The whole IndRNN recurrence without autograd: one dispatch for all T steps. */
export function indrnnSequenceRaw(gx: Tensor, u: Tensor, h0: Tensor, opts: SequenceOptions = {}): { y: Tensor; h: Tensor } {
  const op = 'indrnnSequence';
  if (gx.rank !== 3) throw new Error(`${op}: gx must be [B, T, H], got ${shapeStr(gx.shape)}`);
  const [B, T, H] = gx.shape;
  assertShape(h0, [B, H], 'h0', op);
  assertU(u, H, op);
  const lengths = checkLengths(opts.lengths, B, op);
  const reverse = !!opts.reverse;
  const backend = gx.backend;
  let y: Tensor;
  if (opts.out) {
    assertShape(opts.out, [B, T, H], 'out', op);
    y = opts.out;
  } else y = empty([B, T, H], 'f32', backend);
  const hT = empty([B, H], 'f32', backend);
  const R = [rows3(gx), vecRows(u), rows2(h0), rows3(y), rows2(hT)];
  if (backend.kind === 'cpu') {
    const [X, U, H0, Y, Ho] = R.map(cpuOf);
    const L = lengths ? cpuArray(lengths) : null;
    for (let b = 0; b < B; b++) {
      const len = L ? L[lengths!.offset + b] : T;
      for (let j = 0; j < H; j++) {
        const uj = U.a[U.at(0, j)];
        let h = H0.a[H0.at(b, j)];
        for (let s = 0; s < T; s++) {
          const t = reverse ? T - 1 - s : s;
          if (t < len) {
            h = Math.max(X.a[X.at(b, j, t)] + uj * h, 0);
            Y.a[Y.at(b, j, t)] = h;
          } else Y.a[Y.at(b, j, t)] = 0;
        }
        Ho.a[Ho.at(b, j)] = h;
      }
    }
  } else {
    dispatch(backend, kernel('indrnn_sequence_forward', 3, 2), { B, H, T, lengths, reverse, operands: R, threads: B * H });
  }
  release(...R);
  return { y, h: hT };
}

/** Gradients of the whole recurrence: ∂gx [B, T, H] and [2B, H] = [∂h0 | per-row ∂u]. */
function indrnnSequenceBackwardRaw(y: Tensor, u: Tensor, h0: Tensor, lengths: Tensor | null, reverse: boolean, gy: Tensor | null, ghT: Tensor | null): { dgx: Tensor; rest: Tensor } {
  const [B, T, H] = y.shape;
  const backend = y.backend;
  const dgx = empty([B, T, H], 'f32', backend);
  const rest = empty([2 * B, H], 'f32', backend);
  const R = [rows3(y), vecRows(u), rows2(h0), gy ? rows3(gy) : null, ghT ? rows2(ghT) : null];
  if (backend.kind === 'cpu') {
    const [Y, U, H0] = R.slice(0, 3).map((r) => cpuOf(r!));
    const dY = R[3] ? cpuOf(R[3]) : null;
    const dHT = R[4] ? cpuOf(R[4]) : null;
    const D = cpuArray(dgx);
    const O = cpuArray(rest);
    const L = lengths ? cpuArray(lengths) : null;
    for (let b = 0; b < B; b++) {
      const len = L ? L[lengths!.offset + b] : T;
      for (let j = 0; j < H; j++) {
        const uj = U.a[U.at(0, j)];
        const h0v = H0.a[H0.at(b, j)];
        let dh = dHT ? dHT.a[dHT.at(b, j)] : 0;
        let du = 0;
        for (let s = 0; s < T; s++) {
          const t = reverse ? s : T - 1 - s;
          const o = (b * T + t) * H + j;
          if (t >= len) {
            D[o] = 0;
            continue;
          }
          const gyv = dY ? dY.a[dY.at(b, j, t)] : 0;
          const h = Y.a[Y.at(b, j, t)];
          let hp = h0v;
          if (!reverse && t > 0) hp = Y.a[Y.at(b, j, t - 1)];
          if (reverse && t + 1 < len) hp = Y.a[Y.at(b, j, t + 1)];
          const da = h > 0 ? dh + gyv : 0;
          D[o] = da;
          du += da * hp;
          dh = da * uj;
        }
        O[b * H + j] = dh;
        O[(B + b) * H + j] = du;
      }
    }
  } else {
    dispatch(backend, kernel('indrnn_sequence_backward', 5, 2), {
      B, H, T, lengths, reverse, flags: (ghT ? HAS_GH : 0) | (gy ? HAS_GY : 0), operands: [...R, rows3(dgx), rows2(rest)], threads: B * H,
    });
  }
  release(...R);
  return { dgx, rest };
}

/**
 * The whole IndRNN recurrence of one direction (IndRNNv2): gx [B, T, H] (= x W_ihᵀ + b for every
 * t), u [H], h0 [B, H] → y [B, T, H] (h_t, 0 at padding) and h [B, H] (the state after each
 * row's last real token). One dispatch forward, one backward.
 */
export function indrnnSequence(gx: Tensor, u: Tensor, h0: Tensor, opts: SequenceOptions = {}): { y: Tensor; h: Tensor } {
  const r = indrnnSequenceRaw(gx, u, h0, opts);
  const lengths = opts.lengths ?? null;
  const reverse = !!opts.reverse;
  const [B, , H] = gx.shape;
  record(
    [r.y, r.h],
    [gx, u, h0],
    (gs) => {
      const { dgx, rest } = indrnnSequenceBackwardRaw(r.y, u, h0, lengths, reverse, gs[0], gs[1]);
      const du = u.requiresGrad ? reduceRaw('sum', rest.view([B, H], [H, 1], rest.offset + B * H), [0]) : null;
      const grads = [gx.requiresGrad ? dgx : null, du, h0.requiresGrad ? rest.view([B, H], [H, 1], rest.offset) : null];
      if (!gx.requiresGrad) dgx.dispose();
      rest.dispose();
      return grads;
    },
    'indrnnSequence',
  );
  return r;
}

/**
 * IndRNN's constraint on the recurrent weights, in place and without autograd:
 * u ← sign(u) · clamp(|u|, min, max) (Li et al. 2018: |u| ≤ 2^(1/T) keeps ReLU units from
 * exploding over T steps; a lower bound keeps long memory).
 */
export function constrainRecurrentRaw(u: Tensor, min: number, max: number): void {
  if (u.rank !== 1 || !u.isContiguous || u.dtype !== 'f32') throw new Error(`constrainRecurrent: u must be a contiguous f32 vector, got ${shapeStr(u.shape)}`);
  if (!(min >= 0) || !(max >= min)) throw new Error(`constrainRecurrent: need 0 ≤ min ≤ max, got [${min}, ${max}]`);
  const n = u.size;
  if (u.backend.kind === 'cpu') {
    const U = cpuArray(u);
    for (let j = 0; j < n; j++) {
      const v = U[u.offset + j];
      U[u.offset + j] = Math.sign(v) * Math.min(Math.max(Math.abs(v), min), max);
    }
    return;
  }
  const uw = uniforms().u32(0, n, 0, 0).u32(0, u.offset, 0, 0).f32(0, min, max).u32(0);
  u.backend.dispatch({ name: 'rnn_cells', code, entryPoint: 'indrnn_constrain', bindings: ['write'] }, [gpuBuffer(u)], uw, Math.ceil(n / WORKGROUP));
}
