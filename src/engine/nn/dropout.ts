// nn.Dropout(p): active only in training mode. Each call draws a fresh 32-bit seed for the
// kernel's counter-based mask from the module's own generator, so runs are reproducible from the
// model's init seed and masks never repeat between layers or steps. A model may `reseed` it from
// a per-step seed, so that the masks depend on (seed, step) only and a run resumed from a
// checkpoint draws the same masks as the run that was not interrupted.

import { dropout } from '../ops/dropout';
import { Random } from '../random';
import type { Tensor } from '../tensor';
import { Module, type InitContext } from './module';

export class Dropout extends Module {
  private rng: Random;
  /** `ctx` seeds the masks (from its generator); without it the masks start from seed 0. */
  constructor(
    readonly p = 0.5,
    ctx?: InitContext,
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: p must be in [0, 1], got ${p}`);
    this.rng = new Random(ctx ? ctx.rng.seed32() : 0);
  }
  reseed(seed: number): void {
    this.rng = new Random(seed);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return dropout(x, this.p, false, 0);
    return dropout(x, this.p, true, this.rng.seed32());
  }
}
