// What the e2e specs share: opening the page with a config in the URL and waiting until the
// worker has built the model, full-page screenshots as test artefacts, and reading the step counter.

import { expect, type Page, type TestInfo } from '@playwright/test';

/**
 * Opens the page; on WebGPU unless `query` names a backend (these specs test the WebGPU path,
 * which the automatic choice would not take on a SwiftShader-only machine: e2e/wasm.spec.ts tests that).
 */
export async function open(page: Page, query: string): Promise<void> {
  const q = /(^|&)backend=/.test(query) ? query : query ? `${query}&backend=webgpu` : 'backend=webgpu';
  await page.goto(`/?${q}`);
  await expect(page.getByTestId('adapter')).not.toHaveText(/Starting/, { timeout: 60_000 });
  // The worker has built the model once the parameter count shows.
  await expect(page.getByText(/parameters$/)).toBeVisible({ timeout: 60_000 });
}

export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

/** The step counter's number ("1,234" → 1234). */
export function stepCount(text: string | null): number {
  return Number((text ?? '').replace(/[^\d]/g, ''));
}
