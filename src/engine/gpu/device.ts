// Acquiring a WebGPU adapter and device wherever the engine runs: a page, a dedicated worker, or
// Node through Dawn (the `webgpu` package). Everything else in the engine receives the device.

export interface GpuContext {
  adapter: GPUAdapter;
  device: GPUDevice;
  /** A short human name, e.g. "swiftshader (google)". */
  adapterName: string;
  /** Vendor/architecture words, used to pick kernel variants ("swiftshader", "nvidia", ...). */
  architecture: string;
  features: ReadonlySet<string>;
}

export class WebGpuUnavailableError extends Error {
  constructor(reason: string) {
    super(`WebGPU is not available: ${reason}`);
    this.name = 'WebGpuUnavailableError';
  }
}

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node && typeof navigator === 'undefined';
}

// Dawn's GPU object owns the instance that services every device's callbacks: if it is garbage
// collected while a device lives, the process aborts. Keep it for the life of the process.
let nodeGpuInstance: GPU | null = null;

async function nodeGpu(): Promise<GPU> {
  if (nodeGpuInstance) return nodeGpuInstance;
  // Dawn reads the Vulkan ICD list when its instance is created. On machines without a GPU the
  // only Vulkan driver is Chromium's SwiftShader; point the loader at it unless the user chose.
  const { existsSync } = await import('node:fs');
  if (!process.env.VK_ICD_FILENAMES && !process.env.AP_NO_SWIFTSHADER_FALLBACK && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // Without XDG_RUNTIME_DIR the Vulkan loader prints "error: XDG_RUNTIME_DIR is invalid or not
  // set" on stderr, which reads like one of our CLI's errors.
  if (!process.env.XDG_RUNTIME_DIR) {
    const { tmpdir } = await import('node:os');
    process.env.XDG_RUNTIME_DIR = tmpdir();
  }
  const mod = (await import('webgpu')) as unknown as {
    create(flags: string[]): GPU;
    globals: Record<string, unknown>;
  };
  // The WebGPU constants (GPUBufferUsage, GPUMapMode, ...) are globals in browsers; Dawn exports them.
  for (const [k, v] of Object.entries(mod.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  nodeGpuInstance = mod.create([]);
  return nodeGpuInstance;
}

function gpuEntry(): GPU | undefined {
  if (typeof navigator !== 'undefined' && 'gpu' in navigator) return navigator.gpu;
  return undefined;
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Called once if the device is lost after acquisition (driver reset, `destroy()`, ...). */
  onLost?: (info: GPUDeviceLostInfo) => void;
}

/** Requests an adapter and a device with the adapter's largest buffer limits. Throws WebGpuUnavailableError. */
export async function acquireGpu(options: AcquireOptions = {}): Promise<GpuContext> {
  let gpu: GPU | undefined = gpuEntry();
  if (!gpu && isNode()) {
    try {
      gpu = await nodeGpu();
    } catch (e) {
      throw new WebGpuUnavailableError(`the 'webgpu' package could not be loaded (${(e as Error).message})`);
    }
  }
  if (!gpu) {
    const secure = typeof isSecureContext === 'undefined' || isSecureContext;
    throw new WebGpuUnavailableError(
      secure ? 'this browser has no navigator.gpu' : 'the page is not a secure context (use https or localhost)',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new WebGpuUnavailableError('no GPU adapter was found');
  // subgroups: the matmul kernel that shares operands across a quad (shaders/matmul_subgroup.wgsl).
  const wanted: GPUFeatureName[] = ['timestamp-query', 'subgroups'];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
      maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
    },
  });
  if (options.onLost) {
    const onLost = options.onLost;
    void device.lost.then((info) => onLost(info));
  }
  const info = adapter.info;
  const architecture = [info?.vendor, info?.architecture, info?.device, info?.description]
    .filter((s) => !!s)
    .join(' ')
    .toLowerCase();
  const adapterName = [info?.architecture || info?.description || 'unknown', info?.vendor ? `(${info.vendor})` : '']
    .join(' ')
    .trim();
  return { adapter, device, adapterName, architecture, features: new Set(device.features) };
}
