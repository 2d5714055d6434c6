// The parameter count the page shows: the running model's, and while config edits wait for a
// Reset, an estimate of the edited model's (src/train/estimate.ts, within 2 % of the real count)
// so that the number follows a model change made mid-run.

import type { RunConfig } from '../../train/config';
import { estimateSize } from '../../train/estimate';
import type { ModelInfo } from '../../train/protocol';
import { changedFields } from './config-store';

/** ≈ parameters of `edited` when it differs from the running model's config (same task), else null. */
export function pendingParameterCount(configured: RunConfig | null, edited: RunConfig, model: ModelInfo | null): number | null {
  if (!configured || !model?.vocab || configured.task !== edited.task) return null;
  if (changedFields(configured, edited).length === 0) return null;
  const n = estimateSize(edited, model.vocab.src, model.vocab.tgt).parameters;
  return n === model.numParameters ? null : n;
}
