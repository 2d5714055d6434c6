// The GPU scheduler: encodes every kernel of a step into one command encoder and submits once.
// Nothing here waits for the GPU except `read`, which flushes and then maps a staging buffer;
// the caller may keep encoding the next step while that promise is pending.

import { BufferPool } from './buffer-pool';
import type { GpuContext } from './device';
import { grid1d, kernelKey, type KernelSpec } from './kernel';
import type { GpuProfiler } from './profiler';
import { MAX_UNIFORM_BYTES, type UniformWriter } from './uniforms';

const UNIFORM_CHUNK_SLOTS = 256;

interface CompiledKernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  id: number;
}

interface UniformChunk {
  buffer: GPUBuffer;
  shadow: ArrayBuffer;
  used: number;
}

export interface GpuCounters {
  dispatches: number;
  submits: number;
  readbacks: number;
  pipelines: number;
  bindGroupsCreated: number;
}

export class GpuBackend {
  readonly kind = 'webgpu' as const;
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly counters: GpuCounters = { dispatches: 0, submits: 0, readbacks: 0, pipelines: 0, bindGroupsCreated: 0 };
  /** Validation errors reported by the device, newest last (tests assert this stays empty). */
  readonly errors: string[] = [];
  private readonly kernels = new Map<string, CompiledKernel>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly uniformChunks: UniformChunk[] = [];
  private chunkIndex = 0;
  private readonly uniformAlign: number;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pendingMaps: { staging: GPUBuffer; resolve: (b: ArrayBuffer) => void; reject: (e: unknown) => void }[] = [];
  private lost = false;
  /** When set, every dispatch runs in its own timed pass (see profiler.ts); null = no profiling cost. */
  profiler: GpuProfiler | null = null;

  constructor(readonly ctx: GpuContext) {
    this.device = ctx.device;
    this.pool = new BufferPool(this.device);
    this.uniformAlign = Math.max(MAX_UNIFORM_BYTES, this.device.limits.minUniformBufferOffsetAlignment);
    this.device.addEventListener('uncapturederror', (ev) => {
      const msg = (ev as GPUUncapturedErrorEvent).error.message;
      this.errors.push(msg);
      if (this.errors.length <= 5) console.error(`[webgpu] ${msg}`);
    });
    void this.device.lost.then(() => {
      this.lost = true;
    });
  }

  private dummyBuffer: GPUBuffer | null = null;

  /** A tiny buffer bound to a read-only slot the kernel will not read (e.g. matmul without bias). */
  get dummy(): GPUBuffer {
    if (!this.dummyBuffer) this.dummyBuffer = this.device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE });
    return this.dummyBuffer;
  }

  get adapterName(): string {
    return this.ctx.adapterName;
  }

  get isLost(): boolean {
    return this.lost;
  }

  /** Whether `name` appears in the adapter's vendor / architecture words. */
  isAdapter(name: string): boolean {
    return this.ctx.architecture.includes(name);
  }

  private compile(spec: KernelSpec): CompiledKernel {
    const key = kernelKey(spec);
    let k = this.kernels.get(key);
    if (k) return k;
    const entries: GPUBindGroupLayoutEntry[] = [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
      ...spec.bindings.map((access, i) => ({
        binding: i + 1,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: (access === 'read' ? 'read-only-storage' : 'storage') as GPUBufferBindingType },
      })),
    ];
    const layout = this.device.createBindGroupLayout({ label: spec.name, entries });
    const module = this.device.createShaderModule({ label: spec.name, code: spec.code });
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: spec.entryPoint ?? 'main', constants: spec.constants },
    });
    k = { pipeline, layout, id: this.kernels.size + 1 };
    this.kernels.set(key, k);
    this.counters.pipelines++;
    return k;
  }

  private ensurePass(): GPUComputePassEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    if (!this.pass) this.pass = this.encoder.beginComputePass();
    return this.pass;
  }

  /** Ends the open pass and begins one that the profiler times as `label`. */
  private timedPass(profiler: GpuProfiler, label: string): GPUComputePassEncoder {
    const encoder = this.ensureEncoderNoPass();
    this.pass = encoder.beginComputePass(profiler.timedPass(label));
    return this.pass;
  }

  private ensureEncoderNoPass(): GPUCommandEncoder {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  /** Space for one uniform block; returns its chunk and byte offset. */
  private uniformSlot(u: UniformWriter): { chunk: UniformChunk; offset: number } {
    let chunk = this.uniformChunks[this.chunkIndex];
    if (chunk && chunk.used >= UNIFORM_CHUNK_SLOTS) {
      this.chunkIndex++;
      chunk = this.uniformChunks[this.chunkIndex];
    }
    if (!chunk) {
      const size = UNIFORM_CHUNK_SLOTS * this.uniformAlign;
      chunk = {
        buffer: this.device.createBuffer({ size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
        shadow: new ArrayBuffer(size),
        used: 0,
      };
      this.uniformChunks.push(chunk);
    }
    const offset = chunk.used * this.uniformAlign;
    new Uint8Array(chunk.shadow, offset, u.byteLength).set(new Uint8Array(u.bytes, 0, u.byteLength));
    chunk.used++;
    return { chunk, offset };
  }

  private bindGroup(k: CompiledKernel, chunk: UniformChunk, buffers: readonly GPUBuffer[]): GPUBindGroup {
    let key = `${k.id}|${this.pool.id(chunk.buffer)}`;
    for (const b of buffers) key += `|${this.pool.id(b)}`;
    let bg = this.bindGroups.get(key);
    if (bg) return bg;
    if (this.bindGroups.size > 8192) this.bindGroups.clear();
    bg = this.device.createBindGroup({
      layout: k.layout,
      entries: [
        { binding: 0, resource: { buffer: chunk.buffer, offset: 0, size: MAX_UNIFORM_BYTES } },
        ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
      ],
    });
    this.bindGroups.set(key, bg);
    this.counters.bindGroupsCreated++;
    return bg;
  }

  /** Encodes one dispatch. `workgroups` is a count (split into a 2-D grid if large) or an explicit grid. */
  dispatch(
    spec: KernelSpec,
    buffers: readonly GPUBuffer[],
    u: UniformWriter,
    workgroups: number | [number, number, number],
  ): void {
    if (buffers.length !== spec.bindings.length) {
      throw new Error(`${spec.name}: ${buffers.length} buffers for ${spec.bindings.length} bindings`);
    }
    const k = this.compile(spec);
    const { chunk, offset } = this.uniformSlot(u);
    const grid = typeof workgroups === 'number' ? grid1d(workgroups) : workgroups;
    if (grid[0] === 0 || grid[1] === 0 || grid[2] === 0) return;
    const pass = this.profiler ? this.timedPass(this.profiler, kernelKey(spec)) : this.ensurePass();
    pass.setPipeline(k.pipeline);
    pass.setBindGroup(0, this.bindGroup(k, chunk, buffers), [offset]);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.counters.dispatches++;
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.ensureEncoderNoPass().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** A new buffer holding `data` (written before any command of the pending submit runs). */
  upload(data: ArrayBufferView): GPUBuffer {
    const bytes = Math.ceil(data.byteLength / 4) * 4;
    const buffer = this.pool.acquire(Math.max(4, bytes), 'upload');
    if (data.byteLength > 0) {
      const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (data.byteLength % 4 === 0) this.device.queue.writeBuffer(buffer, 0, view);
      else {
        const padded = new Uint8Array(bytes);
        padded.set(view);
        this.device.queue.writeBuffer(buffer, 0, padded);
      }
    }
    return buffer;
  }

  acquire(bytes: number): GPUBuffer {
    return this.pool.acquire(Math.max(4, bytes), 'kernel');
  }

  release(buffer: GPUBuffer): void {
    this.pool.release(buffer, this.encoder !== null);
  }

  /** Submits everything encoded so far as one command buffer. */
  flush(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    let hasWork = this.encoder !== null;
    for (let c = 0; c <= this.chunkIndex && c < this.uniformChunks.length; c++) {
      const chunk = this.uniformChunks[c];
      if (chunk.used > 0) {
        this.device.queue.writeBuffer(chunk.buffer, 0, chunk.shadow, 0, chunk.used * this.uniformAlign);
        chunk.used = 0;
        hasWork = true;
      }
    }
    this.chunkIndex = 0;
    if (this.encoder) {
      this.profiler?.resolve(this.encoder);
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
      this.counters.submits++;
      void this.profiler?.collect();
    }
    this.pool.afterSubmit();
    const maps = this.pendingMaps;
    this.pendingMaps = [];
    for (const m of maps) {
      m.staging.mapAsync(GPUMapMode.READ).then(
        () => {
          const copy = m.staging.getMappedRange().slice(0);
          m.staging.unmap();
          m.staging.destroy();
          m.resolve(copy);
        },
        (e: unknown) => {
          m.staging.destroy();
          m.reject(e);
        },
      );
    }
    void hasWork;
  }

  /** Copies `bytes` from `src` to a staging buffer, flushes, and resolves with the data. */
  read(src: GPUBuffer, byteOffset: number, bytes: number): Promise<ArrayBuffer> {
    if (this.lost) return Promise.reject(new Error('the GPU device was lost'));
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.ensureEncoderNoPass().copyBufferToBuffer(src, byteOffset, staging, 0, size);
    this.counters.readbacks++;
    const p = new Promise<ArrayBuffer>((resolve, reject) => {
      this.pendingMaps.push({ staging, resolve, reject });
    });
    this.flush();
    return p.then((b) => (b.byteLength === bytes ? b : b.slice(0, bytes)));
  }

  /** Resolves when the GPU has finished all submitted work. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
  }

  destroy(): void {
    this.flush();
    this.pool.trim();
    for (const c of this.uniformChunks) c.buffer.destroy();
    this.device.destroy();
  }
}
