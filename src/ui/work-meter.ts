// How long the page's own main-thread work takes: each worker event the page handles and each
// heatmap drawing slice is timed here. The "no long tasks while training" guarantee is checked
// on these figures (what is ours), not on the browser's long-task list, which on a loaded machine
// also counts the time the OS gave to other processes. The newest MAX_SAMPLES are kept.

export interface WorkSample {
  kind: string;
  /** performance.now() when the work began. */
  start: number;
  duration: number;
}

export interface WorkStats {
  count: number;
  totalMs: number;
  maxMs: number;
  /** 95th percentile of the durations (0 when there are none). */
  p95Ms: number;
  /** The slowest kind of work and its longest duration. */
  slowest: { kind: string; ms: number } | null;
}

const MAX_SAMPLES = 50_000;
const samples: WorkSample[] = [];

const clock = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export function recordWork(kind: string, start: number, duration: number): void {
  if (samples.length >= MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES + 1);
  samples.push({ kind, start, duration });
}

/** Runs `fn` and records how long it took under `kind`. */
export function measureWork<T>(kind: string, fn: () => T): T {
  const start = clock();
  try {
    return fn();
  } finally {
    recordWork(kind, start, clock() - start);
  }
}

export function workSamples(since = -Infinity): WorkSample[] {
  return samples.filter((s) => s.start >= since);
}

export function summarizeWork(list: readonly WorkSample[]): WorkStats {
  if (list.length === 0) return { count: 0, totalMs: 0, maxMs: 0, p95Ms: 0, slowest: null };
  const sorted = list.map((s) => s.duration).sort((a, b) => a - b);
  const worst = list.reduce((a, s) => (s.duration > a.duration ? s : a));
  return {
    count: list.length,
    totalMs: sorted.reduce((a, d) => a + d, 0),
    maxMs: worst.duration,
    p95Ms: sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))],
    slowest: { kind: worst.kind, ms: worst.duration },
  };
}

export function clearWork(): void {
  samples.length = 0;
}
