/**
 * Neural-network building blocks (PyTorch's `torch.nn`): Module and Parameter, layers, activations,
 * losses, initialisers (`init`), the functional forms (`functional`) and a model summary.
 */
export { Module, type StateDict, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export { Parameter } from './parameter.js';
export * as init from './init.js';
export * as functional from './functional.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export { Sequential, ModuleList } from './layers/sequential.js';
export { Flatten, Identity } from './layers/flatten.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { LayerNorm, type LayerNormOptions } from './layers/layer-norm.js';
export { Dropout } from './layers/dropout.js';
export {
  ReLU,
  LeakyReLU,
  ELU,
  GELU,
  SiLU,
  Sigmoid,
  Tanh,
  Softplus,
  Softmax,
  LogSoftmax,
  type GeluApproximation,
  type SoftplusOptions,
} from './activations.js';
export {
  Loss,
  CrossEntropyLoss,
  NLLLoss,
  MSELoss,
  L1Loss,
  SmoothL1Loss,
  HuberLoss,
  BCELoss,
  BCEWithLogitsLoss,
  KLDivLoss,
  type Reduction,
  type WeightLike,
  type CrossEntropyLossOptions,
  type NLLLossOptions,
  type ReductionOptions,
  type SmoothL1Options,
  type HuberOptions,
  type BCEOptions,
  type BCEWithLogitsOptions,
  type KLDivOptions,
  type KLDivReduction,
} from './losses/index.js';
export {
  summary,
  countParameters,
  type ModelSummary,
  type SummaryRow,
  type SummaryOptions,
} from './summary.js';
// The loss functions are also reachable here, not only as nn.functional.*: they are what a training loop calls.
export {
  crossEntropy,
  nllLoss,
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  klDiv,
} from './losses/index.js';
export { buildMlp, ACTIVATIONS, type ActivationName, type MlpOptions } from './mlp.js';
export { Conv2d, type Conv2dOptions, type Conv2dPadding, type Size2 } from './layers/conv.js';
export {
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool2d,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
  type AdaptiveSize,
} from './layers/pool.js';
export { BatchNorm1d, BatchNorm2d, BatchNormBase, type BatchNormOptions } from './layers/batch-norm.js';
export { Dropout2d } from './layers/dropout2d.js';
export * from './hooks.js';
export {
  buildCnn,
  modelFromSpec,
  resolveModelSpec,
  inferModelSpec,
  describeModel,
  Unflatten,
  MODEL_DEFAULTS,
  type ModelSpec,
  type CnnOptions,
} from './presets.js';
