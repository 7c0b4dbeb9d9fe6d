/**
 * The 1cycle policy (Smith & Topin 2017, "Super-Convergence: Very Fast Training of Neural Networks
 * Using Large Learning Rates", arXiv:1708.07120; Smith 2018, "A disciplined approach to neural
 * network hyper-parameters: Part 1", arXiv:1803.09820).
 */
import type { HasParamGroups } from '../param-group.js';
import { ClosedFormScheduler } from './lr-scheduler.js';
import { momentumFields, writeMomentum, type MomentumField } from './momentum.js';
import {
  oneCycleMomentumSchedule,
  oneCycleSchedule,
  type AnnealStrategy,
  type OneCycleShape,
  type Schedule,
} from './schedules.js';
import { checkBoolean, checkFinite, checkPositive, checkPositiveInt, perGroup } from './validate.js';

export interface OneCycleLROptions {
  /** The peak lr, one for all groups or one per group. */
  maxLr: number | number[];
  /** The number of steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** With `stepsPerEpoch`, sets totalSteps = epochs·stepsPerEpoch. */
  epochs?: number;
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent increasing the lr. Default 0.3. */
  pctStart?: number;
  /** `'cos'` (default) or `'linear'`. */
  annealStrategy?: AnnealStrategy;
  /** Cycle `momentum` (or `betas[0]`) opposite to the lr. Default true. */
  cycleMomentum?: boolean;
  /** The momentum at the lr's peak. Default 0.85. */
  baseMomentum?: number | number[];
  /** The momentum at the start and end. Default 0.95. */
  maxMomentum?: number | number[];
  /** The initial lr is maxLr/divFactor. Default 25. */
  divFactor?: number;
  /** The final lr is maxLr/(divFactor·finalDivFactor). Default 1e4. */
  finalDivFactor?: number;
  /** Up, back down to the initial lr, then annihilate (fast.ai). Default false. */
  threePhase?: boolean;
}

/**
 * 1cycle: the lr anneals from `maxLr/divFactor` up to `maxLr` over the first `pctStart·totalSteps`
 * steps, then down to `maxLr/(divFactor·finalDivFactor)` at step `totalSteps − 1`; each phase is
 * `end + (start − end)·(1 + cos(π·p))/2` (or linear in p), p the fraction of the phase done. The
 * momentum (β1 for Adam-family groups) moves the other way, between `maxMomentum` and
 * `baseMomentum`. Defaults: pctStart 0.3, annealStrategy 'cos', cycleMomentum true, baseMomentum
 * 0.85, maxMomentum 0.95, divFactor 25, finalDivFactor 1e4, threePhase false.
 *
 * It is meant to be stepped once per batch, with totalSteps = epochs × batches per epoch. Stepping
 * more than totalSteps times throws, as in PyTorch; at step totalSteps itself, where PyTorch
 * extrapolates the last phase (to a negative lr with 'linear'), the final lr is held.
 *
 * @example
 * const scheduler = new OneCycleLR(optimizer, { maxLr: 0.1, epochs: 10, stepsPerEpoch: 469 });
 * // after each batch: optimizer.step(); scheduler.step();
 */
export class OneCycleLR extends ClosedFormScheduler {
  readonly totalSteps: number;
  readonly maxLrs: number[];
  readonly cycleMomentum: boolean;
  private readonly shape: OneCycleShape & { divFactor?: number; finalDivFactor?: number };
  private readonly momentumSchedules: Schedule[] = [];
  private readonly momentumFields: MomentumField[] = [];

  constructor(optimizer: HasParamGroups, options: OneCycleLROptions) {
    super('OneCycleLR', optimizer);
    const who = this.name;
    const { totalSteps, epochs, stepsPerEpoch, cycleMomentum = true, divFactor = 25 } = options;
    if (totalSteps !== undefined) {
      this.totalSteps = checkPositiveInt(who, 'totalSteps', totalSteps);
    } else if (epochs !== undefined || stepsPerEpoch !== undefined) {
      this.totalSteps =
        checkPositiveInt(who, 'epochs', epochs) * checkPositiveInt(who, 'stepsPerEpoch', stepsPerEpoch);
    } else {
      throw new RangeError(`${who}: give totalSteps, or epochs and stepsPerEpoch`);
    }
    const groups = this.groups.length;
    this.maxLrs = perGroup(who, 'maxLr', options.maxLr, groups, checkPositive);
    checkPositive(who, 'divFactor', divFactor);
    this.baseLrs = this.maxLrs.map((maxLr) => maxLr / divFactor);
    this.cycleMomentum = checkBoolean(who, 'cycleMomentum', cycleMomentum);
    const { pctStart, annealStrategy, threePhase, finalDivFactor } = options;
    this.shape = {
      totalSteps: this.totalSteps,
      pctStart,
      annealStrategy,
      threePhase,
      divFactor,
      finalDivFactor,
    };
    if (this.cycleMomentum) {
      this.momentumFields = momentumFields(who, this.groups);
      const base = perGroup(who, 'baseMomentum', options.baseMomentum ?? 0.85, groups, checkFinite);
      const max = perGroup(who, 'maxMomentum', options.maxMomentum ?? 0.95, groups, checkFinite);
      this.momentumSchedules = base.map((baseMomentum, i) =>
        oneCycleMomentumSchedule({ ...this.shape, baseMomentum, maxMomentum: max[i]! }, who),
      );
    }
    this.start();
  }

  protected makeSchedule(_baseLr: number, group: number): Schedule {
    return oneCycleSchedule({ ...this.shape, maxLr: this.maxLrs[group]! }, this.name);
  }

  /** The momentum (or β1) schedule of group `i`, when momentum is cycled. */
  momentumSchedule(i = 0): Schedule | undefined {
    return this.momentumSchedules[i];
  }

  protected override checkStep(step: number): void {
    if (step > this.totalSteps) {
      throw new RangeError(
        `OneCycleLR: tried to step ${step} times, totalSteps is ${this.totalSteps}; ` +
          'size the cycle to every step of the run (epochs × batches per epoch)',
      );
    }
  }

  protected override applyMomentum(step: number): void {
    if (!this.cycleMomentum || step < 0) return;
    this.groups.forEach((group, i) => {
      writeMomentum(group, this.momentumFields[i]!, this.momentumSchedules[i]!(step));
    });
  }
}
