import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS, findChromium } from './tools/chromium.mjs';
import { buildWasm } from './tools/build-wasm.mjs';

// Three projects:
// - unit:     Node, every *.test.ts; op suites run on the CPU reference backend.
// - node-gpu: Node with Dawn (the `webgpu` package) on SwiftShader: *.gpu.test.ts and op suites.
// - wasm:     Node, the op and model suites on the WebAssembly SIMD backend (src/engine/wasm/).
// - browser:  Chromium with WebGPU: the kernel and model suites inside a real browser.
const chromium = findChromium();
// The WebAssembly kernels (wasm/*.ts → src/engine/wasm/kernels.gen.ts), rebuilt when stale.
await buildWasm();

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/**/*.test.ts', 'tools/**/*.test.ts'],
          exclude: ['src/**/*.browser.test.ts'],
          env: { AP_TEST_BACKENDS: 'cpu' },
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'node-gpu',
          environment: 'node',
          include: ['src/engine/**/*.test.ts', 'src/models/**/*.test.ts', 'src/**/*.gpu.test.ts'],
          exclude: ['src/**/*.browser.test.ts'],
          env: { AP_TEST_BACKENDS: 'webgpu' },
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'wasm',
          environment: 'node',
          include: ['src/engine/**/*.test.ts', 'src/models/**/*.test.ts'],
          exclude: ['src/**/*.browser.test.ts', 'src/**/*.gpu.test.ts', 'src/**/*.parity.test.ts'],
          env: { AP_TEST_BACKENDS: 'wasm' },
          testTimeout: 60_000,
        },
      },
      {
        // Cross-origin isolation, as the page's servers send it: SharedArrayBuffer, so the
        // WebAssembly backend's threads run in the browser suites too.
        server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
        test: {
          name: 'browser',
          include: ['src/engine/**/*.test.ts', 'src/models/**/*.test.ts', 'src/**/*.browser.test.ts'],
          exclude: ['src/**/*.node.test.ts'],
          testTimeout: 120_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromium, args: CHROMIUM_ARGS },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
