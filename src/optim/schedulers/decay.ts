/**
 * Decays of the base learning rate by a factor that depends only on the step: StepLR,
 * MultiStepLR, ExponentialLR, ConstantLR, LinearLR and PolynomialLR. Each evaluates its pure
 * schedule (./schedules.ts) from the base lr, and reproduces PyTorch's chainable form inside a
 * ChainedScheduler.
 */
import type { HasParamGroups } from '../param-group.js';
import { ClosedFormScheduler } from './lr-scheduler.js';
import {
  constantSchedule,
  exponentialSchedule,
  linearSchedule,
  multiStepSchedule,
  polynomialSchedule,
  stepSchedule,
  type Schedule,
} from './schedules.js';
import { checkIncreasingSteps, checkInterval } from './validate.js';

export interface StepLROptions {
  /** Steps between two decays. */
  stepSize: number;
  /** The decay factor. Default 0.1. */
  gamma?: number;
}

/**
 * Step decay: `lr_t = lr_0·γ^⌊t/stepSize⌋`, as in the ResNet recipe (He et al. 2016, "Deep
 * Residual Learning for Image Recognition", arXiv:1512.03385: ÷10 every 30 epochs).
 * Defaults: gamma 0.1.
 *
 * @example
 * const scheduler = new StepLR(optimizer, { stepSize: 30, gamma: 0.1 }); // 0.1, ×0.1 at 30, 60, ...
 */
export class StepLR extends ClosedFormScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: HasParamGroups, { stepSize, gamma = 0.1 }: StepLROptions) {
    super('StepLR', optimizer);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.start();
  }

  protected makeSchedule(lr: number): Schedule {
    return stepSchedule({ lr, stepSize: this.stepSize, gamma: this.gamma }, this.name);
  }

  protected override chainedLrs(current: number[], step: number): number[] {
    if (step === 0 || step % this.stepSize !== 0) return current;
    return current.map((lr) => lr * this.gamma);
  }
}

export interface MultiStepLROptions {
  /** The steps at which the lr decays; strictly increasing. */
  milestones: number[];
  /** The decay factor. Default 0.1. */
  gamma?: number;
}

/**
 * Decay at chosen steps: `lr_t = lr_0·γ^(number of milestones ≤ t)`. Defaults: gamma 0.1.
 *
 * @example
 * const scheduler = new MultiStepLR(optimizer, { milestones: [30, 80], gamma: 0.1 });
 */
export class MultiStepLR extends ClosedFormScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: HasParamGroups, { milestones, gamma = 0.1 }: MultiStepLROptions) {
    super('MultiStepLR', optimizer);
    this.milestones = checkIncreasingSteps(this.name, 'milestones', milestones);
    this.gamma = gamma;
    this.start();
  }

  protected makeSchedule(lr: number): Schedule {
    return multiStepSchedule({ lr, milestones: this.milestones, gamma: this.gamma }, this.name);
  }

  protected override chainedLrs(current: number[], step: number): number[] {
    if (!this.milestones.includes(step)) return current;
    return current.map((lr) => lr * this.gamma);
  }
}

export interface ExponentialLROptions {
  /** The factor per step. */
  gamma: number;
}

/**
 * Exponential decay: `lr_t = lr_0·γ^t`. No default for gamma.
 *
 * @example
 * const scheduler = new ExponentialLR(optimizer, { gamma: 0.95 });
 */
export class ExponentialLR extends ClosedFormScheduler {
  readonly gamma: number;

  constructor(optimizer: HasParamGroups, { gamma }: ExponentialLROptions) {
    super('ExponentialLR', optimizer);
    this.gamma = gamma;
    this.start();
  }

  protected makeSchedule(lr: number): Schedule {
    return exponentialSchedule({ lr, gamma: this.gamma }, this.name);
  }

  protected override chainedLrs(current: number[], step: number): number[] {
    if (step === 0) return current;
    return current.map((lr) => lr * this.gamma);
  }
}

export interface ConstantLROptions {
  /** The multiplier for the first `totalIters` steps; in (0, 1]. Default 1/3. */
  factor?: number;
  /** The number of steps the factor applies for. Default 5. */
  totalIters?: number;
}

/**
 * A constant reduction for the first steps: `lr_t = lr_0·factor` for `t < totalIters`, then
 * `lr_0`. Defaults: factor 1/3, totalIters 5. In a ChainedScheduler it divides the current lr by
 * `factor` at `totalIters`, as PyTorch does (so factor must be positive).
 *
 * @example
 * const scheduler = new ConstantLR(optimizer, { factor: 0.5, totalIters: 4 });
 */
export class ConstantLR extends ClosedFormScheduler {
  readonly factor: number;
  readonly totalIters: number;

  constructor(optimizer: HasParamGroups, { factor = 1 / 3, totalIters = 5 }: ConstantLROptions = {}) {
    super('ConstantLR', optimizer);
    this.factor = checkInterval(this.name, 'factor', factor, 0, 1, 'low');
    this.totalIters = totalIters;
    this.start();
  }

  protected makeSchedule(lr: number): Schedule {
    return constantSchedule({ lr, factor: this.factor, totalIters: this.totalIters }, this.name);
  }

  protected override chainedLrs(current: number[], step: number): number[] {
    if (step === 0) return current.map((lr) => lr * this.factor);
    if (step !== this.totalIters) return current;
    return current.map((lr) => lr * (1 / this.factor));
  }
}

export interface LinearLROptions {
  /** The multiplier at step 0; in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** The multiplier from `totalIters` on; in [0, 1]. Default 1. */
  endFactor?: number;
  /** The length of the ramp, in steps. Default 5. */
  totalIters?: number;
}

/**
 * A linear ramp of the multiplier: `lr_t = lr_0·(s + (e − s)·min(t, T)/T)`; the usual warm-up
 * (Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour",
 * arXiv:1706.02677). Defaults: startFactor 1/3, endFactor 1, totalIters 5.
 *
 * @example
 * const warmup = new LinearLR(optimizer, { startFactor: 0.1, totalIters: 10 });
 */
export class LinearLR extends ClosedFormScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(
    optimizer: HasParamGroups,
    { startFactor = 1 / 3, endFactor = 1, totalIters = 5 }: LinearLROptions = {},
  ) {
    super('LinearLR', optimizer);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.start();
  }

  protected makeSchedule(lr: number): Schedule {
    const { startFactor, endFactor, totalIters } = this;
    return linearSchedule({ lr, startFactor, endFactor, totalIters }, this.name);
  }

  protected override chainedLrs(current: number[], step: number): number[] {
    const { startFactor: s, endFactor: e, totalIters: n } = this;
    if (step === 0) return current.map((lr) => lr * s);
    if (step > n) return current;
    return current.map((lr) => lr * (1 + (e - s) / (n * s + (step - 1) * (e - s))));
  }
}

export interface PolynomialLROptions {
  /** The step at which the lr reaches 0. Default 5. */
  totalIters?: number;
  /** The power of the decay. Default 1. */
  power?: number;
}

/**
 * Polynomial decay to zero: `lr_t = lr_0·(1 − min(t, T)/T)^power`, the "poly" policy of DeepLab
 * (Chen et al. 2017, arXiv:1606.00915, power 0.9). Defaults: totalIters 5, power 1.
 *
 * @example
 * const scheduler = new PolynomialLR(optimizer, { totalIters: 100, power: 0.9 });
 */
export class PolynomialLR extends ClosedFormScheduler {
  readonly totalIters: number;
  readonly power: number;

  constructor(optimizer: HasParamGroups, { totalIters = 5, power = 1 }: PolynomialLROptions = {}) {
    super('PolynomialLR', optimizer);
    this.totalIters = totalIters;
    this.power = power;
    this.start();
  }

  protected makeSchedule(lr: number): Schedule {
    return polynomialSchedule({ lr, totalIters: this.totalIters, power: this.power }, this.name);
  }

  protected override chainedLrs(current: number[], step: number): number[] {
    const n = this.totalIters;
    if (step === 0 || step > n) return current;
    const decay = ((1 - step / n) / (1 - (step - 1) / n)) ** this.power;
    return current.map((lr) => lr * decay);
  }
}
