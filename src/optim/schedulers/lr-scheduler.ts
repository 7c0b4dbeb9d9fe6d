/**
 * The scheduler base class. A scheduler evaluates its schedule at its step and writes the result
 * into `group.lr` of every parameter group (and, for one-cycle and cyclical schedules,
 * `group.momentum` or `group.betas[0]`); it touches nothing else except PyTorch's `initialLr`,
 * which the first scheduler attached to a group records.
 *
 * When to step is the caller's choice: call `step()` once per batch (and count `stepSize`,
 * `tMax`, `totalSteps`, ... in batches) or once per epoch (and count them in epochs). As in
 * PyTorch, the constructor already applies step 0, so the loop is
 *
 * ```ts
 * const scheduler = new StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   train(optimizer); // uses the lr of step `epoch`
 *   scheduler.step();
 * }
 * ```
 */
import type { HasParamGroups, ParamGroup } from '../param-group.js';
import type { Schedule } from './schedules.js';
import { show } from './validate.js';

/** A JSON value: what a scheduler's state is made of. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The serialisable state of a scheduler (`JSON.stringify` round-trips it). */
export interface SchedulerState {
  /** The class that wrote it, checked on load. */
  type: string;
  /** The number of steps taken (0 right after the constructor). */
  lastStep: number;
  /** The lr of each group after the last step. */
  lastLr: number[];
  [key: string]: JsonValue;
}

/** What every scheduler offers, ReduceLROnPlateau included. */
export interface Scheduler {
  readonly optimizer: HasParamGroups;
  /** The number of steps taken: 0 right after the constructor. */
  readonly lastStep: number;
  /** Advances one step; ReduceLROnPlateau needs the metric it watches. */
  step(metric?: number): void;
  /** The lr of each group after the last step. */
  getLastLr(): number[];
  /** A JSON-serialisable snapshot; throws if the schedule holds something that cannot be saved. */
  stateDict(): SchedulerState;
  /** Restores a snapshot and writes the restored lr (and momentum) into the optimizer's groups. */
  loadStateDict(state: SchedulerState): void;
}

/** Checks that a state is an object of the expected type with the common fields. */
export function checkState(who: string, state: unknown, groups: number): SchedulerState {
  if (typeof state !== 'object' || state === null)
    throw new TypeError(`${who}.loadStateDict: expected an object`);
  const s = state as SchedulerState;
  if (s.type !== who) {
    throw new TypeError(`${who}.loadStateDict: this state was saved by ${show(s.type)}, not by ${who}`);
  }
  if (typeof s.lastStep !== 'number' || !Array.isArray(s.lastLr) || s.lastLr.length !== groups) {
    throw new TypeError(
      `${who}.loadStateDict: the state needs lastStep and one lastLr per parameter group (${groups})`,
    );
  }
  return s;
}

function numbers(who: string, name: string, value: unknown, length: number): number[] {
  if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === 'number')) {
    throw new TypeError(`${who}.loadStateDict: ${name} must be ${length} numbers, got ${show(value)}`);
  }
  return [...(value as number[])];
}

/**
 * The base of every step-driven scheduler (all but ReduceLROnPlateau). Subclasses provide the
 * value of each group's lr at a step (`lrsAt`, the closed form when there is one) and, for use
 * inside `ChainedScheduler`, PyTorch's chainable form (`chainedLrs`), which updates the current
 * lr in place.
 */
export abstract class LRScheduler implements Scheduler {
  readonly optimizer: HasParamGroups;
  /** Each group's lr when the scheduler was attached (PyTorch's `base_lrs`). */
  baseLrs: number[];
  protected _lastStep = -1;
  protected _lastLr: number[] = [];
  /** The composite scheduler that steps this one, if any. */
  private driver: string | undefined;

  /** `name` is the class name used in messages and saved states. */
  protected constructor(
    readonly name: string,
    optimizer: HasParamGroups,
  ) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups) || optimizer.paramGroups.length === 0) {
      throw new TypeError(`${name}: expected an optimizer with at least one parameter group`);
    }
    this.optimizer = optimizer;
    for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** The number of steps taken: 0 right after the constructor. */
  get lastStep(): number {
    return this._lastStep;
  }

  protected get groups(): ParamGroup[] {
    return this.optimizer.paramGroups;
  }

  /** Applies step 0; subclasses call it at the end of their constructor. */
  protected start(): void {
    this.step();
  }

  /** Advances one step and writes the new lr into every group. */
  step(): void {
    if (this.driver !== undefined) {
      throw new Error(
        `${this.name} is stepped by a ${this.driver}; call step() on the ${this.driver} instead`,
      );
    }
    this.writeLrs(this.advance(this._lastStep + 1, this.currentLrs(), false));
  }

  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /**
   * Moves to `step` and returns each group's lr there, without writing it (momentum, when the
   * schedule cycles it, is written). `chainable` selects PyTorch's chainable form, computed from
   * `currentLrs`. Composite schedulers (SequentialLR, ChainedScheduler) drive their children
   * through this; user code calls `step()`.
   */
  advance(step: number, currentLrs: number[], chainable: boolean): number[] {
    this.checkStep(step);
    const lrs = chainable ? this.chainedLrs(currentLrs, step) : this.lrsAt(step, currentLrs);
    this._lastStep = step;
    this._lastLr = [...lrs];
    this.applyMomentum(step);
    return lrs;
  }

  /**
   * Marks this scheduler as stepped by a composite (`driver`), which must receive it freshly built
   * (at step 0); its own `step()` then refuses to run.
   */
  attachTo(driver: string): void {
    if (this.composite) {
      throw new TypeError(`${driver}: cannot contain a ${this.name}; list its schedulers directly`);
    }
    if (this.driver !== undefined) {
      throw new Error(`${driver}: ${this.name} is already stepped by a ${this.driver}`);
    }
    if (this._lastStep !== 0) {
      throw new Error(
        `${driver}: ${this.name} has already taken ${this._lastStep} steps; build it just before passing it`,
      );
    }
    this.driver = driver;
  }

  /** True for SequentialLR and ChainedScheduler, which drive other schedulers. */
  get composite(): boolean {
    return false;
  }

  /** Each group's lr at `step`: the closed form, or from `currentLrs` for recursive schedules. */
  protected abstract lrsAt(step: number, currentLrs: number[]): number[];

  /**
   * PyTorch's chainable form: the new lr from the current one (which other schedulers of a
   * ChainedScheduler may have changed). Schedules that PyTorch computes from the base lr alone
   * (LambdaLR, OneCycleLR, CyclicLR, CosineAnnealingWarmRestarts) keep this default.
   */
  protected chainedLrs(currentLrs: number[], step: number): number[] {
    return this.lrsAt(step, currentLrs);
  }

  /** Throws when `step` is out of the schedule's range. */
  protected checkStep(_step: number): void {}

  /** Writes the momentum (or β1) of `step`, for schedules that cycle it. */
  protected applyMomentum(_step: number): void {}

  protected currentLrs(): number[] {
    return this.groups.map((g) => g.lr);
  }

  protected writeLrs(lrs: readonly number[]): void {
    this.groups.forEach((group, i) => {
      group.lr = lrs[i]!;
    });
  }

  /** Extra state of a subclass, merged into `stateDict()`. */
  protected extraState(): Record<string, JsonValue> {
    return {};
  }

  /** Restores the subclass's extra state. */
  protected loadExtraState(_state: SchedulerState): void {}

  /** Called after `baseLrs` and the extra state are restored from a saved state. */
  protected onBaseLrsChanged(): void {}

  stateDict(): SchedulerState {
    return {
      ...this.extraState(),
      type: this.name,
      lastStep: this._lastStep,
      lastLr: [...this._lastLr],
      baseLrs: [...this.baseLrs],
    };
  }

  loadStateDict(state: SchedulerState): void {
    const s = checkState(this.name, state, this.groups.length);
    this.baseLrs = numbers(this.name, 'baseLrs', s.baseLrs, this.groups.length);
    this.loadExtraState(s);
    this.onBaseLrsChanged();
    this._lastStep = s.lastStep;
    this._lastLr = [...s.lastLr];
    if (this.driver === undefined) this.restoreOptimizer();
  }

  /** Writes the lr (and momentum) of the current step back into the groups. */
  restoreOptimizer(): void {
    this.writeLrs(this._lastLr);
    this.applyMomentum(this._lastStep);
  }
}

/**
 * A scheduler whose lr is a pure function of the step: one `Schedule` per group, built from that
 * group's base lr. Subclasses whose PyTorch counterpart is chainable also override `chainedLrs`.
 */
export abstract class ClosedFormScheduler extends LRScheduler {
  private schedules: Schedule[] = [];

  /** The pure schedule of one group, from its base lr. */
  protected abstract makeSchedule(baseLr: number, group: number): Schedule;

  protected override start(): void {
    this.onBaseLrsChanged();
    super.start();
  }

  protected override onBaseLrsChanged(): void {
    this.schedules = this.baseLrs.map((lr, i) => this.makeSchedule(lr, i));
  }

  /** The pure schedule of group `i` (for plots and tests). */
  schedule(i = 0): Schedule {
    return this.schedules[i]!;
  }

  protected lrsAt(step: number): number[] {
    return this.schedules.map((s) => s(step));
  }
}
