// "Lessons in one click": preset runs that show one concept within about a minute on SwiftShader.
// Each lesson is a list of runs (configs over the defaults) and the view to watch; the runs go
// one after the other, each from step 0, and a finished run is kept for comparison by itself.
// Settings checked on the CPU reference (Trainer, loaded 2-core machine):
//   reverse: a 1-layer Transformer's cross-attention puts 0.18 → 0.38 of each row on the
//            anti-diagonal between steps 40 and 200 (the map visibly turns into it);
//   clipping: SGD with momentum 0.9 at lr 1 on the copy task, no clipping: the loss goes
//            3.3 → 7.8 (step 36) → 5·10³ (step 54) → NaN; the same run clipped by norm 1 stays
//            at 3.1–3.8.

import { DEFAULT_CONFIG, type RunConfig } from '../train/config';

export type LessonId = 'reverse' | 'clipping';

export interface Lesson {
  id: LessonId;
  runs: RunConfig[];
  /** The view to watch while the runs train, and the one to show when they are done. */
  watch: 'training' | 'attention' | 'compare';
  after: 'training' | 'attention' | 'compare';
}

const SMALL: Partial<RunConfig> = { model: 'transformer', layers: 1, dModel: 32, heads: 2, dFF: 64, maxLen: 14, schedule: 'constant', warmup: 0, dropout: 0 };

export const LESSONS: Record<LessonId, Lesson> = {
  reverse: {
    id: 'reverse',
    runs: [{ ...DEFAULT_CONFIG, ...SMALL, task: 'reverse', batch: 16, lr: 0.005, optimizer: 'adam', clip: 'none', steps: 300, probeEvery: 10, evalEvery: 100 }],
    watch: 'attention',
    after: 'attention',
  },
  clipping: {
    id: 'clipping',
    runs: (['none', 'norm'] as const).map((clip) => ({
      ...DEFAULT_CONFIG,
      ...SMALL,
      dModel: 16,
      dFF: 32,
      maxLen: 12,
      task: 'copy',
      batch: 8,
      optimizer: 'sgd',
      momentum: 0.9,
      lr: 1,
      clip,
      maxNorm: 1,
      normType: 2,
      nonFinite: 'skip',
      steps: 60,
      probeEvery: 1000,
      evalEvery: 1000,
    })),
    watch: 'training',
    after: 'compare',
  },
};
