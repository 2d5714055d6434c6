// Reuse of the CPU backend's typed arrays, by exact length (a training step allocates the same
// shapes every step). A fresh multi-megabyte Float32Array costs more than the matmul that fills it
// (the allocation, its zeroing and, later, the collector's work: measured 0.67 ms of CPU against
// 0.46 ms for a 1920×64×64 WebAssembly matmul); a reused one costs a memset.
// Arrays come back zeroed, like fresh ones (some CPU loops accumulate into `empty` outputs).

/** Pooled arrays beyond this many bytes are dropped (left to the collector). */
const MAX_POOLED_BYTES = 256 * 1024 * 1024;
/** Small arrays are cheap to allocate; pooling them would only cost map lookups. */
const MIN_POOLED_LENGTH = 1024;

export class ArrayPool {
  private f32 = new Map<number, Float32Array[]>();
  private i32 = new Map<number, Int32Array[]>();
  private pooledBytes = 0;

  take(dtype: 'f32', n: number): Float32Array;
  take(dtype: 'i32', n: number): Int32Array;
  take(dtype: 'f32' | 'i32', n: number): Float32Array | Int32Array {
    if (n >= MIN_POOLED_LENGTH) {
      const hit = (dtype === 'f32' ? this.f32 : this.i32).get(n)?.pop();
      if (hit) {
        this.pooledBytes -= hit.byteLength;
        hit.fill(0);
        return hit;
      }
    }
    return dtype === 'f32' ? new Float32Array(n) : new Int32Array(n);
  }

  /** Returns an array no tensor uses any more. */
  give(a: Float32Array | Float64Array | Int32Array): void {
    if (a.length < MIN_POOLED_LENGTH || a instanceof Float64Array) return;
    if (this.pooledBytes + a.byteLength > MAX_POOLED_BYTES) return;
    const map = (a instanceof Float32Array ? this.f32 : this.i32) as Map<number, (typeof a)[]>;
    let list = map.get(a.length);
    if (!list) map.set(a.length, (list = []));
    list.push(a);
    this.pooledBytes += a.byteLength;
  }
}
