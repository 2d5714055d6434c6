// window.__playground: read access to the stores for the end-to-end tests and for curious
// learners in the devtools console (e.g. __playground.metrics().series).

import type { Playground } from './controller';
import { useAttention } from './store/attention-store';
import { useCompare } from './store/compare-store';
import { useConfig } from './store/config-store';
import { useMetrics } from './store/metrics-store';
import { useStatus } from './store/status-store';
import { summarizeWork, workSamples, type WorkSample, type WorkStats } from './work-meter';

export interface DebugHandle {
  playground: Playground;
  metrics: typeof useMetrics.getState;
  attention: typeof useAttention.getState;
  status: typeof useStatus.getState;
  config: typeof useConfig.getState;
  compare: typeof useCompare.getState;
  /** The page's own main-thread work since `since` (performance.now() time): its samples and their summary. */
  work(since?: number): { samples: WorkSample[]; stats: WorkStats };
}

declare global {
  interface Window {
    __playground?: DebugHandle;
  }
}

export function installDebugHandle(playground: Playground): void {
  window.__playground = {
    playground,
    metrics: useMetrics.getState,
    attention: useAttention.getState,
    status: useStatus.getState,
    config: useConfig.getState,
    compare: useCompare.getState,
    work: (since) => {
      const samples = workSamples(since);
      return { samples, stats: summarizeWork(samples) };
    },
  };
}
