/**
 * Planned switching: the parameters are kept bit for bit at a boundary and the next optimizer runs
 * exactly as a fresh one built there; boundaries in epochs and steps; the switch event; state-dict
 * round trips on both sides of a switch; schedulers writing the active phase's lr; the spec parser
 * and its errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tensor } from '../../src/index.js';
import { Adam, OPTIMIZER_NAMES, SGD, StepLR, type OptimizerEntry } from '../../src/optim/index.js';
import {
  SWATS,
  SWATS_DEFAULTS,
  SwitchingOptimizer,
  parseSwitchSpec,
  phasesFromSwitches,
  type Phase,
  type SWATSOptions,
  type SwitchEvent,
} from '../../src/optim/switching/index.js';
import { bits as tensorBits, cloneParams, freshParams, roundTrip, trainStep } from './quadratic-fixture.js';

/** The bytes of every parameter, as plain arrays for deepEqual. */
const bits = (params: readonly Tensor[]) => params.map((p) => Array.from(tensorBits(p)));

const ADAM_THEN_SGD: Phase[] = [
  { optimizer: 'adam', options: { lr: 0.05 }, until: { epoch: 2 } },
  { optimizer: 'sgd', options: { lr: 0.02, momentum: 0.9 } },
];

/** `epochs` epochs of `perEpoch` steps each, reporting each epoch's end. */
function runEpochs(opt: SwitchingOptimizer, params: readonly Tensor[], epochs: number, perEpoch = 3): void {
  for (let e = 0; e < epochs; e++) {
    for (let s = 0; s < perEpoch; s++) trainStep(opt, params);
    opt.onEpochEnd();
  }
}

describe('SwitchingOptimizer: planned phases', () => {
  it('keeps the parameters bit for bit at the boundary, then runs exactly as a fresh SGD from there', () => {
    const params = freshParams();
    const opt = new SwitchingOptimizer(params, ADAM_THEN_SGD);
    const reference = freshParams();
    const adam = new Adam(reference, { lr: 0.05 });
    for (let e = 0; e < 2; e++) {
      for (let s = 0; s < 3; s++) {
        trainStep(opt, params);
        trainStep(adam, reference);
      }
      const before = bits(params);
      opt.onEpochEnd(e + 1);
      assert.deepEqual(bits(params), before, 'onEpochEnd never moves the parameters');
    }
    assert.deepEqual(bits(params), bits(reference), 'the Adam phase is Adam');
    assert.equal(opt.phaseIndex, 1);
    assert.ok(opt.optimizer instanceof SGD);
    assert.equal(opt.optimizer.state.size, 0, 'the new optimizer starts from fresh state');

    const fresh = cloneParams(reference);
    const sgd = new SGD(fresh, { lr: 0.02, momentum: 0.9 });
    for (let s = 0; s < 6; s++) {
      trainStep(opt, params);
      trainStep(sgd, fresh);
      assert.deepEqual(bits(params), bits(fresh), `SGD step ${s + 1}`);
    }
  });

  it('announces each switch once, with step, epoch, from, to, lr and reason planned', () => {
    const params = freshParams();
    const opt = new SwitchingOptimizer(params, ADAM_THEN_SGD);
    const events: SwitchEvent[] = [];
    const stop = opt.onSwitch((e) => events.push(e));
    assert.equal(opt.activeName, 'Adam');
    runEpochs(opt, params, 4);
    assert.equal(opt.activeName, 'SGD');
    assert.equal(opt.epochsDone, 4);
    assert.equal(opt.steps, 12);
    assert.deepEqual(events, [
      { step: 6, epoch: 2, from: 'adam', to: 'sgd', lr: 0.02, groups: [0], lrs: [0.02], reason: 'planned' },
    ]);
    assert.deepEqual(opt.switches, events);
    assert.equal(opt.switchStep, 6);
    assert.ok(opt.switched);
    stop();
  });

  it('switches on step boundaries, through several phases, and through every phase passed at once', () => {
    const params = freshParams();
    const opt = new SwitchingOptimizer(params, [
      { optimizer: 'adam', options: { lr: 0.01 }, until: { step: 2 } },
      { optimizer: 'rmsprop', options: { lr: 0.01 }, until: { step: 4 } },
      { optimizer: 'SGD', options: { lr: 0.01 } },
    ]);
    const seen: string[] = [];
    opt.onSwitch((e) => seen.push(`${e.from}→${e.to}@${e.step}`));
    for (let s = 0; s < 5; s++) trainStep(opt, params);
    assert.deepEqual(seen, ['adam→rmsprop@2', 'rmsprop→sgd@4']);

    const jump = new SwitchingOptimizer(freshParams(), [
      { optimizer: 'adam', until: { epoch: 1 } },
      { optimizer: 'adamw', until: { epoch: 2 } },
      { optimizer: 'sgd', options: { lr: 0.1 } },
    ]);
    const epochs: number[] = [];
    jump.onSwitch((e) => epochs.push(e.epoch));
    jump.onEpochEnd(5); // resuming after 5 epochs: both boundaries are behind
    assert.equal(jump.phaseIndex, 2);
    assert.deepEqual(epochs, [5, 5]);
    assert.throws(() => jump.onEpochEnd(0), /the number of epochs completed must be an integer ≥ 1, got 0/);
  });

  it('keeps the group partition, with per-phase group overrides', () => {
    const [a, b] = freshParams();
    const opt = new SwitchingOptimizer(
      [{ params: [a!], lr: 0.01 }, { params: [b!] }],
      [
        { optimizer: 'adam', options: { lr: 0.05 }, until: { step: 1 } },
        { optimizer: 'sgd', options: { lr: 0.1, momentum: 0.5 }, groups: [undefined, { lr: 0.2 }] },
      ],
    );
    assert.deepEqual(
      opt.paramGroups.map((g) => g.lr),
      [0.01, 0.05],
    );
    trainStep(opt, [a!, b!]);
    assert.deepEqual(
      opt.paramGroups.map((g) => [g.params[0], g.lr, g.momentum]),
      [
        [a, 0.1, 0.5],
        [b, 0.2, 0.5],
      ],
    );
  });

  for (const at of [4, 9]) {
    it(`stateDict through JSON after ${at} steps (${at < 6 ? 'before' : 'after'} the switch) continues bit for bit`, () => {
      const straight = freshParams();
      const uninterrupted = new SwitchingOptimizer(straight, ADAM_THEN_SGD);
      const done: SwitchEvent[] = [];
      uninterrupted.onSwitch((e) => done.push(e));
      const run = (opt: SwitchingOptimizer, params: readonly Tensor[], from: number, to: number) => {
        for (let s = from; s < to; s++) {
          trainStep(opt, params);
          if ((s + 1) % 3 === 0) opt.onEpochEnd();
        }
      };
      run(uninterrupted, straight, 0, 15);

      const first = freshParams();
      const before = new SwitchingOptimizer(first, ADAM_THEN_SGD);
      run(before, first, 0, at);
      const saved = roundTrip(before.stateDict());
      const resumedParams = cloneParams(first);
      const resumed = new SwitchingOptimizer(resumedParams, ADAM_THEN_SGD);
      resumed.loadStateDict(saved);
      assert.equal(resumed.phaseIndex, at < 6 ? 0 : 1);
      run(resumed, resumedParams, at, 15);

      assert.deepEqual(bits(resumedParams), bits(straight));
      assert.deepEqual(resumed.switches, done);
      assert.equal(JSON.stringify(resumed.stateDict()), JSON.stringify(uninterrupted.stateDict()));
    });
  }

  it('refuses a state dict of other phases, naming what differs', () => {
    const opt = new SwitchingOptimizer(freshParams(), ADAM_THEN_SGD);
    runEpochs(opt, freshParams(), 0);
    const other = new SwitchingOptimizer(freshParams(), [
      { optimizer: 'adamw', until: { epoch: 2 } },
      { optimizer: 'sgd' },
    ]);
    assert.throws(
      () => other.loadStateDict(opt.stateDict()),
      /phase 0 was "adam" when saved but is 'adamw' here/,
    );
    const { switching: _s, ...plain } = opt.stateDict();
    assert.throws(() => opt.loadStateDict(plain), /no switching section/);
  });

  it('checks its phases when built', () => {
    const params = freshParams();
    assert.throws(
      () =>
        new SwitchingOptimizer(params, [{ optimizer: 'adam', until: { epoch: 2 } }, { optimizer: 'sgdd' }]),
      new RegExp(
        `phases\\[1\\]: unknown optimizer 'sgdd'; valid optimizers are ${OPTIMIZER_NAMES.join(', ')}`,
      ),
    );
    assert.throws(
      () => new SwitchingOptimizer(params, [{ optimizer: 'adam' }, { optimizer: 'sgd' }]),
      /phases\[0\]: every phase but the last needs until/,
    );
    assert.throws(
      () => new SwitchingOptimizer(params, [{ optimizer: 'sgd', until: { step: 3 } }]),
      /the last phase runs to the end and cannot have until/,
    );
    assert.throws(
      () =>
        new SwitchingOptimizer(params, [
          { optimizer: 'adam', until: { epoch: 3 } },
          { optimizer: 'adamw', until: { epoch: 3 } },
          { optimizer: 'sgd' },
        ]),
      /boundaries must increase; until epoch 3 does not come after epoch 3/,
    );
    assert.throws(
      () =>
        new SwitchingOptimizer(params, [{ optimizer: 'adam', until: { epoch: 0 } }, { optimizer: 'sgd' }]),
      /until must be \{ epoch: n \} or \{ step: n \} with n an integer ≥ 1/,
    );
    assert.throws(
      () =>
        new SwitchingOptimizer(params, [
          { optimizer: 'adam', until: { epoch: 1 } },
          { optimizer: 'sgd', options: { lr: -0.1 } },
        ]),
      /phases\[1\]: SGD: lr must be in \[0, ∞\), got -0\.1/,
    );
  });
});

describe('a scheduler attached to a switching optimizer', () => {
  it("writes the active phase's lr, and with attachScheduler its base becomes the new phase's lr", () => {
    const params = freshParams();
    const opt = new SwitchingOptimizer(params, [
      { optimizer: 'adam', options: { lr: 0.04 }, until: { epoch: 2 } },
      { optimizer: 'sgd', options: { lr: 0.1, momentum: 0.9 } },
    ]);
    const scheduler = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    opt.attachScheduler(scheduler);
    const lrs: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      lrs.push(opt.paramGroups[0]!.lr);
      trainStep(opt, params);
      opt.onEpochEnd(epoch + 1);
      scheduler.step();
    }
    // Adam at 0.04, 0.02; SGD from epoch 2 at its lr 0.1 times the schedule's factor: 0.025, 0.0125.
    assert.deepEqual(lrs, [0.04, 0.02, 0.025, 0.0125]);
    assert.ok(opt.optimizer instanceof SGD);
    assert.deepEqual(scheduler.baseLrs, [0.1]);
    assert.equal(opt.paramGroups[0]!.initialLr, 0.1);
  });

  it("without attachScheduler still writes the active optimizer's groups (from its old base)", () => {
    const params = freshParams();
    const opt = new SwitchingOptimizer(params, [
      { optimizer: 'adam', options: { lr: 0.04 }, until: { step: 1 } },
      { optimizer: 'sgd', options: { lr: 0.1 } },
    ]);
    const scheduler = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    trainStep(opt, params);
    assert.ok(opt.optimizer instanceof SGD);
    scheduler.step();
    assert.equal(opt.optimizer.paramGroups[0]!.lr, 0.02);
  });

  it('refuses a scheduler of another optimizer', () => {
    const opt = new SwitchingOptimizer(freshParams(), ADAM_THEN_SGD);
    const elsewhere = new StepLR(new SGD(freshParams()), { stepSize: 1 });
    assert.throws(() => opt.attachScheduler(elsewhere), /attached to a different optimizer/);
  });
});

describe('parseSwitchSpec', () => {
  it('reads switch points, inline options, separate options and steps', () => {
    assert.deepEqual(parseSwitchSpec('sgd@3', { lr: 0.05, momentum: 0.9 }), [
      { optimizer: 'sgd', at: { epoch: 3 }, options: { lr: 0.05, momentum: 0.9 } },
    ]);
    assert.deepEqual(parseSwitchSpec('sgd@3:lr=0.05,momentum=0.9,nesterov=true'), [
      { optimizer: 'sgd', at: { epoch: 3 }, options: { lr: 0.05, momentum: 0.9, nesterov: true } },
    ]);
    assert.deepEqual(parseSwitchSpec(' adam@2 , SGD@5:lr=5e-2,weight_decay=1e-4 '), [
      { optimizer: 'adam', at: { epoch: 2 }, options: {} },
      { optimizer: 'sgd', at: { epoch: 5 }, options: { lr: 0.05, weightDecay: 1e-4 } },
    ]);
    assert.deepEqual(parseSwitchSpec('adamw@100s:betas=0.9/0.99,sgd@500steps'), [
      { optimizer: 'adamw', at: { step: 100 }, options: { betas: [0.9, 0.99] } },
      { optimizer: 'sgd', at: { step: 500 }, options: {} },
    ]);
    assert.deepEqual(parseSwitchSpec('sgd@3:lr=0.2', { lr: 0.05 })[0]!.options, { lr: 0.2 });
  });

  it('gives phases for a SwitchingOptimizer', () => {
    assert.deepEqual(
      phasesFromSwitches({ optimizer: 'adam', options: { lr: 1e-3 } }, parseSwitchSpec('adam@2,sgd@5')),
      [
        { optimizer: 'adam', options: { lr: 1e-3 }, until: { epoch: 2 } },
        { optimizer: 'adam', options: {}, until: { epoch: 5 } },
        { optimizer: 'sgd', options: {} },
      ],
    );
    const opt = new SwitchingOptimizer(
      freshParams(),
      phasesFromSwitches({ optimizer: 'adam' }, parseSwitchSpec('sgd@1:lr=0.1')),
    );
    opt.onEpochEnd(1);
    assert.ok(opt.optimizer instanceof SGD);
    assert.equal(opt.paramGroups[0]!.lr, 0.1);
  });

  const bad: [string, RegExp, Record<string, unknown>?][] = [
    ['', /the switch spec is empty/],
    ['sgd', /'sgd' should be a switch point NAME@EPOCH such as 'sgd@3'/],
    [
      'adam@2,sgdd@3',
      new RegExp(`unknown optimizer 'sgdd' in 'sgdd@3'; valid optimizers are ${OPTIMIZER_NAMES.join(', ')}`),
    ],
    ['sgdd@3', /parseSwitchSpec\('sgdd@3'\): unknown optimizer 'sgdd'; valid optimizers are sgd, adam/],
    ['sgd@x', /'x' is not a switch point: give an epoch \(3, 3e\) or a step count \(500s\), an integer ≥ 1/],
    ['sgd@0', /'0' is not a switch point/],
    ['adam@2,sgd@2.5', /'2.5' in 'sgd@2.5' is not a switch point/],
    ['sgd@3@4', /'sgd@3@4' has more than one '@'/],
    ['adam@2,,sgd@5', /an empty part between commas/],
    ['sgd@3:lr', /'lr' should be an option KEY=VALUE/],
    ['sgd@3:lr=fast', /cannot read the value 'fast': expected a number, true or false/],
    [
      'adam@1,sgd@3:momentun=0.9',
      /unknown option 'momentun' for sgd in 'sgd@3:momentun=0.9'; valid options are lr, momentum, dampening/,
    ],
    ['sgd@3:lr=0.1,lr=0.2', /option 'lr' is given twice for sgd@3/],
    [
      'adam@5,sgd@3',
      /switch points must increase, but epoch 3 in 'sgd@3' does not come after epoch 5 in 'adam@5'/,
    ],
    [
      'adam@5,sgd@3000s',
      /all switch points must count in one unit, but 'adam@5' counts epochs and 'sgd@3000s' steps/,
    ],
    ['sgd@3:lr=-0.1', /parseSwitchSpec\('sgd@3:lr=-0.1'\): SGD: lr must be in \[0, ∞\), got -0.1$/],
    [
      'adam@1,sgd@2,adam@3:betas=0.9/1.5',
      /in 'adam@3:betas=0.9\/1.5': Adam: betas\[1\] must be in \[0, 1\), got 1.5/,
    ],
    [
      'adam@2,sgd@5',
      /unknown option 'momentum' for adam in 'adam@2' \(an option given for every switch\)/,
      { momentum: 0.9 },
    ],
  ];
  for (const [spec, message, options] of bad) {
    it(`rejects '${spec}'${options ? ` with ${JSON.stringify(options)}` : ''}, naming the bad part`, () => {
      assert.throws(() => parseSwitchSpec(spec, options), message);
    });
  }
});

it('SWATS fits the optimizer registry (an OptimizerEntry)', () => {
  const entry: OptimizerEntry<SWATSOptions> = { create: SWATS, defaults: SWATS_DEFAULTS };
  const opt = new entry.create(freshParams(), { lr: 0.01 });
  assert.equal(opt.name, 'SWATS');
});
