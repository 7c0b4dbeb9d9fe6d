/**
 * SWATS against a plain-number reimplementation of Keskar & Socher (2017), Algorithm 1: the step it
 * switches at, the estimated SGD rate Λ, the SGD-with-momentum steps after the switch, the event,
 * scopes, state-dict round trips on both sides of the switch, and a scheduler following Λ.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor, type Tensor } from '../../src/index.js';
import { ExponentialLR, type OptimizerStateDict } from '../../src/optim/index.js';
import { SWATS, type SwatsParamState, type SwitchEvent } from '../../src/optim/switching/index.js';

// ---- the paper's algorithm on plain numbers, written out once more and independently ----

interface HandRun {
  /** θ after each step: trajectory[k] is θ_k (trajectory[0] = θ_0). */
  trajectory: number[][];
  /** The k at which the criterion held, and Λ. */
  switchStep: number;
  rate: number;
  /** |Λ_k − γ_k| at the switch, and the smallest value of it at the steps 2..k−1 before. */
  marginAtSwitch: number;
  smallestBefore: number;
}

/**
 * Algorithm 1 of arXiv:1712.07628 with x a flat list of numbers; runs `after` SGD steps past the
 * switch. Inputs: the gradient as a function of x, x₀, α, (β₁, β₂), ε (Adam), ε (criterion).
 */
function handSwats(
  gradient: (x: number[]) => number[],
  x0: number[],
  { lr, b1, b2, eps, switchEps, after, maxSteps }: Record<string, number>,
): HandRun {
  const x = [...x0];
  const m = x.map(() => 0);
  const a = x.map(() => 0);
  const v = x.map(() => 0);
  let lambda = 0;
  let phase: 'adam' | 'sgd' = 'adam';
  let rate = NaN;
  let switchStep = -1;
  let marginAtSwitch = NaN;
  let smallestBefore = Infinity;
  const trajectory = [[...x]];
  for (let k = 1; k <= maxSteps!; k++) {
    const g = gradient(x);
    if (phase === 'sgd') {
      for (let i = 0; i < x.length; i++) {
        v[i] = b1! * v[i]! + g[i]!;
        x[i] = x[i]! - (1 - b1!) * rate * v[i]!;
      }
      trajectory.push([...x]);
      if (k === switchStep + after!) break;
      continue;
    }
    const p: number[] = [];
    for (let i = 0; i < x.length; i++) {
      m[i] = b1! * m[i]! + (1 - b1!) * g[i]!;
      a[i] = b2! * a[i]! + (1 - b2!) * g[i]! * g[i]!;
      p.push(((-lr! * Math.sqrt(1 - b2! ** k)) / (1 - b1! ** k)) * (m[i]! / (Math.sqrt(a[i]!) + eps!)));
      x[i] = x[i]! + p[i]!;
    }
    trajectory.push([...x]);
    let pp = 0;
    let pg = 0;
    for (let i = 0; i < x.length; i++) {
      pp += p[i]! * p[i]!;
      pg += p[i]! * g[i]!;
    }
    if (pg !== 0) {
      const gamma = pp / -pg;
      lambda = b2! * lambda + (1 - b2!) * gamma;
      const corrected = lambda / (1 - b2! ** k);
      const margin = Math.abs(corrected - gamma);
      if (k > 1 && margin < switchEps!) {
        phase = 'sgd';
        rate = corrected;
        switchStep = k;
        marginAtSwitch = margin;
        if (after === 0) break;
      } else if (k > 1) {
        smallestBefore = Math.min(smallestBefore, margin);
      }
    }
  }
  assert.ok(switchStep > 0, 'the hand computation never switched');
  return { trajectory, switchStep, rate, marginAtSwitch, smallestBefore };
}

// ---- problem 1: logistic regression on six fixed points, weights w ∈ R² and bias b ----

const X = [
  [1.0, 2.0],
  [-1.5, 0.5],
  [0.3, -1.2],
  [2.2, 1.1],
  [-0.7, -0.4],
  [0.9, -2.0],
];
const Y = [1, 0, 0, 1, 0, 1];
const X0 = [0.1, -0.2, 0.05]; // w₁, w₂, b

function logisticGradient(x: number[]): number[] {
  const g = [0, 0, 0];
  for (let n = 0; n < X.length; n++) {
    const z = x[0]! * X[n]![0]! + x[1]! * X[n]![1]! + x[2]!;
    const r = (1 / (1 + Math.exp(-z)) - Y[n]!) / X.length;
    g[0] += r * X[n]![0]!;
    g[1] += r * X[n]![1]!;
    g[2] += r;
  }
  return g;
}

function logisticParams(): [Tensor, Tensor] {
  return [
    tensor(X0.slice(0, 2), { dtype: 'float64', requiresGrad: true }),
    tensor(X0.slice(2), { dtype: 'float64', requiresGrad: true }),
  ];
}

/** The mean logistic loss mean(log(1 + e^z) − y·z), z = Xw + b, differentiated by autograd. */
function logisticLoss([w, b]: readonly Tensor[]): Tensor {
  const z = tensor(X, { dtype: 'float64' })
    .matmul(w!.reshape([2, 1]))
    .reshape([X.length])
    .add(b!);
  return z
    .exp()
    .add(1)
    .log()
    .sub(z.mul(tensor(Y, { dtype: 'float64' })))
    .mean();
}

function trainStep(opt: SWATS, params: readonly Tensor[], loss: (p: readonly Tensor[]) => Tensor): void {
  opt.zeroGrad();
  loss(params).backward();
  opt.step();
}

const flat = (params: readonly Tensor[]) => params.flatMap((p) => Array.from(p.toTypedArray()));

function assertClose(actual: number[], expected: number[], rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= rtol * Math.abs(e), `${what}[${i}]: ${a} vs ${e} (rtol ${rtol})`);
  });
}

const bits = (params: readonly Tensor[]) =>
  params.map((p) => Array.from(new Uint8Array((p.toTypedArray() as Float64Array).slice().buffer)));

const LOGISTIC = { lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-9, switchEps: 1e-6, after: 4, maxSteps: 1000 };

describe('SWATS, Algorithm 1 of Keskar & Socher (2017)', () => {
  const hand = handSwats(logisticGradient, X0, LOGISTIC);

  it('the hand computation switches clearly: the criterion is far from its threshold on both sides', () => {
    assert.equal(hand.switchStep, 23);
    assert.ok(Math.abs(hand.rate - 0.003978158209526642) < 1e-15, `Λ = ${hand.rate}`);
    assert.ok(hand.marginAtSwitch < 0.5 * LOGISTIC.switchEps, `margin ${hand.marginAtSwitch}`);
    assert.ok(hand.smallestBefore > 1.5 * LOGISTIC.switchEps, `earlier margin ${hand.smallestBefore}`);
  });

  it('switches at the hand-computed step with the hand-computed Λ (logistic regression, two tensors)', () => {
    const params = logisticParams();
    const opt = new SWATS(params, { lr: 1e-3, switchEps: 1e-6 });
    let k = 0;
    while (!opt.switched && k < 1000) {
      trainStep(opt, params, logisticLoss);
      k++;
      assertClose(flat(params), hand.trajectory[k]!, 1e-12, `θ after Adam step ${k}`);
    }
    assert.equal(opt.switchStep, hand.switchStep);
    assert.equal(k, hand.switchStep);
    const rate = opt.estimatedLr!;
    assert.ok(Math.abs(rate - hand.rate) <= 1e-12 * hand.rate, `Λ ${rate} vs ${hand.rate}`);
    assert.equal(opt.paramGroups[0]!.lr, rate);
    assert.equal(opt.phaseOf(0), 'sgd');
    for (const p of params) {
      const s = opt.state.get(p) as SwatsParamState;
      assert.equal(s.expAvg, null, "Adam's moments are dropped at the switch");
      assert.equal(s.expAvgSq, null);
    }
  });

  it("after the switch, follows SGD with momentum at Λ in the paper's form: v ← β₁v + g, θ ← θ − (1 − β₁)Λv", () => {
    const params = logisticParams();
    const opt = new SWATS(params, { lr: 1e-3, switchEps: 1e-6 });
    for (let k = 1; k <= hand.switchStep; k++) trainStep(opt, params, logisticLoss);
    assert.ok(opt.switched);
    for (let j = 1; j <= LOGISTIC.after; j++) {
      trainStep(opt, params, logisticLoss);
      assertClose(flat(params), hand.trajectory[hand.switchStep + j]!, 1e-12, `θ after SGD step ${j}`);
    }
  });

  it("switches with the paper's ε = 1e-9 on a quadratic, at the hand-computed step", () => {
    const H = [1, 4];
    const C = [1, -2];
    const gradient = (x: number[]) => x.map((xi, i) => H[i]! * (xi - C[i]!));
    const q = handSwats(gradient, [3, 2], {
      lr: 3e-3,
      b1: 0.9,
      b2: 0.999,
      eps: 1e-9,
      switchEps: 1e-9,
      after: 2,
      maxSteps: 5000,
    });
    assert.equal(q.switchStep, 1112);
    assert.ok(q.marginAtSwitch < 0.7e-9 && q.smallestBefore > 10e-9);
    const x = tensor([3, 2], { dtype: 'float64', requiresGrad: true });
    const h = tensor(H, { dtype: 'float64' });
    const c = tensor(C, { dtype: 'float64' });
    const loss = ([p]: readonly Tensor[]) => p!.sub(c).square().mul(h).sum().mul(0.5);
    const opt = new SWATS([x], { lr: 3e-3 });
    assert.equal(opt.paramGroups[0]!.eps, 1e-9);
    assert.equal(opt.paramGroups[0]!.switchEps, 1e-9);
    let k = 0;
    while (!opt.switched && k < 5000) {
      trainStep(opt, [x], loss);
      k++;
    }
    assert.equal(opt.switchStep, 1112);
    assert.ok(Math.abs(opt.estimatedLr! - q.rate) <= 1e-12 * q.rate, `Λ ${opt.estimatedLr} vs ${q.rate}`);
    for (let j = 1; j <= 2; j++) {
      trainStep(opt, [x], loss);
      assertClose(flat([x]), q.trajectory[1112 + j]!, 1e-12, `θ after SGD step ${j}`);
    }
  });

  it('announces the switch once, with step k, epoch, adam → sgd, Λ and reason swats', () => {
    const params = logisticParams();
    const opt = new SWATS(params, { lr: 1e-3, switchEps: 1e-6 });
    const events: SwitchEvent[] = [];
    opt.onSwitch((e) => events.push(e));
    for (let k = 1; k <= 60; k++) {
      trainStep(opt, params, logisticLoss);
      if (k % 10 === 0) opt.onEpochEnd(); // epochs of 10 steps: step 23 is in epoch 2
    }
    assert.equal(events.length, 1);
    assert.deepEqual(events[0], {
      step: 23,
      epoch: 2,
      from: 'adam',
      to: 'sgd',
      lr: opt.estimatedLr,
      groups: [0],
      lrs: [opt.estimatedLr],
      reason: 'swats',
    });
    assert.deepEqual(opt.switches, events);
    assert.equal(opt.activeName, 'SWATS (SGD)');
    assert.equal(opt.epochsDone, 6);
  });

  it("scope 'global' over two groups is the single-group run, with one switch for both", () => {
    const single = logisticParams();
    const one = new SWATS(single, { lr: 1e-3, switchEps: 1e-6 });
    const split = logisticParams();
    const global = new SWATS([{ params: [split[0]] }, { params: [split[1]] }], {
      lr: 1e-3,
      switchEps: 1e-6,
      scope: 'global',
    });
    const events: SwitchEvent[] = [];
    global.onSwitch((e) => events.push(e));
    for (let k = 0; k < 30; k++) {
      trainStep(one, single, logisticLoss);
      trainStep(global, split, logisticLoss);
    }
    assert.deepEqual(bits(split), bits(single));
    assert.equal(global.switchStep, 23);
    assert.equal(global.estimatedLr, one.estimatedLr);
    assert.deepEqual(
      events.map((e) => e.groups),
      [[0, 1]],
    );
    assert.deepEqual(
      global.paramGroups.map((g) => g.lr),
      [one.estimatedLr, one.estimatedLr],
    );
  });

  it("scope 'group' (the default) estimates and switches each group on its own, each as the hand computation", () => {
    // Two independent logistic regressions, one per group, from different starts: two runs of Algorithm 1.
    const startB = [0.5, 0.5, -0.5];
    const handB = handSwats(logisticGradient, startB, { ...LOGISTIC, after: 10 });
    assert.equal(handB.switchStep, 45);
    assert.ok(handB.marginAtSwitch < 0.7e-6 && handB.smallestBefore > 4e-6);
    const a = logisticParams();
    const b = [
      tensor(startB.slice(0, 2), { dtype: 'float64', requiresGrad: true }),
      tensor(startB.slice(2), { dtype: 'float64', requiresGrad: true }),
    ];
    const opt = new SWATS([{ params: a }, { params: b }], { lr: 1e-3, switchEps: 1e-6 });
    const events: SwitchEvent[] = [];
    opt.onSwitch((e) => events.push(e));
    const both = () => logisticLoss(a).add(logisticLoss(b));
    for (let k = 1; k <= 50; k++) {
      opt.zeroGrad();
      both().backward();
      opt.step();
      assert.equal(opt.phaseOf(0), k >= 23 ? 'sgd' : 'adam');
      assert.equal(opt.switched, k >= 45);
    }
    assert.deepEqual(
      events.map((e) => [e.step, e.groups]),
      [
        [23, [0]],
        [45, [1]],
      ],
    );
    assert.ok(Math.abs(opt.estimateOf(0).estimatedLr! - hand.rate) <= 1e-12 * hand.rate);
    assert.ok(Math.abs(opt.estimateOf(1).estimatedLr! - handB.rate) <= 1e-12 * handB.rate);
    assert.equal(opt.paramGroups[1]!.lr, opt.estimateOf(1).estimatedLr);
    assertClose(flat(b), handB.trajectory[50]!, 1e-12, 'group 1 after 50 steps');
  });

  for (const at of [10, 30]) {
    it(`stateDict through JSON at step ${at} (${at < 23 ? 'Adam' : 'SGD'} phase) continues bit for bit`, () => {
      const straight = logisticParams();
      const uninterrupted = new SWATS(straight, { lr: 1e-3, switchEps: 1e-6 });
      for (let k = 0; k < 50; k++) trainStep(uninterrupted, straight, logisticLoss);

      const first = logisticParams();
      const before = new SWATS(first, { lr: 1e-3, switchEps: 1e-6 });
      for (let k = 0; k < at; k++) trainStep(before, first, logisticLoss);
      const saved = JSON.parse(JSON.stringify(before.stateDict())) as OptimizerStateDict;
      const resumedParams = first.map((p) =>
        tensor(p.toTypedArray(), { shape: p.shape, dtype: p.dtype, requiresGrad: true }),
      );
      const resumed = new SWATS(resumedParams, { lr: 1e-3, switchEps: 1e-6 });
      resumed.loadStateDict(saved);
      const events: SwitchEvent[] = [];
      resumed.onSwitch((e) => events.push(e));
      for (let k = at; k < 50; k++) trainStep(resumed, resumedParams, logisticLoss);

      assert.deepEqual(bits(resumedParams), bits(straight));
      assert.equal(resumed.switchStep, 23);
      assert.equal(resumed.estimatedLr, uninterrupted.estimatedLr);
      assert.equal(events.length, at < 23 ? 1 : 0);
      assert.deepEqual(resumed.switches, uninterrupted.switches);
      assert.equal(JSON.stringify(resumed.stateDict()), JSON.stringify(uninterrupted.stateDict()));
    });
  }

  it('refuses a state dict of another scope or without its swats section', () => {
    const params = logisticParams();
    const opt = new SWATS(params, { scope: 'global' });
    const other = new SWATS(logisticParams());
    assert.throws(
      () => other.loadStateDict(opt.stateDict()),
      /scope 'global'.*scope 'group'|saved with scope "global"/,
    );
    const { swats: _swats, ...plain } = opt.stateDict();
    assert.throws(() => opt.loadStateDict(plain), /no swats section/);
  });

  it('an attached scheduler writes Λ after the switch, its base rescaled so that the schedule carries on from Λ', () => {
    const params = logisticParams();
    const opt = new SWATS(params, { lr: 1e-3, switchEps: 1e-6 });
    const scheduler = new ExponentialLR(opt, { gamma: 0.99 });
    opt.attachScheduler(scheduler);
    let lrAtSwitch = NaN;
    opt.onSwitch(() => (lrAtSwitch = opt.paramGroups[0]!.lr));
    let steps = 0;
    while (!opt.switched) {
      trainStep(opt, params, logisticLoss);
      scheduler.step();
      steps++;
    }
    // Step s ran Adam at 1e-3·0.99^(s−1), from which Λ was estimated; the scheduler then took step s.
    const rate = opt.estimatedLr!;
    const s = opt.switchStep!;
    assert.equal(steps, s);
    assert.equal(lrAtSwitch, rate);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    assert.ok(rel(scheduler.baseLrs[0]!, rate / 0.99 ** (s - 1)) < 1e-12, `base ${scheduler.baseLrs[0]}`);
    assert.ok(rel(opt.paramGroups[0]!.lr, rate * 0.99) < 1e-12, `lr ${opt.paramGroups[0]!.lr}`);
    const before = opt.paramGroups[0]!.lr;
    trainStep(opt, params, logisticLoss);
    scheduler.step();
    assert.ok(rel(opt.paramGroups[0]!.lr, before * 0.99) < 1e-12);
  });

  it('checks its options, naming the option and the valid range', () => {
    const [w] = logisticParams();
    assert.throws(() => new SWATS([w], { lr: -1 }), /SWATS: lr must be in \[0, ∞\), got -1/);
    assert.throws(() => new SWATS([w], { betas: [0.9, 1] }), /SWATS: betas\[1\] must be in \[0, 1\)/);
    assert.throws(() => new SWATS([w], { switchEps: -1 }), /SWATS: switchEps must be in \[0, ∞\)/);
    assert.throws(
      () => new SWATS([w], { scope: 'layer' as 'group' }),
      /SWATS: scope must be 'group' or 'global'/,
    );
  });
});
