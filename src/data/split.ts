// Holding out a validation set from a training set, either the classic tail split or a seeded random one.
import { selectImages, type ImageSet } from './image-set.js';
import { shuffledIndices } from './shuffle.js';

/** A training set divided into the part to train on and the part to validate on. */
export interface TrainValidationSplit {
  train: ImageSet;
  validation: ImageSet;
}

/**
 * Holds out `validationCount` images for validation.
 *
 * Without a seed, the last `validationCount` images are the validation set (the classic MNIST
 * 50,000 / 10,000 split). With a seed, a random subset chosen by that seed is held out instead;
 * both parts keep the images' original relative order.
 *
 * The default `validationCount` is one sixth of the set, which is 10,000 for the 60,000 training
 * images of MNIST and Fashion-MNIST.
 *
 * @example
 * const { train, validation } = trainValidationSplit(fashion.train); // 50000 and 10000 images
 */
export function trainValidationSplit(
  set: ImageSet,
  validationCount: number = Math.round(set.count / 6),
  seed?: number,
): TrainValidationSplit {
  if (!Number.isInteger(validationCount) || validationCount < 0 || validationCount > set.count) {
    throw new Error(
      `trainValidationSplit: validationCount must be an integer from 0 to ${set.count} (the set's size), ` +
        `got ${validationCount}`,
    );
  }
  const trainCount = set.count - validationCount;
  let order: Int32Array;
  if (seed === undefined) {
    order = new Int32Array(set.count);
    for (let i = 0; i < set.count; i++) order[i] = i;
  } else {
    order = shuffledIndices(set.count, seed);
  }
  const trainIndices = order.subarray(0, trainCount).sort();
  const validationIndices = order.subarray(trainCount).sort();
  return { train: selectImages(set, trainIndices), validation: selectImages(set, validationIndices) };
}
