// The WebAssembly kernels (wasm/*.ts, built by tools/build-wasm.mjs) instantiated over one linear
// memory. Tensors keep their plain typed arrays; a kernel call copies its operands into a scratch
// region of this memory (from heapBase up), runs, and copies its result out. The copies are
// memcpy-speed and linear in the operands, while the kernels are superlinear (a matmul is
// 2·M·N·K flops on M·K + K·N + M·N numbers), and they keep every existing CPU loop working on
// ordinary arrays, in pages without SharedArrayBuffer too, where growing a memory detaches views.

import { KERNELS_WASM, KERNELS_WASM_SHARED, MAX_PAGES } from './kernels.gen';
import { ThreadPool } from './pool';

/** The exports of wasm/*.ts (pointers are byte addresses, sizes and strides f32 elements). */
export interface KernelExports {
  heapBase(): number;
  packB(src: number, sb: number, rs: number, cs: number, batch: number, K: number, N: number, dst: number): void;
  packedBBytes(batch: number, K: number, N: number): number;
  aPackBytes(K: number): number;
  sdpaForward(...args: number[]): void;
  sdpaBackward(...args: number[]): void;
  gemm(
    a: number,
    sa: number,
    ars: number,
    acs: number,
    pb: number,
    pbStride: number,
    c: number,
    M: number,
    N: number,
    K: number,
    bias: number,
    act: number,
    item0: number,
    item1: number,
    aPack: number,
  ): void;
}

const PAGE = 65536;

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** True where a shared WebAssembly memory can be made (Node; pages that are cross-origin isolated). */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

export class WasmKernels {
  readonly heapBase: number;
  private view: Float32Array;
  constructor(
    readonly module: WebAssembly.Module,
    readonly memory: WebAssembly.Memory,
    readonly exports: KernelExports,
    readonly shared: boolean,
  ) {
    this.heapBase = align(exports.heapBase(), 64);
    this.view = new Float32Array(memory.buffer);
  }

  /** Helper threads over the shared memory (null: this thread alone). */
  pool: ThreadPool | null = null;

  /** Threads that run kernels, this one included. */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /** Stops the helper threads (the kernels keep working on this thread). */
  stopThreads(): void {
    this.pool?.stop();
    this.pool = null;
  }

  describe(): string {
    return `WebAssembly SIMD, ${this.threads} thread${this.threads === 1 ? '' : 's'}${this.shared ? '' : ' (no SharedArrayBuffer)'}`;
  }

  /** Grows the memory so that `bytes` of scratch fit from heapBase; returns heapBase. */
  reserve(bytes: number): number {
    const need = this.heapBase + bytes;
    const have = this.memory.buffer.byteLength;
    if (need > have) {
      const pages = Math.ceil((need - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new Error(`WebAssembly backend: ${need} bytes of scratch exceed the ${MAX_PAGES * 64} KiB memory limit`);
      this.memory.grow(pages);
    }
    return this.heapBase;
  }

  /** The memory as f32 (re-made after growth: a plain memory's old buffer is detached by grow). */
  get f32(): Float32Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }
}

/**
 * Scratch for one kernel call, laid out upwards from heapBase (memory grows as needed; pointers
 * stay valid because growth never moves it). A new arena per call reuses the same bytes.
 */
export class Arena {
  private top: number;
  constructor(private readonly k: WasmKernels) {
    this.top = k.heapBase;
  }
  /** `bytes` of scratch (64-byte aligned); returns its address. */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = align(p + bytes, 64);
    this.k.reserve(this.top - this.k.heapBase);
    return p;
  }
  /** Copies data[from .. from+n) in; returns the address of data[from]. */
  input(data: Float32Array, from: number, n: number): number {
    const p = this.alloc(Math.max(n, 0) * 4);
    if (n > 0) this.k.f32.set(data.subarray(from, from + n), p / 4);
    return p;
  }
  /** Copies n floats at address p out to data[at ..]. */
  output(p: number, n: number, data: Float32Array, at: number): void {
    data.set(this.k.f32.subarray(p / 4, p / 4 + n), at);
  }
}

export function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Logical processors of this machine (1 where unknown). */
export async function hardwareThreads(): Promise<number> {
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) return navigator.hardwareConcurrency;
  if (typeof process !== 'undefined' && process.versions?.node) {
    const os = (await import(/* @vite-ignore */ NODE_OS)) as typeof import('node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return 1;
}
const NODE_OS = 'node:os';

/** The most threads the pool starts (beyond this the small products of our models stop scaling). */
export const MAX_THREADS = 8;

export interface WasmOptions {
  /** Threads including the caller (default: the machine's logical processors, at most MAX_THREADS; 1 without a shared memory). */
  threads?: number;
  /** Use a shared memory (default: where one can be made). */
  shared?: boolean;
}

/** Compiles and instantiates the kernels over a new memory, and starts the helper threads. */
export async function createWasmKernels(options: WasmOptions = {}): Promise<WasmKernels> {
  const shared = options.shared ?? sharedMemoryAvailable();
  const bytes = decodeBase64(shared ? KERNELS_WASM_SHARED : KERNELS_WASM);
  const module = await WebAssembly.compile(bytes as BufferSource);
  const memory = new WebAssembly.Memory({ initial: 32, maximum: MAX_PAGES, shared });
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: abortFromWasm } });
  const kernels = new WasmKernels(module, memory, instance.exports as unknown as KernelExports, shared);
  const threads = shared ? Math.max(1, Math.min(options.threads ?? (await hardwareThreads()), MAX_THREADS)) : 1;
  if (threads > 1) kernels.pool = await ThreadPool.start(kernels, bytes, threads);
  return kernels;
}

function abortFromWasm(): never {
  throw new Error('WebAssembly kernel aborted');
}
