import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { buildWasm } from './tools/build-wasm.mjs';

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless' };

// base './' keeps every asset path relative, so `dist/` works from any static host or sub-folder.
export default defineConfig({
  base: './',
  // buildWasm: the WebAssembly kernels (wasm/*.ts → src/engine/wasm/kernels.gen.ts), rebuilt when stale.
  plugins: [react(), { name: 'build-wasm', buildStart: () => buildWasm().then(() => undefined) }],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  // Cross-origin isolation, so that SharedArrayBuffer exists and the WebAssembly backend runs its
  // threads (src/engine/wasm/pool.ts); `credentialless` keeps cross-origin fetches of public files
  // working without their servers sending CORP headers. A static host must send the same two headers.
  server: { host: 'localhost', headers: ISOLATION },
  preview: { headers: ISOLATION },
});
