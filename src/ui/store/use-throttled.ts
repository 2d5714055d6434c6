// Transient subscriptions. A component reads a store value at most once per `ms`, and the render
// it causes is a transition (React may interrupt and time-slice it), so a stream of metric
// batches never turns into a stream of synchronous renders on the main thread.
//
// Charts need more than that: recharts keeps its own store and re-renders synchronously after
// each data change, so the charts' updates must not land in the same task. `useRoundRobin` gives
// each subscriber its own slot of a shared clock: every TICK_MS at most one of them (the next in
// turn whose value changed) re-renders.

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
    flush();
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

export const TICK_MS = 200;

interface Slot {
  read(): unknown;
  shown: unknown;
  push(v: unknown): void;
}

const slots: Slot[] = [];
let turn = 0;
let clock: ReturnType<typeof setInterval> | null = null;

/** One tick: the next slot (in turn) whose value changed re-renders; the others wait. */
export function tickRoundRobin(): void {
  for (let i = 0; i < slots.length; i++) {
    const s = slots[(turn + i) % slots.length];
    const v = s.read();
    if (!Object.is(v, s.shown)) {
      s.shown = v;
      turn = (turn + i + 1) % slots.length;
      startTransition(() => s.push(v));
      return;
    }
  }
}

function register(slot: Slot): () => void {
  slots.push(slot);
  if (!clock && typeof setInterval !== 'undefined') clock = setInterval(tickRoundRobin, TICK_MS);
  return () => {
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    if (slots.length === 0 && clock) {
      clearInterval(clock);
      clock = null;
    }
  };
}

/** The store value, refreshed in this component's turn; frozen while `active` is false (a hidden view). */
export function useRoundRobin<S, T>(store: Readable<S>, selector: (s: S) => T, active = true): T {
  const [value, setValue] = useState<T>(() => selector(store.getState()));
  useEffect(
    () =>
      active
        ? register({
            read: () => selector(store.getState()),
            shown: value,
            push: (v) => setValue(() => v as T),
          })
        : undefined,
    // Registered while active; `selector` is module-level and `value` is only the starting point.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [store, active],
  );
  return value;
}
