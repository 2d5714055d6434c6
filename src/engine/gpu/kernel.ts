// The one descriptor every GPU kernel uses: its WGSL, entry point, specialization constants and
// bindings. Binding 0 is always the kernel's uniform block; bindings 1..n are storage buffers.

export type BindingAccess = 'read' | 'write';

export interface KernelSpec {
  /** Unique per WGSL source + entry point; with the constants it is the pipeline cache key. */
  name: string;
  code: string;
  entryPoint?: string;
  /** WGSL `override` constants; each distinct set compiles (once) to its own pipeline. */
  constants?: Record<string, number>;
  bindings: readonly BindingAccess[];
}

export function kernelKey(spec: KernelSpec): string {
  const c = spec.constants;
  if (!c) return `${spec.name}:${spec.entryPoint ?? 'main'}`;
  const parts = Object.keys(c)
    .sort()
    .map((k) => `${k}=${c[k]}`);
  return `${spec.name}:${spec.entryPoint ?? 'main'}:${parts.join(',')}`;
}

/** Splits a 1-D count of workgroups into (x, y) under the per-dimension limit. */
export function grid1d(workgroups: number, maxPerDim = 65535): [number, number, number] {
  if (workgroups <= maxPerDim) return [Math.max(1, workgroups), 1, 1];
  const y = Math.ceil(workgroups / maxPerDim);
  return [Math.ceil(workgroups / y), y, 1];
}
