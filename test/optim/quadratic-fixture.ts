/**
 * The convex quadratic the optimizer property tests descend, f = Σ aᵢ(θᵢ − cᵢ)² over two parameter
 * tensors (float64), with the helpers those tests share.
 */
import { tensor, type Tensor } from '../../src/index.js';
import type { OptimizerLike, OptimizerStateDict } from '../../src/optim/index.js';

const A = [
  [1, 2, 0.5, 3],
  [1.5, 0.8, 2.5],
];
const C = [
  [1, -2, 0.5, 3],
  [-1, 0.25, 2],
];

/** The starting point: a [2, 2] and a [3] parameter. */
export function freshParams(): Tensor[] {
  return [
    tensor(
      [
        [0.3, -0.1],
        [0.2, 0.4],
      ],
      { dtype: 'float64', requiresGrad: true },
    ),
    tensor([0.1, -0.3, 0.5], { dtype: 'float64', requiresGrad: true }),
  ];
}

export function quadratic(params: readonly Tensor[]): Tensor {
  return params
    .map((p, i) => {
      const a = tensor(A[i]!, { dtype: 'float64' }).reshape([...p.shape]);
      const c = tensor(C[i]!, { dtype: 'float64' }).reshape([...p.shape]);
      const d = p.sub(c);
      return d.mul(d).mul(a).sum();
    })
    .reduce((x, y) => x.add(y));
}

/** One training step on the quadratic: zero the grads, backward, step; returns the loss before the step. */
export function trainStep(optimizer: OptimizerLike, params: readonly Tensor[]): number {
  optimizer.zeroGrad();
  const loss = quadratic(params);
  loss.backward();
  optimizer.step();
  return loss.item();
}

/** The exact bytes of a float64 tensor, for bit-for-bit comparisons. */
export const bits = (t: Tensor) => new Uint8Array((t.toTypedArray() as Float64Array).buffer);

/** A copy of the parameters with identical values (as a checkpoint of the model would restore). */
export function cloneParams(params: readonly Tensor[]): Tensor[] {
  return params.map((p) => tensor(p.toTypedArray(), { shape: p.shape, dtype: p.dtype, requiresGrad: true }));
}

/** A state dict after a trip through JSON, as a saved file would give it back. */
export const roundTrip = (dict: OptimizerStateDict): OptimizerStateDict => JSON.parse(JSON.stringify(dict));
