// The small, real Fashion-MNIST subset shipped in the package, so training works offline right after install.
import { fileURLToPath } from 'node:url';

import type { IdxDatasetSpec } from './dataset-spec.js';
import { readIdxDatasetAt, type TrainTestSets } from './idx-dataset.js';
import { FASHION_MNIST } from './mnist.js';

/**
 * The embedded subset of Fashion-MNIST (see data/fashion-mnist-subset/README.md): the first 1,000
 * training images of each class in their original order (10,000 images) and the first 2,000 test
 * images. Made by scripts/make-embedded-subset.ts. Checksums are not used: the files are never downloaded.
 */
export const FASHION_MNIST_SUBSET: IdxDatasetSpec = {
  ...FASHION_MNIST,
  name: 'fashion-mnist-subset',
  title: 'embedded Fashion-MNIST subset',
  systemDir: embeddedFashionMnistDir(),
  debianPackage: undefined,
};

/**
 * The folder holding the embedded subset: `data/fashion-mnist-subset/` at the package root.
 * This file sits two levels below the root both as src/data/embedded.ts (run through tsx) and as
 * dist/data/embedded.js (after `tsc`), so one relative URL serves both.
 */
export function embeddedFashionMnistDir(): string {
  return fileURLToPath(new URL('../../data/fashion-mnist-subset/', import.meta.url));
}

/**
 * Loads the embedded Fashion-MNIST subset: 10,000 training images (1,000 per class) and 2,000 test
 * images, read from the package itself. Never touches the network.
 *
 * @example
 * const { train, test } = await loadEmbeddedFashionMnist();
 * [train.count, test.count]; // [10000, 2000]
 */
export function loadEmbeddedFashionMnist(): Promise<TrainTestSets> {
  return readIdxDatasetAt(FASHION_MNIST_SUBSET, {
    label: 'the embedded dataset',
    dir: embeddedFashionMnistDir(),
  });
}
