// Transient subscriptions: a component reads a store value at most once per `ms`, and the render
// it causes is a transition (React may interrupt and time-slice it), so a stream of metric
// batches never turns into a stream of synchronous chart renders on the main thread.

import { startTransition, useEffect, useState } from 'react';
import type { StoreApi } from 'zustand';

type Readable<S> = Pick<StoreApi<S>, 'getState' | 'subscribe'>;

export function useThrottled<S, T>(store: Readable<S>, selector: (s: S) => T, ms: number): T {
  const [value, setValue] = useState<T>(() => selector(store.getState()));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    let current = selector(store.getState());
    const flush = () => {
      timer = null;
      last = performance.now();
      const next = selector(store.getState());
      current = next;
      startTransition(() => setValue(() => next));
    };
    // The value may have changed between the first render and this effect.
    if (!Object.is(current, value)) flush();
    const unsubscribe = store.subscribe((s) => {
      if (timer !== null || Object.is(selector(s), current)) return;
      timer = setTimeout(flush, Math.max(0, last + ms - performance.now()));
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
    // `selector` is expected to be stable (module-level); re-subscribing on every render would defeat the throttle.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, ms]);
  return value;
}
