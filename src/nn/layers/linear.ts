/**
 * The fully connected layer: y = x·Wᵀ + b, with W of shape [outFeatures, inFeatures] (PyTorch's
 * layout, so state dicts carry over) applied to the last dimension of an input of any leading shape.
 */
import type { DType } from '../../tensor/dtype.js';
import { zeros } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { fanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import { Module, retainsNoActivations } from '../module.js';
import { Parameter } from '../parameter.js';

/** y = x·Wᵀ + b over the last dimension of x; `bias` may be null. The op lives in the tensor core. */
import { linear } from '../../tensor/ops/matmul.js';
export { linear };

export interface LinearOptions {
  /** Learn an additive bias; default true. */
  bias?: boolean;
  /** Element type of the parameters; default float32. */
  dtype?: DType;
  /** Generator for the initial values; the global one by default. */
  generator?: Generator;
}

/**
 * A fully connected layer, y = x·Wᵀ + b.
 *
 * Initialised as PyTorch does: W ~ U(−1/√inFeatures, 1/√inFeatures), which is kaiming-uniform with
 * a = √5, and b ~ U(−1/√inFeatures, 1/√inFeatures).
 *
 * @example
 * const fc = new Linear(784, 256);
 * fc.forward(zeros([32, 784])).shape; // [32, 256]
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    for (const [name, n] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const) {
      if (!Number.isInteger(n) || n < 0)
        throw new RangeError(`Linear: ${name} must be a non-negative integer, got ${n}`);
    }
    const { bias = true, dtype = 'float32', generator } = options;
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = bias ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters(generator);
  }

  /** Draws fresh initial values (see the class comment). */
  resetParameters(generator?: Generator): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias) {
      const { fanIn } = fanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound, { generator });
    }
  }

  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

// Their forwards keep no reference to their input or output (see retainsNoActivations).
retainsNoActivations(Linear);
