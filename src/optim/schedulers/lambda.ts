/**
 * LambdaLR and MultiplicativeLR take a factor function of the step. A JS function cannot be saved,
 * so each may instead be given as a serialisable spec `{ type, ...options }` naming a registered
 * factor function (built in: `constant`, `exponential`, `inverse-time`; add yours with
 * `registerLrLambda`). `stateDict()` saves specs and throws for plain functions: a schedule is
 * never dropped from a checkpoint silently.
 */
import type { HasParamGroups } from '../param-group.js';
import { ClosedFormScheduler, LRScheduler, type JsonValue, type SchedulerState } from './lr-scheduler.js';
import type { Schedule } from './schedules.js';
import { checkFinite, checkNonNegative, checkPositive, show } from './validate.js';

/** A factor as a function of the step. */
export type LrLambdaFn = (step: number) => number;

/** A serialisable factor function: a registered `type` and its options. */
export interface LrLambdaSpec {
  type: string;
  [option: string]: JsonValue;
}

/** What LambdaLR and MultiplicativeLR accept for each group. */
export type LrLambda = LrLambdaFn | LrLambdaSpec;

/** Builds a factor function from its spec (validating the spec's options). */
export type LrLambdaFactory = (spec: LrLambdaSpec) => LrLambdaFn;

const registry = new Map<string, LrLambdaFactory>([
  /** `factor` at every step; with MultiplicativeLR, exponential decay. */
  ['constant', (spec) => constantFactor(checkFinite('lr lambda constant', 'factor', spec.factor))],
  /** `gamma^step`. */
  [
    'exponential',
    (spec) => {
      const gamma = checkPositive('lr lambda exponential', 'gamma', spec.gamma);
      return (step) => gamma ** step;
    },
  ],
  /** `1/(1 + decay·step)^power` (power defaults to 1): inverse-time decay. */
  [
    'inverse-time',
    (spec) => {
      const decay = checkNonNegative('lr lambda inverse-time', 'decay', spec.decay);
      const power = checkFinite('lr lambda inverse-time', 'power', spec.power ?? 1);
      return power === 1 ? (step) => 1 / (1 + decay * step) : (step) => 1 / (1 + decay * step) ** power;
    },
  ],
]);

function constantFactor(factor: number): LrLambdaFn {
  return () => factor;
}

/** The registered factor-function types. */
export const LR_LAMBDAS: ReadonlyMap<string, LrLambdaFactory> = registry;

/**
 * Registers a named factor function, so that LambdaLR/MultiplicativeLR built with
 * `{ type: name, ...options }` can be saved and restored. Register it in every process that loads
 * such a state.
 *
 * @example
 * registerLrLambda('warmup-then-decay', ({ warmup }) => (step) =>
 *   step < Number(warmup) ? (step + 1) / Number(warmup) : 0.9 ** (step - Number(warmup)));
 * new LambdaLR(optimizer, { lrLambda: { type: 'warmup-then-decay', warmup: 5 } });
 */
export function registerLrLambda(type: string, factory: LrLambdaFactory): void {
  if (typeof type !== 'string' || type === '')
    throw new TypeError('registerLrLambda: type must be a non-empty string');
  if (typeof factory !== 'function') throw new TypeError('registerLrLambda: factory must be a function');
  if (registry.has(type)) throw new Error(`registerLrLambda: '${type}' is already registered`);
  registry.set(type, factory);
}

/** The factor function of a spec; throws on an unknown type, listing the registered ones. */
export function lrLambdaFromSpec(spec: LrLambdaSpec, who = 'lrLambdaFromSpec'): LrLambdaFn {
  if (typeof spec !== 'object' || spec === null || typeof spec.type !== 'string') {
    throw new TypeError(
      `${who}: lrLambda must be a function or a spec { type, ...options }, got ${show(spec)}`,
    );
  }
  const factory = registry.get(spec.type);
  if (!factory) {
    throw new RangeError(
      `${who}: unknown lrLambda type '${spec.type}'; registered: ${[...registry.keys()].join(', ')} ` +
        '(add one with registerLrLambda)',
    );
  }
  return factory(spec);
}

/** One lambda per group: a single one is shared, a list must match the number of groups. */
function perGroupLambdas(who: string, lrLambda: LrLambda | LrLambda[], groups: number): LrLambda[] {
  if (!Array.isArray(lrLambda)) return Array.from({ length: groups }, () => lrLambda);
  if (lrLambda.length !== groups) {
    throw new RangeError(
      `${who}: expected ${groups} lrLambdas (one per parameter group), got ${lrLambda.length}`,
    );
  }
  return [...lrLambda];
}

function resolveLambda(who: string, lambda: LrLambda): LrLambdaFn {
  return typeof lambda === 'function' ? lambda : lrLambdaFromSpec(lambda, who);
}

/** The saved form of the lambdas; throws for plain functions. */
function saveLambdas(who: string, lambdas: readonly LrLambda[]): JsonValue {
  return lambdas.map((lambda) => {
    if (typeof lambda === 'function') {
      throw new TypeError(
        `${who} holds a function, which cannot be saved; give lrLambda as a registered spec instead, ` +
          `e.g. { type: 'exponential', gamma: 0.95 } (registered: ${[...registry.keys()].join(', ')}), ` +
          "or register your function with registerLrLambda('name', () => fn) and pass { type: 'name' }",
      );
    }
    return JSON.parse(JSON.stringify(lambda)) as JsonValue;
  });
}

function loadLambdas(who: string, saved: unknown, groups: number): LrLambdaSpec[] {
  if (!Array.isArray(saved) || saved.length !== groups) {
    throw new TypeError(
      `${who}.loadStateDict: lrLambdas must hold one spec per parameter group, got ${show(saved)}`,
    );
  }
  return saved as LrLambdaSpec[];
}

export interface LambdaLROptions {
  /** The factor of the base lr at each step: a function or a registered spec, or one per group. */
  lrLambda: LrLambda | LrLambda[];
}

/**
 * `lr_t = lr_0·λ(t)`: any factor function of the step. Save-able only when λ is a registered spec.
 *
 * @example
 * new LambdaLR(optimizer, { lrLambda: (step) => 1 / (1 + 0.1 * step) }); // cannot be saved
 * new LambdaLR(optimizer, { lrLambda: { type: 'inverse-time', decay: 0.1 } }); // same, can be saved
 */
export class LambdaLR extends ClosedFormScheduler {
  private lambdas: LrLambda[];
  private fns: LrLambdaFn[];

  constructor(optimizer: HasParamGroups, { lrLambda }: LambdaLROptions) {
    super('LambdaLR', optimizer);
    this.lambdas = perGroupLambdas(this.name, lrLambda, this.groups.length);
    this.fns = this.lambdas.map((l) => resolveLambda(this.name, l));
    this.start();
  }

  protected makeSchedule(baseLr: number, group: number): Schedule {
    const fn = this.fns[group]!;
    return (step) => baseLr * fn(step);
  }

  protected override extraState(): Record<string, JsonValue> {
    return { lrLambdas: saveLambdas(this.name, this.lambdas) };
  }

  protected override loadExtraState(state: SchedulerState): void {
    this.lambdas = loadLambdas(this.name, state.lrLambdas, this.groups.length);
    this.fns = this.lambdas.map((l) => resolveLambda(this.name, l));
  }
}

export interface MultiplicativeLROptions {
  /** The factor applied at each step from step 1: a function or a registered spec, or one per group. */
  lrLambda: LrLambda | LrLambda[];
}

/**
 * `lr_t = lr_{t−1}·λ(t)` for t ≥ 1 (the constructor leaves the lr alone): a recursive schedule,
 * so it reads the group's current lr. Save-able only when λ is a registered spec.
 *
 * @example
 * new MultiplicativeLR(optimizer, { lrLambda: { type: 'constant', factor: 0.95 } });
 */
export class MultiplicativeLR extends LRScheduler {
  private lambdas: LrLambda[];
  private fns: LrLambdaFn[];

  constructor(optimizer: HasParamGroups, { lrLambda }: MultiplicativeLROptions) {
    super('MultiplicativeLR', optimizer);
    this.lambdas = perGroupLambdas(this.name, lrLambda, this.groups.length);
    this.fns = this.lambdas.map((l) => resolveLambda(this.name, l));
    this.start();
  }

  protected lrsAt(step: number, current: number[]): number[] {
    if (step === 0) return current;
    return current.map((lr, i) => lr * this.fns[i]!(step));
  }

  protected override extraState(): Record<string, JsonValue> {
    return { lrLambdas: saveLambdas(this.name, this.lambdas) };
  }

  protected override loadExtraState(state: SchedulerState): void {
    this.lambdas = loadLambdas(this.name, state.lrLambdas, this.groups.length);
    this.fns = this.lambdas.map((l) => resolveLambda(this.name, l));
  }
}
