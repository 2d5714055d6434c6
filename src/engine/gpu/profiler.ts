// Per-kernel GPU time from timestamp queries ('timestamp-query' feature), off by default.
//
// WebGPU writes timestamps only at the beginning and end of a pass, so a profiled run gives every
// dispatch its own compute pass: `timedPass(label)` returns the pass descriptor with the next two
// query slots, `resolve(encoder)` copies this submit's timestamps to a readback buffer before the
// encoder is finished, and `collect()` (after the submit) maps it and adds end − begin to the
// label's total. Queue order makes reusing the query set across submits safe: a submit's resolve
// runs before the next submit's passes overwrite the slots.
//
// The scheduler needs three lines to use it (GpuBackend keeps `profiler: GpuProfiler | null = null`):
//   dispatch(): `const pass = this.profiler ? this.timedPass(kernelKey(spec)) : this.ensurePass();`
//               where timedPass ends the open pass and begins `this.profiler.timedPass(label)`;
//   flush():    `this.profiler?.resolve(this.encoder)` after ending the pass, before finish(), and
//               `void this.profiler?.collect()` after queue.submit().
// With `profiler` null that is one null test per dispatch: nothing else runs.

export interface KernelTime {
  label: string;
  calls: number;
  totalMs: number;
  meanMs: number;
}

interface Pending {
  staging: GPUBuffer;
  labels: string[];
}

export class GpuProfiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;
  /** Labels of the passes timed in the submit being encoded, in slot order (2 slots each). */
  private labels: string[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private readonly totals = new Map<string, { calls: number; ns: number }>();
  private pending: Pending | null = null;
  /** Passes that ran untimed because the query set was full (raise `capacity`). */
  dropped = 0;

  static isSupported(device: GPUDevice): boolean {
    return device.features.has('timestamp-query');
  }

  /** `capacity`: timed passes per submit (two queries each). */
  constructor(
    private readonly device: GPUDevice,
    private readonly capacity = 2048,
  ) {
    if (!GpuProfiler.isSupported(device)) throw new Error("GpuProfiler: the device lacks the 'timestamp-query' feature");
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * capacity });
    // QUERY_RESOLVE | COPY_SRC, as numbers (the GPUBufferUsage global may be absent where this is imported).
    this.resolveBuffer = device.createBuffer({ size: 16 * capacity, usage: 0x0200 | 0x0004 });
  }

  /** Descriptor of a compute pass that times one dispatch as `label` (untimed when the set is full). */
  timedPass(label: string): GPUComputePassDescriptor {
    if (this.labels.length >= this.capacity) {
      this.dropped++;
      return { label };
    }
    const i = this.labels.length;
    this.labels.push(label);
    return { label, timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } };
  }

  /** Encodes the resolve of this submit's timestamps; call after the last pass ended, before finish(). */
  resolve(encoder: GPUCommandEncoder): void {
    const n = this.labels.length;
    if (n === 0) return;
    // MAP_READ | COPY_DST
    const staging = this.device.createBuffer({ size: 16 * n, usage: 0x0001 | 0x0008 });
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, staging, 0, 16 * n);
    this.pending = { staging, labels: this.labels };
    this.labels = [];
  }

  /** After the submit that carried `resolve`: reads its timestamps back and adds them up. */
  collect(): Promise<void> {
    const p = this.pending;
    this.pending = null;
    if (!p) return Promise.resolve();
    const done = p.staging
      .mapAsync(0x0001)
      .then(() => {
        const t = new BigUint64Array(p.staging.getMappedRange());
        p.labels.forEach((label, i) => {
          const begin = t[2 * i];
          const end = t[2 * i + 1];
          const e = this.totals.get(label) ?? { calls: 0, ns: 0 };
          e.calls++;
          // Some implementations quantise or reorder timestamps; a negative span counts as 0.
          e.ns += end > begin ? Number(end - begin) : 0;
          this.totals.set(label, e);
        });
        p.staging.unmap();
      })
      .catch(() => {
        this.dropped += p.labels.length; // device lost or destroyed: those passes stay untimed
      })
      .finally(() => {
        p.staging.destroy();
        this.inflight.delete(done);
      });
    this.inflight.add(done);
    return done;
  }

  /** Totals per label, largest first, once every collected submit has been read. */
  async report(): Promise<KernelTime[]> {
    await Promise.all([...this.inflight]);
    return [...this.totals.entries()]
      .map(([label, e]) => ({ label, calls: e.calls, totalMs: e.ns / 1e6, meanMs: e.ns / 1e6 / e.calls }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  reset(): void {
    this.totals.clear();
    this.dropped = 0;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
  }
}
