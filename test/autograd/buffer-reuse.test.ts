/**
 * Backward hands the buffers of consumed gradients back to the backend's pool (src/backend/pool.ts),
 * and later allocations reuse them. Nothing that outlives the pass may be among them: a leaf's .grad
 * the user holds across steps, a retained grad, a gradient shared through add's passthrough, a
 * reshape view, an expanded/summed gradient, a leaf used twice, the user's own upstream gradient and
 * the forward's tensors. Each case snapshots what the user can still reach right after backward, then
 * runs the case again, drains the pool into fresh allocations filled with a marker, and checks that
 * nothing it reached changed. The buffers are large enough (80 KiB) to be pooled.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { clearPool, poolBytes, setPooling, takeAllPooled } from '../../src/backend/pool.js';
import { getBackend, manualSeed, nn, optim, randn, tensor, Tensor } from '../../src/index.js';

const ROWS = 128;
const COLS = 160;
const SHAPE = [ROWS, COLS];
const MARK = 777;

/** Takes every pooled buffer, as later allocations would, and writes the marker into it. */
function drainPool(): void {
  for (const buffer of takeAllPooled()) buffer.fill(MARK);
  assert.equal(poolBytes(), 0);
}

/** The tensors a user can still reach after one run of a case, with their values right after backward. */
type Reachable = [string, Tensor][];

function checkUnchanged(run: () => Reachable): void {
  // The reference: the same case (same seed) with every buffer fresh.
  setPooling(false);
  manualSeed(1);
  const expected = run().map(([, t]) => t.toTypedArray());
  setPooling(true);
  for (let i = 0; i < 2; i++) run(); // the pool now holds buffers of these sizes
  manualSeed(1);
  const reached = run();
  const snapshots = reached.map(([, t]) => t.toTypedArray());
  reached.forEach(([name], i) =>
    assert.deepEqual(snapshots[i], expected[i], `${name} differs from fresh buffers`),
  );
  assert.ok(poolBytes() > 0, 'backward recycled nothing: the case does not exercise the pool');
  for (let i = 0; i < 3; i++) run();
  drainPool();
  reached.forEach(([name, t], i) => {
    assert.deepEqual(t._data, snapshots[i], `${name} changed after later allocations`);
    assert.ok(!t._data.includes(MARK), `${name} was handed out again`);
  });
}

const leaf = () => randn(SHAPE, { requiresGrad: true });

describe('backward recycles gradient buffers only when nothing else holds them', () => {
  beforeEach(() => clearPool());

  it('a leaf .grad held by the user across steps (zeroGrad sets it to null)', () => {
    checkUnchanged(() => {
      const w = leaf();
      const loss = w.mul(randn(SHAPE)).relu().mul(3).sum();
      loss.backward();
      const held = w.grad!;
      w.grad = null;
      return [['w.grad', held]];
    });
  });

  it("add's passthrough gradient reaching two leaves", () => {
    checkUnchanged(() => {
      const a = leaf();
      const b = leaf();
      a.add(b).mul(randn(SHAPE)).exp().sum().backward();
      return [
        ['a.grad', a.grad!],
        ['b.grad', b.grad!],
      ];
    });
  });

  it('a leaf used twice (its gradients accumulate)', () => {
    checkUnchanged(() => {
      const x = leaf();
      const y = x.mul(x).add(x.mul(2)).tanh();
      y.sum().backward();
      return [
        ['x.grad', x.grad!],
        ['y', y],
      ];
    });
  });

  it('reshape and flatten gradients (views of the upstream gradient)', () => {
    checkUnchanged(() => {
      const x = leaf();
      const flat = x.reshape([ROWS * COLS]);
      const back = flat
        .mul(randn([ROWS * COLS]))
        .reshape([COLS, ROWS])
        .relu()
        .reshape(SHAPE);
      back.mul(2).sum().backward();
      return [['x.grad', x.grad!]];
    });
  });

  it('expand and sum gradients', () => {
    checkUnchanged(() => {
      const row = randn([1, COLS], { requiresGrad: true });
      const col = randn([ROWS, 1], { requiresGrad: true });
      const m = leaf();
      const y = row.expand(SHAPE).mul(m).add(col).sum(1, true).expand(SHAPE).mul(m).sigmoid();
      y.sum().backward();
      return [
        ['row.grad', row.grad!],
        ['col.grad', col.grad!],
        ['m.grad', m.grad!],
      ];
    });
  });

  it('a retained grad on an intermediate tensor, and the forward tensors themselves', () => {
    checkUnchanged(() => {
      const x = leaf();
      const h = x.mul(3).relu();
      h.retainGrad();
      const z = h.mul(h).add(h);
      z.sum().backward();
      return [
        ['h.grad', h.grad!],
        ['h', h],
        ['z', z],
        ['x.grad', x.grad!],
      ];
    });
  });

  it("the user's upstream gradient, passed straight through", () => {
    checkUnchanged(() => {
      const x = leaf();
      const upstream = randn(SHAPE);
      const y = x.add(randn(SHAPE)).reshape([COLS, ROWS]).reshape(SHAPE);
      y.backward(upstream);
      // Another pass, with retainGraph, through the same graph.
      const z = x.mul(2);
      z.backward(upstream, { retainGraph: true });
      z.backward(upstream);
      return [
        ['upstream', upstream],
        ['x.grad', x.grad!],
      ];
    });
  });

  it('gradients accumulated over several backward passes without zeroGrad', () => {
    checkUnchanged(() => {
      const x = leaf();
      const c = randn(SHAPE);
      for (let i = 0; i < 3; i++) x.mul(c).relu().mul(2).sum().backward();
      return [['x.grad', x.grad!]];
    });
  });

  it('a CNN trained with Adam: grads, outputs and a state dict held across steps, same numbers as fresh buffers', () => {
    const train = () => {
      manualSeed(3);
      const model = new nn.Sequential(
        new nn.Conv2d(1, 8, 3, { padding: 1 }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Linear(8 * 14 * 14, 10),
      );
      const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
      const x = randn([16, 1, 28, 28]);
      const labels = tensor(
        Array.from({ length: 16 }, (_, i) => i % 10),
        { dtype: 'int32' },
      );
      const step = () => {
        opt.zeroGrad();
        const out = model.forward(x);
        nn.crossEntropy(out, labels).backward();
        opt.step();
        return out;
      };
      step();
      const out = step();
      const grads = model.parameters().map((p) => p.grad!);
      const stateDict = opt.stateDict();
      const json = () =>
        JSON.stringify(stateDict, (_k, v: unknown) => (v instanceof Tensor ? [...v._data] : v));
      const held = { out: out.toTypedArray(), grads: grads.map((g) => g.toTypedArray()), state: json() };
      for (let i = 0; i < 3; i++) step();
      drainPool();
      assert.deepEqual(out._data, held.out);
      grads.forEach((g, i) => assert.deepEqual(g._data, held.grads[i]));
      assert.equal(json(), held.state);
      return { held, params: model.parameters().map((p) => p.toTypedArray()) };
    };
    setPooling(false);
    const fresh = train();
    setPooling(true);
    const pooled = train();
    assert.ok(poolBytes() === 0); // drained
    assert.deepEqual(pooled, fresh);
  });

  it('allocate still returns zero-filled buffers when it reuses one', () => {
    const x = leaf();
    x.mul(randn(SHAPE)).exp().sum().backward();
    assert.ok(poolBytes() > 0);
    for (let i = 0; i < 16 && poolBytes() > 0; i++) {
      const a = getBackend().allocate('float32', ROWS * COLS);
      assert.ok(a.every((v) => v === 0));
      a.fill(MARK);
    }
  });
});
