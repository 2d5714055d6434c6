// A tensor: a view (shape, strides, offset) onto reference-counted storage on one backend.
// Views (reshape of contiguous data, transpose, slice, broadcast) share storage; kernels that
// cannot read a view get `contiguous(x)` first.

import type { Backend } from './backend';
import { contiguousStrides, numel, type Shape } from './shape';
import { track } from './scope';
import type { GradNode } from './autograd';

export type DType = 'f32' | 'i32';
export type CpuArray = Float32Array | Float64Array | Int32Array;

/** The numbers behind one or more tensors. Freed (returned to the pool) when the last view goes. */
export class Storage {
  private refs = 1;
  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    /** Elements (4 bytes each). */
    readonly length: number,
    readonly gpu: GPUBuffer | null,
    readonly cpu: CpuArray | null,
  ) {
    if (backend.kind === 'cpu') backend.track(length * 4);
  }
  retain(): void {
    this.refs++;
  }
  release(): void {
    if (--this.refs > 0) return;
    if (this.backend.kind === 'cpu') {
      this.backend.track(-this.length * 4);
      if (this.cpu) this.backend.arrays?.give(this.cpu);
    }
    else if (this.gpu) this.backend.release(this.gpu);
  }
}

let nextTensorId = 1;

export type GradHook = (grad: Tensor) => Tensor | void;

export class Tensor {
  readonly id = nextTensorId++;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  readonly storage: Storage;
  requiresGrad = false;
  /** Accumulated gradient (leaf tensors that require grad). */
  grad: Tensor | null = null;
  /** The tape node that produced this tensor, with the index of this output in it. */
  gradFn: GradNode | null = null;
  outputIndex = 0;
  /** PyTorch `register_hook`: each may replace the gradient before it is accumulated. */
  readonly hooks: GradHook[] = [];
  name?: string;
  private disposed = false;

  constructor(storage: Storage, shape: Shape, strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.dtype = storage.dtype;
    this.shape = [...shape];
    this.strides = strides ? [...strides] : contiguousStrides(shape);
    this.offset = offset;
    track(this);
  }

  get backend(): Backend {
    return this.storage.backend;
  }
  get rank(): number {
    return this.shape.length;
  }
  get size(): number {
    return numel(this.shape);
  }
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** True when the elements are laid out row-major with no gaps, starting at `offset`. */
  get isContiguous(): boolean {
    let acc = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== acc) return false;
      acc *= this.shape[i];
    }
    return true;
  }

  /** A new tensor sharing this one's storage. */
  view(shape: Shape, strides: readonly number[], offset: number): Tensor {
    this.assertAlive();
    this.storage.retain();
    return new Tensor(this.storage, shape, strides, offset);
  }

  assertAlive(): void {
    if (this.disposed) throw new Error(`tensor #${this.id}${this.name ? ` (${this.name})` : ''} was used after dispose()`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.storage.release();
  }

  /** PyTorch `register_hook`. Returns a function that removes the hook. */
  registerHook(hook: GradHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  toString(): string {
    return `Tensor(#${this.id}${this.name ? ` ${this.name}` : ''}, [${this.shape.join(', ')}], ${this.dtype}, ${this.backend.kind})`;
  }
}
