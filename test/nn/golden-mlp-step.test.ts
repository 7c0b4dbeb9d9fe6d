/**
 * Complete training steps of the seed's 8-9-4 MLP against PyTorch (../shared/golden/mlp_step.json):
 * for each step, the loss and logits at the start, the gradients backward() produces, and the
 * parameters after optimizer.step(); then the final loss. Built from the recorded layer list through
 * Descent's own nn, loss and optimizers, in float64 and float32.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromTypedArray, nn, optim, tensor, type DType } from '../../src/index.js';
import { assertClose, loadGolden, TOL, type GoldenCase } from '../helpers/golden.js';

const cases = loadGolden('mlp_step.json');

function buildModel(c: GoldenCase, dtype: DType): nn.Sequential {
  const layers = (c.model.layers as { type: string; in_features?: number; out_features?: number }[]).map(
    (l) => {
      if (l.type === 'Linear') return new nn.Linear(l.in_features!, l.out_features!, { dtype });
      if (l.type === 'ReLU') return new nn.ReLU();
      throw new Error(`mlp_step: layer type ${l.type} is not in this test's table`);
    },
  );
  const model = new nn.Sequential(...layers);
  const state: Record<string, ReturnType<typeof tensor>> = {};
  for (const [name, t] of Object.entries(
    c.initial_params as Record<string, { shape: number[]; data: number[] }>,
  )) {
    state[name] = tensor(Float64Array.from(t.data), { shape: t.shape, dtype });
  }
  model.loadStateDict(state);
  return model;
}

const OPTIMIZERS: Record<
  string,
  (params: ReturnType<nn.Sequential['parameters']>, options: Record<string, number>) => optim.Optimizer
> = {
  SGD: (p, o) => new optim.SGD(p, o),
  Adam: (p, o) => new optim.Adam(p, o),
};

describe('mlp_step.json: full training steps of the 8-9-4 MLP match PyTorch', () => {
  it('runs all three cases', () => assert.equal(cases.length, 3));
  for (const dtype of ['float64', 'float32'] as const) {
    const tol = TOL[dtype];
    for (const c of cases) {
      it(`${c.name} (${dtype})`, () => {
        assert.equal(c.model.loss.type, 'CrossEntropyLoss');
        const model = buildModel(c, dtype);
        const names = model.namedParameters().map(([n]) => n);
        assert.deepEqual(names, Object.keys(c.initial_params));
        const make = OPTIMIZERS[c.optimizer.type as string];
        assert.ok(make, `no optimizer ${c.optimizer.type} in the table`);
        const optimizer = make(model.parameters(), c.optimizer.options);
        const x = tensor(Float64Array.from(c.inputs.data), { shape: c.inputs.shape, dtype });
        const y = fromTypedArray(Int32Array.from(c.labels.data), c.labels.shape);
        const lossFn = new nn.CrossEntropyLoss(c.model.loss.options);
        for (let step = 0; step < c.steps; step++) {
          optimizer.zeroGrad();
          const logits = model.forward(x);
          const loss = lossFn.forward(logits, y);
          assertClose(logits, c.logits[step], tol, `step ${step} logits`);
          assertClose([loss.item()], [c.loss[step]], tol, `step ${step} loss`);
          loss.backward();
          for (const [name, p] of model.namedParameters()) {
            assertClose(p.grad!, c.grads[step][name], tol, `step ${step} grad of ${name}`);
          }
          optimizer.step();
          for (const [name, p] of model.namedParameters()) {
            assertClose(p, c.params_after[step][name], tol, `step ${step} ${name} after the update`);
          }
        }
        const final = lossFn.forward(model.forward(x), y).item();
        assertClose([final], [c.final_loss], tol, 'final loss');
      });
    }
  }
});
