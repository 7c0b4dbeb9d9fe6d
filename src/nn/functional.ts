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
