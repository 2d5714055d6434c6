// How a run turns gradients into updates: the optimizer (torch.optim's SGD / Adam / AdamW), the
// learning-rate schedule, and the clipping rule, in PyTorch's order:
//
//   loss.backward()                                   (gradients; non-finite check on the GPU)
//   clip_grad_value_ / clamp hooks / clip_grad_norm_  (norms measured before and after)
//   optimizer.step()                                  (dropped on the GPU when found_inf is set)
//
// Everything stays on the GPU: the step's loss, norms and non-finite flag come back in one packed
// tensor that the caller reads once, after submitting.

import {
  Adam,
  AdamW,
  SGD,
  clipGradients,
  createSchedule,
  decodeGradStats,
  nonFiniteFlag,
  type Backend,
  type ClipRule,
  type Optimizer,
  type ParamGroup,
  type Schedule,
  type Tensor,
} from '../engine';
import type { Module } from '../engine';
import type { RunConfig } from './config';
import { paramGroupMatcher } from './param-group-pattern';

export interface StepStats {
  loss: number;
  nonFinite: boolean;
  /** Index of the first parameter whose gradient was non-finite, −1 when only the loss was. */
  firstNonFinite: number;
  normPre: number;
  normPost: number;
  paramPre: number[];
  paramPost: number[];
  /** The factor clipping by norm multiplied the gradients by, min(max_norm / (‖g‖ + 1e-6), 1); 1 for the other rules. */
  clipCoef: number;
  /** Clipping by value / range: the fraction of all gradient elements that were clamped (0 otherwise). */
  clampedFraction: number;
  /** The same per parameter (clamped elements / elements of that parameter). */
  paramClamped: number[];
}

/** A config that the schema accepts but the model refuses, with the field to show the message beside. */
export class ConfigFieldError extends Error {
  constructor(
    readonly field: keyof RunConfig,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigFieldError';
  }
}

/** The clipping rule of a config, over the model's named parameters. */
export function clipRuleOf(c: RunConfig, names: readonly string[]): ClipRule {
  switch (c.clip) {
    case 'none':
      return { kind: 'none' };
    case 'value':
      return { kind: 'value', clipValue: c.clipValue };
    case 'range': {
      const match = paramGroupMatcher(c.clipGroup);
      const only = names.map(match);
      if (!only.some(Boolean)) throw new ConfigFieldError('clipGroup', `clip group '${c.clipGroup}' matches no parameter of this model`);
      return { kind: 'range', lo: c.clipLo, hi: c.clipHi, only };
    }
    case 'norm':
      return { kind: 'norm', maxNorm: c.maxNorm, normType: c.normType };
  }
}

/**
 * Biases and the parameters of norm layers, by PyTorch's names: a last segment that is or starts
 * with 'bias' ('bias', 'bias_ih_l0') or ends in '_bias' ('in_proj_bias', 'generator_bias'), or a
 * module segment named norm, norm1, norm2, … (LayerNorm's weight and bias).
 */
export function isBiasOrNorm(name: string): boolean {
  const parts = name.split('.');
  const last = parts[parts.length - 1];
  return last.startsWith('bias') || last.endsWith('_bias') || parts.slice(0, -1).some((p) => /^norm\d*$/.test(p));
}

/**
 * The optimizer's parameter groups for a config: one group, or with weightDecayExclude
 * 'bias-norm' the usual two (decay on weights and embeddings; none on biases and norms, as
 * GPT-2-style recipes do). Empty groups are left out.
 */
export function weightDecayGroups(c: RunConfig, named: readonly (readonly [string, Tensor])[]): ParamGroup[] {
  if (c.weightDecayExclude === 'none') return [{ params: named }];
  const decay = named.filter(([n]) => !isBiasOrNorm(n));
  const noDecay = named.filter(([n]) => isBiasOrNorm(n));
  return [
    ...(decay.length > 0 ? [{ params: decay }] : []),
    ...(noDecay.length > 0 ? [{ params: noDecay, weightDecay: 0 }] : []),
  ];
}

export class TrainingRule {
  readonly optimizer: Optimizer;
  readonly schedule: Schedule;
  readonly clip: ClipRule;
  private readonly params: Tensor[];
  private pendingIds: number[] = [];

  constructor(
    readonly config: RunConfig,
    private readonly model: Module & { afterOptimizerStep?: () => void },
    readonly backend: Backend,
  ) {
    const named = model.namedParameters();
    this.params = named.map(([, p]) => p);
    const c = config;
    const groups = weightDecayGroups(c, named);
    this.optimizer =
      c.optimizer === 'sgd'
        ? new SGD(groups, { lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay })
        : c.optimizer === 'adam'
          ? new Adam(groups, { lr: c.lr, weightDecay: c.weightDecay })
          : new AdamW(groups, { lr: c.lr, weightDecay: c.weightDecay });
    this.schedule = createSchedule(c.schedule, { base: c.lr, warmup: c.warmup, total: Math.max(1, c.steps) });
    this.clip = clipRuleOf(c, named.map(([n]) => n));
  }

  learningRate(step: number): number {
    return this.schedule(step);
  }

  /**
   * Clips the gradients and steps the optimizer at learning rate `lr`, on the GPU. Returns the
   * packed stats tensor (loss, flag, norms); the caller reads it back once and passes the values
   * to `decodeStats`.
   */
  apply(loss: Tensor, lr: number): Tensor {
    const stats = clipGradients(this.params, this.clip, { loss, normType: this.config.normType });
    this.optimizer.lr = lr;
    this.pendingIds.push(this.optimizer.step({ foundInf: nonFiniteFlag(stats) }));
    return stats;
  }

  /** Keeps constrained parameters in range after the update (IndRNN's |u| ≤ bound). */
  afterStep(): void {
    this.model.afterOptimizerStep?.();
  }

  /** Decodes the stats of the oldest step in flight; tells the optimizer when that step was dropped. */
  decodeStats(values: ArrayLike<number>): StepStats {
    const s = decodeGradStats(values, this.params.length);
    const id = this.pendingIds.shift();
    if (s.nonFinite && id !== undefined) this.optimizer.stepSkipped(id);
    // Counts (exact integers from the GPU) → fractions of each parameter's elements and of all.
    let clamped = 0;
    let elements = 0;
    const paramClamped = this.params.map((p, i) => {
      clamped += s.paramClamped[i];
      elements += p.size;
      return p.size > 0 ? s.paramClamped[i] / p.size : 0;
    });
    return {
      loss: s.loss,
      nonFinite: s.nonFinite,
      firstNonFinite: s.firstNonFinite,
      normPre: s.totalPre,
      normPost: s.totalPost,
      paramPre: Array.from(s.paramPre),
      paramPost: Array.from(s.paramPost),
      clipCoef: s.clipCoef,
      clampedFraction: elements > 0 ? clamped / elements : 0,
      paramClamped,
    };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
