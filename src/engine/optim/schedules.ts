// Learning-rate schedules: pure functions of the step number (counted from 1, the step about to
// be taken), evaluated on the host each step and handed to the optimizer's uniform block.
//
// constant:      lr(s) = base
// inverse-sqrt:  the Transformer's schedule (Vaswani et al. 2017, §5.3),
//                  lrate = d_model^−0.5 · min(s^−0.5, s · w^−1.5),
//                with d_model^−0.5 replaced by base · w^0.5 so that the peak, reached at s = w,
//                is exactly `base`:  lr(s) = base · √w · min(1/√s, s / w^1.5)
//                = base · s / w for s ≤ w (linear warm-up), base · √(w / s) after.
//                Without warm-up (w = 0) it is base / √s (w taken as 1: the peak is step 1).
// cosine:        linear warm-up to base over w steps, then cosine annealing to `minLr` at
//                `total` steps (Loshchilov & Hutter 2017, SGDR, one cycle without restarts;
//                PyTorch's CosineAnnealingLR closed form):
//                  lr(s) = minLr + (base − minLr) · (1 + cos(π · (s − w) / (total − w))) / 2,
//                held at minLr after `total`.

export type ScheduleKind = 'constant' | 'inverse-sqrt' | 'cosine';

export interface ScheduleOptions {
  /** The peak learning rate. */
  base: number;
  /** Linear warm-up steps (inverse-sqrt, cosine). */
  warmup?: number;
  /** The step at which cosine reaches minLr. */
  total?: number;
  /** cosine's floor (default 0). */
  minLr?: number;
}

export type Schedule = (step: number) => number;

export function constantSchedule(base: number): Schedule {
  return () => base;
}

/** The Transformer's warm-up + inverse-square-root schedule, normalised so the peak (step `warmup`) is `base`. */
export function inverseSqrtSchedule(base: number, warmup: number): Schedule {
  const w = Math.max(1, warmup);
  return (step) => {
    const s = Math.max(1, step);
    return base * Math.sqrt(w) * Math.min(1 / Math.sqrt(s), s * w ** -1.5);
  };
}

/** Linear warm-up to `base` over `warmup` steps, then a half cosine down to `minLr` at step `total`. */
export function cosineSchedule(base: number, total: number, warmup = 0, minLr = 0): Schedule {
  if (!(total > 0)) throw new Error(`cosine schedule: total steps must be > 0, got ${total}`);
  const w = Math.min(Math.max(0, warmup), total);
  return (step) => {
    const s = Math.max(1, step);
    if (s <= w) return (base * s) / w;
    if (s >= total) return minLr;
    const progress = (s - w) / (total - w);
    return minLr + ((base - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
  };
}

export function createSchedule(kind: ScheduleKind, options: ScheduleOptions): Schedule {
  switch (kind) {
    case 'constant':
      return constantSchedule(options.base);
    case 'inverse-sqrt':
      return inverseSqrtSchedule(options.base, options.warmup ?? 0);
    case 'cosine':
      return cosineSchedule(options.base, options.total ?? 1, options.warmup ?? 0, options.minLr ?? 0);
  }
}
