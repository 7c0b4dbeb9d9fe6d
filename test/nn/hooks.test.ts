/**
 * Forward hooks and feature maps: hooks fire however a forward is reached (directly, from a
 * Sequential, from a custom module), can replace the output, and leave the module as it was once
 * removed; featureMaps names every layer as namedModules() does and its outputs equal running the
 * layers by hand, in eval mode without gradients, with each module's mode restored afterwards.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Generator, randn, type Tensor } from '../../src/index.js';
import {
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
} from '../../src/nn/index.js';
import { featureMaps, forwardHookCount, recordForward, registerForwardHook } from '../../src/nn/hooks.js';
import { Unflatten } from '../../src/nn/presets.js';

const gen = new Generator(2024);
const normal = (shape: number[]) => randn(shape, { generator: gen });

function assertClose(actual: Tensor, expected: Tensor, message?: string): void {
  assert.deepEqual(actual.shape, expected.shape, message);
  const a = actual.toTypedArray();
  const b = expected.toTypedArray();
  for (let i = 0; i < a.length; i++) {
    assert.ok(
      Math.abs(a[i]! - b[i]!) <= 1e-6 + 1e-6 * Math.abs(b[i]!),
      `${message ?? ''} [${i}]: ${a[i]} vs ${b[i]}`,
    );
  }
}

/** A small CNN: [N, 16] -> [N, 1, 4, 4] -> conv 3 ch -> relu -> pool -> flatten -> linear 5. */
function smallCnn(): Sequential {
  return new Sequential(
    new Unflatten(1, [1, 4, 4]),
    new Conv2d(1, 3, 3, { padding: 1, generator: gen }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(12, 5, { generator: gen }),
  );
}

class Net extends Module {
  features = new Sequential(new Conv2d(1, 2, 3, { generator: gen }), new BatchNorm2d(2), new ReLU());
  head = new Sequential(new Flatten(), new Dropout(0.5), new Linear(2 * 4 * 4, 3, { generator: gen }));
  override forward(x: Tensor): Tensor {
    return this.head.forward(this.features.forward(x));
  }
}

describe('registerForwardHook', () => {
  it('fires on a direct call and when a Sequential calls the module, with the inputs and the output', () => {
    const model = smallCnn();
    const conv = model.at(1);
    const calls: { inputs: readonly Tensor[]; output: Tensor }[] = [];
    const handle = registerForwardHook(conv, (m, inputs, output) => {
      assert.equal(m, conv);
      calls.push({ inputs, output });
    });
    const x = normal([2, 1, 4, 4]);
    const direct = conv.forward(x);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.inputs[0], x);
    assert.equal(calls[0]!.output, direct);
    model.forward(normal([2, 16]));
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1]!.output.shape, [2, 3, 4, 4]);
    handle.remove();
    model.forward(normal([2, 16]));
    assert.equal(calls.length, 2, 'no call after remove()');
  });

  it('reaches modules called from a custom forward', () => {
    const net = new Net();
    const types: string[] = [];
    for (const m of net.modules()) registerForwardHook(m, (mod) => void types.push(mod.constructor.name));
    net.forward(normal([1, 1, 6, 6]));
    // Children return before their parents.
    assert.deepEqual(types, [
      'Conv2d',
      'BatchNorm2d',
      'ReLU',
      'Sequential',
      'Flatten',
      'Dropout',
      'Linear',
      'Sequential',
      'Net',
    ]);
  });

  it('runs hooks in registration order; a returned tensor replaces the output for the caller and later hooks', () => {
    const relu = new ReLU();
    const order: string[] = [];
    relu.registerForwardHook((_m, _i, out) => {
      order.push('first');
      return out.mul(2);
    });
    relu.registerForwardHook((_m, _i, out) => {
      order.push(`second saw ${out.toArray()}`);
    });
    const y = relu.forward(normal([1]).abs().add(1));
    assert.deepEqual(order, ['first', `second saw ${y.toArray()}`]);
    const x = normal([3]).abs();
    assertClose(relu.forward(x), x.mul(2));
  });

  it('puts the module back as it was once the last hook is removed; remove() twice is harmless', () => {
    const linear = new Linear(2, 2, { generator: gen });
    const a = registerForwardHook(linear, () => {});
    const b = linear.registerForwardHook(() => {});
    assert.ok(Object.hasOwn(linear, 'forward'));
    assert.equal(forwardHookCount(linear), 2);
    a.remove();
    a.remove();
    assert.equal(forwardHookCount(linear), 1);
    b.remove();
    assert.equal(forwardHookCount(linear), 0);
    assert.ok(!Object.hasOwn(linear, 'forward'), 'the class forward is used again');
    // The wrapper never shows up as a field, a child or a parameter.
    assert.deepEqual(
      linear.namedParameters().map(([n]) => n),
      ['weight', 'bias'],
    );
  });

  it('a hook may remove itself while running; the other hooks still run', () => {
    const relu = new ReLU();
    const seen: string[] = [];
    const once = relu.registerForwardHook(() => {
      seen.push('once');
      once.remove();
    });
    relu.registerForwardHook(() => void seen.push('always'));
    relu.forward(normal([2]));
    relu.forward(normal([2]));
    assert.deepEqual(seen, ['once', 'always', 'always']);
  });

  it('refuses a hook that returns something other than a tensor, and bad arguments', () => {
    const relu = new ReLU();
    relu.registerForwardHook(() => 3 as unknown as Tensor);
    assert.throws(() => relu.forward(normal([2])), /forward hook of ReLU returned number/);
    assert.throws(() => registerForwardHook(relu, 'x' as never), /the hook must be a function/);
    assert.throws(() => registerForwardHook({} as Module, () => {}), /expected a Module/);
  });
});

describe('featureMaps', () => {
  it('returns every layer with its dotted name, type and output, equal to running the layers by hand', () => {
    const model = smallCnn();
    const x = normal([2, 16]);
    const maps = featureMaps(model, x);
    assert.deepEqual(
      maps.map((m) => [m.name, m.type, m.output.shape]),
      [
        ['0', 'Unflatten', [2, 1, 4, 4]],
        ['1', 'Conv2d', [2, 3, 4, 4]],
        ['2', 'ReLU', [2, 3, 4, 4]],
        ['3', 'MaxPool2d', [2, 3, 2, 2]],
        ['4', 'Flatten', [2, 12]],
        ['5', 'Linear', [2, 5]],
      ],
    );
    let h = x;
    for (let i = 0; i < model.length; i++) {
      h = model.at(i).forward(h);
      assertClose(maps[i]!.output, h, `layer ${i}`);
      assert.equal(maps[i]!.output.requiresGrad, false, 'recorded without gradients');
    }
    assert.ok(!model.modules().some((m) => Object.hasOwn(m, 'forward')), 'the hooks are removed');
  });

  it('names nested layers like namedModules() (features.0) and runs in eval mode, restoring each mode', () => {
    const net = new Net();
    net.head.at(1).training = false; // a mixed state must come back exactly
    const x = normal([2, 1, 6, 6]);
    const maps = featureMaps(net, x);
    assert.deepEqual(
      maps.map((m) => m.name),
      ['features.0', 'features.1', 'features.2', 'head.0', 'head.1', 'head.2'],
    );
    // Eval mode: BatchNorm used its running statistics (0 and 1) and Dropout passed everything.
    const conv = net.features.at(0).forward(x);
    assertClose(maps[1]!.output, conv.div(Math.sqrt(1 + 1e-5)), 'BatchNorm2d in eval mode');
    assertClose(maps[4]!.output, maps[3]!.output, 'Dropout in eval mode');
    assert.deepEqual(
      net.modules().map((m) => m.training),
      net.modules().map((m) => m !== net.head.at(1)),
    );
    // Running statistics untouched (eval mode does not update them).
    assert.deepEqual(Array.from((net.features.at(1) as BatchNorm2d).runningMean!.toTypedArray()), [0, 0]);
  });

  it("include: 'all' records containers after their children; a predicate picks modules", () => {
    const net = new Net();
    const all = featureMaps(net, normal([1, 1, 6, 6]), { include: 'all' });
    assert.deepEqual(
      all.map((m) => m.name),
      ['features.0', 'features.1', 'features.2', 'features', 'head.0', 'head.1', 'head.2', 'head', ''],
    );
    const convs = featureMaps(net, normal([1, 1, 6, 6]), { include: (_n, m) => m instanceof Conv2d });
    assert.deepEqual(
      convs.map((m) => [m.name, m.type]),
      [['features.0', 'Conv2d']],
    );
    assert.throws(
      () => featureMaps(net, normal([1, 1, 6, 6]), { include: 'some' as never }),
      /include must be/,
    );
  });

  it('recordForward returns the model output too; a failing forward still removes the hooks and restores modes', () => {
    const model = smallCnn();
    const x = normal([1, 16]);
    const { output, maps } = recordForward(model, x);
    assert.equal(output, maps.at(-1)!.output);
    assert.ok(model.training);
    assert.throws(
      () => recordForward(model, normal([1, 15])),
      /Unflatten: dimension 1 of the input \[1, 15\] has size 15/,
    );
    assert.ok(model.modules().every((m) => m.training && !Object.hasOwn(m, 'forward')));
  });
});
