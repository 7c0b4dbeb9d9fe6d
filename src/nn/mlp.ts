/**
 * A multilayer perceptron from a list of layer sizes, the model `descent train` builds:
 * Linear → activation → … → Linear, with no activation after the last layer (it gives the logits).
 */
import type { DType } from '../tensor/dtype.js';
import type { Generator } from '../tensor/random.js';
import { ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Softplus, Tanh } from './activations.js';
import { Linear } from './layers/linear.js';
import { Sequential } from './layers/sequential.js';
import type { Module } from './module.js';

/** The hidden-layer activations by their command-line names, each a factory of a fresh module. */
export const ACTIVATIONS = {
  relu: () => new ReLU(),
  'leaky-relu': () => new LeakyReLU(),
  elu: () => new ELU(),
  gelu: () => new GELU(),
  'gelu-tanh': () => new GELU({ approximate: 'tanh' }),
  silu: () => new SiLU(),
  sigmoid: () => new Sigmoid(),
  tanh: () => new Tanh(),
  softplus: () => new Softplus(),
} satisfies Record<string, () => Module>;

export type ActivationName = keyof typeof ACTIVATIONS;

export interface MlpOptions {
  /** Element type of the parameters; default float32. */
  dtype?: DType;
  /** Generator for the initial weights (PyTorch's Linear init); the global one by default. */
  generator?: Generator;
}

/**
 * An MLP with layer sizes `sizes` (input, hidden..., output) and `activation` between the layers.
 *
 * @example
 * buildMlp([784, 256, 128, 10], 'relu');
 * // Sequential(Linear(784→256), ReLU, Linear(256→128), ReLU, Linear(128→10)): parameters 0.*, 2.*, 4.*
 */
export function buildMlp(
  sizes: readonly number[],
  activation: ActivationName = 'relu',
  options: MlpOptions = {},
): Sequential {
  if (sizes.length < 2)
    throw new RangeError(`buildMlp: need at least an input and an output size, got [${sizes.join(', ')}]`);
  const make = (ACTIVATIONS as Record<string, (() => Module) | undefined>)[activation];
  if (!make || !Object.prototype.hasOwnProperty.call(ACTIVATIONS, activation))
    throw new RangeError(
      `buildMlp: unknown activation '${activation}'; expected one of ${Object.keys(ACTIVATIONS).join(', ')}`,
    );
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    if (i > 0) layers.push(make());
    layers.push(new Linear(sizes[i]!, sizes[i + 1]!, options));
  }
  return new Sequential(...layers);
}
