// MNIST and Fashion-MNIST: their files, checksums, classes and mirrors, and the functions that load them.
import type { IdxDatasetSpec } from './dataset-spec.js';
import { FASHION_MNIST_CLASSES, MNIST_CLASSES } from './classes.js';
import { loadIdxDataset, type DatasetOptions, type TrainTestSets } from './idx-dataset.js';

const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

export { FASHION_MNIST_CLASSES, MNIST_CLASSES };

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; https://github.com/zalandoresearch/fashion-mnist):
 * 60,000 training and 10,000 test greyscale 28x28 images of clothing in 10 classes. MIT licensed.
 *
 * Checksums are SHA-256 digests of the decompressed IDX files, computed from the Debian package
 * dataset-fashion-mnist 0.0~git20200523.55506a9-1 (`gunzip -c FILE | sha256sum`). Hashing the
 * decompressed bytes accepts both the official .gz files and Debian's, which are compressed
 * differently but hold the same data.
 */
export const FASHION_MNIST: IdxDatasetSpec = {
  name: 'fashion-mnist',
  title: 'Fashion-MNIST',
  classes: FASHION_MNIST_CLASSES,
  files: MNIST_FILES,
  checksums: {
    trainImages: {
      algorithm: 'sha256',
      of: 'idx',
      hex: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    },
    trainLabels: {
      algorithm: 'sha256',
      of: 'idx',
      hex: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    },
    testImages: {
      algorithm: 'sha256',
      of: 'idx',
      hex: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    },
    testLabels: {
      algorithm: 'sha256',
      of: 'idx',
      hex: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    },
  },
  mirror: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  systemDir: '/usr/share/datasets/fashion-mnist',
  debianPackage: 'dataset-fashion-mnist',
};

/**
 * MNIST (LeCun, Cortes and Burges; http://yann.lecun.com/exdb/mnist/): 60,000 training and
 * 10,000 test greyscale 28x28 images of handwritten digits.
 *
 * Checksums are MD5 digests of the official .gz files as downloaded, as published by torchvision
 * (`MNIST.resources` in torchvision/datasets/mnist.py). We have no trusted copy of the decompressed
 * data to hash, so a mirror that re-compresses the files needs a `checksums` override.
 */
export const MNIST: IdxDatasetSpec = {
  name: 'mnist',
  title: 'MNIST',
  classes: MNIST_CLASSES,
  files: MNIST_FILES,
  checksums: {
    trainImages: { algorithm: 'md5', of: 'download', hex: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
    trainLabels: { algorithm: 'md5', of: 'download', hex: 'd53e105ee54ea40749a09fcbcd1e9432' },
    testImages: { algorithm: 'md5', of: 'download', hex: '9fb629c4189551a2d022fa330f9573f3' },
    testLabels: { algorithm: 'md5', of: 'download', hex: 'ec29112dd5afa0611ce80d1b7f02629c' },
  },
  mirror: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
  systemDir: '/usr/share/datasets/mnist',
};

/**
 * Loads the full Fashion-MNIST (60,000 train, 10,000 test). Looks in `dataDir`, then
 * `DESCENT_DATA_DIR` (or its `fashion-mnist/` subfolder), then `/usr/share/datasets/fashion-mnist`
 * (`apt-get install dataset-fashion-mnist`), then `~/.cache/descent/fashion-mnist/`; downloads into
 * the cache when none has the files, unless `download: false`.
 *
 * @example
 * const { train, test } = await loadFashionMnist({ download: false });
 * train.count; // 60000
 */
export function loadFashionMnist(options: DatasetOptions = {}): Promise<TrainTestSets> {
  return loadIdxDataset(FASHION_MNIST, options);
}

/**
 * Loads MNIST (60,000 train, 10,000 test), searching like {@link loadFashionMnist} with `mnist`
 * in place of `fashion-mnist` (system folder `/usr/share/datasets/mnist`).
 */
export function loadMnist(options: DatasetOptions = {}): Promise<TrainTestSets> {
  return loadIdxDataset(MNIST, options);
}
