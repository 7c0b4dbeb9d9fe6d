/**
 * The functional forms of the layers, activations and losses (PyTorch's `torch.nn.functional`):
 * stateless functions that take the parameters as arguments. The modules call these.
 *
 * @example
 * import { nn } from 'descent';
 * const F = nn.functional;
 * const loss = F.crossEntropy(F.gelu(F.linear(x, w, b), { approximate: 'tanh' }), labels);
 */
export {
  relu,
  leakyRelu,
  elu,
  gelu,
  silu,
  sigmoid,
  tanh,
  softplus,
  logSigmoid,
  softmax,
  logSoftmax,
  type GeluApproximation,
  type SoftplusOptions,
} from './activations.js';
export { linear } from './layers/linear.js';
export { embedding } from './layers/embedding.js';
export { layerNorm, type LayerNormFunctionOptions } from './layers/layer-norm.js';
export { dropout, type DropoutOptions } from './layers/dropout.js';
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
export { conv2d, type Conv2dFunctionOptions } from './layers/conv.js';
export { maxPool2d, maxPool2dWithIndices, avgPool2d, adaptiveAvgPool2d } from './layers/pool.js';
export {
  batchNorm,
  batchNormTraining,
  type BatchNormFunctionOptions,
  type BatchNormTrainingOptions,
  type BatchNormTrainingResult,
} from './layers/batch-norm.js';
export { dropout2d, type Dropout2dOptions } from './layers/dropout2d.js';
