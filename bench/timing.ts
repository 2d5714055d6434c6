// Timing helpers for the benchmark page: warm-up runs excluded, then the median of timed runs,
// each run ending when its GPU work has completed.

export interface Timing {
  median: number;
  min: number;
  samples: number[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `step` `warmup` times untimed, then `reps` times timed (ms each). */
export async function timeSteps(step: () => Promise<void>, reps: number, warmup = 1): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await step();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await step();
    samples.push(performance.now() - t0);
  }
  return { median: median(samples), min: Math.min(...samples), samples };
}

/** `n` steps with one in flight while the next is launched (encoding overlaps the GPU's work). */
export async function pipelineSteps(launch: () => Promise<unknown>, n: number): Promise<void> {
  let inFlight = launch();
  for (let i = 1; i < n; i++) {
    const next = launch();
    await inFlight;
    inFlight = next;
  }
  await inFlight;
}

/** Deterministic uniform values in [-0.5, 0.5) (a 32-bit LCG), the same on both sides. */
export function uniformData(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

export const gflops = (flops: number, ms: number): number => flops / ms / 1e6;
