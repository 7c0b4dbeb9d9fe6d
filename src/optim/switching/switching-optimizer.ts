/**
 * Planned switching: a sequence of optimizers over the same parameters, each running until a
 * boundary in epochs or steps ("Adam for 3 epochs, then SGD with momentum 0.9").
 */
import { tensor } from '../../tensor/creation.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Optimizer, OptimizerLike, OptimizerStateDict, ParamGroupSpec, Params } from '../optimizer.js';
import type { ParamGroup } from '../param-group.js';
import { createOptimizer, isOptimizerName, OPTIMIZER_NAMES } from '../registry.js';
import type { Scheduler } from '../schedulers/lr-scheduler.js';
import { decodeValue, encodeValue, type Encoded } from '../state-dict.js';
import {
  SwitchEmitter,
  checkEpochsDone,
  checkHistory,
  type SwitchEvent,
  type SwitchListener,
} from './events.js';

/** Where a phase ends: after this many epochs in all, or this many optimizer steps in all. */
export type PhaseBoundary = { epoch: number } | { step: number };

/** One phase of a `SwitchingOptimizer`. */
export interface Phase {
  /** The optimizer, by registry name ('sgd', 'adam', 'adamw', ...; see OPTIMIZER_NAMES). */
  optimizer: string;
  /** Its options, for every group (e.g. { lr: 0.05, momentum: 0.9 }). */
  options?: Record<string, unknown>;
  /** Per-group overrides for this phase, by group index (e.g. a smaller lr for group 1). */
  groups?: (Record<string, unknown> | undefined)[];
  /**
   * The end of the phase, counted from the start of training: `{ epoch: 3 }` runs the first three
   * epochs (the switch happens when `onEpochEnd(3)` reports the third one's end), `{ step: 500 }`
   * runs steps 1 to 500.
   * Every phase but the last has one; the last runs to the end.
   */
  until?: PhaseBoundary;
}

/** A state dict of a `SwitchingOptimizer`: the active optimizer's, plus where the run is. */
export interface SwitchingStateDict extends OptimizerStateDict {
  switching: Encoded;
}

function describeBoundary(b: PhaseBoundary): string {
  return 'epoch' in b ? `epoch ${b.epoch}` : `step ${b.step}`;
}

function checkBoundary(where: string, value: unknown): PhaseBoundary {
  const b = value as Record<string, unknown>;
  const keys = typeof b === 'object' && b !== null ? Object.keys(b) : [];
  const key = keys.length === 1 ? keys[0] : undefined;
  if ((key !== 'epoch' && key !== 'step') || !Number.isInteger(b[key]) || (b[key] as number) < 1) {
    throw new RangeError(
      `${where}: until must be { epoch: n } or { step: n } with n an integer ≥ 1, got ${JSON.stringify(value)}`,
    );
  }
  return key === 'epoch' ? { epoch: b.epoch as number } : { step: b.step as number };
}

function normalisePhases(phases: unknown): Phase[] {
  const where = 'SwitchingOptimizer';
  if (!Array.isArray(phases) || phases.length === 0) {
    throw new TypeError(`${where}: phases must be a non-empty list of { optimizer, options?, until? }`);
  }
  const last: Partial<Record<'epoch' | 'step', number>> = {};
  return phases.map((raw, i) => {
    const here = `${where}: phases[${i}]`;
    if (typeof raw !== 'object' || raw === null)
      throw new TypeError(`${here} must be { optimizer, options?, until? }`);
    const p = raw as Phase;
    const name = String(p.optimizer).toLowerCase();
    if (!isOptimizerName(name)) {
      throw new RangeError(
        `${here}: unknown optimizer '${String(p.optimizer)}'; valid optimizers are ${OPTIMIZER_NAMES.join(', ')}`,
      );
    }
    if (p.options !== undefined && (typeof p.options !== 'object' || p.options === null)) {
      throw new TypeError(`${here}: options must be an object`);
    }
    if (p.groups !== undefined && !Array.isArray(p.groups)) {
      throw new TypeError(`${here}: groups must be a list of per-group options`);
    }
    const isLast = i === phases.length - 1;
    if (isLast && p.until !== undefined) {
      throw new RangeError(`${here}: the last phase runs to the end and cannot have until`);
    }
    if (!isLast && p.until === undefined) {
      throw new RangeError(`${here}: every phase but the last needs until: { epoch } or { step }`);
    }
    const until = p.until === undefined ? undefined : checkBoundary(here, p.until);
    if (until) {
      const [unit, value] =
        'epoch' in until ? (['epoch', until.epoch] as const) : (['step', until.step] as const);
      const previous = last[unit];
      if (previous !== undefined && value <= previous) {
        throw new RangeError(
          `${here}: boundaries must increase; until ${describeBoundary(until)} does not come after ${unit} ${previous}`,
        );
      }
      last[unit] = value;
    }
    return {
      optimizer: name,
      options: { ...(p.options ?? {}) },
      groups: (p.groups ?? []).map((g) => ({ ...(g ?? {}) })),
      ...(until ? { until } : {}),
    };
  });
}

/**
 * Runs a sequence of optimizers over the same parameters, switching at planned boundaries:
 *
 * ```ts
 * const opt = new SwitchingOptimizer(model.parameters(), [
 *   { optimizer: 'adam', options: { lr: 1e-3 }, until: { epoch: 3 } },
 *   { optimizer: 'sgd', options: { lr: 0.05, momentum: 0.9 } },
 * ]);
 * for (let epoch = 1; epoch <= 10; epoch++) {
 *   for (const batch of loader) { opt.zeroGrad(); loss(batch).backward(); opt.step(); }
 *   opt.onEpochEnd(epoch); // epochs 1-3 run Adam; SGD from epoch 4
 *   scheduler.step();
 * }
 * ```
 *
 * A boundary `{ epoch: n }` is checked when the caller reports an epoch end (`onEpochEnd`), a
 * boundary `{ step: n }` after each step; both count from the start of training. At a switch:
 * - the parameters are left exactly as they are (bit for bit) and the new optimizer starts from
 *   fresh state (no momentum buffer, no Adam moments, step 0), as if built on them at that moment;
 * - the parameter groups keep their partition; each phase's options are `options` overridden by
 *   `groups[i]` for group i. The per-group options given in `params` apply to the first phase
 *   only, and a group added with `addParamGroup` gets its options for the current phase only;
 * - `paramGroups` is the active optimizer's, so a scheduler attached to the SwitchingOptimizer
 *   writes the active phase's lr. Register it with `attachScheduler` to have its base lr become
 *   the new phase's lr at the switch (the schedule's current factor is applied at once, so with
 *   StepLR already at ×0.1 an SGD phase of lr 0.05 starts at 0.005; see ./events.ts). So calling
 *   `onEpochEnd` before or after an epoch-wise `scheduler.step()` gives the same lrs;
 * - a `SwitchEvent` `{ step, epoch, from, to, lr, reason: 'planned' }` goes to the `onSwitch`
 *   listeners. Several boundaries passed at once switch through each phase in turn.
 *
 * `stateDict()` saves the active optimizer's state dict with the phase, step and epoch counts and
 * the switches so far; `loadStateDict` rebuilds the saved phase's optimizer, so a run continues bit
 * for bit on either side of a switch.
 */
export class SwitchingOptimizer implements OptimizerLike {
  /** The phases, validated and normalised (names in lower case). */
  readonly phases: readonly Phase[];
  private current: Optimizer<object>;
  private phaseIdx = 0;
  private stepCount = 0;
  private epochsCompleted = 0;
  private readonly emitter: SwitchEmitter;

  constructor(params: Params<Record<string, unknown>>, phases: Phase[]) {
    this.phases = normalisePhases(phases);
    // Build every later phase on a stand-in parameter now, so that a bad option fails here and
    // not epochs into training.
    this.phases.slice(1).forEach((phase, i) => {
      const count = Math.max(1, phase.groups?.length ?? 0);
      const specs = Array.from({ length: count }, (_, g) => ({
        params: [tensor([0], { dtype: 'float64', requiresGrad: true })],
        ...(phase.groups?.[g] ?? {}),
      }));
      try {
        createOptimizer(phase.optimizer, specs, phase.options);
      } catch (error) {
        const e = error as Error;
        throw new (e.constructor as ErrorConstructor)(`SwitchingOptimizer: phases[${i + 1}]: ${e.message}`);
      }
    });
    const first = this.phases[0]!;
    const specs = SwitchingOptimizer.groupSpecs(params, first.groups ?? []);
    this.current = createOptimizer(first.optimizer, specs, first.options);
    this.emitter = new SwitchEmitter('SwitchingOptimizer', this);
  }

  /** The constructor's params as group specs, with the first phase's per-group overrides merged in. */
  private static groupSpecs(
    params: Params<Record<string, unknown>>,
    overrides: readonly (Record<string, unknown> | undefined)[],
  ): Params<Record<string, unknown>> {
    const list = params instanceof Tensor ? [params] : [...(params as Iterable<unknown>)];
    if (list.length > 0 && list.every((p) => !(p instanceof Tensor))) {
      return (list as ParamGroupSpec<Record<string, unknown>>[]).map((spec, i) => ({
        ...spec,
        ...(overrides[i] ?? {}),
      }));
    }
    return overrides.length > 0
      ? [{ params: list as Tensor[], ...(overrides[0] ?? {}) }]
      : (list as Tensor[]);
  }

  /** The active optimizer's parameter groups (what schedulers write). */
  get paramGroups(): ParamGroup[] {
    return this.current.paramGroups;
  }

  /** The active optimizer. */
  get optimizer(): Optimizer<object> {
    return this.current;
  }

  /** The index of the active phase. */
  get phaseIndex(): number {
    return this.phaseIdx;
  }

  /** The active phase. */
  get phase(): Phase {
    return this.phases[this.phaseIdx]!;
  }

  /** Optimizer steps taken so far. */
  get steps(): number {
    return this.stepCount;
  }

  /** The number of epochs completed, as reported through `onEpochEnd`. */
  get epochsDone(): number {
    return this.epochsCompleted;
  }

  /** The active optimizer's name ('Adam', 'SGD', ...): for logs and tables. */
  get activeName(): string {
    return this.current.name;
  }

  /** True once the last phase runs. */
  get switched(): boolean {
    return this.phaseIdx > 0;
  }

  /** The step of the last switch so far, null before the first. */
  get switchStep(): number | null {
    return this.emitter.history.at(-1)?.step ?? null;
  }

  /** Every switch so far, oldest first. */
  get switches(): readonly SwitchEvent[] {
    return this.emitter.history;
  }

  /** Calls `listener` at each switch; returns a function that removes it. */
  onSwitch(listener: SwitchListener): () => void {
    return this.emitter.on(listener);
  }

  /** Registers a scheduler of this optimizer so that its base lr follows the phases (see class doc). */
  attachScheduler(scheduler: Scheduler): void {
    this.emitter.attach(scheduler);
  }

  /** Adds a group to the active optimizer; later phases keep it, with their own options. */
  addParamGroup(spec: ParamGroupSpec<Record<string, unknown>>): void {
    this.current.addParamGroup(spec);
  }

  /** One step of the active optimizer; switches after it if a step boundary is reached. */
  step<T>(closure?: () => T): T | undefined {
    const loss = this.current.step(closure);
    this.stepCount++;
    this.advance();
    return loss;
  }

  /**
   * Reports the end of an epoch: `epochsDone` is the number of epochs completed, i.e. the 1-based
   * number of the epoch that ended (by default one more than before). Switches if an epoch boundary
   * is reached; a jump (resuming at a later epoch) switches through every boundary passed.
   */
  onEpochEnd(epochsDone?: number): void {
    this.epochsCompleted =
      epochsDone === undefined
        ? this.epochsCompleted + 1
        : checkEpochsDone('SwitchingOptimizer.onEpochEnd', epochsDone, 1);
    this.advance();
  }

  zeroGrad(setToNone = true): void {
    this.current.zeroGrad(setToNone);
  }

  private reached(boundary: PhaseBoundary | undefined): boolean {
    if (boundary === undefined) return false;
    return 'epoch' in boundary ? this.epochsCompleted >= boundary.epoch : this.stepCount >= boundary.step;
  }

  private advance(): void {
    while (this.reached(this.phase.until)) this.switchTo(this.phaseIdx + 1);
  }

  /** A fresh optimizer of phase `index` over the current groups. */
  private build(index: number): Optimizer<object> {
    const phase = this.phases[index]!;
    const specs = this.current.paramGroups.map((g, i) => ({
      params: g.params,
      ...(phase.groups?.[i] ?? {}),
    }));
    return createOptimizer(phase.optimizer, specs, phase.options);
  }

  private switchTo(index: number): void {
    const from = this.phase.optimizer;
    const old = this.current.paramGroups;
    const next = this.build(index);
    const changes = next.paramGroups.map((group, g) => {
      const before = old[g]!;
      const base = before.initialLr;
      // The new phase's lr is its base lr; the schedule's factor lr/base carries over.
      if (base !== undefined) group.initialLr = base;
      const hasFactor = base !== undefined && base > 0;
      return {
        group: g,
        lr: hasFactor ? group.lr * (before.lr / base) : group.lr,
        rescale: hasFactor ? { from: base, to: group.lr } : null,
      };
    });
    this.current = next;
    this.phaseIdx = index;
    this.emitter.emit(
      {
        step: this.stepCount,
        epoch: this.epochsCompleted,
        from,
        to: this.phase.optimizer,
        reason: 'planned',
      },
      changes,
    );
  }

  /** The active optimizer's state dict plus `switching`: phase, step and epoch counts, switches. */
  stateDict(): SwitchingStateDict {
    return {
      ...this.current.stateDict(),
      switching: encodeValue(
        {
          phase: this.phaseIdx,
          optimizer: this.phase.optimizer,
          steps: this.stepCount,
          epochsDone: this.epochsCompleted,
          switches: this.emitter.history,
        },
        'switching',
      ),
    };
  }

  /**
   * Restores a `stateDict()`: rebuilds the saved phase's optimizer over the current groups and loads
   * its state; nothing changes if a check fails.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = 'SwitchingOptimizer.loadStateDict';
    const section = (dict as Partial<SwitchingStateDict> | null)?.switching;
    const saved =
      section === undefined ? null : (decodeValue(section, 'switching') as Record<string, unknown>);
    if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) {
      throw new TypeError(
        `${where}: the state dict has no switching section {phase, steps, epochsDone, switches}`,
      );
    }
    const phase = saved.phase;
    if (!Number.isInteger(phase) || (phase as number) < 0 || (phase as number) >= this.phases.length) {
      throw new RangeError(
        `${where}: phase must be an integer in [0, ${this.phases.length - 1}], got ${JSON.stringify(phase)}`,
      );
    }
    const index = phase as number;
    if (saved.optimizer !== this.phases[index]!.optimizer) {
      throw new RangeError(
        `${where}: phase ${index} was ${JSON.stringify(saved.optimizer)} when saved but is '${this.phases[index]!.optimizer}' here`,
      );
    }
    if (!Number.isInteger(saved.steps) || (saved.steps as number) < 0) {
      throw new RangeError(`${where}: steps must be an integer ≥ 0, got ${JSON.stringify(saved.steps)}`);
    }
    const epochsDone = checkEpochsDone(`${where}: switching.epochsDone`, saved.epochsDone);
    const history = checkHistory(where, saved.switches);
    const { switching: _switching, ...inner } = dict as SwitchingStateDict;
    const target = index === this.phaseIdx ? this.current : this.build(index);
    target.loadStateDict(inner);
    this.current = target;
    this.phaseIdx = index;
    this.stepCount = saved.steps as number;
    this.epochsCompleted = epochsDone;
    this.emitter.history = history;
  }
}
