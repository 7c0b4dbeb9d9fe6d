/** Reducing the lr when a watched metric stops improving (Keras's callback, PyTorch's ReduceLROnPlateau). */
import type { HasParamGroups, ParamGroup } from '../param-group.js';
import { checkState, type Scheduler, type SchedulerState } from './lr-scheduler.js';
import {
  checkInterval,
  checkNonNegative,
  checkNonNegativeInt,
  checkOneOf,
  perGroup,
  show,
} from './validate.js';

export interface ReduceLROnPlateauOptions {
  /** `'min'` (default): lower is better, e.g. a loss; `'max'`: higher is better, e.g. an accuracy. */
  mode?: 'min' | 'max';
  /** The lr is multiplied by this on a plateau; in (0, 1). Default 0.1. */
  factor?: number;
  /** Bad steps tolerated before the lr drops; it drops on the (patience+1)-th in a row. Default 10. */
  patience?: number;
  /** The least change that counts as an improvement. Default 1e-4. */
  threshold?: number;
  /** `'rel'` (default): relative to the best value; `'abs'`: absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps after a drop during which bad steps are not counted. Default 0. */
  cooldown?: number;
  /** The lr never goes below this; one value or one per group. Default 0. */
  minLr?: number | number[];
  /** A drop smaller than this is not applied. Default 1e-8. */
  eps?: number;
}

/**
 * Multiplies each group's lr by `factor` once the metric passed to `step(metric)` has not improved
 * for more than `patience` steps in a row: `lr ← max(lr·factor, minLr)`, applied only if the
 * decrease exceeds `eps`. In min mode a value improves on the best one if `metric < best·(1 −
 * threshold)` ('rel') or `metric < best − threshold` ('abs'); in max mode, if `metric >
 * best·(1 + threshold)` or `metric > best + threshold`. After a drop, bad steps are ignored for
 * `cooldown` steps. Defaults: mode 'min', factor 0.1, patience 10, threshold 1e-4, thresholdMode
 * 'rel', cooldown 0, minLr 0, eps 1e-8. No paper: a long-standing heuristic (Keras's
 * ReduceLROnPlateau). Step it whenever the metric is measured, usually once per epoch after
 * validation; a drop shows in the lr read after that step.
 *
 * @example
 * const scheduler = new ReduceLROnPlateau(optimizer, { patience: 2, factor: 0.5 });
 * for (let epoch = 0; epoch < epochs; epoch++) {
 *   train(optimizer);
 *   scheduler.step(validationLoss());
 * }
 */
export class ReduceLROnPlateau implements Scheduler {
  readonly name = 'ReduceLROnPlateau';
  readonly optimizer: HasParamGroups;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  private _lastStep = 0;
  private _lastLr: number[];
  private _best: number;
  private _numBadSteps = 0;
  private _cooldownCounter = 0;

  constructor(optimizer: HasParamGroups, options: ReduceLROnPlateauOptions = {}) {
    const who = this.name;
    if (!optimizer || !Array.isArray(optimizer.paramGroups) || optimizer.paramGroups.length === 0) {
      throw new TypeError(`${who}: expected an optimizer with at least one parameter group`);
    }
    this.optimizer = optimizer;
    this.mode = checkOneOf(who, 'mode', options.mode ?? 'min', ['min', 'max'] as const);
    this.factor = checkInterval(who, 'factor', options.factor ?? 0.1, 0, 1, 'both');
    this.patience = checkNonNegativeInt(who, 'patience', options.patience ?? 10);
    this.threshold = checkNonNegative(who, 'threshold', options.threshold ?? 1e-4);
    this.thresholdMode = checkOneOf(who, 'thresholdMode', options.thresholdMode ?? 'rel', [
      'rel',
      'abs',
    ] as const);
    this.cooldown = checkNonNegativeInt(who, 'cooldown', options.cooldown ?? 0);
    this.minLrs = perGroup(who, 'minLr', options.minLr ?? 0, this.groups.length, checkNonNegative);
    this.eps = checkNonNegative(who, 'eps', options.eps ?? 1e-8);
    this._best = this.worst;
    this._lastLr = this.groups.map((g) => g.lr);
  }

  private get groups(): ParamGroup[] {
    return this.optimizer.paramGroups;
  }

  /** The value every metric improves on: +∞ in min mode, −∞ in max mode. */
  private get worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** The number of `step(metric)` calls so far. */
  get lastStep(): number {
    return this._lastStep;
  }

  /** The best metric seen (±∞ before the first step). */
  get best(): number {
    return this._best;
  }

  /** Consecutive steps without improvement (not counted during cooldown). */
  get numBadSteps(): number {
    return this._numBadSteps;
  }

  /** Steps of cooldown left. */
  get cooldownCounter(): number {
    return this._cooldownCounter;
  }

  get inCooldown(): boolean {
    return this._cooldownCounter > 0;
  }

  /** Whether `metric` improves on `best` by more than the threshold. */
  isBetter(metric: number, best: number): boolean {
    if (this.mode === 'min') {
      return this.thresholdMode === 'rel'
        ? metric < best * (1 - this.threshold)
        : metric < best - this.threshold;
    }
    return this.thresholdMode === 'rel'
      ? metric > best * (this.threshold + 1)
      : metric > best + this.threshold;
  }

  /** Records one measurement of the watched metric, and drops the lr on a plateau. */
  step(metric?: number): void {
    if (typeof metric !== 'number') {
      throw new TypeError(
        `${this.name}.step needs the metric it watches (e.g. the validation loss), got ${show(metric)}`,
      );
    }
    this._lastStep += 1;
    if (this.isBetter(metric, this._best)) {
      this._best = metric;
      this._numBadSteps = 0;
    } else {
      this._numBadSteps += 1;
    }
    if (this.inCooldown) {
      this._cooldownCounter -= 1;
      this._numBadSteps = 0;
    }
    if (this._numBadSteps > this.patience) {
      this.reduceLr();
      this._cooldownCounter = this.cooldown;
      this._numBadSteps = 0;
    }
    this._lastLr = this.groups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.groups.forEach((group, i) => {
      const newLr = Math.max(group.lr * this.factor, this.minLrs[i]!);
      if (group.lr - newLr > this.eps) group.lr = newLr;
    });
  }

  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** The state; an infinite `best` (no metric yet) is saved as null, since JSON has no ∞. */
  stateDict(): SchedulerState {
    return {
      type: this.name,
      lastStep: this._lastStep,
      lastLr: [...this._lastLr],
      best: Number.isFinite(this._best) ? this._best : null,
      numBadSteps: this._numBadSteps,
      cooldownCounter: this._cooldownCounter,
    };
  }

  loadStateDict(state: SchedulerState): void {
    const s = checkState(this.name, state, this.groups.length);
    const { best, numBadSteps, cooldownCounter } = s;
    if (best !== null && typeof best !== 'number') {
      throw new TypeError(`${this.name}.loadStateDict: best must be a number or null, got ${show(best)}`);
    }
    this._best = best === null ? this.worst : best;
    this._numBadSteps = checkNonNegativeInt(`${this.name}.loadStateDict`, 'numBadSteps', numBadSteps);
    this._cooldownCounter = checkNonNegativeInt(
      `${this.name}.loadStateDict`,
      'cooldownCounter',
      cooldownCounter,
    );
    this._lastStep = s.lastStep;
    this._lastLr = [...s.lastLr];
    this.groups.forEach((group, i) => {
      group.lr = this._lastLr[i]!;
    });
  }
}
