// A labelled set of greyscale images held as flat bytes, and its construction from a pair of IDX arrays.
import type { IdxArray } from './idx.js';

/**
 * Labelled greyscale images, as stored in MNIST-style datasets.
 * Image `i` occupies `images[i * rows * cols, (i + 1) * rows * cols)`, row-major, one byte per pixel (0-255).
 */
export interface ImageSet {
  /** `count * rows * cols` pixel bytes, row-major, image after image. */
  images: Uint8Array;
  /** One class index per image, each in `[0, classes.length)`. */
  labels: Uint8Array;
  /** Number of images. */
  count: number;
  /** Image height in pixels (28 for MNIST and Fashion-MNIST). */
  rows: number;
  /** Image width in pixels (28 for MNIST and Fashion-MNIST). */
  cols: number;
  /** Class names, indexed by label. */
  classes: string[];
}

/** Where an {@link ImageSet} pair came from: the IDX arrays and the file names to quote in errors. */
export interface IdxImageSource {
  images: IdxArray;
  imagesFile: string;
  labels: IdxArray;
  labelsFile: string;
}

/**
 * Builds an {@link ImageSet} from an IDX images array (`uint8`, shape `[N, rows, cols]`) and an IDX
 * labels array (`uint8`, shape `[N]`), checking that they agree with each other and with `classes`.
 */
export function imageSetFromIdx(source: IdxImageSource, classes: string[]): ImageSet {
  const { images, labels, imagesFile, labelsFile } = source;
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new Error(
      `${imagesFile}: expected images as uint8 with shape [count, rows, cols], ` +
        `found ${images.dtype} with shape [${images.shape.join(', ')}]`,
    );
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new Error(
      `${labelsFile}: expected labels as uint8 with shape [count], ` +
        `found ${labels.dtype} with shape [${labels.shape.join(', ')}]`,
    );
  }
  const [count, rows, cols] = images.shape as [number, number, number];
  if (labels.shape[0] !== count) {
    throw new Error(
      `${labelsFile}: holds ${labels.shape[0]} labels, but ${imagesFile} holds ${count} images; ` +
        `the two files must come from the same dataset split`,
    );
  }
  const badIndex = labels.data.findIndex((label) => label >= classes.length);
  if (badIndex >= 0) {
    throw new Error(
      `${labelsFile}: label ${labels.data[badIndex]} at index ${badIndex} is out of range: ` +
        `expected 0 to ${classes.length - 1} (${classes.length} classes)`,
    );
  }
  return { images: images.data, labels: labels.data, count, rows, cols, classes: [...classes] };
}

/** Number of images of each class, indexed by label. */
export function classCounts(set: ImageSet): number[] {
  const counts = new Array<number>(set.classes.length).fill(0);
  for (const label of set.labels) counts[label]!++;
  return counts;
}

/** A new set holding the images at `indices`, in that order (pixels and labels are copied). */
export function selectImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const pixels = set.rows * set.cols;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (!Number.isInteger(index) || index < 0 || index >= set.count) {
      throw new Error(`selectImages: index ${index} at position ${i} is out of range for ${set.count} images`);
    }
    images.set(set.images.subarray(index * pixels, (index + 1) * pixels), i * pixels);
    labels[i] = set.labels[index]!;
  }
  return { images, labels, count: indices.length, rows: set.rows, cols: set.cols, classes: [...set.classes] };
}
