/**
 * Every case of ../shared/golden/schedulers.json, driven by one table from PyTorch's scheduler
 * names to Descent's constructors; then, from the same table, the stateDict round trip of every
 * scheduler and the agreement of the pure schedules with the classes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { HasParamGroups, ParamGroup } from '../../src/optim/param-group.js';
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  MultiplicativeLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SequentialLR,
  StepLR,
  constantSchedule,
  cosineAnnealingSchedule,
  cosineWithWarmRestartsSchedule,
  cyclicMomentumSchedule,
  cyclicSchedule,
  exponentialSchedule,
  linearSchedule,
  linearWarmup,
  multiStepSchedule,
  oneCycleMomentumSchedule,
  oneCycleSchedule,
  polynomialSchedule,
  registerLrLambda,
  schedulerFromSpec,
  sequenceSchedules,
  stepSchedule,
  LRScheduler,
  type LrLambda,
  type Schedule,
  type Scheduler,
} from '../../src/optim/schedulers/index.js';
import { assertClose, loadGolden, type GoldenCase } from '../helpers/golden.js';

const TOL = { rtol: 1e-9, atol: 1e-12 };
const CASES = loadGolden('schedulers.json');

// Golden options are untyped JSON; the constructors validate what they get.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
type Options = Record<string, Loose>;
interface SchedulerJson {
  type: string;
  options: Options;
}

/** The `lr_lambda` Python expressions of schedulers.json (in the variable `epoch`), as JS. */
const LR_LAMBDAS: Record<string, (epoch: number) => number> = {
  '1.0 / (1.0 + 0.1 * epoch)': (epoch) => 1.0 / (1.0 + 0.1 * epoch),
  '(epoch + 1) / 5 if epoch < 5 else 0.9 ** (epoch - 5)': (epoch) =>
    epoch < 5 ? (epoch + 1) / 5 : 0.9 ** (epoch - 5),
  '0.95': () => 0.95,
};

function lambdaFor(expression: string): (step: number) => number {
  const fn = LR_LAMBDAS[expression];
  if (!fn)
    throw new Error(`no JS translation of lr_lambda ${JSON.stringify(expression)}; add one to LR_LAMBDAS`);
  return fn;
}

// The same expressions as registered, saveable lambdas, for the round-trip test.
for (const [expression, fn] of Object.entries(LR_LAMBDAS))
  registerLrLambda(`golden: ${expression}`, () => fn);

/** PyTorch's snake_case keyword arguments as Descent's camelCase options (T_max → tMax, T_0 → t0). */
function camel(options: Options): Loose {
  return Object.fromEntries(
    Object.entries(options).map(([key, value]) => {
      const [head, ...rest] = key.split('_');
      return [head!.toLowerCase() + rest.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(''), value];
    }),
  );
}

/** How lr lambdas are given: closures (as in PyTorch), or registered specs that can be saved. */
interface Context {
  saveable: boolean;
}

function lrLambda(expression: string, ctx: Context): LrLambda {
  return ctx.saveable ? { type: `golden: ${expression}` } : lambdaFor(expression);
}

type Build = (optimizer: HasParamGroups, options: Options, ctx: Context) => Scheduler;

/** THE table: PyTorch scheduler class name → Descent constructor. */
const SCHEDULERS: Record<string, Build> = {
  StepLR: (opt, o) => new StepLR(opt, camel(o)),
  MultiStepLR: (opt, o) => new MultiStepLR(opt, camel(o)),
  ExponentialLR: (opt, o) => new ExponentialLR(opt, camel(o)),
  CosineAnnealingLR: (opt, o) => new CosineAnnealingLR(opt, camel(o)),
  CosineAnnealingWarmRestarts: (opt, o) => new CosineAnnealingWarmRestarts(opt, camel(o)),
  OneCycleLR: (opt, o) => new OneCycleLR(opt, camel(o)),
  CyclicLR: (opt, o) => new CyclicLR(opt, camel(o)),
  LinearLR: (opt, o) => new LinearLR(opt, camel(o)),
  ConstantLR: (opt, o) => new ConstantLR(opt, camel(o)),
  PolynomialLR: (opt, o) => new PolynomialLR(opt, camel(o)),
  LambdaLR: (opt, o, ctx) => new LambdaLR(opt, { lrLambda: lrLambda(o.lr_lambda, ctx) }),
  MultiplicativeLR: (opt, o, ctx) => new MultiplicativeLR(opt, { lrLambda: lrLambda(o.lr_lambda, ctx) }),
  SequentialLR: (opt, o, ctx) =>
    new SequentialLR(opt, {
      schedulers: o.schedulers.map((s: SchedulerJson) => buildChild(opt, s, ctx)),
      milestones: o.milestones,
    }),
  ChainedScheduler: (opt, o, ctx) =>
    new ChainedScheduler(o.schedulers.map((s: SchedulerJson) => buildChild(opt, s, ctx))),
  ReduceLROnPlateau: (opt, o) => new ReduceLROnPlateau(opt, camel(o)),
};

function build(optimizer: HasParamGroups, spec: SchedulerJson, ctx: Context): Scheduler {
  const make = SCHEDULERS[spec.type];
  if (!make) throw new Error(`scheduler type ${spec.type} is missing from the test table`);
  return make(optimizer, spec.options, ctx);
}

function buildChild(optimizer: HasParamGroups, spec: SchedulerJson, ctx: Context): LRScheduler {
  const scheduler = build(optimizer, spec, ctx);
  assert.ok(scheduler instanceof LRScheduler);
  return scheduler;
}

/** One parameter group as the case's torch optimizer has it: SGD's momentum, Adam's betas. */
function fakeOptimizer(spec: SchedulerJson): HasParamGroups {
  const { lr, momentum, betas } = spec.options;
  const group: ParamGroup = { params: [], lr };
  if (spec.type === 'SGD') {
    if (momentum !== undefined) group.momentum = momentum;
  } else if (spec.type === 'Adam') {
    group.betas = betas ? [betas[0], betas[1]] : [0.9, 0.999];
  } else {
    throw new Error(`optimizer type ${spec.type} is missing from the test's fakeOptimizer`);
  }
  return { paramGroups: [group] };
}

interface Trajectory {
  lr: number[];
  momentum: number[];
  betas: number[][];
  finalLr: number;
}

/** The README's procedure: read the group, then step (with metrics[i] for ReduceLROnPlateau). */
function run(c: GoldenCase, optimizer: HasParamGroups, scheduler: Scheduler, from = 0): Trajectory {
  const t: Trajectory = { lr: [], momentum: [], betas: [], finalLr: NaN };
  const group = optimizer.paramGroups[0]!;
  for (let i = from; i < c.steps; i++) {
    t.lr.push(group.lr);
    if (group.momentum !== undefined) t.momentum.push(group.momentum);
    if (group.betas !== undefined) t.betas.push([...group.betas]);
    if (c.metrics) scheduler.step(c.metrics[i]);
    else scheduler.step();
  }
  t.finalLr = group.lr;
  return t;
}

describe('schedulers.json: every case through the table', () => {
  let ran = 0;
  for (const c of CASES) {
    it(c.name, () => {
      const optimizer = fakeOptimizer(c.optimizer);
      const t = run(c, optimizer, build(optimizer, c.scheduler, { saveable: false }));
      assertClose(t.lr, c.expected_lr, TOL, `${c.name} lr`);
      if (c.expected_momentum) assertClose(t.momentum, c.expected_momentum, TOL, `${c.name} momentum`);
      if (c.expected_betas) assertClose(t.betas.flat(), c.expected_betas.flat(), TOL, `${c.name} betas`);
      if (c.final_lr !== undefined) assertClose([t.finalLr], [c.final_lr], TOL, `${c.name} final lr`);
      ran++;
    });
  }
  it('ran every case of the file', () => {
    assert.ok(CASES.length > 0);
    assert.equal(ran, CASES.length);
  });
});

describe('stateDict round trip mid-schedule, for every scheduler of the table', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const ctx = { saveable: true };
      const half = Math.floor(c.steps / 2);
      const optA = fakeOptimizer(c.optimizer);
      const a = build(optA, c.scheduler, ctx);
      run({ ...c, steps: half }, optA, a);
      const saved = JSON.parse(JSON.stringify(a.stateDict()));
      const uninterrupted = run(c, optA, a, half);

      // A fresh process: new optimizer and scheduler (whose constructor applies step 0), then load.
      const optB = fakeOptimizer(c.optimizer);
      const b = build(optB, c.scheduler, ctx);
      b.loadStateDict(saved);
      assert.equal(b.lastStep, half);
      assert.deepEqual(run(c, optB, b, half), uninterrupted);
      assert.deepEqual(b.getLastLr(), a.getLastLr());
    });
  }

  it('refuses to save a LambdaLR or MultiplicativeLR holding a closure, also inside a composite', () => {
    const lambdaCases = CASES.filter((c) => JSON.stringify(c.scheduler).includes('lr_lambda'));
    assert.ok(lambdaCases.length > 0);
    for (const c of lambdaCases) {
      const optimizer = fakeOptimizer(c.optimizer);
      const scheduler = build(optimizer, c.scheduler, { saveable: false });
      assert.throws(
        () => scheduler.stateDict(),
        /(LambdaLR|MultiplicativeLR) holds a function, which cannot be saved;/,
      );
    }
    const optimizer = fakeOptimizer({ type: 'SGD', options: { lr: 0.1 } });
    const chained = new ChainedScheduler([
      new LambdaLR(optimizer, { lrLambda: (step) => 0.9 ** step }),
      new ExponentialLR(optimizer, { gamma: 0.9 }),
    ]);
    assert.throws(
      () => chained.stateDict(),
      /LambdaLR holds a function, which cannot be saved; .*registerLrLambda/,
    );
  });
});

interface Pure {
  lr: Schedule;
  momentum?: Schedule;
}

/** The pure schedule of each closed-form PyTorch scheduler, from its options and the base lr. */
const PURE: Record<string, ((lr: number, o: Options) => Pure) | 'recursive'> = {
  StepLR: (lr, o) => ({ lr: stepSchedule({ lr, ...camel(o) }) }),
  MultiStepLR: (lr, o) => ({ lr: multiStepSchedule({ lr, ...camel(o) }) }),
  ExponentialLR: (lr, o) => ({ lr: exponentialSchedule({ lr, ...camel(o) }) }),
  CosineAnnealingLR: (lr, o) => ({ lr: cosineAnnealingSchedule({ lr, ...camel(o) }) }),
  CosineAnnealingWarmRestarts: (lr, o) => ({ lr: cosineWithWarmRestartsSchedule({ lr, ...camel(o) }) }),
  OneCycleLR: (_lr, o) => ({
    lr: oneCycleSchedule(camel(o)),
    momentum: o.cycle_momentum === false ? undefined : oneCycleMomentumSchedule(camel(o)),
  }),
  CyclicLR: (_lr, o) => ({
    lr: cyclicSchedule(camel(o)),
    momentum: o.cycle_momentum === false ? undefined : cyclicMomentumSchedule(camel(o)),
  }),
  LinearLR: (lr, o) => ({ lr: linearSchedule({ lr, ...camel(o) }) }),
  ConstantLR: (lr, o) => ({ lr: constantSchedule({ lr, ...camel(o) }) }),
  PolynomialLR: (lr, o) => ({ lr: polynomialSchedule({ lr, ...camel(o) }) }),
  LambdaLR: (lr, o) => ({ lr: (step) => lr * lambdaFor(o.lr_lambda)(step) }),
  SequentialLR: (lr, o) => ({
    lr: sequenceSchedules(
      o.schedulers.map((s: SchedulerJson) => pureOf(lr, s)!.lr),
      o.milestones,
    ),
  }),
  MultiplicativeLR: 'recursive',
  ChainedScheduler: 'recursive',
  ReduceLROnPlateau: 'recursive',
};

function pureOf(lr: number, spec: SchedulerJson): Pure | undefined {
  const make = PURE[spec.type];
  if (make === undefined) throw new Error(`scheduler type ${spec.type} is missing from the PURE table`);
  return make === 'recursive' ? undefined : make(lr, spec.options);
}

describe('pure schedules agree with the golden data and with the scheduler classes', () => {
  for (const c of CASES) {
    const pure = pureOf(c.optimizer.options.lr, c.scheduler);
    if (!pure) continue;
    it(c.name, () => {
      const steps = Array.from({ length: c.steps }, (_, i) => i);
      assertClose(steps.map(pure.lr), c.expected_lr, TOL, `${c.name} pure lr`);
      if (c.final_lr !== undefined)
        assertClose([pure.lr(c.steps)], [c.final_lr], TOL, `${c.name} pure final lr`);
      if (pure.momentum) {
        const expected = c.expected_momentum ?? c.expected_betas.map((b: number[]) => b[0]);
        assertClose(steps.map(pure.momentum), expected, TOL, `${c.name} pure momentum`);
      }
      // The classes evaluate the same functions: identical numbers, bit for bit.
      const optimizer = fakeOptimizer(c.optimizer);
      const t = run(c, optimizer, build(optimizer, c.scheduler, { saveable: false }));
      assert.deepEqual(t.lr, steps.map(pure.lr));
      assert.equal(t.finalLr, pure.lr(c.steps));
      if (pure.momentum) {
        const recorded = c.expected_momentum ? t.momentum : t.betas.map((b) => b[0]);
        assert.deepEqual(recorded, steps.map(pure.momentum));
      }
    });
  }

  it('linearWarmup and a spec with warmup reproduce SequentialLR(LinearLR, X) cases', () => {
    const cases = CASES.filter(
      (c) =>
        c.scheduler.type === 'SequentialLR' &&
        c.scheduler.options.schedulers[0].type === 'LinearLR' &&
        c.scheduler.options.schedulers[0].options.end_factor === 1 &&
        c.scheduler.options.schedulers[0].options.total_iters === c.scheduler.options.milestones[0],
    );
    assert.ok(cases.length > 0);
    for (const c of cases) {
      const [warm, main] = c.scheduler.options.schedulers as SchedulerJson[];
      const steps = warm!.options.total_iters;
      const startFactor = warm!.options.start_factor;
      const then = pureOf(c.optimizer.options.lr, main!)!.lr;
      const pure = linearWarmup({ steps, startFactor, then });
      const all = Array.from({ length: c.steps }, (_, i) => i);
      assertClose(all.map(pure), c.expected_lr, TOL, `${c.name} linearWarmup`);

      const cliName = { CosineAnnealingLR: 'cosine', ExponentialLR: 'exponential', StepLR: 'step' }[
        main!.type as string
      ];
      assert.ok(cliName, `no CLI name for ${main!.type}`);
      const optimizer = fakeOptimizer(c.optimizer);
      const scheduler = schedulerFromSpec(optimizer, {
        type: cliName,
        options: camel(main!.options),
        warmup: { steps, startFactor },
      });
      const t = run(c, optimizer, scheduler);
      assertClose(t.lr, c.expected_lr, TOL, `${c.name} spec with warmup`);
      assertClose([t.finalLr], [c.final_lr], TOL, `${c.name} spec with warmup, final lr`);
    }
  });
});
