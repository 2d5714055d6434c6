// Allocating tensors on a backend, and getting at their raw numbers.

import type { Backend } from './backend';
import { getDefaultBackend } from './backend';
import { assertValidShape, numel, type Shape } from './shape';
import { Storage, Tensor, type CpuArray, type DType } from './tensor';

/** An uninitialised contiguous tensor (kernels write every element). */
export function empty(shape: Shape, dtype: DType = 'f32', backend: Backend = getDefaultBackend()): Tensor {
  assertValidShape(shape);
  const n = numel(shape);
  if (backend.kind === 'cpu') {
    const pool = backend.arrays;
    const data = pool ? (dtype === 'i32' ? pool.take('i32', n) : pool.take('f32', n)) : dtype === 'i32' ? new Int32Array(n) : backend.float64 ? new Float64Array(n) : new Float32Array(n);
    return new Tensor(new Storage(backend, dtype, n, null, data), shape);
  }
  return new Tensor(new Storage(backend, dtype, n, backend.acquire(n * 4), null), shape);
}

/** A tensor holding a copy of `data`. */
export function fromData(
  data: ArrayLike<number>,
  shape: Shape,
  dtype: DType = 'f32',
  backend: Backend = getDefaultBackend(),
): Tensor {
  assertValidShape(shape);
  const n = numel(shape);
  if (data.length !== n) throw new Error(`fromData: ${data.length} values for shape [${shape.join(', ')}] (${n} elements)`);
  if (backend.kind === 'cpu') {
    const pool = backend.arrays;
    let arr: CpuArray;
    if (pool) {
      arr = dtype === 'i32' ? pool.take('i32', n) : pool.take('f32', n);
      arr.set(data);
    } else arr = dtype === 'i32' ? Int32Array.from(data) : backend.float64 ? Float64Array.from(data) : Float32Array.from(data);
    return new Tensor(new Storage(backend, dtype, n, null, arr), shape);
  }
  const arr = dtype === 'f32' ? Float32Array.from(data) : Int32Array.from(data);
  return new Tensor(new Storage(backend, dtype, n, backend.upload(arr), null), shape);
}

export function gpuBuffer(t: Tensor): GPUBuffer {
  t.assertAlive();
  const b = t.storage.gpu;
  if (!b) throw new Error(`${t} is not on the GPU`);
  return b;
}

export function cpuArray(t: Tensor): CpuArray {
  t.assertAlive();
  const a = t.storage.cpu;
  if (!a) throw new Error(`${t} is not on the CPU`);
  return a;
}

/** The elements of a CPU tensor in row-major order (a copy only when the tensor is a strided view). */
export function cpuValues(t: Tensor): CpuArray {
  const src = cpuArray(t);
  const n = t.size;
  if (t.isContiguous) return t.offset === 0 && src.length === n ? src : src.subarray(t.offset, t.offset + n);
  // Same element type as the storage: a float64 CPU backend keeps its precision through strided views.
  const out = src instanceof Float64Array ? new Float64Array(n) : t.dtype === 'f32' ? new Float32Array(n) : new Int32Array(n);
  const rank = t.rank;
  const idx = new Array<number>(rank).fill(0);
  let off = t.offset;
  for (let i = 0; i < n; i++) {
    out[i] = src[off];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      off += t.strides[d];
      if (idx[d] < t.shape[d]) break;
      off -= t.strides[d] * t.shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Reads a tensor's elements (row-major). On the GPU this flushes pending work and maps a copy. */
export async function toArray(t: Tensor): Promise<Float32Array | Int32Array> {
  if (t.backend.kind === 'cpu') {
    const v = cpuValues(t);
    return v instanceof Float64Array ? Float32Array.from(v) : v.slice();
  }
  const { contiguous } = await import('./ops/view');
  const c = t.isContiguous ? t : contiguous(t);
  const bytes = await t.backend.read(gpuBuffer(c), c.offset * 4, c.size * 4);
  if (c !== t) c.dispose();
  return t.dtype === 'f32' ? new Float32Array(bytes) : new Int32Array(bytes);
}

export async function toFloat32(t: Tensor): Promise<Float32Array> {
  const a = await toArray(t);
  return a instanceof Float32Array ? a : Float32Array.from(a);
}

/** The single value of a one-element tensor. */
export async function item(t: Tensor): Promise<number> {
  if (t.size !== 1) throw new Error(`item(): tensor has ${t.size} elements`);
  return (await toArray(t))[0];
}

/** A CPU tensor's elements in full precision (float64 on a float64 backend). For tests and references. */
export function toNumbers(t: Tensor): number[] {
  if (t.backend.kind !== 'cpu') throw new Error('toNumbers: CPU tensors only; use toArray');
  return Array.from(cpuValues(t));
}

/**
 * Overwrites a contiguous tensor's elements with `data` in place (loading a checkpoint into a
 * freshly built model). On the GPU the pending commands are submitted first, so that kernels
 * already encoded (e.g. an initialiser) cannot run after the write.
 */
export function writeData(t: Tensor, data: ArrayLike<number>): void {
  t.assertAlive();
  if (!t.isContiguous) throw new Error(`writeData: ${t} is not contiguous`);
  if (data.length !== t.size) throw new Error(`writeData: ${data.length} values for ${t.size} elements`);
  const b = t.backend;
  if (b.kind === 'cpu') {
    cpuArray(t).set(data, t.offset);
    return;
  }
  b.flush();
  const arr = t.dtype === 'f32' ? Float32Array.from(data) : Int32Array.from(data);
  b.device.queue.writeBuffer(gpuBuffer(t), t.offset * 4, arr);
}
