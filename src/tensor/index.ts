/** The tensor core's public surface. */
export { Tensor, type TensorLike } from './tensor.js';
export type { DType, TypedArray, FloatArray } from './dtype.js';
export type { Shape } from './shape.js';
export { broadcastShapes } from './shape.js';
export type { NestedArray } from './nested.js';
export type { ValuesAndIndices, VarianceOptions, Dims } from './ops/reduce.js';
export {
  tensor,
  fromTypedArray,
  scalar,
  full,
  zeros,
  ones,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  linspace,
  eye,
  rand,
  randn,
  uniform,
  randint,
  randperm,
  type TensorOptions,
  type RandomOptions,
} from './creation.js';
export { Generator, manualSeed, defaultGenerator } from './random.js';
export { where, maximum, minimum, clamp } from './ops/elementwise.js';
export { cat, stack } from './ops/movement.js';
export { matmul, linear } from './ops/matmul.js';
