// The playground end to end, in Chromium with WebGPU on SwiftShader against the built site:
// the page opens cleanly on the SwiftShader adapter, small configs train (counters advance, loss
// falls, clipping holds, attention maps are drawn, hard attention gives exact zeros), translate
// answers, invalid fields are refused, a reload restores the run, kept runs are compared, and the
// main thread stays free for the page while training (our own work, timed, stays short). A screenshot of each state goes to
// test-results/.

import { loadavg } from 'node:os';
import { expect, test, type Page } from '@playwright/test';
import { open, shot, stepCount } from './page';
import type { DebugHandle } from '../src/ui/debug';

/** A small Transformer that takes a few hundred ms per step on SwiftShader. */
const SMALL = 'task=copy&layers=1&dModel=16&heads=2&dFF=32&batch=8&maxLen=12&lr=0.01&schedule=constant&warmup=0&evalEvery=10&probeEvery=5';

type Handle = DebugHandle;
declare global {
  interface Window {
    __longtasks?: { start: number; duration: number }[];
    __loaf?: { start: number; duration: number; blocking: number; scripts: { url: string; invoker: string; duration: number }[] }[];
  }
}

/** The fields of a PerformanceLongAnimationFrameTiming entry that the main-thread test reads. */
interface LoafEntry {
  startTime: number;
  duration: number;
  blockingDuration: number;
  scripts: { sourceURL: string; invoker: string; duration: number }[];
}

function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** Presses Train and waits until the run is done (config `steps` reached). */
async function trainToEnd(page: Page, steps: number): Promise<void> {
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 150_000 });
  await expect(page.getByTestId('step')).toHaveText(String(steps));
}

function metrics(page: Page) {
  return page.evaluate(() => {
    const h = window.__playground as Handle;
    const s = h.metrics().series;
    return { step: s.step, loss: s.columns.loss, pre: s.columns.gradNormPre, post: s.columns.gradNormPost, evals: h.metrics().evals };
  });
}

test('opens without console errors, on the SwiftShader adapter', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await open(page, '');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Attention Playground');
  await expect(page.getByTestId('adapter')).toHaveText(/^WebGPU · .*swiftshader/i);
  await expect(page.getByTestId('fallback-banner')).toHaveCount(0);
  for (const name of ['Train', 'Pause', 'Step', 'Reset']) await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
  await expect(page.getByTestId('splits')).toContainText(/\d/);
  await shot(page, info, 'opened');
  expect(errors).toEqual([]);
});

test('trains 20 steps: the counter advances, the loss chart has points and the loss falls', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await open(page, `${SMALL}&steps=20`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => stepCount(await page.getByTestId('step').textContent()), { timeout: 60_000 }).toBeGreaterThan(0);
  await shot(page, info, 'training');
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 150_000 });
  await expect(page.getByTestId('step')).toHaveText('20');
  const lossChart = page.getByRole('figure', { name: 'Loss', exact: true });
  const path = lossChart.locator('path.recharts-line-curve').first();
  await expect(path).toHaveAttribute('d', /(L[^L]*){10}/);
  const m = await metrics(page);
  expect(m.step).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  const first = m.loss.slice(0, 3).reduce((a, b) => a + b) / 3;
  const last = m.loss.slice(-3).reduce((a, b) => a + b) / 3;
  console.log(`[e2e] loss: mean of first 3 steps ${first.toFixed(3)} → last 3 steps ${last.toFixed(3)}`);
  expect(last).toBeLessThan(first);
  await shot(page, info, 'trained-20');
  expect(errors).toEqual([]);
});

test('norm clipping at a small max norm: the post-clip norm is ≤ the pre-clip norm and ≤ max_norm', async ({ page }, info) => {
  const maxNorm = 0.05;
  await open(page, `${SMALL}&steps=8&clip=norm&maxNorm=${maxNorm}&normType=2`);
  const valid = page.getByRole('figure', { name: 'Valid set' });
  await expect(valid).toContainText('The valid set is evaluated every 10 steps.');
  // After a step, before any evaluation: the valid chart says when its first point comes.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByTestId('step')).toHaveText('1', { timeout: 60_000 });
  await expect(valid).toContainText('No evaluation yet: the first is at step 10.');
  await trainToEnd(page, 8);
  const m = await metrics(page);
  expect(m.pre.length).toBe(8);
  for (let i = 0; i < m.pre.length; i++) {
    expect(m.post[i]).toBeLessThanOrEqual(m.pre[i] * (1 + 1e-5));
    expect(m.post[i]).toBeLessThanOrEqual(maxNorm * (1 + 1e-4));
  }
  // With a max norm this small every step is clipped.
  expect(m.pre.every((g) => g > maxNorm)).toBe(true);
  const chart = page.getByRole('figure', { name: 'Global gradient norm' });
  await expect(chart.locator('path.recharts-line-curve')).toHaveCount(2);
  await expect(chart.locator('.recharts-reference-line')).toHaveCount(1);
  await chart.getByLabel('Log scale').uncheck();
  // The clip coefficient min(max_norm / (‖g‖ + 1e-6), 1) of each step is plotted, below 1 here.
  const coefs = await page.evaluate(() => [...window.__playground!.metrics().series.columns.clipCoef]);
  expect(coefs).toHaveLength(8);
  coefs.forEach((c, i) => expect(c).toBeCloseTo(maxNorm / (m.pre[i] + 1e-6), 4));
  await expect(page.getByRole('figure', { name: 'Clipping coefficient' }).locator('path.recharts-line-curve')).toHaveCount(1);
  await shot(page, info, 'clipping');
});

test('clipping by value: the fraction of gradient elements clamped is counted, plotted, and named per parameter', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await open(page, `${SMALL}&steps=6&clip=value&clipValue=0.001`);
  await trainToEnd(page, 6);
  const r = await page.evaluate(() => {
    const h = window.__playground!;
    return { fractions: [...h.metrics().series.columns.clampedFraction], last: h.metrics().last!.paramClamped };
  });
  console.log(`[e2e] clip by value 0.001: clamped fractions ${r.fractions.map((f) => f.toFixed(3)).join(' ')}`);
  expect(r.fractions).toHaveLength(6);
  // A bound this small clamps a good part of the elements, never more than all of them.
  for (const f of r.fractions) {
    expect(f).toBeGreaterThan(0.05);
    expect(f).toBeLessThanOrEqual(1);
  }
  expect(r.last.some((f) => f > 0)).toBe(true);
  const chart = page.getByRole('figure', { name: 'Gradient elements clamped' });
  await expect(chart.locator('path.recharts-line-curve')).toHaveCount(1);
  await expect(chart.getByTestId('most-clamped').getByRole('listitem').first()).toContainText('%');
  await chart.scrollIntoViewIfNeeded();
  await shot(page, info, 'clipping-by-value');
  expect(errors).toEqual([]);
});

/** Samples the centres of a heatmap canvas's cells (not its labels) and counts distinct colours. */
async function distinctCellColours(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const c = document.querySelector<HTMLCanvasElement>(sel)!;
    const [left, top, cell] = c.dataset.plot!.split(',').map(Number);
    const rows = Number(c.dataset.rows);
    const cols = Number(c.dataset.cols);
    const scale = c.width / parseFloat(c.style.width);
    const ctx = c.getContext('2d')!;
    const seen = new Set<string>();
    for (let r = 0; r < rows; r++)
      for (let k = 0; k < cols; k++) {
        const d = ctx.getImageData(Math.floor((left + (k + 0.5) * cell) * scale), Math.floor((top + (r + 0.5) * cell) * scale), 1, 1).data;
        seen.add(`${d[0]},${d[1]},${d[2]}`);
      }
    return seen.size;
  }, selector);
}

test('attention heatmaps: canvases with non-uniform cells, labelled, enlargeable, with a scrubber', async ({ page }, info) => {
  await open(page, `${SMALL}&steps=10`);
  await trainToEnd(page, 10);
  await page.getByRole('tab', { name: 'Attention' }).click();
  const tiles = page.locator('.tile canvas');
  await expect(tiles.first()).toBeVisible();
  // One tile per layer × head: encoder self, decoder self and cross attention, 1 layer × 2 heads each.
  await expect(tiles).toHaveCount(6);
  await page.waitForTimeout(300); // drawing is spread over animation frames
  const colours = await distinctCellColours(page, '.attention-kind:last-of-type .tile canvas');
  expect(colours).toBeGreaterThan(1);
  await expect(page.getByRole('slider', { name: 'Snapshot' })).toBeVisible();
  await shot(page, info, 'attention');
  await page.getByRole('button', { name: /^Enlarge Cross-attention, layer 1, head 1/ }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await dialog.locator('canvas').hover(); // its centre: the canvas is sized to the matrix, often under 200 px
  await shot(page, info, 'attention-enlarged');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // Scrub back to the first snapshot.
  const scrubber = page.getByRole('slider', { name: 'Snapshot' });
  await scrubber.focus();
  await page.keyboard.press('Home');
  await expect(page.locator('.scrubber output')).toHaveText(/step \d+/);
});

test('hard attention (top-1) reports exact zeros in its weights, drawn hatched', async ({ page }, info) => {
  await open(page, `${SMALL}&steps=5&attention=hard&hardKind=topk&hardK=1`);
  await trainToEnd(page, 5);
  const result = await page.evaluate(() => {
    const h = window.__playground as Handle;
    const snaps = h.attention().snapshots;
    const s = snaps[snaps.length - 1];
    const cross = s.maps.filter((m) => m.kind === 'cross');
    let zeros = 0;
    let maxNonZeroPerRow = 0;
    for (const m of cross)
      for (let r = 0; r < m.heads * m.rows; r++) {
        let nz = 0;
        for (let c = 0; c < m.cols; c++) {
          const v = m.data[r * m.cols + c];
          if (v === 0) zeros++;
          else nz++;
        }
        maxNonZeroPerRow = Math.max(maxNonZeroPerRow, nz);
      }
    return { maps: cross.length, cols: cross[0]?.cols ?? 0, zeros, maxNonZeroPerRow };
  });
  console.log(`[e2e] hard attention: ${JSON.stringify(result)}`);
  expect(result.maps).toBeGreaterThan(0);
  expect(result.cols).toBeGreaterThan(1);
  expect(result.zeros).toBeGreaterThan(0);
  expect(result.maxNonZeroPerRow).toBe(1);
  await page.getByRole('tab', { name: 'Attention' }).click();
  await expect(page.locator('.attention-kind:last-of-type .tile[data-zeros]').first()).toBeVisible();
  await shot(page, info, 'hard-attention');
});

test('translate answers with the model being trained', async ({ page }, info) => {
  await open(page, `${SMALL}&steps=5`);
  await trainToEnd(page, 5);
  await page.getByRole('tab', { name: 'Translate' }).click();
  const example = await page.evaluate(() => (window.__playground as Handle).status().model?.examples[0]?.src ?? 'a b c');
  await page.getByLabel('Sentence to translate').fill(example);
  await page.getByLabel('Beam width').fill('2');
  await page.locator('.translate-form').getByLabel('Model', { exact: true }).selectOption('current');
  await page.getByRole('button', { name: 'Translate', exact: true }).click();
  await expect(page.getByTestId('translation')).not.toBeEmpty({ timeout: 60_000 });
  await expect(page.getByRole('img', { name: /Cross-attention alignment/ })).toBeVisible();
  await shot(page, info, 'translate');
});

test('translate answers from the shipped pretrained dates model before any training', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await open(page, 'task=dates');
  await page.getByRole('tab', { name: 'Translate' }).click();
  await expect(page.locator('.translate-form').getByLabel('Model', { exact: true })).toHaveValue('pretrained');
  await page.getByLabel('Sentence to translate').fill('the 23rd of november 2026');
  await page.getByRole('button', { name: 'Translate', exact: true }).click();
  await expect(page.getByTestId('translation')).toHaveText(/2026-11-23/, { timeout: 60_000 });
  await expect(page.getByRole('img', { name: /Cross-attention alignment/ })).toBeVisible();
  await shot(page, info, 'translate-pretrained');
  expect(errors).toEqual([]);
});

test('an invalid field shows its message and is not applied', async ({ page }, info) => {
  await open(page, 'lr=abc');
  const lr = page.getByRole('textbox', { name: 'Learning rate' });
  await expect(lr).toHaveAttribute('aria-invalid', 'true');
  await expect(lr).toHaveValue('abc');
  await expect(page.getByText('must be a number — not applied')).toBeVisible();
  await lr.fill('0.003');
  await expect(lr).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/lr=0\.003/);
  await lr.fill('-1');
  await expect(page.getByText('must be at least 0 — not applied')).toBeVisible();
  await expect(page).toHaveURL(/lr=0\.003/);
  const heads = page.getByRole('textbox', { name: 'Heads' });
  await heads.fill('3');
  await expect(page.getByText(/heads \(3\) must divide d_model \(64\)/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await shot(page, info, 'invalid-field');
});

test('a reload restores the run (config, metrics, attention, weights)', async ({ page }, info) => {
  await open(page, `${SMALL}&steps=10`);
  await trainToEnd(page, 10);
  await expect(page.getByTestId('saved-at')).toBeVisible();
  const before = await metrics(page);
  // Let the save that follows 'done' finish (the saved-at time updates when it has).
  await page.waitForTimeout(1000);
  await page.reload();
  await expect(page.getByTestId('adapter')).not.toHaveText(/Starting/, { timeout: 60_000 });
  await expect(page.getByTestId('step')).toHaveText('10');
  await expect(page.getByTestId('run-state')).toHaveText(/paused|done/, { timeout: 60_000 });
  const after = await metrics(page);
  expect(after.step).toEqual(before.step);
  expect(after.loss).toEqual(before.loss);
  const snaps = await page.evaluate(() => (window.__playground as Handle).attention().snapshots.length);
  expect(snaps).toBeGreaterThan(0);
  // The weights came back: the restored model translates.
  await page.getByRole('tab', { name: 'Translate' }).click();
  await page.getByLabel('Sentence to translate').fill('a b');
  await page.locator('.translate-form').getByLabel('Model', { exact: true }).selectOption('current');
  await page.getByRole('button', { name: 'Translate', exact: true }).click();
  await expect(page.getByTestId('translation')).not.toBeEmpty({ timeout: 60_000 });
  await shot(page, info, 'restored');
});

test('two tabs keep their own runs', async ({ context }, info) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await open(a, `${SMALL}&steps=4`);
  await open(b, `${SMALL}&steps=7`);
  await trainToEnd(a, 4);
  await trainToEnd(b, 7);
  await expect(a.getByTestId('saved-at')).toBeVisible();
  await expect(b.getByTestId('saved-at')).toBeVisible();
  const ids = await Promise.all([a, b].map((p) => p.evaluate(() => (window.__playground as Handle).status().runId)));
  expect(ids[0]).not.toBe(ids[1]);
  await a.waitForTimeout(1000);
  await a.reload();
  await b.reload();
  await expect(a.getByTestId('step')).toHaveText('4', { timeout: 60_000 });
  await expect(b.getByTestId('step')).toHaveText('7', { timeout: 60_000 });
  await expect(a.getByTestId('run-state')).toHaveText(/paused|done/, { timeout: 60_000 });
  await shot(a, info, 'tab-a');
  await shot(b, info, 'tab-b');
});

test('two finished runs appear in the comparison without a Keep step; Keep does not add one twice', async ({ page }, info) => {
  await open(page, `${SMALL}&steps=6`);
  await trainToEnd(page, 6);
  await page.getByRole('tab', { name: 'Compare runs' }).click();
  await page.getByRole('textbox', { name: 'Learning rate' }).fill('0.003');
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(page.getByTestId('step')).toHaveText('0');
  await trainToEnd(page, 6);
  await page.getByRole('button', { name: 'Keep this run for comparison' }).click();
  const table = page.getByRole('table', { name: /Kept runs/ });
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(page.getByRole('figure', { name: 'Kept runs' }).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('figure', { name: 'Kept runs' }).locator('path.recharts-line-curve')).toHaveCount(2);
  await shot(page, info, 'compare');
});

// What the page does on its main thread while training stays short. The browser's long-task list
// and its long animation frames also count the time the OS gave to other processes: on this
// 2-core machine at load 8 they showed 51 long tasks of up to 321 ms in 30 s, at load 17 one
// drawing slice of ours took 656 ms of wall time. So single durations are logged, not asserted.
// Asserted is our own work as the page times it (src/ui/work-meter.ts: each worker event handled,
// each heatmap drawing slice), by statistics that a few preemptions do not move but a step, a
// decode or an undivided redraw of every map on the main thread would: 95 % of our work items
// take under OWN_WORK_P95_MS (measured: 16 ms at load 8, 12 ms at load 17) and all of them
// together under OWN_WORK_SHARE of the time (measured: 2.5 % at load 8, 3.7 % at load 17).
// React's renders are reported through the scripts of our bundle in long animation frames (logged).
const OWN_WORK_P95_MS = 50;
const OWN_WORK_SHARE = 0.1;

test('the main thread stays free for the page over 30 s of training', async ({ page }, info) => {
  await page.addInitScript(() => {
    window.__longtasks = [];
    window.__loaf = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks!.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as unknown as LoafEntry[])
          window.__loaf!.push({
            start: e.startTime,
            duration: e.duration,
            blocking: e.blockingDuration,
            scripts: e.scripts.map((x) => ({ url: x.sourceURL, invoker: x.invoker, duration: x.duration })),
          });
      }).observe({ type: 'long-animation-frame', buffered: true });
    } catch {
      // A browser without the Long Animation Frames API: only our own timings are checked.
    }
  });
  await open(page, `${SMALL}&steps=100000&probeEvery=5&evalEvery=25`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  // Measured from the first step on: the page's own start-up (the worker, the first model
  // build) is not part of the training run.
  await expect.poll(async () => stepCount(await page.getByTestId('step').textContent()), { timeout: 60_000 }).toBeGreaterThan(0);
  const start = await page.evaluate(() => performance.now());
  // Half the time on the charts, half on the attention maps.
  await page.waitForTimeout(15_000);
  await page.getByRole('tab', { name: 'Attention' }).click();
  await page.waitForTimeout(15_000);
  await shot(page, info, 'long-run');
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const steps = stepCount(await page.getByTestId('step').textContent());
  const r = await page.evaluate((t0) => {
    const origin = location.origin;
    const frames = window.__loaf!.filter((f) => f.start >= t0);
    const ours = frames.flatMap((f) => f.scripts.filter((x) => x.url.startsWith(origin)));
    return {
      tasks: window.__longtasks!.filter((t) => t.start >= t0),
      frames: frames.length,
      ourScripts: ours.sort((a, b) => b.duration - a.duration).slice(0, 10),
      work: window.__playground!.work(t0).stats,
      elapsed: performance.now() - t0,
    };
  }, start);
  const max = r.tasks.reduce((a, t) => Math.max(a, t.duration), 0);
  const ourScriptMax = r.ourScripts[0]?.duration ?? 0;
  const load = loadavg()[0];
  console.log(
    `[e2e] 30 s of training (load ${load.toFixed(1)}): ${steps} steps; our work: ${r.work.count} items, ${r.work.totalMs.toFixed(0)} ms, ` +
      `${((100 * r.work.totalMs) / r.elapsed).toFixed(1)} % of the time, p95 ${r.work.p95Ms.toFixed(1)} ms, longest ${r.work.maxMs.toFixed(0)} ms (${r.work.slowest?.kind ?? '-'}); longest script of ours in a long frame ` +
      `${ourScriptMax.toFixed(0)} ms; browser: ${r.tasks.length} long tasks (> 50 ms), longest ${max.toFixed(0)} ms, ${r.frames} long animation frames`,
  );
  await info.attach('main-thread.json', { body: JSON.stringify({ steps, load, ...r }, null, 2), contentType: 'application/json' });
  expect(steps).toBeGreaterThan(0);
  expect(r.work.count).toBeGreaterThan(0);
  expect(r.work.p95Ms).toBeLessThan(OWN_WORK_P95_MS);
  expect(r.work.totalMs / r.elapsed).toBeLessThan(OWN_WORK_SHARE);
});

test('every control has a label; keyboard reaches the run controls and the views; Chinese; phone width', async ({ page }, info) => {
  await open(page, '');
  const unlabelled = await page.evaluate(() => {
    const bad: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('input, select, button, textarea, [role="tab"], canvas[tabindex]')) {
      if (el.closest('[inert]')) continue;
      const labelled =
        (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) && el.labels && el.labels.length > 0
          ? true
          : Boolean(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.textContent ?? '').trim());
      if (!labelled) bad.push(el.outerHTML.slice(0, 120));
    }
    return bad;
  });
  expect(unlabelled).toEqual([]);
  // Keyboard: the Train button takes focus, the tabs move with the arrow keys.
  await page.getByRole('button', { name: 'Train', exact: true }).focus();
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeFocused();
  await page.getByRole('tab', { name: 'Training' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Attention' })).toHaveAttribute('aria-selected', 'true');
  await expect(page).toHaveURL(/view=attention/);
  // Simplified Chinese.
  await page.getByLabel('Language').selectOption('zh-CN');
  await expect(page.getByRole('button', { name: '训练', exact: true })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page).toHaveURL(/lang=zh-CN/);
  await shot(page, info, 'chinese');
  await page.getByLabel('语言').selectOption('en');
  // Phone width: nothing wider than the viewport.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('tab', { name: 'Training' }).click();
  // Charts follow their container's width after a short debounce.
  const overflow = () => page.evaluate(() => {
    const wide: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      if (el.closest('.tab-panel-hidden, [role="tablist"]')) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > window.innerWidth + 0.5) wide.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.right)} px)`);
    }
    return { scroll: document.documentElement.scrollWidth - window.innerWidth, wide: wide.slice(0, 10) };
  });
  await expect.poll(overflow, { timeout: 5000 }).toEqual({ scroll: 0, wide: [] });
  await shot(page, info, 'phone');
});

test('the model downloads as .safetensors and loads back; a bad file is refused and the run is kept', async ({ page }, info) => {
  await open(page, `${SMALL}&steps=3`);
  await trainToEnd(page, 3);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download weights' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.safetensors$/);
  const path = await download.path();
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByTestId('step')).toHaveText('0');
  await page.getByLabel('Checkpoint (.safetensors) to load').setInputFiles(path);
  await expect(page.getByTestId('step')).toHaveText('3');
  await expect(page.getByText(/^Loaded .* \(step 3\)/)).toBeVisible();
  await page.getByLabel('Checkpoint (.safetensors) to load').setInputFiles({ name: 'bad.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a checkpoint at all') });
  await expect(page.getByText(/Import failed: checkpoint: not a valid \.safetensors file/)).toBeVisible();
  await expect(page.getByTestId('step')).toHaveText('3');
  await shot(page, info, 'weights-loaded');
});

test('the profiler panel times every kernel of one step on the GPU', async ({ page }, info) => {
  await open(page, `${SMALL}&steps=20`);
  await page.getByRole('button', { name: 'Profile one step' }).click();
  await expect(page.getByTestId('profile-summary')).toHaveText(/Step 1: [\d.]+ ms of GPU time over \d+ dispatches/, { timeout: 60_000 });
  const rows = page.locator('.profile-table tbody tr');
  expect(await rows.count()).toBeGreaterThan(3);
  await expect(page.getByTestId('step')).toHaveText('1');
  await shot(page, info, 'profile');
});

test('first-visit details: config selects show their whole text, the theme can be picked, the parameter count follows a pending model change', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await page.setViewportSize({ width: 1400, height: 900 });
  await open(page, SMALL);
  // Every option's text fits its select (measured with the select's own font, arrow excluded).
  const cut = await page.evaluate(() => {
    const ctx = document.createElement('canvas').getContext('2d')!;
    const bad: string[] = [];
    for (const s of document.querySelectorAll<HTMLSelectElement>('aside.config select')) {
      const cs = getComputedStyle(s);
      ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20;
      for (const o of Array.from(s.options)) if (ctx.measureText(o.text).width > room) bad.push(`${o.text} (${Math.round(ctx.measureText(o.text).width)} > ${Math.round(room)} px)`);
    }
    return bad;
  });
  expect(cut).toEqual([]);
  // The theme: the system's by default, or picked in the header.
  const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await page.getByLabel('Theme').selectOption('dark');
  expect(await bg()).toBe('rgb(21, 23, 27)');
  await shot(page, info, 'theme-dark');
  await page.getByLabel('Theme').selectOption('light');
  expect(await bg()).toBe('rgb(246, 247, 249)');
  // A model edit after a step applies on Reset: the count says what it will be.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByTestId('step')).toHaveText('1', { timeout: 60_000 });
  await expect(page.getByTestId('pending-params')).toHaveCount(0);
  await page.getByRole('textbox', { name: 'd_model' }).fill('32');
  await expect(page.getByTestId('pending-params')).toContainText(/≈ [\d,]+ after Reset/);
  expect(errors).toEqual([]);
});

test('a lesson in one click: reverse sets up a run, trains it and shows the attention maps', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await open(page, '');
  await page.getByRole('button', { name: 'Reverse: watch the anti-diagonal form' }).click();
  await expect(page.getByRole('tab', { name: 'Attention' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('run-state')).toHaveText('training', { timeout: 60_000 });
  const config = await page.evaluate(() => window.__playground!.status().configured);
  expect([config?.task, config?.model, config?.steps]).toEqual(['reverse', 'transformer', 300]);
  // A snapshot comes every 10 steps: the maps of the run appear while it trains.
  await expect(page.locator('[data-testid="probe-lines"]')).toBeVisible({ timeout: 90_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveText('paused', { timeout: 30_000 });
  await shot(page, info, 'lesson-reverse');
  expect(errors).toEqual([]);
});

test('pointing at a probe token marks it in every map of the probe; pointing at a cell marks its tokens', async ({ page }, info) => {
  await open(page, `${SMALL}&steps=5&probeEvery=5`);
  await trainToEnd(page, 5);
  await page.getByRole('tab', { name: 'Attention' }).click();
  const lines = page.getByTestId('probe-lines');
  await expect(lines).toBeVisible();
  const marks = (kind: string) => page.locator(`section.attention-kind[aria-label="${kind}"] .heatmap-focus`);
  await expect(page.locator('.heatmap-focus')).toHaveCount(0);
  // A source token: its row and column in each encoder self-attention map, its column in each cross-attention map.
  await lines.locator('.token[data-side="src"]').nth(1).hover();
  const enc = await page.locator('section.attention-kind[aria-label="Encoder self-attention"] canvas').count();
  const cross = await page.locator('section.attention-kind[aria-label="Cross-attention"] canvas').count();
  await expect(marks('Encoder self-attention')).toHaveCount(2 * enc);
  await expect(marks('Cross-attention')).toHaveCount(cross);
  await expect(marks('Decoder self-attention')).toHaveCount(0);
  await shot(page, info, 'token-focus');
  // Keyboard focus does the same for a target token: rows of the cross maps, row and column of the decoder maps.
  await lines.locator('.token[data-side="tgt"]').first().focus();
  const dec = await page.locator('section.attention-kind[aria-label="Decoder self-attention"] canvas').count();
  await expect(marks('Decoder self-attention')).toHaveCount(2 * dec);
  await expect(marks('Encoder self-attention')).toHaveCount(0);
  await expect(lines.locator('.token-focused')).toHaveCount(1);
});
