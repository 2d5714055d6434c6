import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { buildWasm } from './tools/build-wasm.mjs';

// base './' keeps every asset path relative, so `dist/` works from any static host or sub-folder.
export default defineConfig({
  base: './',
  // buildWasm: the WebAssembly kernels (wasm/*.ts → src/engine/wasm/kernels.gen.ts), rebuilt when stale.
  plugins: [react(), { name: 'build-wasm', buildStart: () => buildWasm().then(() => undefined) }],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { host: 'localhost' },
});
