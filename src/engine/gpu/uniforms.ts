// Packs a kernel's uniform block. WGSL lays out a struct of 4-byte scalars contiguously and
// aligns vec4 fields to 16 bytes; kernels here use only those two kinds of field, so writing
// words in declaration order (with `vec4*` aligning first) reproduces the WGSL layout exactly.

export const MAX_UNIFORM_BYTES = 256;

export class UniformWriter {
  readonly bytes = new ArrayBuffer(MAX_UNIFORM_BYTES);
  private readonly u = new Uint32Array(this.bytes);
  private readonly i = new Int32Array(this.bytes);
  private readonly f = new Float32Array(this.bytes);
  length = 0;

  private slot(): number {
    if (this.length >= MAX_UNIFORM_BYTES / 4) throw new Error('uniform block larger than 256 bytes');
    return this.length++;
  }
  u32(...values: number[]): this {
    for (const v of values) this.u[this.slot()] = v >>> 0;
    return this;
  }
  i32(...values: number[]): this {
    for (const v of values) this.i[this.slot()] = v | 0;
    return this;
  }
  f32(...values: number[]): this {
    for (const v of values) this.f[this.slot()] = v;
    return this;
  }
  private align16(): void {
    while (this.length % 4 !== 0) this.length++;
  }
  /** A vec4<u32> field (missing components are 0). */
  vec4u(...values: number[]): this {
    this.align16();
    for (let k = 0; k < 4; k++) this.u[this.slot()] = (values[k] ?? 0) >>> 0;
    return this;
  }
  vec4i(...values: number[]): this {
    this.align16();
    for (let k = 0; k < 4; k++) this.i[this.slot()] = (values[k] ?? 0) | 0;
    return this;
  }
  /** Size of the block, rounded up to the struct's 16-byte alignment. */
  get byteLength(): number {
    return Math.max(16, Math.ceil((this.length * 4) / 16) * 16);
  }
}

export function uniforms(): UniformWriter {
  return new UniformWriter();
}
