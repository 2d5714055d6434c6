// Tensors made from nothing: constants, copies of data, and seeded random initialisations.

import type { Backend } from '../backend';
import { getDefaultBackend } from '../backend';
import type { Shape } from '../shape';
import { empty, fromData } from '../storage';
import type { DType, Tensor } from '../tensor';
import { fillInto } from './elementwise';

export interface CreateOptions {
  backend?: Backend;
  dtype?: DType;
  requiresGrad?: boolean;
}

export function full(shape: Shape, value: number, opts: CreateOptions = {}): Tensor {
  const t = empty(shape, opts.dtype ?? 'f32', opts.backend ?? getDefaultBackend());
  if (t.dtype === 'f32') fillInto(t, value);
  else if (t.backend.kind === 'cpu') (t.storage.cpu as Int32Array).fill(value);
  else {
    t.dispose();
    return fromData(new Int32Array(shape.reduce((a, d) => a * d, 1)).fill(value), shape, 'i32', opts.backend);
  }
  t.requiresGrad = !!opts.requiresGrad;
  return t;
}

export const zeros = (shape: Shape, opts: CreateOptions = {}) => full(shape, 0, opts);
export const ones = (shape: Shape, opts: CreateOptions = {}) => full(shape, 1, opts);
export const zerosLike = (t: Tensor) => full(t.shape, 0, { backend: t.backend });
export const onesLike = (t: Tensor) => full(t.shape, 1, { backend: t.backend });

/** A tensor from (nested) data: `tensor([[1, 2], [3, 4]])`, or flat data with a shape. */
export function tensor(data: ArrayLike<number> | number[][] | number[][][], shape?: Shape, opts: CreateOptions = {}): Tensor {
  let flat: ArrayLike<number>;
  let s: number[];
  if (shape) {
    flat = data as ArrayLike<number>;
    s = [...shape];
  } else {
    s = [];
    let cur: unknown = data;
    while (Array.isArray(cur)) {
      s.push(cur.length);
      cur = cur[0];
    }
    if (ArrayBuffer.isView(data)) s = [(data as ArrayLike<number>).length];
    flat = Array.isArray(data) ? (data as unknown[]).flat(Infinity as 1) as number[] : (data as ArrayLike<number>);
  }
  const t = fromData(flat, s, opts.dtype ?? (data instanceof Int32Array ? 'i32' : 'f32'), opts.backend ?? getDefaultBackend());
  t.requiresGrad = !!opts.requiresGrad;
  return t;
}

export function scalar(value: number, opts: CreateOptions = {}): Tensor {
  return tensor([value], [], opts);
}
