// Image transforms for augmentation and normalisation: each works on one float image [C, H, W] and
// draws any randomness from an explicit Generator, so pipelines are seeded and reproducible.
export { checkImage, cloneImage, createImage, imageShape, resizeBilinear, sampleBilinear, type Image } from './image.js';
export { Compose, RandomApply, type Range, type Transform } from './transform.js';
export { Brightness, Contrast } from './color.js';
export { HorizontalFlip, Rotation, Translate, VerticalFlip, rotate, translate } from './geometry.js';
export {
  RandomCrop,
  RandomResizedCrop,
  Resize,
  cropPadded,
  type PaddingMode,
  type RandomCropOptions,
  type RandomResizedCropOptions,
} from './crop.js';
export { GaussianNoise, RandomErasing, type GaussianNoiseOptions, type RandomErasingOptions } from './noise.js';
export { Normalize, Scale, channelStats, toFloat, type ChannelStats, type ToFloatOptions } from './normalize.js';
export { AUGMENTATIONS, augmentationHelp, parseAugmentSpec } from './spec.js';
