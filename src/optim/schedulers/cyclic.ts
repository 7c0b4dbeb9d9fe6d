/**
 * Cyclical learning rates (Smith 2017, "Cyclical Learning Rates for Training Neural Networks",
 * arXiv:1506.01186).
 */
import type { HasParamGroups } from '../param-group.js';
import { ClosedFormScheduler } from './lr-scheduler.js';
import { momentumFields, writeMomentum, type MomentumField } from './momentum.js';
import { cyclicMomentumSchedule, cyclicSchedule, type CyclicMode, type Schedule } from './schedules.js';
import { checkBoolean, checkFinite, perGroup } from './validate.js';

export interface CyclicLROptions {
  /** The lower bound of the cycle, one for all groups or one per group. It replaces the optimizer's lr. */
  baseLr: number | number[];
  /** The upper bound of the first cycle. */
  maxLr: number | number[];
  /** Steps in the increasing half of a cycle. Default 2000. */
  stepSizeUp?: number;
  /** Steps in the decreasing half; defaults to stepSizeUp. */
  stepSizeDown?: number;
  /** `'triangular'` (default), `'triangular2'` or `'exp_range'`. */
  mode?: CyclicMode;
  /** The per-step factor of 'exp_range'. Default 1. */
  gamma?: number;
  /** Cycle `momentum` (or `betas[0]`) opposite to the lr. Default true. */
  cycleMomentum?: boolean;
  /** The momentum at the lr's peak. Default 0.8. */
  baseMomentum?: number | number[];
  /** The momentum at the cycle start. Default 0.9. */
  maxMomentum?: number | number[];
}

/**
 * CLR: `lr_t = baseLr + (maxLr − baseLr)·h(t)·a(t)`, with `h` a triangle wave rising over
 * `stepSizeUp` steps and falling over `stepSizeDown`, and the amplitude `a` = 1 (triangular),
 * `1/2^(cycle−1)` (triangular2) or `γ^t` (exp_range) (Smith 2017, arXiv:1506.01186). The
 * momentum (β1 for Adam-family groups) moves opposite: `maxMomentum − (maxMomentum −
 * baseMomentum)·h·a`. Defaults: stepSizeUp 2000, stepSizeDown = stepSizeUp, mode 'triangular',
 * gamma 1, cycleMomentum true, baseMomentum 0.8, maxMomentum 0.9. Step it once per batch; it never
 * ends.
 *
 * @example
 * const scheduler = new CyclicLR(optimizer, { baseLr: 1e-3, maxLr: 0.1, stepSizeUp: 4 * batchesPerEpoch });
 */
export class CyclicLR extends ClosedFormScheduler {
  readonly maxLrs: number[];
  readonly cycleMomentum: boolean;
  private readonly options: CyclicLROptions;
  private readonly momentumSchedules: Schedule[] = [];
  private readonly momentumFields: MomentumField[] = [];

  constructor(optimizer: HasParamGroups, options: CyclicLROptions) {
    super('CyclicLR', optimizer);
    const who = this.name;
    const groups = this.groups.length;
    this.baseLrs = perGroup(who, 'baseLr', options.baseLr, groups, checkFinite);
    this.maxLrs = perGroup(who, 'maxLr', options.maxLr, groups, checkFinite);
    this.options = options;
    this.cycleMomentum = checkBoolean(who, 'cycleMomentum', options.cycleMomentum ?? true);
    if (this.cycleMomentum) {
      this.momentumFields = momentumFields(who, this.groups);
      const base = perGroup(who, 'baseMomentum', options.baseMomentum ?? 0.8, groups, checkFinite);
      const max = perGroup(who, 'maxMomentum', options.maxMomentum ?? 0.9, groups, checkFinite);
      this.momentumSchedules = base.map((baseMomentum, i) =>
        cyclicMomentumSchedule({ ...options, baseMomentum, maxMomentum: max[i]! }, who),
      );
    }
    this.start();
  }

  protected makeSchedule(baseLr: number, group: number): Schedule {
    return cyclicSchedule({ ...this.options, baseLr, maxLr: this.maxLrs[group]! }, this.name);
  }

  /** The momentum (or β1) schedule of group `i`, when momentum is cycled. */
  momentumSchedule(i = 0): Schedule | undefined {
    return this.momentumSchedules[i];
  }

  protected override applyMomentum(step: number): void {
    if (!this.cycleMomentum || step < 0) return;
    this.groups.forEach((group, i) => {
      writeMomentum(group, this.momentumFields[i]!, this.momentumSchedules[i]!(step));
    });
  }
}
