/**
 * Cosine annealing (SGDR, Loshchilov & Hutter 2017, "SGDR: Stochastic Gradient Descent with Warm
 * Restarts", arXiv:1608.03983), without and with warm restarts.
 */
import type { HasParamGroups } from '../param-group.js';
import { ClosedFormScheduler } from './lr-scheduler.js';
import { cosineAnnealingSchedule, cosineWithWarmRestartsSchedule, type Schedule } from './schedules.js';

export interface CosineAnnealingLROptions {
  /** Steps from the base lr down to `etaMin` (half a period). */
  tMax: number;
  /** The minimum lr. Default 0. */
  etaMin?: number;
}

/**
 * Cosine annealing: `lr_t = η_min + (lr_0 − η_min)·(1 + cos(π·t/T_max))/2` (Loshchilov & Hutter
 * 2017, arXiv:1608.03983, without the restarts). Defaults: etaMin 0. Like PyTorch, past `tMax`
 * the lr keeps following the cosine and rises again (period `2·tMax`); step no further than
 * `tMax`, or use CosineAnnealingWarmRestarts, if that is not wanted.
 *
 * @example
 * const scheduler = new CosineAnnealingLR(optimizer, { tMax: epochs * batchesPerEpoch, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends ClosedFormScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: HasParamGroups, { tMax, etaMin = 0 }: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.start();
  }

  protected makeSchedule(lr: number): Schedule {
    return cosineAnnealingSchedule({ lr, tMax: this.tMax, etaMin: this.etaMin }, this.name);
  }

  /** PyTorch's recursive form, which scales the distance to η_min by the ratio of two cosines. */
  protected override chainedLrs(current: number[], step: number): number[] {
    const { tMax, etaMin } = this;
    if (step === 0) return current;
    if ((step - 1 - tMax) % (2 * tMax) === 0) {
      return current.map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * step) / tMax)) / (1 + Math.cos((Math.PI * (step - 1)) / tMax));
    return current.map((lr) => ratio * (lr - etaMin) + etaMin);
  }
}

export interface CosineAnnealingWarmRestartsOptions {
  /** The length of the first period, in steps. */
  t0: number;
  /** Each period is `tMult` times the previous one; an integer ≥ 1. Default 1. */
  tMult?: number;
  /** The minimum lr. Default 0. */
  etaMin?: number;
}

/**
 * SGDR: `lr_t = η_min + (lr_0 − η_min)·(1 + cos(π·T_cur/T_i))/2`, where `T_cur` counts the steps
 * since the last restart and the i-th period lasts `T_i = t0·tMult^i` steps (Loshchilov & Hutter
 * 2017, arXiv:1608.03983). Defaults: tMult 1, etaMin 0. With t0 5 and tMult 2 the lr restarts at
 * steps 5, 15, 35, ...
 *
 * @example
 * const scheduler = new CosineAnnealingWarmRestarts(optimizer, { t0: 10, tMult: 2, etaMin: 1e-4 });
 */
export class CosineAnnealingWarmRestarts extends ClosedFormScheduler {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;

  constructor(optimizer: HasParamGroups, { t0, tMult = 1, etaMin = 0 }: CosineAnnealingWarmRestartsOptions) {
    super('CosineAnnealingWarmRestarts', optimizer);
    this.t0 = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.start();
  }

  protected makeSchedule(lr: number): Schedule {
    return cosineWithWarmRestartsSchedule(
      { lr, t0: this.t0, tMult: this.tMult, etaMin: this.etaMin },
      this.name,
    );
  }
}
