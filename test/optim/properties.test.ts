/**
 * Properties of every optimizer in the table (convex descent, exact state-dict round trips, per-group
 * options, maximize, hyperparameters read at each step), and hand-computed checks of clipping,
 * Lookahead, LAMB's trust ratio, ASGD's average, option errors and the transforms themselves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noGrad, tensor, type Tensor } from '../../src/index.js';
import {
  ASGD,
  Adam,
  LAMB,
  Lookahead,
  OPTIMIZERS,
  OPTIMIZER_NAMES,
  SGD,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  clipByValue,
  clipGradNorm,
  clipGradValue,
  createOptimizer,
  scaleByAdam,
  scaleByLearningRate,
  traceMomentum,
  type Optimizer,
} from '../../src/optim/index.js';
import { OPTIMIZER_TABLE } from './optimizer-table.js';
import { bits, cloneParams, freshParams, quadratic, roundTrip, trainStep } from './quadratic-fixture.js';

describe('every optimizer in the table', () => {
  for (const [name, entry] of Object.entries(OPTIMIZER_TABLE)) {
    const { options, steps } = entry.quadratic;

    it(`${name} brings a convex quadratic down at least 10× in ${steps} steps`, () => {
      const params = freshParams();
      const optimizer = new entry.create(params, options);
      const start = quadratic(params).item();
      for (let t = 0; t < steps; t++) trainStep(optimizer, params);
      const end = quadratic(params).item();
      assert.ok(end < start / 10, `${name}: f went from ${start} to ${end}`);
    });

    it(`${name}: stateDict through JSON mid-run, then continuing, equals the uninterrupted run bit for bit`, () => {
      const straight = freshParams();
      const uninterrupted = new entry.create(straight, options);
      for (let t = 0; t < 8; t++) trainStep(uninterrupted, straight);

      const first = freshParams();
      const before = new entry.create(first, options);
      for (let t = 0; t < 4; t++) trainStep(before, first);
      const saved = roundTrip(before.stateDict());
      const resumedParams = cloneParams(first);
      const resumed = new entry.create(resumedParams, options);
      resumed.loadStateDict(saved);
      for (let t = 0; t < 4; t++) trainStep(resumed, resumedParams);

      resumedParams.forEach((p, i) =>
        assert.deepEqual(bits(p), bits(straight[i]!), `${name}: parameter ${i}`),
      );
      assert.equal(JSON.stringify(resumed.stateDict()), JSON.stringify(uninterrupted.stateDict()));
    });

    it(`${name}: each group steps with its own options (lr, and weightDecay where it has one)`, () => {
      const [a, b] = freshParams();
      const hasDecay = 'weightDecay' in new entry.create([tensor([0], { requiresGrad: true })]).defaults;
      const first = { lr: 0.01 };
      const second = { lr: 0.03, ...(hasDecay ? { weightDecay: 0.2 } : {}) };
      const grouped = new entry.create(
        [
          { params: [a!], ...first },
          { params: [b!], ...second },
        ],
        options,
      );
      const [a1, b1] = cloneParams([a!, b!]);
      const alone = [
        new entry.create([a1!], { ...options, ...first }),
        new entry.create([b1!], { ...options, ...second }),
      ];
      const [a2, b2] = cloneParams([a!, b!]);
      const shared = new entry.create([a2!, b2!], { ...options, ...first });
      for (let t = 0; t < 5; t++) {
        trainStep(grouped, [a!, b!]);
        trainStep(alone[0]!, [a1!, b1!]);
        trainStep(alone[1]!, [a1!, b1!]);
        trainStep(shared, [a2!, b2!]);
      }
      assert.deepEqual(bits(a!), bits(a1!));
      assert.deepEqual(bits(b!), bits(b1!));
      assert.deepEqual(bits(a!), bits(a2!));
      assert.notDeepEqual(bits(b!), bits(b2!), 'the second group should not step like the first');
    });

    // SWATS's switching test projects the Adam step on the gradient of a minimisation; it has no maximize.
    if (name !== 'SWATS')
      it(`${name}: maximize with gradient g steps exactly as minimising with −g`, () => {
        const up = freshParams();
        const down = cloneParams(up);
        const ascending = new entry.create(up, { ...options, maximize: true });
        const descending = new entry.create(down, options);
        for (let t = 0; t < 5; t++) {
          const g = [
            tensor([1, -2, 0.5, 3], { dtype: 'float64' }).mul(t + 1),
            tensor([0.1, -4, 2], { dtype: 'float64' }),
          ];
          up.forEach((p, i) => (p.grad = g[i]!.reshape([...p.shape])));
          down.forEach((p, i) => (p.grad = g[i]!.neg().reshape([...p.shape])));
          ascending.step();
          descending.step();
        }
        up.forEach((p, i) => assert.deepEqual(bits(p), bits(down[i]!)));
      });

    it(`${name}: a negative lr is refused with the option and its range named`, () => {
      assert.throws(
        () => new entry.create(freshParams(), { ...options, lr: -0.1 }),
        (e: Error) => e instanceof RangeError && e.message === `${name}: lr must be in [0, ∞), got -0.1`,
      );
    });

    it(`${name}: skips parameters without a gradient and keeps float32 state in float32`, () => {
      const p = tensor([1, 2], { requiresGrad: true });
      const q = tensor([3], { requiresGrad: true });
      const optimizer = new entry.create([p, q], options);
      p.grad = tensor([0.5, -0.5]);
      optimizer.step();
      assert.deepEqual(Array.from(q.toTypedArray()), [3]);
      assert.equal(optimizer.state.has(q), false);
      const dict = optimizer.stateDict();
      assert.deepEqual(Object.keys(dict.state), ['0']);
      assert.equal(p.dtype, 'float32');
      assert.ok(!JSON.stringify(dict.state).includes('float64'), 'state tensors should be float32');
    });
  }
});

describe('Optimizer surface', () => {
  it('SGD with two groups of different lr and weightDecay: hand-computed updates', () => {
    const a = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([4], { dtype: 'float64', requiresGrad: true });
    const sgd = new SGD([{ params: [a] }, { params: [b], lr: 0.01, weightDecay: 0.5 }], { lr: 0.1 });
    a.grad = tensor([0.5, 1], { dtype: 'float64' });
    b.grad = tensor([2], { dtype: 'float64' });
    sgd.step();
    assert.deepEqual(Array.from(a.toTypedArray()), [1 - 0.1 * 0.5, -2 - 0.1 * 1]);
    assert.deepEqual(Array.from(b.toTypedArray()), [4 - 0.01 * (2 + 0.5 * 4)]);
    assert.equal(sgd.paramGroups[0]!.weightDecay, 0);
    assert.equal(sgd.paramGroups[1]!.lr, 0.01);
  });

  it('reads lr, momentum and betas from the group at every step (what schedulers write)', () => {
    const p = tensor([1], { dtype: 'float64', requiresGrad: true });
    const sgd = new SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = tensor([1], { dtype: 'float64' });
    sgd.step(); // buffer 1, p = 0.9
    sgd.paramGroups[0]!.lr = 0.2;
    sgd.paramGroups[0]!.momentum = 0.5;
    sgd.step(); // buffer 0.5·1 + 1 = 1.5, p = 0.9 − 0.3
    assert.ok(Math.abs(p.item() - 0.6) < 1e-15);

    const q = tensor([1], { dtype: 'float64', requiresGrad: true });
    const adam = new Adam([q], { lr: 0.1 });
    adam.paramGroups[0]!.betas[0] = 0; // m = g: the first step is lr·g/(|g| + ε) either way
    adam.paramGroups[0]!.lr = 0.5;
    q.grad = tensor([2], { dtype: 'float64' });
    adam.step();
    assert.ok(Math.abs(q.item() - (1 - 0.5 * (2 / (2 + 1e-8)))) < 1e-15);
  });

  it("groups do not share option arrays, so writing one group's betas leaves the others alone", () => {
    const adam = new Adam([
      { params: [tensor([1], { requiresGrad: true })] },
      { params: [tensor([2], { requiresGrad: true })] },
    ]);
    adam.paramGroups[0]!.betas[0] = 0.5;
    assert.equal(adam.paramGroups[1]!.betas[0], 0.9);
    assert.equal(adam.defaults.betas[0], 0.9);
  });

  it('addParamGroup adds a group with defaults and overrides, and refuses a parameter twice', () => {
    const p = tensor([1], { requiresGrad: true });
    const q = tensor([2], { requiresGrad: true });
    const adam = new Adam([p], { lr: 0.01 });
    adam.addParamGroup({ params: [q], weightDecay: 0.1 });
    assert.equal(adam.paramGroups.length, 2);
    assert.equal(adam.paramGroups[1]!.lr, 0.01);
    assert.equal(adam.paramGroups[1]!.weightDecay, 0.1);
    assert.throws(() => adam.addParamGroup({ params: [p] }), /more than one parameter group/);
  });

  it('zeroGrad sets grads to null, or zeroes them in place with setToNone false', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const sgd = new SGD([p], { lr: 0.1 });
    p.grad = tensor([3, 4]);
    const grad = p.grad;
    sgd.zeroGrad(false);
    assert.equal(p.grad, grad);
    assert.deepEqual(Array.from(grad.toTypedArray()), [0, 0]);
    sgd.zeroGrad();
    assert.equal(p.grad, null);
  });

  it('step(closure) evaluates the loss with gradients recorded and returns it', () => {
    const params = freshParams();
    const sgd = new SGD(params, { lr: 0.1 });
    const loss = noGrad(() =>
      sgd.step(() => {
        sgd.zeroGrad();
        const l = quadratic(params);
        l.backward();
        return l.item();
      }),
    );
    assert.ok(typeof loss === 'number' && loss > 0);
    assert.ok(quadratic(params).item() < loss);
  });

  it('the momentum buffer does not alias the gradient, which zeroGrad(false) clears in place', () => {
    const p = tensor([0], { dtype: 'float64', requiresGrad: true });
    const sgd = new SGD([p], { lr: 1, momentum: 0.5 });
    p.grad = tensor([1], { dtype: 'float64' });
    sgd.step(); // buffer = 1
    sgd.zeroGrad(false);
    p.grad.add_(2);
    sgd.step(); // buffer = 0.5 + 2
    assert.equal(p.item(), -1 - 2.5);
  });

  it('loadStateDict restores the options and refuses a dict that does not fit', () => {
    const params = freshParams();
    const adam = new Adam(params, { lr: 0.1, amsgrad: true });
    trainStep(adam, params);
    const dict = roundTrip(adam.stateDict());
    assert.deepEqual(dict.paramGroups[0]!.params, [0, 1]);
    assert.deepEqual(Object.keys(dict.state), ['0', '1']);

    const other = new Adam(cloneParams(params), { lr: 0.5, amsgrad: true });
    other.loadStateDict(dict);
    assert.equal(other.paramGroups[0]!.lr, 0.1);

    const [only] = freshParams();
    assert.throws(
      () => new Adam([only!]).loadStateDict(dict),
      /group 0 has 2 parameters in the state dict but 1/,
    );
    assert.throws(
      () => new Adam([{ params: [only!] }, { params: [freshParams()[1]!] }]).loadStateDict(dict),
      /the state dict has 1 parameter groups but this optimizer has 2/,
    );
    const wrongShape = roundTrip(dict);
    (wrongShape.state[0] as { expAvg: { shape: number[] } }[])[2]!.expAvg.shape = [4];
    assert.throws(
      () => new Adam(cloneParams(params), { amsgrad: true }).loadStateDict(wrongShape),
      /state\[0\]\[2\]\.expAvg should be a tensor of shape \[2, 2\]/,
    );
    const unchanged = new Adam(cloneParams(params), { lr: 0.5, amsgrad: true });
    assert.throws(() => unchanged.loadStateDict(wrongShape));
    assert.equal(unchanged.paramGroups[0]!.lr, 0.5, 'a failed load changes nothing');
  });

  it('stateDict keeps −0, Infinity and NaN through JSON', () => {
    const p = tensor([1], { dtype: 'float64', requiresGrad: true });
    const sgd = new SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = tensor([-0], { dtype: 'float64' });
    sgd.step();
    const dict = roundTrip(sgd.stateDict());
    const restored = new SGD([tensor([1], { dtype: 'float64', requiresGrad: true })], {
      lr: 0.1,
      momentum: 0.9,
    });
    restored.loadStateDict(dict);
    const [, , momentum] = restored.state.values().next().value as [
      unknown,
      unknown,
      { momentumBuffer: Tensor },
    ];
    assert.ok(Object.is(momentum.momentumBuffer.item(), -0));
  });
});

describe('option errors', () => {
  const params = () => [tensor([1], { requiresGrad: true })];
  const cases: [string, () => unknown, string | RegExp][] = [
    [
      'betas outside [0, 1)',
      () => new Adam(params(), { betas: [1.2, 0.999] }),
      'Adam: betas[0] must be in [0, 1), got 1.2',
    ],
    [
      'beta2 outside [0, 1)',
      () => new OPTIMIZERS.adamw.create(params(), { betas: [0.9, -0.1] }),
      'AdamW: betas[1] must be in [0, 1), got -0.1',
    ],
    ['negative lr', () => new SGD(params(), { lr: -1 }), 'SGD: lr must be in [0, ∞), got -1'],
    [
      'a string lr',
      () => new SGD(params(), { lr: '0.1' as unknown as number }),
      'SGD: lr must be a number in [0, ∞), got "0.1"',
    ],
    [
      'snake_case option',
      () => new Adam(params(), { weight_decay: 0.1 } as never),
      /Adam: unknown option 'weight_decay' \(did you mean 'weightDecay'\?\); valid options are lr, betas, eps, weightDecay, amsgrad, maximize/,
    ],
    [
      'nesterov without momentum',
      () => new SGD(params(), { nesterov: true }),
      'SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0 and dampening 0',
    ],
    [
      'Rprop etas',
      () => createOptimizer('rprop', params(), { etas: [1.5, 1.2] }),
      'Rprop: etas[0] must be in (0, 1), got 1.5',
    ],
    [
      'RMSprop alpha',
      () => createOptimizer('rmsprop', params(), { alpha: 1.5 }),
      'RMSprop: alpha must be in [0, 1], got 1.5',
    ],
    [
      'a bad per-group override',
      () => new Adam([{ params: params(), eps: -1 }]),
      'Adam: eps must be in [0, ∞), got -1',
    ],
    [
      'amsgrad not boolean',
      () => new Adam(params(), { amsgrad: 1 as unknown as boolean }),
      'Adam: amsgrad must be true or false, got 1',
    ],
    ['an empty parameter list', () => new Adam([]), 'Adam: got an empty parameter list'],
    [
      'an unknown optimizer',
      () => createOptimizer('adamx', params()),
      `unknown optimizer 'adamx'; valid optimizers are ${OPTIMIZER_NAMES.join(', ')}`,
    ],
    [
      'Lookahead k',
      () => new Lookahead(new SGD(params()), { k: 0 }),
      'Lookahead: k must be in [1, ∞), got 0',
    ],
    [
      'Lookahead alpha',
      () => new Lookahead(new SGD(params()), { alpha: 2 }),
      'Lookahead: alpha must be in [0, 1], got 2',
    ],
    [
      'clipGradNorm normType',
      () => clipGradNorm(params(), 1, 0),
      'clipGradNorm: normType must be in (0, ∞] (Infinity for the max norm), got 0',
    ],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => {
      assert.throws(make, (e: Error) =>
        typeof message === 'string' ? e.message === message : message.test(e.message),
      );
    });
  }
});

describe('registry', () => {
  it('creates every optimizer by name with its default options', () => {
    assert.deepEqual(OPTIMIZER_NAMES, [
      'sgd',
      'adam',
      'adamw',
      'adagrad',
      'adadelta',
      'adamax',
      'nadam',
      'radam',
      'rmsprop',
      'rprop',
      'asgd',
      'lion',
      'lamb',
      'swats',
    ]);
    for (const name of OPTIMIZER_NAMES) {
      const optimizer = createOptimizer(name.toUpperCase(), [tensor([1], { requiresGrad: true })]);
      assert.ok(optimizer instanceof OPTIMIZERS[name].create);
      assert.deepEqual(optimizer.defaults, OPTIMIZERS[name].defaults);
    }
    assert.equal(OPTIMIZERS.adamw.defaults.weightDecay, 0.01);
    assert.equal(OPTIMIZERS.adadelta.defaults.lr, 1);
    assert.deepEqual(OPTIMIZERS.lion.defaults.betas, [0.9, 0.99]);
  });
});

describe('gradient clipping', () => {
  const withGrads = () => {
    const a = tensor([0, 0], { dtype: 'float64', requiresGrad: true });
    const b = tensor([0], { dtype: 'float64', requiresGrad: true });
    a.grad = tensor([3, -4], { dtype: 'float64' });
    b.grad = tensor([12], { dtype: 'float64' });
    return [a, b];
  };
  const grads = (ps: Tensor[]) => ps.flatMap((p) => Array.from(p.grad!.toTypedArray()));

  // ‖(3, −4, 12)‖₂ = 13, ‖·‖₁ = 19, ‖·‖∞ = 12.
  for (const [normType, total] of [
    [2, 13],
    [1, 19],
    [Infinity, 12],
  ] as const) {
    it(`clipGradNorm with p = ${normType}: returns ${total} and scales by maxNorm/(total + 1e-6)`, () => {
      const ps = withGrads();
      assert.equal(clipGradNorm(ps, 6, normType), total);
      const scale = 6 / (total + 1e-6);
      grads(ps).forEach((g, i) => assert.ok(Math.abs(g - [3, -4, 12][i]! * scale) < 1e-14));
      const untouched = withGrads();
      assert.equal(clipGradNorm(untouched, 100, normType), total);
      assert.deepEqual(grads(untouched), [3, -4, 12]);
    });
  }

  it('clipGradNorm ignores parameters without a gradient and returns 0 for none', () => {
    assert.equal(clipGradNorm([tensor([1], { requiresGrad: true })], 1), 0);
  });

  it('clipGradValue clamps each coordinate into [−c, c]', () => {
    const ps = withGrads();
    clipGradValue(ps, 3.5);
    assert.deepEqual(grads(ps), [3, -3.5, 3.5]);
  });

  it('clipByGlobalNorm and clipByValue as transforms give the same numbers', () => {
    const ps = withGrads();
    const gs = ps.map((p) => p.grad!);
    const byNorm = clipByGlobalNorm(6).update(gs, [{}, {}], ps, {}).updates;
    const expected = withGrads();
    clipGradNorm(expected, 6);
    byNorm.forEach((u, i) =>
      assert.deepEqual(Array.from(u.toTypedArray()), Array.from(expected[i]!.grad!.toTypedArray())),
    );
    const byValue = clipByValue(3.5).update(gs, [{}, {}], ps, {}).updates;
    assert.deepEqual(
      byValue.flatMap((u) => Array.from(u.toTypedArray())),
      [3, -3.5, 3.5],
    );
  });
});

describe('Lookahead', () => {
  it('moves the slow weights halfway every k = 2 steps and restarts the fast ones there (hand-computed)', () => {
    const p = tensor([1], { dtype: 'float64', requiresGrad: true });
    const opt = new Lookahead(new SGD([p], { lr: 0.1 }), { k: 2, alpha: 0.5 });
    const seen: number[] = [];
    for (let t = 0; t < 4; t++) {
      p.grad = tensor([1], { dtype: 'float64' });
      opt.step();
      seen.push(p.item());
    }
    // fast 0.9, 0.8 → slow 1 + ½(0.8 − 1) = 0.9; fast 0.8, 0.7 → slow 0.9 + ½(0.7 − 0.9) = 0.8
    const expected = [0.9, 0.9, 0.8, 0.8];
    seen.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-15, `step ${i + 1}: ${v}`));
    assert.ok(Math.abs(opt.slow.get(p)!.item() - 0.8) < 1e-15);
  });

  it('shares the inner paramGroups and round-trips its state bit for bit', () => {
    const straight = freshParams();
    const uninterrupted = new Lookahead(new Adam(straight, { lr: 0.05 }), { k: 3 });
    assert.equal(uninterrupted.paramGroups, uninterrupted.inner.paramGroups);
    for (let t = 0; t < 10; t++) trainStep(uninterrupted, straight);

    const first = freshParams();
    const before = new Lookahead(new Adam(first, { lr: 0.05 }), { k: 3 });
    for (let t = 0; t < 4; t++) trainStep(before, first);
    const resumedParams = cloneParams(first);
    const resumed = new Lookahead(new Adam(resumedParams, { lr: 0.05 }), { k: 3 });
    resumed.loadStateDict(roundTrip(before.stateDict()));
    for (let t = 0; t < 6; t++) trainStep(resumed, resumedParams);
    resumedParams.forEach((p, i) => assert.deepEqual(bits(p), bits(straight[i]!)));
  });
});

describe('LAMB', () => {
  it('scales the Adam direction by ‖θ‖/‖u‖ per tensor (hand-computed first step)', () => {
    const p = tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    const lamb = new LAMB([p], { lr: 0.1, weightDecay: 0.1 });
    p.grad = tensor([1, -2], { dtype: 'float64' });
    lamb.step();
    // Step 1: m̂ = g and v̂ = g², so r = g/(|g| + ε); u = r + λθ; θ ← θ − lr·(‖θ‖/‖u‖)·u.
    const eps = 1e-6;
    const u = [1 / (1 + eps) + 0.1 * 3, -2 / (2 + eps) + 0.1 * 4];
    const ratio = 5 / Math.hypot(u[0]!, u[1]!);
    const expected = [3 - 0.1 * ratio * u[0]!, 4 - 0.1 * ratio * u[1]!];
    Array.from(p.toTypedArray()).forEach((v, i) =>
      assert.ok(Math.abs(v - expected[i]!) < 1e-14, `${v} vs ${expected[i]}`),
    );
  });

  it('uses a ratio of 1 for a zero parameter', () => {
    const p = tensor([0, 0], { dtype: 'float64', requiresGrad: true });
    const lamb = new LAMB([p], { lr: 0.1 });
    p.grad = tensor([1, -2], { dtype: 'float64' });
    lamb.step();
    const expected = [-0.1 / (1 + 1e-6), 0.1 * (2 / (2 + 1e-6))];
    Array.from(p.toTypedArray()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-15));
  });
});

describe('ASGD', () => {
  it('averages the iterates from step t0 + 1 on', () => {
    const p = tensor([1], { dtype: 'float64', requiresGrad: true });
    const asgd = new ASGD([p], { lr: 0.1, t0: 0, lambd: 0 });
    const iterates: number[] = [];
    for (let t = 0; t < 4; t++) {
      p.grad = tensor([t + 1], { dtype: 'float64' });
      asgd.step();
      iterates.push(p.item());
    }
    // μ = 1/max(1, t − 1 − t0): ax is θ₁, then θ₂, then the mean of θ₂..θ₄.
    const mean = (iterates[1]! + iterates[2]! + iterates[3]!) / 3;
    assert.ok(Math.abs(asgd.averagedParams()[0]!.item() - mean) < 1e-15);
  });
});

describe('transforms', () => {
  it('update is pure: it changes neither its inputs nor the states it was given', () => {
    const p = tensor([1, 2], { dtype: 'float64' });
    const g = tensor([0.5, -1], { dtype: 'float64' });
    const tx = chain(traceMomentum({ momentum: 0.9 }), scaleByAdam(), scaleByLearningRate(0.1));
    const s0 = tx.init([p], {});
    const first = tx.update([g], s0, [p], {});
    const snapshot = JSON.stringify(first.states.map((s) => (s as unknown[]).map(String)));
    const again = tx.update([g], first.states, [p], {});
    tx.update([g], first.states, [p], {});
    assert.equal(JSON.stringify(first.states.map((s) => (s as unknown[]).map(String))), snapshot);
    assert.deepEqual(Array.from(g.toTypedArray()), [0.5, -1]);
    assert.deepEqual(Array.from(p.toTypedArray()), [1, 2]);
    assert.deepEqual(
      Array.from(tx.update([g], first.states, [p], {}).updates[0]!.toTypedArray()),
      Array.from(again.updates[0]!.toTypedArray()),
    );
  });

  it('a chain with applyUpdates reproduces the Adam optimizer exactly', () => {
    const [p] = freshParams();
    const q = cloneParams([p!])[0]!;
    const adam: Optimizer<object> = new Adam([p!], { lr: 0.05 });
    const tx = chain(scaleByAdam(), scaleByLearningRate(0.05));
    let states = tx.init([q], {});
    for (let t = 0; t < 5; t++) {
      const g = tensor([1, -2, 0.5, t], { dtype: 'float64' }).reshape([2, 2]);
      p!.grad = g;
      adam.step();
      const result = tx.update([g], states, [q], {});
      applyUpdates([q], result.updates);
      states = result.states;
    }
    assert.deepEqual(bits(p!), bits(q));
  });
});
