/**
 * `Optimizer.step` hands its temporaries and its replaced state back to the buffer pool
 * (src/optim/optimizer.ts, src/backend/pool.ts). These tests check that nothing still reachable is
 * among them: for every optimizer of the table (and the variants with extra state), training with
 * the pool gives the same numbers bit for bit as training with fresh buffers while, between steps,
 * every pooled buffer is handed out and overwritten with a marker; state read through
 * `optimizer.state` and ASGD's averaged parameters keep their values across later steps; and the
 * pool does receive Adam's temporaries (so the tests exercise it). Parameters are 80 KiB, large
 * enough to be pooled.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { clearPool, poolBytes, setPooling, takeAllPooled } from '../../src/backend/pool.js';
import { manualSeed, randn, Tensor } from '../../src/index.js';
import { ASGD, Adam, Lookahead, SGD, type Optimizer } from '../../src/optim/index.js';
import { OPTIMIZER_TABLE } from './optimizer-table.js';

const SHAPE = [128, 160];
const MARK = 777;
const STEPS = 6;

/** Every pooled buffer handed out and overwritten, as the next allocations would. */
function drainPool(): void {
  for (const buffer of takeAllPooled()) buffer.fill(MARK);
}

/** The tensors in a state value (a chain's tuple of per-transform states). */
function tensorsIn(value: unknown): Tensor[] {
  if (value instanceof Tensor) return [value];
  if (Array.isArray(value)) return value.flatMap(tensorsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(tensorsIn);
  return [];
}

type Make = (params: Tensor[]) => Pick<Optimizer, 'step' | 'zeroGrad'>;

/** Trains two parameters on a fixed smooth loss; returns their values after every step. */
function train(make: Make, drain: boolean): Float32Array[][] {
  manualSeed(3);
  const a = randn(SHAPE, { requiresGrad: true });
  const b = randn(SHAPE, { requiresGrad: true });
  const target = randn(SHAPE);
  const optimizer = make([a, b]);
  const history: Float32Array[][] = [];
  for (let step = 0; step < STEPS; step++) {
    optimizer.zeroGrad();
    a.sub(target).pow(2).mul(0.5).add(a.mul(b).tanh()).sum().backward();
    optimizer.step();
    if (drain) drainPool();
    history.push([a, b].map((p) => p.toTypedArray() as Float32Array));
  }
  return history;
}

function sameAsFreshBuffers(name: string, make: Make): void {
  setPooling(false);
  const expected = train(make, false);
  setPooling(true);
  const pooled = train(make, false);
  const drained = train(make, true);
  for (let step = 0; step < STEPS; step++) {
    assert.deepEqual(pooled[step], expected[step], `${name}: step ${step + 1} differs with the pool`);
    assert.deepEqual(
      drained[step],
      expected[step],
      `${name}: step ${step + 1} differs when pooled buffers are overwritten between steps`,
    );
  }
}

describe('Optimizer.step recycles only what nothing can reach', () => {
  beforeEach(() => {
    setPooling(true);
    clearPool();
  });

  for (const [name, entry] of Object.entries(OPTIMIZER_TABLE)) {
    it(`${name}: the same numbers as with fresh buffers`, () => {
      sameAsFreshBuffers(name, (params) => new entry.create(params, entry.quadratic.options));
    });
  }

  const variants: [string, Make][] = [
    ['SGD with Nesterov momentum', (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true })],
    ['SGD with momentum and weight decay', (p) => new SGD(p, { lr: 0.05, momentum: 0.9, weightDecay: 0.1 })],
    ['Adam with amsgrad and weight decay', (p) => new Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.1 })],
    ['Lookahead over Adam', (p) => new Lookahead(new Adam(p, { lr: 0.01 }), { k: 2 })],
  ];
  for (const [name, make] of variants) {
    it(`${name}: the same numbers as with fresh buffers`, () => sameAsFreshBuffers(name, make));
  }

  it('state read through optimizer.state keeps its values across later steps', () => {
    manualSeed(4);
    const w = randn(SHAPE, { requiresGrad: true });
    const optimizer = new Adam([w], { lr: 0.01 });
    const stepOnce = () => {
      optimizer.zeroGrad();
      w.pow(2).sum().backward();
      optimizer.step();
    };
    stepOnce();
    stepOnce();
    const moments = tensorsIn(optimizer.state.get(w));
    assert.equal(moments.length, 2, "Adam's state holds its two moments");
    const snapshots = moments.map((t) => t.toTypedArray());
    for (let i = 0; i < 4; i++) {
      stepOnce();
      drainPool();
    }
    moments.forEach((t, i) => {
      assert.deepEqual(t._data, snapshots[i], 'a state tensor the caller read was recycled');
    });
    // Iterating the map counts as reading too.
    const [[, iterated]] = [...optimizer.state];
    const [moment] = tensorsIn(iterated);
    const before = moment!.toTypedArray();
    stepOnce();
    drainPool();
    stepOnce();
    assert.deepEqual(moment!._data, before);
  });

  it("ASGD's averaged parameters, once handed out, keep their values", () => {
    manualSeed(5);
    const w = randn(SHAPE, { requiresGrad: true });
    const optimizer = new ASGD([w], { lr: 0.05, t0: 0 });
    const stepOnce = () => {
      optimizer.zeroGrad();
      w.pow(2).sum().backward();
      optimizer.step();
    };
    for (let i = 0; i < 3; i++) stepOnce();
    const [average] = optimizer.averagedParams();
    const snapshot = average!.toTypedArray();
    for (let i = 0; i < 3; i++) {
      stepOnce();
      drainPool();
    }
    assert.deepEqual(average!._data, snapshot);
  });

  it("Adam's temporaries and replaced moments do reach the pool", () => {
    manualSeed(6);
    const w = randn(SHAPE, { requiresGrad: true });
    const optimizer = new Adam([w], { lr: 0.01 });
    const bytes = w.numel * 4;
    // A gradient the user made: never recycled, and no backward pass feeding the pool.
    w.grad = randn(SHAPE);
    const grad = w.grad.toTypedArray();
    optimizer.step();
    // Its direction and the scaled update (the new moments are the state).
    assert.equal(poolBytes(), 2 * bytes);
    optimizer.step();
    // The next step took the two buffers for its moments' outputs ... and handed back its own two
    // temporaries and the two replaced moments.
    assert.equal(poolBytes(), 4 * bytes);
    assert.deepEqual(w.grad._data, grad, "the user's gradient was not touched");
  });
});
