// The automatic backend choice in the page: with WebGPU only on SwiftShader (as in every e2e run),
// the worker's start-up measurement picks the WebAssembly backend, the banner says so and why (the
// two timings), and training works on it; the page is cross-origin isolated, so it has threads.

import { expect, test } from '@playwright/test';

test('no ?backend=: the measured choice is the WebAssembly backend, said with its reason, and it trains', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?task=copy&layers=1&dModel=16&heads=2&dFF=32&batch=8&maxLen=12&lr=0.01&schedule=constant&warmup=0&steps=3');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('adapter')).toHaveText(/^CPU · WebAssembly SIMD, \d+ threads?$/, { timeout: 90_000 });
  const banner = page.getByTestId('fallback-banner');
  await expect(banner).toContainText('the faster backend on this machine');
  await expect(banner).toContainText(/SwiftShader .* ms on WebGPU .* ms on WebAssembly SIMD/);
  await expect(page.getByText(/parameters$/)).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 150_000 });
  await expect(page.getByTestId('step')).toHaveText('3');
  await page.screenshot({ path: info.outputPath('wasm-chosen.png'), fullPage: true });
  expect(errors).toEqual([]);
});
