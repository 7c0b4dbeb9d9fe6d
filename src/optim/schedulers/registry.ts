/**
 * Schedulers by name, for the CLI and for configuration files: `schedulerFromSpec(optimizer,
 * { type: 'cosine', options: { tMax: 100 } })`. Options use the constructors' camelCase names;
 * unknown names (of schedules or options) are refused with the list of valid ones.
 */
import type { HasParamGroups } from '../param-group.js';
import { CosineAnnealingLR, CosineAnnealingWarmRestarts } from './cosine.js';
import { CyclicLR } from './cyclic.js';
import { ConstantLR, ExponentialLR, LinearLR, MultiStepLR, PolynomialLR, StepLR } from './decay.js';
import { LambdaLR, MultiplicativeLR } from './lambda.js';
import { LRScheduler, type Scheduler } from './lr-scheduler.js';
import { OneCycleLR } from './one-cycle.js';
import { ReduceLROnPlateau } from './plateau.js';
import { ChainedScheduler, SequentialLR } from './sequential.js';
import { checkInterval, checkPositiveInt, show } from './validate.js';

/** A scheduler by name, with its options (and, optionally, a linear warm-up before it). */
export interface SchedulerSpec {
  /** A key of SCHEDULERS: 'step', 'cosine', 'onecycle', ... */
  type: string;
  /** The constructor's options, by their camelCase names; nested specs for sequential/chained. */
  options?: Record<string, unknown>;
  /**
   * A linear warm-up of `steps` steps from `startFactor·lr` (default 0.1) before the schedule,
   * which then starts at its own step 0: SequentialLR([LinearLR, schedule], [steps]).
   */
  warmup?: { steps: number; startFactor?: number };
}

/** One entry of the registry. */
export interface SchedulerEntry {
  /** The class it builds. */
  className: string;
  /** One line for `--help`. */
  summary: string;
  /** The option names it accepts. */
  options: readonly string[];
  create(optimizer: HasParamGroups, options: Record<string, unknown>): Scheduler;
}

// Options are checked by name here and by value in the constructors, so the casts below only
// hand the constructors what they validate themselves.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Opts = any;

function children(who: string, optimizer: HasParamGroups, specs: unknown): LRScheduler[] {
  if (!Array.isArray(specs))
    throw new TypeError(`schedule '${who}': options.schedulers must be a list of specs`);
  return specs.map((spec, i) => {
    const scheduler = schedulerFromSpec(optimizer, spec as SchedulerSpec);
    if (!(scheduler instanceof LRScheduler)) {
      throw new TypeError(`schedule '${who}': schedulers[${i}] cannot be a plateau schedule`);
    }
    return scheduler;
  });
}

/** The schedulers by their CLI names. */
export const SCHEDULERS: Readonly<Record<string, SchedulerEntry>> = Object.freeze({
  step: {
    className: 'StepLR',
    summary: 'lr·gamma^floor(step/stepSize)',
    options: ['stepSize', 'gamma'],
    create: (opt, o) => new StepLR(opt, o as Opts),
  },
  multistep: {
    className: 'MultiStepLR',
    summary: 'lr·gamma^(milestones passed)',
    options: ['milestones', 'gamma'],
    create: (opt, o) => new MultiStepLR(opt, o as Opts),
  },
  exponential: {
    className: 'ExponentialLR',
    summary: 'lr·gamma^step',
    options: ['gamma'],
    create: (opt, o) => new ExponentialLR(opt, o as Opts),
  },
  cosine: {
    className: 'CosineAnnealingLR',
    summary: 'cosine from lr down to etaMin over tMax steps',
    options: ['tMax', 'etaMin'],
    create: (opt, o) => new CosineAnnealingLR(opt, o as Opts),
  },
  'cosine-restarts': {
    className: 'CosineAnnealingWarmRestarts',
    summary: 'SGDR: cosine periods of t0, t0·tMult, ... steps',
    options: ['t0', 'tMult', 'etaMin'],
    create: (opt, o) => new CosineAnnealingWarmRestarts(opt, o as Opts),
  },
  onecycle: {
    className: 'OneCycleLR',
    summary: '1cycle: up to maxLr then down, momentum the other way (step per batch)',
    options: [
      'maxLr',
      'totalSteps',
      'epochs',
      'stepsPerEpoch',
      'pctStart',
      'annealStrategy',
      'cycleMomentum',
      'baseMomentum',
      'maxMomentum',
      'divFactor',
      'finalDivFactor',
      'threePhase',
    ],
    create: (opt, o) => new OneCycleLR(opt, o as Opts),
  },
  cyclic: {
    className: 'CyclicLR',
    summary: 'triangle waves between baseLr and maxLr (step per batch)',
    options: [
      'baseLr',
      'maxLr',
      'stepSizeUp',
      'stepSizeDown',
      'mode',
      'gamma',
      'cycleMomentum',
      'baseMomentum',
      'maxMomentum',
    ],
    create: (opt, o) => new CyclicLR(opt, o as Opts),
  },
  linear: {
    className: 'LinearLR',
    summary: 'linear ramp of the factor from startFactor to endFactor over totalIters steps',
    options: ['startFactor', 'endFactor', 'totalIters'],
    create: (opt, o) => new LinearLR(opt, o as Opts),
  },
  constant: {
    className: 'ConstantLR',
    summary: 'lr·factor for totalIters steps, then lr',
    options: ['factor', 'totalIters'],
    create: (opt, o) => new ConstantLR(opt, o as Opts),
  },
  polynomial: {
    className: 'PolynomialLR',
    summary: 'lr·(1 − step/totalIters)^power, then 0',
    options: ['totalIters', 'power'],
    create: (opt, o) => new PolynomialLR(opt, o as Opts),
  },
  plateau: {
    className: 'ReduceLROnPlateau',
    summary: 'lr·factor when the metric stops improving (step(metric) per epoch)',
    options: ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'],
    create: (opt, o) => new ReduceLROnPlateau(opt, o as Opts),
  },
  lambda: {
    className: 'LambdaLR',
    summary: 'lr·λ(step), λ a registered lr lambda',
    options: ['lrLambda'],
    create: (opt, o) => new LambdaLR(opt, o as Opts),
  },
  multiplicative: {
    className: 'MultiplicativeLR',
    summary: 'lr ← lr·λ(step) from step 1, λ a registered lr lambda',
    options: ['lrLambda'],
    create: (opt, o) => new MultiplicativeLR(opt, o as Opts),
  },
  sequential: {
    className: 'SequentialLR',
    summary: 'schedulers one after another, switching at milestones',
    options: ['schedulers', 'milestones'],
    create: (opt, o) =>
      new SequentialLR(opt, {
        schedulers: children('sequential', opt, o.schedulers),
        milestones: o.milestones as Opts,
      }),
  },
  chained: {
    className: 'ChainedScheduler',
    summary: 'all schedulers at every step, each scaling the current lr',
    options: ['schedulers'],
    create: (opt, o) => new ChainedScheduler(children('chained', opt, o.schedulers), opt),
  },
} satisfies Record<string, SchedulerEntry>);
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The valid schedule names, for messages and `--help`. */
export function schedulerNames(): string[] {
  return Object.keys(SCHEDULERS);
}

/**
 * Builds a scheduler from its spec on `optimizer`. Throws on an unknown schedule or option name,
 * listing the valid ones, and on invalid values (from the constructors).
 *
 * @example
 * schedulerFromSpec(optimizer, { type: 'cosine', options: { tMax: 90 }, warmup: { steps: 10 } });
 */
export function schedulerFromSpec(optimizer: HasParamGroups, spec: SchedulerSpec): Scheduler {
  if (typeof spec !== 'object' || spec === null || typeof spec.type !== 'string') {
    throw new TypeError(`schedulerFromSpec: expected { type, options }, got ${show(spec)}`);
  }
  const entry = Object.prototype.hasOwnProperty.call(SCHEDULERS, spec.type)
    ? SCHEDULERS[spec.type]
    : undefined;
  if (!entry) {
    throw new RangeError(`unknown schedule '${spec.type}'; valid schedules: ${schedulerNames().join(', ')}`);
  }
  const options = spec.options ?? {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`schedule '${spec.type}': options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!entry.options.includes(key)) {
      throw new RangeError(
        `schedule '${spec.type}': unknown option '${key}'; valid options: ${entry.options.join(', ')}`,
      );
    }
  }
  if (spec.warmup === undefined) return entry.create(optimizer, options);

  const who = `schedule '${spec.type}' warmup`;
  if (spec.type === 'plateau') throw new RangeError(`${who}: a plateau schedule cannot follow a warm-up`);
  const steps = checkPositiveInt(who, 'steps', spec.warmup.steps);
  const startFactor = checkInterval(who, 'startFactor', spec.warmup.startFactor ?? 0.1, 0, 1, 'low');
  const warmup = new LinearLR(optimizer, { startFactor, endFactor: 1, totalIters: steps });
  const main = entry.create(optimizer, options) as LRScheduler;
  return new SequentialLR(optimizer, { schedulers: [warmup, main], milestones: [steps] });
}
