/** Loss functions, each as a function and as a Module. */
export { Loss, type Reduction, type WeightLike } from './reduction.js';
export { crossEntropy, CrossEntropyLoss, type CrossEntropyLossOptions } from './cross-entropy.js';
export { nllLoss, NLLLoss, type NLLLossOptions } from './nll.js';
export {
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  MSELoss,
  L1Loss,
  SmoothL1Loss,
  HuberLoss,
  type ReductionOptions,
  type SmoothL1Options,
  type HuberOptions,
} from './regression.js';
export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  BCELoss,
  BCEWithLogitsLoss,
  type BCEOptions,
  type BCEWithLogitsOptions,
} from './binary.js';
export { klDiv, KLDivLoss, type KLDivOptions, type KLDivReduction } from './kl-div.js';
