// Canvas drawing spread over animation frames: jobs run in order until ~FRAME_BUDGET_MS of a
// frame is used, the rest wait for the next frame. A newer job for the same key replaces an older
// one that has not run yet (a heatmap redrawn twice before a frame draws once).

import { measureWork } from '../work-meter';

const FRAME_BUDGET_MS = 8;
const jobs = new Map<string, () => void>();
let scheduled = false;

function run(): void {
  scheduled = false;
  const start = performance.now();
  for (const [key, job] of jobs) {
    jobs.delete(key);
    measureWork(`draw:${key}`, job);
    if (performance.now() - start > FRAME_BUDGET_MS) break;
  }
  if (jobs.size > 0) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  if (typeof requestAnimationFrame !== 'undefined') requestAnimationFrame(run);
  else setTimeout(run, 16);
}

export function scheduleDraw(key: string, job: () => void): void {
  jobs.delete(key);
  jobs.set(key, job);
  schedule();
}

export function cancelDraw(key: string): void {
  jobs.delete(key);
}
