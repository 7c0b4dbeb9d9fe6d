/**
 * Ops ask for `allocateUninitialised` only for outs that the primitive writes in full (src/backend/
 * backend.ts). Here a backend hands out buffers full of NaN for them, and a CNN step and an MLP step
 * (forward, backward, Adam) must give exactly the numbers of the plain backend: any op that read such
 * a buffer before writing it would spread the NaN.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { getBackend, registerBackend, setBackend } from '../../src/backend/backend.js';
import { createJsBackend } from '../../src/backend/js/index.js';
import { manualSeed, nn, optim, randn, tensor } from '../../src/index.js';

registerBackend('js-poisoned', () => {
  const js = createJsBackend();
  return {
    ...js,
    name: 'js-poisoned',
    allocateUninitialised: (dtype, size) => {
      const buffer = js.allocate(dtype, size);
      return dtype === 'float32' || dtype === 'float64' ? buffer.fill(NaN) : buffer.fill(-7);
    },
  };
});

function trainSteps(model: () => nn.Module, shape: number[]): Float32Array[] {
  manualSeed(21);
  const net = model();
  const optimizer = new optim.Adam(net.parameters(), { lr: 0.01 });
  const x = randn(shape);
  const labels = tensor(
    Int32Array.from({ length: shape[0]! }, (_, i) => i % 10),
    { dtype: 'int32' },
  );
  for (let step = 0; step < 3; step++) {
    optimizer.zeroGrad();
    nn.crossEntropy(net.forward(x), labels).backward();
    optimizer.step();
  }
  return net.parameters().map((p) => p.toTypedArray() as Float32Array);
}

describe('buffers handed out uninitialised are always overwritten', () => {
  const before = getBackend().name;
  after(() => void setBackend(before));

  const cases: [string, () => nn.Module, number[]][] = [
    [
      'CNN',
      () =>
        new nn.Sequential(
          new nn.Conv2d(1, 4, 3, { padding: 1 }),
          new nn.ReLU(),
          new nn.MaxPool2d(2),
          new nn.Flatten(),
          new nn.Linear(4 * 7 * 7, 10),
        ),
      [6, 1, 14, 14],
    ],
    ['MLP', () => nn.buildMlp([20, 16, 10], 'tanh'), [6, 20]],
  ];
  for (const [name, model, shape] of cases) {
    it(`${name}: three Adam steps equal the plain backend's bit for bit`, () => {
      setBackend('js');
      const expected = trainSteps(model, shape);
      setBackend('js-poisoned');
      const poisoned = trainSteps(model, shape);
      poisoned.forEach((p, i) => {
        assert.ok(!p.some(Number.isNaN), `parameter ${i} became NaN`);
        assert.deepEqual(p, expected[i]);
      });
    });
  }
});
