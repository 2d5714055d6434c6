// A hang detector for property tests of readers of untrusted input: each input must be handled
// within a generous bound that only runaway work (catastrophic backtracking, a loop over a size
// the input claims) would cross. Not a speed test: the bound is ~100× the usual time, so that a
// machine under heavy load (several test runs on 2 cores) does not cross it.

/** The bound per input, in milliseconds. */
export const PER_INPUT_MS = 1000;

/** Runs `fn`, and fails when it took longer than `ms`. Returns what fn returned. */
export function withinBound<T>(fn: () => T, what: string, ms = PER_INPUT_MS): T {
  const t0 = performance.now();
  const r = fn();
  const dt = performance.now() - t0;
  if (dt > ms) throw new Error(`${what} took ${dt.toFixed(0)} ms (bound ${ms} ms)`);
  return r;
}

/** withinBound for async work. */
export async function withinBoundAsync<T>(fn: () => Promise<T>, what: string, ms = PER_INPUT_MS): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  const dt = performance.now() - t0;
  if (dt > ms) throw new Error(`${what} took ${dt.toFixed(0)} ms (bound ${ms} ms)`);
  return r;
}
