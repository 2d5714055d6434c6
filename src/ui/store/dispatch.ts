// Routes the worker's events into the stores. Pure with respect to the page: no DOM, no worker,
// so the unit tests drive it with made-up events.

import type { FromWorker } from '../../train/protocol';
import { useAttention } from './attention-store';
import { useConfig } from './config-store';
import { truncateMetrics, useMetrics } from './metrics-store';
import { useStatus } from './status-store';

export function applyEvent(ev: FromWorker, now: number): void {
  const status = useStatus.getState();
  switch (ev.type) {
    case 'ready':
      status.ready(ev.backend, ev.adapter, ev.fallbackReason, ev.choice);
      break;
    case 'model':
      status.setModel(ev.info);
      break;
    case 'status':
      status.setRun(ev.state, ev.step, ev.message);
      if (ev.state === 'error' && ev.message) status.notify({ kind: 'error', key: null, text: ev.message });
      break;
    case 'metrics':
      useMetrics.getState().addRows(ev.rows, now);
      break;
    case 'eval':
      useMetrics.getState().addEval(ev.metrics);
      break;
    case 'attention':
      useAttention.getState().add(ev.snapshot);
      break;
    case 'config-error':
      status.setWorkerConfigErrors(ev.errors);
      useConfig.getState().showErrors(ev.errors);
      status.notify({ kind: 'error', key: 'notice.configRefused', params: { errors: ev.errors.map((e) => `${e.field}: ${e.message}`).join('; ') } });
      break;
    case 'device-lost':
      status.notify({
        kind: 'warning',
        key: 'notice.deviceLost',
        params: { message: ev.message, redone: ev.redoneSteps, backend: ev.backend === 'cpu' ? 'CPU' : 'WebGPU' },
      });
      if (ev.backend === 'cpu') status.ready('cpu', 'CPU fallback', ev.message);
      // The steps after the automatic checkpoint are trained again: their rows come anew.
      useMetrics.getState().restore(truncateMetrics(useMetrics.getState().save(), ev.resumedAt));
      break;
    case 'non-finite':
      status.notify({ kind: 'warning', key: 'notice.nonFinite', params: { step: ev.step, parameter: ev.parameter, skipped: ev.skipped } });
      break;
    case 'error':
      status.notify({ kind: 'error', key: null, text: ev.message });
      break;
    case 'translation':
    case 'checkpoint':
    case 'loaded':
    case 'profile':
      // Replies to requests: handled by whoever asked (WorkerClient resolves them).
      break;
  }
}
