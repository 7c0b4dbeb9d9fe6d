import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { loadDataset } from '../../src/data/datasets.js';
import { embeddedFashionMnistDir, loadEmbeddedFashionMnist } from '../../src/data/embedded.js';
import { gunzipIfNeeded } from '../../src/data/idx-file.js';
import { classCounts } from '../../src/data/image-set.js';
import { FASHION_MNIST, FASHION_MNIST_CLASSES, loadFashionMnist } from '../../src/data/mnist.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const debianDir = FASHION_MNIST.systemDir;

describe('embedded Fashion-MNIST subset', () => {
  it('lives in data/fashion-mnist-subset at the package root, from src/ and from dist/ alike', () => {
    const expected = join(repoRoot, 'data', 'fashion-mnist-subset') + '/';
    assert.equal(embeddedFashionMnistDir(), expected);
    // After `tsc -p tsconfig.build.json`, the module is dist/data/embedded.js: also two levels below the root.
    const fromDist = new URL('../../data/fashion-mnist-subset/', pathToFileURL(join(repoRoot, 'dist/data/embedded.js')));
    assert.equal(fileURLToPath(fromDist), expected);
  });

  it('loads 10,000 training images (1,000 per class) and 2,000 test images', async () => {
    const { train, test, location } = await loadEmbeddedFashionMnist();
    assert.equal(train.count, 10000);
    assert.equal(test.count, 2000);
    assert.equal(train.images.length, 10000 * 28 * 28);
    assert.equal(test.images.length, 2000 * 28 * 28);
    assert.deepEqual([train.rows, train.cols], [28, 28]);
    assert.deepEqual(classCounts(train), new Array(10).fill(1000));
    // The first 2,000 official test images hold 188 to 219 of each class.
    assert.deepEqual(classCounts(test), [200, 203, 214, 190, 219, 195, 197, 200, 194, 188]);
    assert.deepEqual(train.classes, FASHION_MNIST_CLASSES);
    assert.equal(location.dir, embeddedFashionMnistDir());
    // Fashion-MNIST's first training and test images are both ankle boots; its second test image is a pullover.
    assert.equal(train.labels[0], 9);
    assert.deepEqual(Array.from(test.labels.subarray(0, 5)), [9, 2, 1, 1, 6]);
  });

  it('is what loadDataset("fashion-mnist-subset") returns', async () => {
    const { train, test } = await loadDataset('fashion-mnist-subset');
    assert.deepEqual([train.count, test.count], [10000, 2000]);
  });

  it('is real data: a selection from the official Fashion-MNIST, when the Debian package is installed', {
    skip: !existsSync(debianDir) && `${debianDir} is missing (apt-get install dataset-fashion-mnist)`,
  }, async () => {
    const subset = await loadEmbeddedFashionMnist();
    const full = await loadFashionMnist({ dataDir: debianDir, download: false });
    // The test subset is exactly the first 2,000 test images.
    assert.deepEqual(subset.test.images, full.test.images.subarray(0, 2000 * 784));
    assert.deepEqual(subset.test.labels, full.test.labels.subarray(0, 2000));
    // The training subset is the first 1,000 of each class, in the original order.
    const taken = new Array<number>(10).fill(0);
    const indices: number[] = [];
    full.train.labels.forEach((label, i) => {
      if (taken[label]! < 1000) {
        taken[label]!++;
        indices.push(i);
      }
    });
    assert.equal(indices.length, 10000);
    for (const [position, index] of [[0, indices[0]!], [4321, indices[4321]!], [9999, indices[9999]!]]) {
      assert.deepEqual(
        subset.train.images.subarray(position! * 784, (position! + 1) * 784),
        full.train.images.subarray(index! * 784, (index! + 1) * 784),
      );
    }
    assert.deepEqual(Array.from(subset.train.labels), indices.map((i) => full.train.labels[i]));
  });
});

describe('full Fashion-MNIST from the Debian package', {
  skip: !existsSync(debianDir) && `${debianDir} is missing (apt-get install dataset-fashion-mnist)`,
}, () => {
  it('loads 60,000 training and 10,000 test images, 6,000 and 1,000 per class', async () => {
    const { train, test, location } = await loadFashionMnist({ systemDir: debianDir, download: false });
    assert.equal(train.count, 60000);
    assert.equal(test.count, 10000);
    assert.equal(train.images.length, 60000 * 784);
    assert.deepEqual(classCounts(train), new Array(10).fill(6000));
    assert.deepEqual(classCounts(test), new Array(10).fill(1000));
    assert.equal(location.dir, debianDir);
    assert.deepEqual(Array.from(train.labels.subarray(0, 10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    const maxPixel = train.images.reduce((max, v) => (v > max ? v : max), 0);
    assert.equal(maxPixel, 255);
  });

  it('its decompressed files match the SHA-256 values the downloader expects', async () => {
    for (const role of ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const) {
      const path = join(debianDir, `${FASHION_MNIST.files[role]}.gz`);
      const digest = createHash('sha256').update(gunzipIfNeeded(await readFile(path), path)).digest('hex');
      assert.equal(digest, FASHION_MNIST.checksums[role].hex, path);
    }
  });
});
