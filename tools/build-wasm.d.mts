/** Builds wasm/*.ts into src/engine/wasm/kernels.gen.ts when a source is newer (always with force); true when it built. */
export declare function buildWasm(force?: boolean): Promise<boolean>;
