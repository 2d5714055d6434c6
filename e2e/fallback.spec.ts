// Without WebGPU: Chromium launched without --enable-unsafe-webgpu (on Linux requestAdapter()
// then resolves to null). The page must say so, and why, and still train on the CPU (the
// WebAssembly backend, threaded: the preview server makes the page cross-origin isolated).

import { expect, test } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../tools/chromium.mjs';

test.use({
  launchOptions: {
    executablePath: findChromium(),
    args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu' && !a.startsWith('--use-webgpu-adapter')),
  },
});

test('a banner says WebGPU is missing and why, and training still works on the CPU backend', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?task=copy&layers=1&dModel=16&heads=2&dFF=32&batch=8&maxLen=12&lr=0.01&schedule=constant&warmup=0&steps=3');
  await expect(page.getByTestId('adapter')).toHaveText(/^CPU · WebAssembly SIMD, \d+ threads?$/, { timeout: 60_000 });
  const banner = page.getByTestId('fallback-banner');
  await expect(banner).toContainText('WebGPU is not available');
  await expect(banner).toContainText(/Reason: .+/);
  await expect(page.getByText(/parameters$/)).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 150_000 });
  await expect(page.getByTestId('step')).toHaveText('3');
  await page.screenshot({ path: info.outputPath('cpu-fallback.png'), fullPage: true });
  expect(errors).toEqual([]);
});
