// Threads for the WebAssembly kernels: helper workers (Web Workers in the page, worker_threads in
// Node) that instantiate the same module over the same shared memory and split a kernel's work
// items with the calling thread. Needs a shared memory (SharedArrayBuffer: Node, or a page that is
// cross-origin isolated); without one the backend runs on the calling thread alone.
//
// Protocol (no messages per job, only atomics): a control Int32Array [GEN, DONE, STOP] and a
// Float64Array job [fn, nArgs, itemArg, items, scratchArg, scratchStride, ...args], both over
// SharedArrayBuffers. To run a job the caller writes it, zeroes DONE, increments GEN and notifies;
// thread t (the caller is 0) calls fn with args[itemArg, itemArg + 1] = its share
// [⌊items·t/T⌋, ⌊items·(t+1)/T⌋) of the items and args[scratchArg] advanced by t·scratchStride
// (its own scratch), then increments DONE; the caller waits for DONE = T − 1.

import type { KernelExports, WasmKernels } from './runtime';

const GEN = 0;
const DONE = 1;
const STOP = 2;
const HEAD = 6;
const MAX_ARGS = 64;
/** Imported by name at run time only in Node (a bundler must not resolve it for the page). */
const NODE_WORKERS = 'node:worker_threads';

/** Kernel entry points a job may name (their index is the job's fn). */
export const POOL_FUNCTIONS = ['gemm', 'sdpaForward', 'sdpaBackward'] as const satisfies readonly (keyof KernelExports)[];
export type PoolFunction = (typeof POOL_FUNCTIONS)[number];

interface Helper {
  terminate(): void;
}

/** Whether this thread may block in Atomics.wait (not a page's main thread). */
function canBlock(): boolean {
  return typeof window === 'undefined';
}

export class ThreadPool {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(16));
  private readonly job = new Float64Array(new SharedArrayBuffer((HEAD + MAX_ARGS) * 8));
  private helpers: Helper[] = [];
  private constructor(
    private readonly kernels: WasmKernels,
    readonly threads: number,
  ) {}

  /** Starts threads − 1 helpers over the kernels' shared memory; resolves when all are ready. */
  static async start(kernels: WasmKernels, bytes: Uint8Array, threads: number): Promise<ThreadPool> {
    if (!kernels.shared) throw new Error('ThreadPool: the kernels need a shared memory');
    const pool = new ThreadPool(kernels, threads);
    const url = new URL('./thread-worker.js', import.meta.url);
    const init = (index: number) => ({ bytes, memory: kernels.memory, ctrl: pool.ctrl.buffer, args: pool.job.buffer, index, threads, names: POOL_FUNCTIONS });
    const ready: Promise<void>[] = [];
    const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined' && typeof self === 'undefined';
    for (let t = 1; t < threads; t++) {
      if (isNode) {
        const { Worker } = (await import(/* @vite-ignore */ NODE_WORKERS)) as typeof import('node:worker_threads');
        const w = new Worker(url);
        w.unref(); // helpers never keep the process alive
        pool.helpers.push(w);
        ready.push(new Promise((resolve, reject) => {
          w.once('message', () => resolve());
          w.once('error', reject);
        }));
        w.postMessage(init(t));
      } else {
        const w = new Worker(new URL('./thread-worker.js', import.meta.url), { type: 'module' });
        pool.helpers.push(w);
        ready.push(new Promise((resolve, reject) => {
          w.onmessage = () => resolve();
          w.onerror = (e) => reject(new Error(`WebAssembly thread: ${e.message}`));
        }));
        w.postMessage(init(t));
      }
    }
    await Promise.all(ready);
    return pool;
  }

  /**
   * Runs `fn(...args)` split over the threads: args[itemArg] and args[itemArg + 1] become each
   * thread's item range of [0, items), args[scratchArg] (−1: none) its scratch, scratchStride bytes apart.
   */
  run(fn: PoolFunction, args: number[], itemArg: number, items: number, scratchArg: number, scratchStride: number): void {
    const T = Math.min(this.threads, items);
    if (T <= 1 || this.helpers.length === 0) {
      args[itemArg] = 0;
      args[itemArg + 1] = items;
      (this.kernels.exports[fn] as (...a: number[]) => void)(...args);
      return;
    }
    if (args.length > MAX_ARGS) throw new Error(`ThreadPool: ${args.length} arguments (at most ${MAX_ARGS})`);
    const j = this.job;
    j[0] = POOL_FUNCTIONS.indexOf(fn);
    j[1] = args.length;
    j[2] = itemArg;
    j[3] = items;
    j[4] = scratchArg;
    j[5] = scratchStride;
    j.set(args, HEAD);
    Atomics.store(this.ctrl, DONE, 0);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    // Our share: thread 0 of this.threads (every helper takes its share, even when items < threads).
    const own = [...args];
    own[itemArg] = 0;
    own[itemArg + 1] = Math.floor(items / this.threads);
    if (own[itemArg + 1] > 0) (this.kernels.exports[fn] as (...a: number[]) => void)(...own);
    const helpers = this.helpers.length;
    for (;;) {
      const d = Atomics.load(this.ctrl, DONE);
      if (d >= helpers) break;
      if (canBlock()) Atomics.wait(this.ctrl, DONE, d);
    }
  }

  stop(): void {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    for (const h of this.helpers) h.terminate();
    this.helpers = [];
  }
}
