/** Running schedulers one after another (SequentialLR) or all at once (ChainedScheduler). */
import type { HasParamGroups } from '../param-group.js';
import { LRScheduler, type JsonValue, type SchedulerState } from './lr-scheduler.js';
import { bisectRight, checkIncreasingSteps, show } from './validate.js';

function checkChildren(who: string, optimizer: HasParamGroups, schedulers: unknown): LRScheduler[] {
  if (!Array.isArray(schedulers) || schedulers.length === 0) {
    throw new TypeError(`${who}: schedulers must be a non-empty list of schedulers, got ${show(schedulers)}`);
  }
  schedulers.forEach((s, i) => {
    if (!(s instanceof LRScheduler)) {
      throw new TypeError(
        `${who}: schedulers[${i}] must be a step-driven scheduler (ReduceLROnPlateau cannot be composed)`,
      );
    }
    if (s.optimizer !== optimizer) {
      throw new TypeError(`${who}: schedulers[${i}] (${s.name}) is attached to a different optimizer`);
    }
  });
  return [...(schedulers as LRScheduler[])];
}

function loadChildren(who: string, children: readonly LRScheduler[], saved: unknown): void {
  if (!Array.isArray(saved) || saved.length !== children.length) {
    throw new TypeError(
      `${who}.loadStateDict: schedulers must hold ${children.length} states, got ${show(saved)}`,
    );
  }
  children.forEach((child, i) => child.loadStateDict(saved[i] as SchedulerState));
}

export interface SequentialLROptions {
  /** The schedulers, freshly built on the same optimizer, in order. */
  schedulers: LRScheduler[];
  /** The steps at which the next scheduler takes over; one fewer than schedulers, increasing. */
  milestones: number[];
}

/**
 * Runs `schedulers[0]` until `milestones[0]`, then `schedulers[1]` restarted at its own step 0 from
 * the base lr, and so on: `lr_t = S_k(t − m_{k−1})` with `k` the number of milestones ≤ t. The
 * usual use is a warm-up followed by a decay. As in PyTorch, the constructor resets the lr to the
 * initial lr and rewinds the schedulers, whose constructors already stepped.
 *
 * @example
 * const scheduler = new SequentialLR(optimizer, {
 *   schedulers: [
 *     new LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 }),
 *     new CosineAnnealingLR(optimizer, { tMax: 95 }),
 *   ],
 *   milestones: [5],
 * });
 */
export class SequentialLR extends LRScheduler {
  readonly schedulers: readonly LRScheduler[];
  readonly milestones: readonly number[];

  constructor(optimizer: HasParamGroups, { schedulers, milestones }: SequentialLROptions) {
    super('SequentialLR', optimizer);
    const children = checkChildren(this.name, optimizer, schedulers);
    const bounds = checkIncreasingSteps(this.name, 'milestones', milestones);
    if (bounds.length !== children.length - 1) {
      throw new RangeError(
        `${this.name}: milestones must have one entry fewer than schedulers (${children.length}), ` +
          `got ${bounds.length}: ${show(milestones)}`,
      );
    }
    for (const child of children) child.attachTo(this.name);
    this.schedulers = children;
    this.milestones = bounds;
    this.writeLrs(this.baseLrs);
    this.start();
  }

  override get composite(): boolean {
    return true;
  }

  /** The scheduler in charge at `step`, and the step in its own count. */
  private active(step: number): [LRScheduler, number] {
    const idx = bisectRight(this.milestones, step);
    return [this.schedulers[idx]!, idx === 0 ? step : step - this.milestones[idx - 1]!];
  }

  protected lrsAt(step: number, current: number[]): number[] {
    const [child, childStep] = this.active(step);
    return child.advance(childStep, current, false);
  }

  protected override extraState(): Record<string, JsonValue> {
    return { schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  protected override loadExtraState(state: SchedulerState): void {
    loadChildren(this.name, this.schedulers, state.schedulers);
  }

  override restoreOptimizer(): void {
    this.active(this._lastStep)[0].restoreOptimizer();
    this.writeLrs(this._lastLr);
  }
}

/**
 * Steps every scheduler at every step, each changing the current lr in place (PyTorch's chainable
 * form), so that multiplicative schedules compose: ConstantLR(0.1, 2) then ExponentialLR(0.9)
 * gives 0.1·lr_0, 0.09·lr_0, 0.81·lr_0, ... (ConstantLR divides its factor back out at step 2).
 * The result is recursive in the lr, not a pure function of the step; the schedulers' own
 * closed forms are not used here.
 *
 * @example
 * const scheduler = new ChainedScheduler([
 *   new LinearLR(optimizer, { startFactor: 0.2, totalIters: 4 }),
 *   new StepLR(optimizer, { stepSize: 6, gamma: 0.5 }),
 * ]);
 */
export class ChainedScheduler extends LRScheduler {
  readonly schedulers: readonly LRScheduler[];

  constructor(schedulers: LRScheduler[], optimizer: HasParamGroups | undefined = schedulers[0]?.optimizer) {
    if (optimizer === undefined) throw new TypeError('ChainedScheduler: schedulers must be a non-empty list');
    super('ChainedScheduler', optimizer);
    const children = checkChildren(this.name, optimizer, schedulers);
    for (const child of children) child.attachTo(this.name);
    this.schedulers = children;
    // Replays the children's constructors in the chainable form: each one's step 0 applies to the
    // lr the previous one left.
    this._lastStep = 0;
    let lrs = [...this.baseLrs];
    for (const child of children) lrs = child.advance(0, lrs, true);
    this._lastLr = [...lrs];
    this.writeLrs(lrs);
  }

  override get composite(): boolean {
    return true;
  }

  protected lrsAt(_step: number, current: number[]): number[] {
    let lrs = current;
    for (const child of this.schedulers) lrs = child.advance(child.lastStep + 1, lrs, true);
    return lrs;
  }

  protected override extraState(): Record<string, JsonValue> {
    return { schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  protected override loadExtraState(state: SchedulerState): void {
    loadChildren(this.name, this.schedulers, state.schedulers);
  }

  override restoreOptimizer(): void {
    for (const child of this.schedulers) child.restoreOptimizer();
    this.writeLrs(this._lastLr);
  }
}
