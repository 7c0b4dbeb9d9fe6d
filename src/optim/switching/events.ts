/**
 * The switch as an event, shared by planned switching (`SwitchingOptimizer`) and SWATS: the payload
 * loggers and callbacks receive, the listener list, the history that stateDict saves, and the
 * schedulers that follow a switch.
 *
 * What a scheduler controls after a switch. The rule is that the schedule's shape carries over and
 * its base changes: for each parameter group that switches, every lr a scheduler remembers (its base
 * lrs, its last lr, the group's `initialLr`) is multiplied by the same factor ρ, so that
 * `lr / base` is the same just before and just after the switch.
 *
 * - Planned switch: the new phase's `lr` is its base lr; ρ = lr_new_phase / base_old, and the lr in
 *   force becomes `lr_new_phase · (lr_now / base_old)`, i.e. the schedule evaluated at the current
 *   step on the new base (with no scheduler attached it is simply the new phase's lr).
 * - SWATS: Λ is estimated from Adam steps taken at the lr in force, so Λ *is* the lr in force;
 *   ρ = Λ / lr_now, and the base becomes `Λ · base_old / lr_now`.
 *
 * Only schedulers registered with `attachScheduler` are rescaled (a scheduler cannot be discovered
 * from its optimizer). Schedulers whose lrs are absolute settings rather than multiples of a base
 * (CyclicLR, OneCycleLR) and ReduceLROnPlateau (which only ever multiplies the lr in force) are left
 * as they are. A scheduler whose state cannot be saved (a LambdaLR holding a plain function) is
 * refused by `attachScheduler`, since rescaling goes through its stateDict.
 */
import type { HasParamGroups, ParamGroup } from '../param-group.js';
import type { Scheduler, SchedulerState } from '../schedulers/lr-scheduler.js';

/** What loggers and callbacks receive when an optimizer switches. */
export interface SwitchEvent {
  /**
   * The number of optimizer steps taken when the switch happened (the paper's k for SWATS): step
   * `step + 1` is the first one taken by the new optimizer.
   */
  step: number;
  /**
   * The number of epochs completed when the switch happened, as reported through `onEpochEnd`: a
   * planned switch at `{ epoch: 3 }` reports 3; a SWATS switch during the third epoch reports 2.
   */
  epoch: number;
  /** The optimizer switched from, by registry name ('adam' for SWATS). */
  from: string;
  /** The optimizer switched to, by registry name ('sgd' for SWATS). */
  to: string;
  /** The lr in force after the switch in the first group that switched (Λ for SWATS). */
  lr: number;
  /** The indices of the parameter groups that switched. */
  groups: number[];
  /** The lr in force after the switch in each of those groups. */
  lrs: number[];
  /** 'planned' for a phase boundary of `SwitchingOptimizer`, 'swats' for the SWATS criterion. */
  reason: 'swats' | 'planned';
}

/** A function called once per switch, after the new optimizer is in place. */
export type SwitchListener = (event: SwitchEvent) => void;

const ABSOLUTE_LR_SCHEDULERS = new Set(['CyclicLR', 'OneCycleLR', 'ReduceLROnPlateau']);

/** A group's rescaling: lrs are multiplied by to/from, and one equal to `from` becomes `to` exactly. */
export interface Rescale {
  from: number;
  to: number;
}

function rescaleLr(lr: number, r: Rescale): number {
  return lr === r.from ? r.to : lr * (r.to / r.from);
}

function scaleLrs(value: unknown, factors: ReadonlyMap<number, Rescale>): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((lr, i) => {
    const r = factors.get(i);
    return typeof lr === 'number' && r !== undefined ? rescaleLr(lr, r) : lr;
  });
}

/** The state of a scheduler with each group's lrs multiplied by its factor (children included). */
function rescaleState(state: SchedulerState, factors: ReadonlyMap<number, Rescale>): SchedulerState {
  if (ABSOLUTE_LR_SCHEDULERS.has(state.type)) return state;
  const out: Record<string, unknown> = { ...state };
  if ('baseLrs' in state) out.baseLrs = scaleLrs(state.baseLrs, factors);
  out.lastLr = scaleLrs(state.lastLr, factors);
  if (Array.isArray(state.schedulers)) {
    out.schedulers = state.schedulers.map((child) => rescaleState(child as SchedulerState, factors));
  }
  return out as SchedulerState;
}

/** One group's change at a switch: its new lr in force and how remembered lrs are rescaled. */
export interface GroupSwitch {
  group: number;
  /** The lr in force after the switch. */
  lr: number;
  /**
   * ρ = to/from: the factor for the base lr, last lr and initialLr a scheduler remembers (a value
   * equal to `from` becomes `to` exactly); null leaves them as they are.
   */
  rescale: Rescale | null;
}

/**
 * The switching machinery an optimizer owns: listeners, the history of switches and the attached
 * schedulers. Not exported from the package: `SwitchingOptimizer` and `SWATS` expose its methods.
 */
export class SwitchEmitter {
  private readonly listeners = new Set<SwitchListener>();
  private readonly schedulers: Scheduler[] = [];
  /** Every switch so far, oldest first (restored by loadStateDict). */
  history: SwitchEvent[] = [];

  constructor(
    private readonly owner: string,
    private readonly optimizer: HasParamGroups,
  ) {}

  on(listener: SwitchListener): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(`${this.owner}.onSwitch: expected a function, got ${typeof listener}`);
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  attach(scheduler: Scheduler): void {
    const where = `${this.owner}.attachScheduler`;
    if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.stateDict !== 'function') {
      throw new TypeError(`${where}: expected a scheduler (LRScheduler or ReduceLROnPlateau)`);
    }
    if (scheduler.optimizer !== this.optimizer) {
      throw new TypeError(`${where}: the scheduler is attached to a different optimizer`);
    }
    try {
      scheduler.stateDict();
    } catch (error) {
      throw new TypeError(
        `${where}: a scheduler is rescaled at a switch through its stateDict, which fails: ${(error as Error).message}`,
      );
    }
    if (!this.schedulers.includes(scheduler)) this.schedulers.push(scheduler);
  }

  /**
   * Applies the groups' new lrs (rescaling the attached schedulers and `initialLr` first), records
   * the event and calls the listeners.
   */
  emit(event: Omit<SwitchEvent, 'lr' | 'groups' | 'lrs'>, changes: readonly GroupSwitch[]): SwitchEvent {
    const groups = this.optimizer.paramGroups;
    const factors = new Map<number, Rescale>();
    for (const c of changes) {
      const r = c.rescale;
      if (r !== null && r.from > 0 && Number.isFinite(r.to / r.from)) factors.set(c.group, r);
    }
    for (const scheduler of this.schedulers)
      scheduler.loadStateDict(rescaleState(scheduler.stateDict(), factors));
    for (const c of changes) {
      const group: ParamGroup = groups[c.group]!;
      const r = factors.get(c.group);
      if (group.initialLr !== undefined && r !== undefined) group.initialLr = rescaleLr(group.initialLr, r);
      group.lr = c.lr;
    }
    const full: SwitchEvent = {
      ...event,
      lr: changes[0]!.lr,
      groups: changes.map((c) => c.group),
      lrs: changes.map((c) => c.lr),
    };
    this.history.push(full);
    for (const listener of [...this.listeners]) listener(full);
    return full;
  }
}

/** Checks a saved history of switches (from a state dict). */
export function checkHistory(where: string, value: unknown): SwitchEvent[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: switches must be a list of switch events`);
  return value.map((e, i) => {
    const ok =
      typeof e === 'object' &&
      e !== null &&
      Number.isInteger(e.step) &&
      Number.isInteger(e.epoch) &&
      typeof e.from === 'string' &&
      typeof e.to === 'string' &&
      typeof e.lr === 'number' &&
      Array.isArray(e.groups) &&
      Array.isArray(e.lrs) &&
      (e.reason === 'swats' || e.reason === 'planned');
    if (!ok) throw new TypeError(`${where}: switches[${i}] is not a switch event`);
    return { ...e, groups: [...e.groups], lrs: [...e.lrs] } as SwitchEvent;
  });
}

/** Checks a number of completed epochs (given to `onEpochEnd`, or saved). */
export function checkEpochsDone(where: string, value: unknown, min = 0): number {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new RangeError(
      `${where}: the number of epochs completed must be an integer ≥ ${min}, got ${String(value)}`,
    );
  }
  return value as number;
}
