// Runs the benchmark page in the system Chromium: starts a Vite dev server on localhost serving
// bench/index.html (the engine's WGSL imports and the tfjs packages resolve as in the app), opens
// it with Playwright, relays the page's progress lines, and returns the page's BenchResult.

import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_HELP, findChromium } from '../tools/chromium.mjs';
import type { BenchResult, BenchWindow } from './types';

export interface BenchOptions {
  /** A tiny run that proves the harness works (seconds, not minutes). */
  reduced: boolean;
  /** Timed repetitions per measurement (after one warm-up); default 5, reduced 2. */
  reps?: number;
  /** Which suites to run: 'matmul', 'attention', 'train_step' (default all). */
  suites?: string[];
  /** Autotune our matmul before measuring (default true; never in reduced runs). */
  autotune?: boolean;
  /** Also run tfjs (default true). */
  tfjs?: boolean;
  /** GPU time per kernel of one training step per model (timestamp queries). */
  profile?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Whole-run limit in ms (default 60 minutes; the train_step suite alone takes ~15 on SwiftShader). */
  timeoutMs?: number;
}

const root = fileURLToPath(new URL('..', import.meta.url));

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const executablePath = findChromium();
  if (!executablePath) throw new Error(CHROMIUM_HELP);
  const server = await createServer({
    root,
    configFile: false,
    logLevel: 'error',
    // Its own dependency cache, so that it never races a running `npm run dev`.
    cacheDir: 'node_modules/.vite-bench',
    // No HMR: an edit anywhere in the checkout during a run would otherwise reload the page and
    // start the benchmark over.
    server: { host: 'localhost', port: 5273, strictPort: false, hmr: false },
    optimizeDeps: { entries: ['bench/index.html'], include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-core/dist/register_all_gradients', '@tensorflow/tfjs-backend-webgpu'] },
  });
  await server.listen();
  const base = server.resolvedUrls?.local[0];
  if (!base) {
    await server.close();
    throw new Error('bench: the Vite server has no local URL');
  }
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      const text = m.text();
      if (text.startsWith('[bench]') || text.startsWith('[autotune]') || m.type() === 'error') log(text);
    });
    page.on('pageerror', (e) => log(`[page error] ${e.message}`));
    const q = new URLSearchParams();
    if (options.reduced) q.set('reduced', '1');
    if (options.reps !== undefined) q.set('reps', String(options.reps));
    if (options.suites) q.set('suites', options.suites.join(','));
    if (options.autotune === false) q.set('autotune', '0');
    if (options.tfjs === false) q.set('tfjs', '0');
    if (options.profile) q.set('profile', '1');
    await page.goto(`${base}bench/index.html?${q}`);
    const timeout = options.timeoutMs ?? 60 * 60_000;
    await page.waitForFunction(
      () => {
        const w = window as unknown as BenchWindow;
        return w.__benchResult !== undefined || w.__benchError !== undefined;
      },
      null,
      { timeout, polling: 250 },
    );
    const out = await page.evaluate(() => {
      const w = window as unknown as BenchWindow;
      return { result: w.__benchResult, error: w.__benchError };
    });
    if (out.error !== undefined || !out.result) throw new Error(`bench page failed: ${out.error ?? 'no result'}`);
    return out.result;
  } finally {
    await browser.close();
    await server.close();
  }
}
