/**
 * Learning-rate (and momentum) schedules as pure functions of the step, after optax: a `Schedule`
 * maps a step number (0, 1, 2, ...) to a value and keeps no state. The scheduler classes
 * (`StepLR`, `OneCycleLR`, ...) are thin wrappers that evaluate these functions at their step and
 * write the result into `group.lr`; the same functions serve a plot in the playground.
 *
 * A step is whatever the caller counts: stepping once per batch, express `stepSize`, `tMax`,
 * `totalSteps`... in batches; stepping once per epoch, in epochs.
 *
 * Every factory validates its options and throws a `RangeError` naming the option and its valid
 * range. The optional last argument `who` only changes the name used in those messages.
 *
 * @example
 * const lr = cosineAnnealingSchedule({ lr: 0.1, tMax: 100, etaMin: 1e-3 });
 * lr(0); // 0.1
 * lr(50); // 0.0505
 * const warm = linearWarmup({ steps: 5, then: lr }); // 0.01, 0.028, ..., then the cosine from step 5
 */
import {
  bisectRight,
  checkFinite,
  checkIncreasingSteps,
  checkInterval,
  checkNonNegative,
  checkOneOf,
  checkPositive,
  checkPositiveInt,
} from './validate.js';

/** The value (a learning rate, a momentum, a factor) to use at a step; steps count from 0. */
export type Schedule = (step: number) => number;

// ---------------------------------------------------------------------------------------------
// Decays of a base learning rate `lr`
// ---------------------------------------------------------------------------------------------

export interface ConstantScheduleOptions {
  /** The base value. */
  lr: number;
  /** The multiplier applied before `totalIters`; in [0, 1]. Default 1/3. */
  factor?: number;
  /** The number of steps the factor applies for. Default 5. */
  totalIters?: number;
}

/** `lr·factor` for `step < totalIters`, then `lr` (PyTorch's ConstantLR). */
export function constantSchedule(
  { lr, factor = 1 / 3, totalIters = 5 }: ConstantScheduleOptions,
  who = 'constantSchedule',
): Schedule {
  checkFinite(who, 'lr', lr);
  checkInterval(who, 'factor', factor, 0, 1);
  checkPositiveInt(who, 'totalIters', totalIters);
  return (step) => (step < totalIters ? lr * factor : lr);
}

export interface LinearScheduleOptions {
  /** The base value. */
  lr: number;
  /** The multiplier at step 0; in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** The multiplier from `totalIters` on; in [0, 1]. Default 1. */
  endFactor?: number;
  /** The number of steps of the linear ramp. Default 5. */
  totalIters?: number;
}

/** `lr·(s + (e − s)·min(step, T)/T)`: a ramp from `lr·startFactor` to `lr·endFactor` (LinearLR). */
export function linearSchedule(
  { lr, startFactor = 1 / 3, endFactor = 1, totalIters = 5 }: LinearScheduleOptions,
  who = 'linearSchedule',
): Schedule {
  checkFinite(who, 'lr', lr);
  checkInterval(who, 'startFactor', startFactor, 0, 1, 'low');
  checkInterval(who, 'endFactor', endFactor, 0, 1);
  checkPositiveInt(who, 'totalIters', totalIters);
  return (step) => lr * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, step)) / totalIters);
}

export interface StepScheduleOptions {
  /** The base value. */
  lr: number;
  /** Steps between two decays. */
  stepSize: number;
  /** The decay factor. Default 0.1. */
  gamma?: number;
}

/** `lr·γ^⌊step/stepSize⌋` (StepLR). */
export function stepSchedule(
  { lr, stepSize, gamma = 0.1 }: StepScheduleOptions,
  who = 'stepSchedule',
): Schedule {
  checkFinite(who, 'lr', lr);
  checkPositiveInt(who, 'stepSize', stepSize);
  checkPositive(who, 'gamma', gamma);
  return (step) => lr * gamma ** Math.floor(step / stepSize);
}

export interface MultiStepScheduleOptions {
  /** The base value. */
  lr: number;
  /** The steps at which the value decays; strictly increasing. */
  milestones: number[];
  /** The decay factor. Default 0.1. */
  gamma?: number;
}

/** `lr·γ^(number of milestones ≤ step)` (MultiStepLR). */
export function multiStepSchedule(
  { lr, milestones, gamma = 0.1 }: MultiStepScheduleOptions,
  who = 'multiStepSchedule',
): Schedule {
  checkFinite(who, 'lr', lr);
  const sorted = checkIncreasingSteps(who, 'milestones', milestones);
  checkPositive(who, 'gamma', gamma);
  return (step) => lr * gamma ** bisectRight(sorted, step);
}

export interface ExponentialScheduleOptions {
  /** The base value. */
  lr: number;
  /** The factor per step. */
  gamma: number;
}

/** `lr·γ^step` (ExponentialLR). */
export function exponentialSchedule(
  { lr, gamma }: ExponentialScheduleOptions,
  who = 'exponentialSchedule',
): Schedule {
  checkFinite(who, 'lr', lr);
  checkPositive(who, 'gamma', gamma);
  return (step) => lr * gamma ** step;
}

export interface PolynomialScheduleOptions {
  /** The base value. */
  lr: number;
  /** The step at which the value reaches 0 (and stays). Default 5. */
  totalIters?: number;
  /** The power of the decay. Default 1. */
  power?: number;
}

/** `lr·(1 − min(step, T)/T)^power` (PolynomialLR): 0 from `totalIters` on. */
export function polynomialSchedule(
  { lr, totalIters = 5, power = 1 }: PolynomialScheduleOptions,
  who = 'polynomialSchedule',
): Schedule {
  checkFinite(who, 'lr', lr);
  checkPositiveInt(who, 'totalIters', totalIters);
  checkNonNegative(who, 'power', power);
  return (step) => lr * (1 - Math.min(totalIters, step) / totalIters) ** power;
}

export interface CosineAnnealingScheduleOptions {
  /** The value at step 0 (the maximum). */
  lr: number;
  /** Steps from the maximum to the minimum (half a period). */
  tMax: number;
  /** The minimum. Default 0. */
  etaMin?: number;
}

/**
 * `η_min + (lr − η_min)·(1 + cos(π·step/T_max))/2` (CosineAnnealingLR). Past `tMax` it keeps
 * following the cosine, rising again with period `2·tMax`, as PyTorch does; it neither restarts
 * nor stays at `etaMin` (use `cosineWithWarmRestartsSchedule` for restarts).
 */
export function cosineAnnealingSchedule(
  { lr, tMax, etaMin = 0 }: CosineAnnealingScheduleOptions,
  who = 'cosineAnnealingSchedule',
): Schedule {
  checkFinite(who, 'lr', lr);
  checkPositiveInt(who, 'tMax', tMax);
  checkFinite(who, 'etaMin', etaMin);
  return (step) => etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * step) / tMax))) / 2;
}

export interface CosineWithWarmRestartsScheduleOptions {
  /** The value at the start of every period. */
  lr: number;
  /** The length of the first period, in steps. */
  t0: number;
  /** Each period is `tMult` times longer than the one before; an integer ≥ 1. Default 1. */
  tMult?: number;
  /** The minimum. Default 0. */
  etaMin?: number;
}

/** Where a step falls in SGDR's periods: `tCur` steps into a period of `tI` steps. */
export function warmRestartPosition(step: number, t0: number, tMult: number): { tCur: number; tI: number } {
  if (tMult === 1) return { tCur: step % t0, tI: t0 };
  let tCur = step;
  let tI = t0;
  while (tCur >= tI) {
    tCur -= tI;
    tI *= tMult;
  }
  return { tCur, tI };
}

/**
 * SGDR: `η_min + (lr − η_min)·(1 + cos(π·T_cur/T_i))/2`, where `T_cur` counts the steps since the
 * last restart and the i-th period lasts `T_i = t0·tMult^i` steps (CosineAnnealingWarmRestarts).
 * With t0 5 and tMult 2 the restarts are at steps 5, 15, 35, ...
 */
export function cosineWithWarmRestartsSchedule(
  { lr, t0, tMult = 1, etaMin = 0 }: CosineWithWarmRestartsScheduleOptions,
  who = 'cosineWithWarmRestartsSchedule',
): Schedule {
  checkFinite(who, 'lr', lr);
  checkPositiveInt(who, 't0', t0);
  checkPositiveInt(who, 'tMult', tMult);
  checkFinite(who, 'etaMin', etaMin);
  return (step) => {
    const { tCur, tI } = warmRestartPosition(step, t0, tMult);
    return etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  };
}

// ---------------------------------------------------------------------------------------------
// One-cycle (Smith & Topin) and cyclical (Smith) schedules, with their momentum counterparts
// ---------------------------------------------------------------------------------------------

/** How a one-cycle phase moves between its end values. */
export type AnnealStrategy = 'cos' | 'linear';

/** PyTorch's `_annealing_cos` / `_annealing_linear`: from `start` (pct 0) to `end` (pct 1). */
function anneal(strategy: AnnealStrategy, start: number, end: number, pct: number): number {
  if (strategy === 'linear') return (end - start) * pct + start;
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2) * cosOut;
}

/** The shape of a one-cycle schedule, shared by its lr and momentum halves. */
export interface OneCycleShape {
  /** The number of steps in the cycle (the last one has index totalSteps − 1). */
  totalSteps: number;
  /** The fraction of the cycle spent increasing the lr. Default 0.3. */
  pctStart?: number;
  /** `'cos'` (default) or `'linear'` annealing within each phase. */
  annealStrategy?: AnnealStrategy;
  /** Fast.ai-style third phase: up, back down to the initial lr, then annihilate. Default false. */
  threePhase?: boolean;
}

interface Phase {
  /** The (possibly fractional) step index at which the phase ends. */
  end: number;
  from: number;
  to: number;
}

function checkOneCycleShape(who: string, shape: OneCycleShape): Required<OneCycleShape> {
  const { totalSteps, pctStart = 0.3, annealStrategy = 'cos', threePhase = false } = shape;
  checkPositiveInt(who, 'totalSteps', totalSteps);
  checkInterval(who, 'pctStart', pctStart, 0, 1);
  checkOneOf(who, 'annealStrategy', annealStrategy, ['cos', 'linear'] as const);
  if (typeof threePhase !== 'boolean') throw new RangeError(`${who}: threePhase must be true or false`);
  return { totalSteps, pctStart, annealStrategy, threePhase };
}

/**
 * PyTorch's phase table: the phase ends are `pctStart·totalSteps − 1` (and `2·pctStart·totalSteps
 * − 2` with three phases) and `totalSteps − 1`, kept fractional as PyTorch does.
 */
function oneCyclePhases(shape: Required<OneCycleShape>, low: number, high: number, last: number): Phase[] {
  const { totalSteps, pctStart, threePhase } = shape;
  if (threePhase) {
    return [
      { end: pctStart * totalSteps - 1, from: low, to: high },
      { end: 2 * pctStart * totalSteps - 2, from: high, to: low },
      { end: totalSteps - 1, from: low, to: last },
    ];
  }
  return [
    { end: pctStart * totalSteps - 1, from: low, to: high },
    { end: totalSteps - 1, from: high, to: last },
  ];
}

function phased(shape: Required<OneCycleShape>, phases: Phase[]): Schedule {
  return (rawStep) => {
    // PyTorch extrapolates the last phase at step totalSteps; we hold the final value instead.
    const step = Math.min(rawStep, shape.totalSteps - 1);
    let startStep = 0;
    for (let i = 0; i < phases.length; i++) {
      const phase = phases[i]!;
      if (step <= phase.end || i === phases.length - 1) {
        const span = phase.end - startStep;
        const pct = span > 0 ? (step - startStep) / span : 1;
        return anneal(shape.annealStrategy, phase.from, phase.to, pct);
      }
      startStep = phase.end;
    }
    /* c8 ignore next */
    throw new Error('unreachable');
  };
}

export interface OneCycleScheduleOptions extends OneCycleShape {
  /** The peak learning rate. */
  maxLr: number;
  /** The initial lr is `maxLr/divFactor`. Default 25. */
  divFactor?: number;
  /** The final lr is `maxLr/(divFactor·finalDivFactor)`. Default 1e4. */
  finalDivFactor?: number;
}

/**
 * The one-cycle learning rate (OneCycleLR): from `maxLr/divFactor` up to `maxLr` over the first
 * `pctStart` of the cycle, then down to `maxLr/(divFactor·finalDivFactor)` at step totalSteps − 1.
 * Past the end it holds the final value (PyTorch extrapolates one more step, then raises).
 */
export function oneCycleSchedule(options: OneCycleScheduleOptions, who = 'oneCycleSchedule'): Schedule {
  const shape = checkOneCycleShape(who, options);
  const { maxLr, divFactor = 25, finalDivFactor = 1e4 } = options;
  checkFinite(who, 'maxLr', maxLr);
  checkPositive(who, 'divFactor', divFactor);
  checkPositive(who, 'finalDivFactor', finalDivFactor);
  const initialLr = maxLr / divFactor;
  const minLr = initialLr / finalDivFactor;
  return phased(shape, oneCyclePhases(shape, initialLr, maxLr, minLr));
}

export interface OneCycleMomentumScheduleOptions extends OneCycleShape {
  /** The momentum (or β1) at the lr's peak. Default 0.85. */
  baseMomentum?: number;
  /** The momentum (or β1) at the start and end of the cycle. Default 0.95. */
  maxMomentum?: number;
}

/**
 * The one-cycle momentum (or Adam's β1), moving opposite to the lr: from `maxMomentum` down to
 * `baseMomentum` while the lr rises, then back up to `maxMomentum`.
 */
export function oneCycleMomentumSchedule(
  options: OneCycleMomentumScheduleOptions,
  who = 'oneCycleMomentumSchedule',
): Schedule {
  const shape = checkOneCycleShape(who, options);
  const { baseMomentum = 0.85, maxMomentum = 0.95 } = options;
  checkFinite(who, 'baseMomentum', baseMomentum);
  checkFinite(who, 'maxMomentum', maxMomentum);
  return phased(shape, oneCyclePhases(shape, maxMomentum, baseMomentum, maxMomentum));
}

/** CyclicLR's policies: constant amplitude, halved every cycle, or scaled by γ^step. */
export type CyclicMode = 'triangular' | 'triangular2' | 'exp_range';

/** The shape of a cyclical schedule, shared by its lr and momentum halves. */
export interface CyclicShape {
  /** Steps in the increasing half of a cycle. Default 2000. */
  stepSizeUp?: number;
  /** Steps in the decreasing half; defaults to `stepSizeUp`. */
  stepSizeDown?: number;
  /** Default `'triangular'`. */
  mode?: CyclicMode;
  /** The per-step factor of `'exp_range'`. Default 1. */
  gamma?: number;
}

/** Returns (position in the cycle as a 0..1 height, amplitude multiplier) for a step. */
function cyclicShape(who: string, shape: CyclicShape): (step: number) => [number, number] {
  const { stepSizeUp = 2000, mode = 'triangular', gamma = 1 } = shape;
  const stepSizeDown = shape.stepSizeDown ?? stepSizeUp;
  checkPositiveInt(who, 'stepSizeUp', stepSizeUp);
  checkPositiveInt(who, 'stepSizeDown', stepSizeDown);
  checkOneOf(who, 'mode', mode, ['triangular', 'triangular2', 'exp_range'] as const);
  checkPositive(who, 'gamma', gamma);
  const totalSize = stepSizeUp + stepSizeDown;
  const stepRatio = stepSizeUp / totalSize;
  return (step) => {
    const cycle = Math.floor(1 + step / totalSize);
    const x = 1 + step / totalSize - cycle;
    const height = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
    const amplitude =
      mode === 'triangular' ? 1 : mode === 'triangular2' ? 1 / 2 ** (cycle - 1) : gamma ** step;
    return [height, amplitude];
  };
}

export interface CyclicScheduleOptions extends CyclicShape {
  /** The lower bound of the cycle (its value at step 0). */
  baseLr: number;
  /** The upper bound of the first cycle. */
  maxLr: number;
}

/**
 * The cyclical learning rate (CyclicLR): `baseLr + (maxLr − baseLr)·h(step)·a(step)`, with `h`
 * the triangle wave (0 at the cycle start, 1 after `stepSizeUp` steps, 0 again after
 * `stepSizeDown` more) and `a` the mode's amplitude: 1 (`triangular`), `1/2^(cycle−1)`
 * (`triangular2`) or `γ^step` (`exp_range`).
 */
export function cyclicSchedule(options: CyclicScheduleOptions, who = 'cyclicSchedule'): Schedule {
  const position = cyclicShape(who, options);
  const { baseLr, maxLr } = options;
  checkFinite(who, 'baseLr', baseLr);
  checkFinite(who, 'maxLr', maxLr);
  return (step) => {
    const [height, amplitude] = position(step);
    return baseLr + (maxLr - baseLr) * height * amplitude;
  };
}

export interface CyclicMomentumScheduleOptions extends CyclicShape {
  /** The momentum at the lr's peak. Default 0.8. */
  baseMomentum?: number;
  /** The momentum at the cycle start (where the lr is lowest). Default 0.9. */
  maxMomentum?: number;
}

/** The cyclical momentum, opposite to the lr: `maxMomentum − (maxMomentum − baseMomentum)·h·a`. */
export function cyclicMomentumSchedule(
  options: CyclicMomentumScheduleOptions,
  who = 'cyclicMomentumSchedule',
): Schedule {
  const position = cyclicShape(who, options);
  const { baseMomentum = 0.8, maxMomentum = 0.9 } = options;
  checkFinite(who, 'baseMomentum', baseMomentum);
  checkFinite(who, 'maxMomentum', maxMomentum);
  return (step) => {
    const [height, amplitude] = position(step);
    return maxMomentum - (maxMomentum - baseMomentum) * height * amplitude;
  };
}

// ---------------------------------------------------------------------------------------------
// Composition
// ---------------------------------------------------------------------------------------------

/**
 * Runs `schedules[0]` until `milestones[0]`, then `schedules[1]` restarted from its own step 0,
 * and so on (the pure form of SequentialLR; optax's `join_schedules`).
 */
export function sequenceSchedules(
  schedules: readonly Schedule[],
  milestones: readonly number[],
  who = 'sequenceSchedules',
): Schedule {
  const bounds = checkIncreasingSteps(who, 'milestones', milestones);
  if (schedules.length === 0 || bounds.length !== schedules.length - 1) {
    throw new RangeError(
      `${who}: milestones must have one entry fewer than schedules (${schedules.length}), got ${bounds.length}`,
    );
  }
  return (step) => {
    const idx = bisectRight(bounds, step);
    return schedules[idx]!(idx === 0 ? step : step - bounds[idx - 1]!);
  };
}

export interface LinearWarmupOptions {
  /** The number of warm-up steps. */
  steps: number;
  /** The schedule that follows, from its own step 0. */
  then: Schedule;
  /** The value warmed up to; defaults to `then(0)`. */
  peak?: number;
  /** The fraction of `peak` at step 0; in [0, 1]. Default 0.1. */
  startFactor?: number;
}

/**
 * Linear warm-up (Goyal et al. 2017, "Accurate, Large Minibatch SGD", arXiv:1706.02677), then any
 * schedule: `peak·(s + (1 − s)·step/W)` for `step < W`, then `then(step − W)`. It equals
 * `SequentialLR([LinearLR(s, 1, W), X], [W])` whenever X starts at the base lr.
 */
export function linearWarmup(
  { steps, then, peak, startFactor = 0.1 }: LinearWarmupOptions,
  who = 'linearWarmup',
): Schedule {
  checkPositiveInt(who, 'steps', steps);
  checkInterval(who, 'startFactor', startFactor, 0, 1);
  if (typeof then !== 'function') throw new TypeError(`${who}: then must be a schedule (step => value)`);
  const top = peak ?? then(0);
  checkFinite(who, 'peak', top);
  const ramp: Schedule = (step) => top * (startFactor + ((1 - startFactor) * step) / steps);
  return sequenceSchedules([ramp, then], [steps], who);
}
