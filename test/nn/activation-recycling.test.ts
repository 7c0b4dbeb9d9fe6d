/**
 * A Sequential recycles the activations it passes between built-in layers (src/nn/layers/sequential.ts):
 * at once when no graph was recorded, after backward otherwise (src/autograd/graph.ts). These tests
 * check that nothing a user can still reach is among them: the model's output, its input, what
 * forward hooks and feature maps saw, what a user's own layer keeps, a graph kept with retainGraph,
 * and that training and inference give the same numbers bit for bit as with fresh buffers, also when
 * every pooled buffer is handed out and overwritten between steps. Activations are ≥ 64 KiB, so that
 * they are pooled.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { clearPool, poolBytes, setPooling, takeAllPooled } from '../../src/backend/pool.js';
import { manualSeed, nn, noGrad, optim, randn, tensor, Tensor } from '../../src/index.js';

const MARK = 777;
const BATCH = 8;

/** Every pooled buffer handed out and overwritten, as the next allocations would. */
function drainPool(): void {
  for (const buffer of takeAllPooled()) buffer.fill(MARK);
}

function smallCnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(8 * 14 * 14, 256),
    new nn.Tanh(),
    new nn.Linear(256, 10),
  );
}

const labels = () =>
  tensor(
    Int32Array.from({ length: BATCH }, (_, i) => i % 10),
    { dtype: 'int32' },
  );

/** Trains the model for a few Adam steps; returns each step's logits (held) and the final parameters. */
function train(make: () => nn.Module, drain: boolean): { logits: Tensor[]; params: Float32Array[] } {
  manualSeed(11);
  const model = make();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const x = randn([BATCH, 1, 28, 28]);
  const held: Tensor[] = [];
  for (let step = 0; step < 4; step++) {
    optimizer.zeroGrad();
    const logits = model.forward(x);
    nn.crossEntropy(logits, labels()).backward();
    optimizer.step();
    if (drain) drainPool();
    held.push(logits);
  }
  return { logits: held, params: model.parameters().map((p) => p.toTypedArray() as Float32Array) };
}

function sameAsFreshBuffers(make: () => nn.Module): void {
  setPooling(false);
  const fresh = train(make, false);
  const freshLogits = fresh.logits.map((t) => t.toTypedArray());
  setPooling(true);
  for (const drain of [false, true]) {
    const pooled = train(make, drain);
    assert.deepEqual(pooled.params, fresh.params, `parameters differ with the pool (drain ${drain})`);
    pooled.logits.forEach((t, i) =>
      assert.deepEqual(
        t.toTypedArray(),
        freshLogits[i],
        `the logits of step ${i + 1} changed (drain ${drain})`,
      ),
    );
  }
}

describe('Sequential recycles only the activations nothing else can reach', () => {
  beforeEach(() => {
    setPooling(true);
    clearPool();
  });

  it('training a CNN: same parameters and held logits as with fresh buffers', () => {
    sameAsFreshBuffers(smallCnn);
  });

  it('training nested Sequentials: same numbers as with fresh buffers', () => {
    sameAsFreshBuffers(() => {
      const cnn = smallCnn();
      const head = new nn.Sequential(...[...cnn].slice(3));
      return new nn.Sequential(new nn.Sequential(...[...cnn].slice(0, 3)), head);
    });
  });

  it('backward recycles the activations (the pool receives them)', () => {
    manualSeed(12);
    const model = smallCnn();
    const x = randn([BATCH, 1, 28, 28]);
    setPooling(false);
    model.forward(x).sum().backward();
    const gradientsOnly = 0; // with pooling off nothing is kept
    setPooling(true);
    clearPool();
    const out = model.forward(x);
    out.sum().backward();
    // conv output, ReLU output, pool output (Flatten is a view of it), Linear output, Tanh output:
    // recycled on top of the gradient buffers backward frees.
    const activations = 4 * BATCH * (8 * 28 * 28 * 2 + 8 * 14 * 14 + 256 * 2);
    assert.ok(
      poolBytes() >= activations + gradientsOnly,
      `expected at least ${activations} bytes of activations in the pool, got ${poolBytes()}`,
    );
  });

  it('inference: outputs equal fresh buffers, the activations are recycled at once, held outputs keep their values', () => {
    manualSeed(13);
    const model = smallCnn();
    model.eval();
    const inputs = [randn([BATCH, 1, 28, 28]), randn([BATCH, 1, 28, 28])];
    setPooling(false);
    const expected = noGrad(() => inputs.map((x) => model.forward(x).toTypedArray()));
    setPooling(true);
    clearPool();
    const held = noGrad(() => inputs.map((x) => model.forward(x)));
    assert.ok(poolBytes() > 0, 'a forward without a graph recycled nothing');
    drainPool();
    noGrad(() => inputs.map((x) => model.forward(x)));
    drainPool();
    held.forEach((t, i) => assert.deepEqual(t.toTypedArray(), expected[i]));
    inputs.forEach((x) => assert.ok(!x._data.includes(MARK), 'the input was recycled'));
  });

  it('an output that is a view of an activation (ending in Flatten) and an input passed through (Identity) survive', () => {
    manualSeed(14);
    const model = new nn.Sequential(
      new nn.Identity(),
      new nn.Conv2d(1, 8, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.Flatten(),
    );
    const x = randn([BATCH, 1, 28, 28], { requiresGrad: true });
    const snapshotX = x.toTypedArray();
    const outGraph = model.forward(x);
    outGraph.sum().backward();
    const outNoGraph = noGrad(() => model.forward(x));
    const snapshots = [outGraph, outNoGraph].map((t) => t.toTypedArray());
    drainPool();
    noGrad(() => model.forward(randn([BATCH, 1, 28, 28])));
    drainPool();
    assert.deepEqual(outGraph._data, snapshots[0]);
    assert.deepEqual(outNoGraph._data, snapshots[1]);
    assert.deepEqual(x._data, snapshotX);
  });

  it('what forward hooks and featureMaps saw keeps its values', () => {
    manualSeed(15);
    const model = smallCnn();
    const x = randn([BATCH, 1, 28, 28]);
    const seen: Tensor[] = [];
    const handle = model.at(1).registerForwardHook((_m, inputs, output) => {
      seen.push(inputs[0]!, output);
    });
    model.forward(x).sum().backward();
    handle.remove();
    const maps = nn.featureMaps(model, x);
    const snapshots = [...seen, ...maps.map((m) => m.output)].map((t) => t.toTypedArray());
    for (let i = 0; i < 2; i++) {
      model.forward(x).sum().backward();
      drainPool();
    }
    [...seen, ...maps.map((m) => m.output)].forEach((t, i) =>
      assert.deepEqual(t._data, snapshots[i], `tensor ${i} seen by a hook changed`),
    );
  });

  it("a user's own layer that keeps its input and output: both keep their values", () => {
    class Keeper extends nn.Module {
      kept: Tensor[] = [];
      override forward(x: Tensor): Tensor {
        const y = x.mul(2);
        this.kept.push(x, y);
        return y;
      }
    }
    manualSeed(16);
    const keeper = new Keeper();
    const model = new nn.Sequential(
      new nn.Linear(64, 512),
      new nn.ReLU(),
      keeper,
      new nn.Tanh(),
      new nn.Linear(512, 4),
    );
    const x = randn([64, 64]);
    model.forward(x).sum().backward();
    noGrad(() => model.forward(x));
    const snapshots = keeper.kept.map((t) => t.toTypedArray());
    for (let i = 0; i < 2; i++) {
      model
        .forward(randn([64, 64]))
        .sum()
        .backward();
      noGrad(() => model.forward(randn([64, 64])));
      drainPool();
    }
    keeper.kept
      .slice(0, 4)
      .forEach((t, i) => assert.deepEqual(t._data, snapshots[i], `kept tensor ${i} changed`));
  });

  it('a graph kept with retainGraph is not recycled: the second backward gives the same gradients', () => {
    manualSeed(17);
    const model = smallCnn();
    const x = randn([BATCH, 1, 28, 28]);
    const loss = nn.crossEntropy(model.forward(x), labels());
    loss.backward(undefined, { retainGraph: true });
    const first = model.parameters().map((p) => p.grad!.toTypedArray());
    drainPool();
    randn([BATCH, 8, 28, 28]).add(1); // allocations that would take recycled buffers
    model.zeroGrad();
    loss.backward();
    model.parameters().forEach((p, i) => assert.deepEqual(p.grad!.toTypedArray(), first[i]));
  });
});
