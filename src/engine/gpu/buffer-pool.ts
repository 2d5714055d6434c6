// A pool of storage buffers in size classes, so that a training step that allocates the same
// temporaries every time reuses last step's buffers instead of creating new ones.
//
// Size classes: 256 B, then 2^k and 1.5·2^k bytes, so that at most a third of a buffer is slack.
//
// Reuse inside one not-yet-submitted command buffer is safe for buffers that only kernels write
// (dispatches execute in encoding order), but not for buffers filled by queue.writeBuffer, which
// lands before *every* command of the pending submit. Buffers released while a submit is pending
// are therefore marked, and `acquire(size, 'upload')` skips marked ones until `afterSubmit()`.

// STORAGE | COPY_SRC | COPY_DST, as numbers: the GPUBufferUsage global does not exist where WebGPU is absent.
export const STORAGE_USAGE = 0x80 | 0x04 | 0x08;

export function sizeClass(bytes: number): number {
  const n = Math.max(256, Math.ceil(bytes / 4) * 4);
  let p = 256;
  while (p < n) {
    if (p * 1.5 >= n) return p * 1.5;
    p *= 2;
  }
  return p;
}

export interface PoolStats {
  /** Bytes in buffers handed out and not yet released. */
  liveBytes: number;
  /** Highest liveBytes seen since creation or the last resetPeak(). */
  peakBytes: number;
  /** Bytes held by free buffers waiting for reuse. */
  pooledBytes: number;
  /** Buffers created so far (a flat count across steps means reuse works). */
  created: number;
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private dirty = new Set<GPUBuffer>();
  private stats: PoolStats = { liveBytes: 0, peakBytes: 0, pooledBytes: 0, created: 0 };
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 1;

  constructor(private readonly device: GPUDevice) {}

  /** A stable small integer per buffer, for bind-group cache keys. */
  id(buffer: GPUBuffer): number {
    let id = this.ids.get(buffer);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(buffer, id);
    }
    return id;
  }

  acquire(bytes: number, purpose: 'kernel' | 'upload' = 'kernel'): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    let buffer: GPUBuffer | undefined;
    if (list && list.length > 0) {
      if (purpose === 'kernel') buffer = list.pop();
      else {
        const i = list.findIndex((b) => !this.dirty.has(b));
        if (i >= 0) buffer = list.splice(i, 1)[0];
      }
    }
    if (buffer) this.stats.pooledBytes -= size;
    else {
      buffer = this.device.createBuffer({ size, usage: STORAGE_USAGE });
      this.stats.created++;
    }
    this.stats.liveBytes += size;
    this.stats.peakBytes = Math.max(this.stats.peakBytes, this.stats.liveBytes);
    return buffer;
  }

  /** Returns a buffer for reuse. `pending`: a submit that may still use it has not been made. */
  release(buffer: GPUBuffer, pending: boolean): void {
    const size = buffer.size;
    this.stats.liveBytes -= size;
    this.stats.pooledBytes += size;
    if (pending) this.dirty.add(buffer);
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buffer);
  }

  afterSubmit(): void {
    this.dirty.clear();
  }

  /** Frees every pooled (unused) buffer, e.g. after a model is discarded. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.dirty.clear();
    this.stats.pooledBytes = 0;
  }

  resetPeak(): void {
    this.stats.peakBytes = this.stats.liveBytes;
  }

  snapshot(): PoolStats {
    return { ...this.stats };
  }
}
