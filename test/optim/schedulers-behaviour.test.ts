/**
 * Scheduler behaviour beyond the golden cases: option validation, the registry used by the CLI,
 * lr lambdas as saveable specs, composites, parameter groups and momentum/betas writes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { HasParamGroups, ParamGroup } from '../../src/optim/param-group.js';
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  LR_LAMBDAS,
  MultiStepLR,
  MultiplicativeLR,
  OneCycleLR,
  ReduceLROnPlateau,
  SCHEDULERS,
  SequentialLR,
  StepLR,
  cosineAnnealingSchedule,
  linearWarmup,
  lrLambdaFromSpec,
  oneCycleSchedule,
  registerLrLambda,
  schedulerFromSpec,
  stepSchedule,
  type Scheduler,
} from '../../src/optim/schedulers/index.js';

/** A fake optimizer: one group per argument (lr 0.1 unless given), or a single plain group. */
function optimizer(...groups: Partial<ParamGroup>[]): HasParamGroups {
  return { paramGroups: (groups.length > 0 ? groups : [{}]).map((g) => ({ params: [], lr: 0.1, ...g })) };
}

function assertNear(actual: number, expected: number, what: string, rtol = 1e-15): void {
  assert.ok(Math.abs(actual - expected) <= rtol * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

function lrs(opt: HasParamGroups): number[] {
  return opt.paramGroups.map((g) => g.lr);
}

/** The lr of group 0 read before each of `n` steps. */
function trajectory(opt: HasParamGroups, scheduler: Scheduler, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(opt.paramGroups[0]!.lr);
    scheduler.step();
  }
  return out;
}

describe('option validation names the option and the valid range', () => {
  it('OneCycleLR: totalSteps, and stepping past it as PyTorch does', () => {
    assert.throws(() => new OneCycleLR(optimizer({ momentum: 0.9 }), { maxLr: 0.1, totalSteps: 0 }), {
      name: 'RangeError',
      message: 'OneCycleLR: totalSteps must be a positive integer, got 0',
    });
    assert.throws(
      () => new OneCycleLR(optimizer({ momentum: 0.9 }), { maxLr: 0.1 }),
      /give totalSteps, or epochs and stepsPerEpoch/,
    );
    const scheduler = new OneCycleLR(optimizer({ momentum: 0.9 }), { maxLr: 0.1, totalSteps: 40 });
    for (let i = 0; i < 40; i++) scheduler.step();
    assert.throws(() => scheduler.step(), /OneCycleLR: tried to step 41 times, totalSteps is 40/);
    assert.equal(scheduler.lastStep, 40);
  });

  it('OneCycleLR: epochs × stepsPerEpoch, and the held final value at step totalSteps', () => {
    const opt = optimizer({ momentum: 0.9 });
    const scheduler = new OneCycleLR(opt, {
      maxLr: 0.1,
      epochs: 4,
      stepsPerEpoch: 10,
      annealStrategy: 'linear',
    });
    assert.equal(scheduler.totalSteps, 40);
    for (let i = 0; i < 40; i++) scheduler.step();
    // (end − start)·1 + start: linear annealing rounds at the end.
    assertNear(opt.paramGroups[0]!.lr, 0.1 / 25 / 1e4, 'final lr', 1e-9);
  });

  it('milestones that are not increasing', () => {
    assert.throws(
      () => new MultiStepLR(optimizer(), { milestones: [5, 3] }),
      /MultiStepLR: milestones must be a strictly increasing list of non-negative integers, got \[5,3\]/,
    );
    assert.throws(() => new MultiStepLR(optimizer(), { milestones: [2, 2] }), /strictly increasing/);
    const opt = optimizer();
    assert.throws(
      () =>
        new SequentialLR(opt, {
          schedulers: [
            new LinearLR(opt),
            new ExponentialLR(opt, { gamma: 0.9 }),
            new StepLR(opt, { stepSize: 2 }),
          ],
          milestones: [8, 4],
        }),
      /SequentialLR: milestones must be a strictly increasing list/,
    );
  });

  it('other options', () => {
    assert.throws(
      () => new StepLR(optimizer(), { stepSize: 0 }),
      /StepLR: stepSize must be a positive integer, got 0/,
    );
    assert.throws(
      () => new LinearLR(optimizer(), { startFactor: 0 }),
      /LinearLR: startFactor must be a number in \(0, 1\], got 0/,
    );
    assert.throws(
      () => new ConstantLR(optimizer(), { factor: 1.5 }),
      /ConstantLR: factor must be a number in \(0, 1\], got 1.5/,
    );
    assert.throws(
      () => new CosineAnnealingLR(optimizer(), { tMax: -1 }),
      /CosineAnnealingLR: tMax must be a positive integer/,
    );
    assert.throws(
      () =>
        new CyclicLR(optimizer({ momentum: 0.9 }), {
          baseLr: 0.01,
          maxLr: 0.1,
          mode: 'sine' as 'triangular',
        }),
      /CyclicLR: mode must be one of 'triangular', 'triangular2', 'exp_range', got "sine"/,
    );
    assert.throws(
      () => new OneCycleLR(optimizer({ momentum: 0.9 }), { maxLr: 0.1, totalSteps: 10, pctStart: 1.5 }),
      /OneCycleLR: pctStart must be a number in \[0, 1\], got 1.5/,
    );
    assert.throws(
      () => new OneCycleLR(optimizer(), { maxLr: 0.1, totalSteps: 10 }),
      /OneCycleLR: cycleMomentum needs parameter groups with momentum .* or betas .*; group 0 has neither/,
    );
    assert.throws(
      () => new OneCycleLR(optimizer({ momentum: 0.9 }, { momentum: 0.9 }), { maxLr: [0.1], totalSteps: 10 }),
      /OneCycleLR: maxLr must have one value per parameter group \(2\), got 1/,
    );
    assert.throws(
      () => new StepLR({ paramGroups: [] }, { stepSize: 1 }),
      /StepLR: expected an optimizer with at least one parameter group/,
    );
  });
});

describe('schedulerFromSpec and SCHEDULERS', () => {
  it('has the CLI names', () => {
    for (const name of [
      'step',
      'multistep',
      'exponential',
      'cosine',
      'cosine-restarts',
      'onecycle',
      'cyclic',
      'linear',
      'constant',
      'polynomial',
      'plateau',
    ]) {
      assert.ok(name in SCHEDULERS, name);
    }
  });

  it('rejects unknown schedules and options, listing the valid ones', () => {
    assert.throws(
      () => schedulerFromSpec(optimizer(), { type: 'cosin' }),
      /unknown schedule 'cosin'; valid schedules: step, multistep, exponential, cosine, cosine-restarts, onecycle, cyclic, linear, constant, polynomial, plateau/,
    );
    assert.throws(() => schedulerFromSpec(optimizer(), { type: 'toString' }), /unknown schedule 'toString'/);
    assert.throws(
      () => schedulerFromSpec(optimizer(), { type: 'step', options: { stepsize: 3 } }),
      /schedule 'step': unknown option 'stepsize'; valid options: stepSize, gamma/,
    );
    assert.throws(
      () => schedulerFromSpec(optimizer(), { type: 'step' }),
      /StepLR: stepSize must be a positive integer, got undefined/,
    );
    assert.throws(
      () => schedulerFromSpec(optimizer(), { type: 'plateau', warmup: { steps: 3 } }),
      /a plateau schedule cannot follow a warm-up/,
    );
  });

  it('builds every registered schedule, and each one is the class it names', () => {
    const options: Record<string, Record<string, unknown>> = {
      step: { stepSize: 3 },
      multistep: { milestones: [2, 5] },
      exponential: { gamma: 0.9 },
      cosine: { tMax: 10 },
      'cosine-restarts': { t0: 4 },
      onecycle: { maxLr: 0.5, totalSteps: 20 },
      cyclic: { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3 },
      linear: {},
      constant: {},
      polynomial: { totalIters: 8, power: 2 },
      plateau: { patience: 1 },
      lambda: { lrLambda: { type: 'exponential', gamma: 0.9 } },
      multiplicative: { lrLambda: { type: 'constant', factor: 0.9 } },
      sequential: {
        schedulers: [{ type: 'linear' }, { type: 'cosine', options: { tMax: 5 } }],
        milestones: [5],
      },
      chained: { schedulers: [{ type: 'constant' }, { type: 'exponential', options: { gamma: 0.9 } }] },
    };
    assert.deepEqual(Object.keys(options).sort(), Object.keys(SCHEDULERS).sort());
    for (const [type, entry] of Object.entries(SCHEDULERS)) {
      const opt = optimizer({ momentum: 0.9 });
      const scheduler = schedulerFromSpec(opt, { type, options: options[type] });
      assert.equal(scheduler.constructor.name, entry.className);
      assert.equal(scheduler.stateDict().type, entry.className);
      scheduler.step(0.5);
      assert.equal(scheduler.lastStep, 1);
    }
  });

  it('a stateDict from a spec round-trips and continues identically', () => {
    const spec = {
      type: 'cosine',
      options: { tMax: 12, etaMin: 0.001 },
      warmup: { steps: 3, startFactor: 0.25 },
    };
    const a = optimizer();
    const sa = schedulerFromSpec(a, spec);
    trajectory(a, sa, 5);
    const b = optimizer();
    const sb = schedulerFromSpec(b, spec);
    sb.loadStateDict(JSON.parse(JSON.stringify(sa.stateDict())));
    assert.deepEqual(trajectory(b, sb, 10), trajectory(a, sa, 10));
  });
});

describe('lr lambdas', () => {
  it('a registered spec gives the same numbers as the closure, and can be saved', () => {
    const closure = optimizer();
    const spec = optimizer();
    const a = new LambdaLR(closure, { lrLambda: (step) => 1 / (1 + 0.1 * step) });
    const b = new LambdaLR(spec, { lrLambda: { type: 'inverse-time', decay: 0.1 } });
    assert.deepEqual(trajectory(spec, b, 20), trajectory(closure, a, 20));
    assert.throws(() => a.stateDict(), {
      name: 'TypeError',
      message:
        "LambdaLR holds a function, which cannot be saved; give lrLambda as a registered spec instead, e.g. { type: 'exponential', gamma: 0.95 } " +
        `(registered: ${[...LR_LAMBDAS.keys()].join(', ')}), or register your function with registerLrLambda('name', () => fn) and pass { type: 'name' }`,
    });
    assert.deepEqual(JSON.parse(JSON.stringify(b.stateDict())).lrLambdas, [
      { type: 'inverse-time', decay: 0.1 },
    ]);
  });

  it('user-registered lambdas are saved by name and rebuilt on load', () => {
    registerLrLambda('test-halve-every', (spec) => {
      const every = Number(spec.every);
      return (step) => 0.5 ** Math.floor(step / every);
    });
    assert.throws(() => registerLrLambda('test-halve-every', () => () => 1), /already registered/);
    const a = optimizer();
    const sa = new LambdaLR(a, { lrLambda: { type: 'test-halve-every', every: 3 } });
    trajectory(a, sa, 4);
    const saved = JSON.parse(JSON.stringify(sa.stateDict()));
    const b = optimizer();
    // Built with another lambda: the saved spec wins on load.
    const sb = new LambdaLR(b, { lrLambda: { type: 'constant', factor: 1 } });
    sb.loadStateDict(saved);
    assert.deepEqual(trajectory(b, sb, 8), trajectory(a, sa, 8));
  });

  it('rejects unknown lambda types and wrong per-group lists', () => {
    assert.throws(
      () => lrLambdaFromSpec({ type: 'nope' }),
      /unknown lrLambda type 'nope'; registered: constant, exponential, inverse-time/,
    );
    assert.throws(
      () => new MultiplicativeLR(optimizer({}, {}), { lrLambda: [() => 1] }),
      /MultiplicativeLR: expected 2 lrLambdas \(one per parameter group\), got 1/,
    );
  });

  it('MultiplicativeLR leaves the constructor step alone and multiplies from step 1', () => {
    const opt = optimizer();
    const scheduler = new MultiplicativeLR(opt, { lrLambda: (step) => (step === 2 ? 0.5 : 1) });
    assert.deepEqual(trajectory(opt, scheduler, 4), [0.1, 0.1, 0.05, 0.05]);
  });
});

describe('composites', () => {
  it('a driven scheduler refuses to be stepped on its own', () => {
    const opt = optimizer();
    const step = new StepLR(opt, { stepSize: 2 });
    new ChainedScheduler([new ConstantLR(opt), step]);
    assert.throws(
      () => step.step(),
      /StepLR is stepped by a ChainedScheduler; call step\(\) on the ChainedScheduler instead/,
    );
  });

  it('refuses a scheduler that already stepped, a foreign optimizer, or a nested composite', () => {
    const opt = optimizer();
    const stepped = new ExponentialLR(opt, { gamma: 0.9 });
    stepped.step();
    assert.throws(() => new ChainedScheduler([stepped]), /ExponentialLR has already taken 1 steps/);
    assert.throws(
      () => new ChainedScheduler([new ConstantLR(opt), new ConstantLR(optimizer())]),
      /schedulers\[1\] \(ConstantLR\) is attached to a different optimizer/,
    );
    const inner = new ChainedScheduler([new ConstantLR(opt)]);
    assert.throws(
      () => new SequentialLR(opt, { schedulers: [inner], milestones: [] }),
      /SequentialLR: cannot contain a ChainedScheduler/,
    );
    const plateau = new ReduceLROnPlateau(opt);
    assert.throws(
      () => new SequentialLR(opt, { schedulers: [plateau as never], milestones: [] }),
      /ReduceLROnPlateau cannot be composed/,
    );
  });

  it('SequentialLR restarts the next scheduler from the base lr at the milestone', () => {
    const opt = optimizer();
    const scheduler = new SequentialLR(opt, {
      schedulers: [
        new ConstantLR(opt, { factor: 0.5, totalIters: 10 }),
        new ExponentialLR(opt, { gamma: 0.5 }),
      ],
      milestones: [2],
    });
    assert.deepEqual(trajectory(opt, scheduler, 5), [0.05, 0.05, 0.1, 0.05, 0.025]);
  });
});

describe('groups, momentum and betas', () => {
  it('each group decays from its own base lr', () => {
    const opt = optimizer({ lr: 0.1 }, { lr: 1 });
    const scheduler = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    for (let i = 0; i < 4; i++) scheduler.step();
    assert.deepEqual(lrs(opt), [0.025, 0.25]);
    assert.deepEqual(
      opt.paramGroups.map((g) => g.initialLr),
      [0.1, 1],
    );
  });

  it('OneCycleLR writes β1 into a new betas pair and leaves β2; momentum for SGD-like groups', () => {
    const opt = optimizer({ betas: [0.9, 0.999] }, { momentum: 0.9 });
    const before = opt.paramGroups[0]!.betas;
    const scheduler = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10 });
    const [adam, sgd] = opt.paramGroups;
    assert.notEqual(adam!.betas, before);
    assert.deepEqual(adam!.betas, [0.95, 0.999]);
    assert.equal(sgd!.momentum, 0.95);
    for (let i = 0; i < 3; i++) scheduler.step();
    assert.equal(adam!.betas![0], scheduler.momentumSchedule(0)!(3));
    assert.equal(adam!.betas![1], 0.999);
    assert.equal(sgd!.momentum, scheduler.momentumSchedule(1)!(3));
    assert.equal(before![0], 0.9);
  });

  it('CyclicLR cycles β1 too, and with cycleMomentum false leaves momentum alone', () => {
    const opt = optimizer({ betas: [0.9, 0.99] });
    const scheduler = new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2 });
    scheduler.step();
    assertNear(opt.paramGroups[0]!.betas![0], 0.85, 'beta1 halfway up');
    assert.equal(opt.paramGroups[0]!.betas![1], 0.99);
    const plain = optimizer({ momentum: 0.5 });
    new CyclicLR(plain, { baseLr: 0.01, maxLr: 0.1, cycleMomentum: false }).step();
    assert.equal(plain.paramGroups[0]!.momentum, 0.5);
  });

  it('loading a state also restores momentum', () => {
    const a = optimizer({ momentum: 0.9 });
    const sa = new OneCycleLR(a, { maxLr: 0.1, totalSteps: 30, threePhase: true, pctStart: 0.25 });
    for (let i = 0; i < 9; i++) sa.step();
    const b = optimizer({ momentum: 0.9 });
    const sb = new OneCycleLR(b, { maxLr: 0.1, totalSteps: 30, threePhase: true, pctStart: 0.25 });
    sb.loadStateDict(JSON.parse(JSON.stringify(sa.stateDict())));
    assert.deepEqual(b.paramGroups, a.paramGroups);
  });

  it('loadStateDict refuses a state from another scheduler', () => {
    const opt = optimizer();
    const state = new StepLR(opt, { stepSize: 2 }).stateDict();
    assert.throws(
      () => new ExponentialLR(optimizer(), { gamma: 0.9 }).loadStateDict(state),
      /saved by "StepLR", not by ExponentialLR/,
    );
  });
});

describe('pure schedules on their own', () => {
  it('are plain functions of the step', () => {
    const s = stepSchedule({ lr: 1, stepSize: 3, gamma: 0.5 });
    assert.deepEqual([0, 2, 3, 6, 5].map(s), [1, 1, 0.5, 0.25, 0.5]);
    const cos = cosineAnnealingSchedule({ lr: 1, tMax: 10 });
    assert.equal(cos(0), 1);
    assert.ok(Math.abs(cos(10)) < 1e-15);
    assert.equal(cos(20), 1); // past tMax it follows the cosine back up
    const oc = oneCycleSchedule({ maxLr: 0.1, totalSteps: 40 });
    assert.equal(oc(11), 0.1); // the peak at pctStart·totalSteps − 1
    assertNear(oc(39), 0.1 / 25 / 1e4, 'oneCycle end');
    assert.equal(oc(40), oc(39));
  });

  it('validate their options with the factory name', () => {
    assert.throws(
      () => stepSchedule({ lr: 1, stepSize: 1.5 }),
      /stepSchedule: stepSize must be a positive integer, got 1.5/,
    );
    assert.throws(
      () => linearWarmup({ steps: 0, then: () => 1 }),
      /linearWarmup: steps must be a positive integer, got 0/,
    );
  });

  it('linearWarmup ramps from startFactor·peak to peak, then runs the schedule from its step 0', () => {
    const warm = linearWarmup({ steps: 4, startFactor: 0, then: (step) => 10 - step });
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(warm), [0, 2.5, 5, 7.5, 10, 9]);
  });
});
