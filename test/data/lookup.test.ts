import assert from 'node:assert/strict';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { defaultCacheDir, searchLocations } from '../../src/data/locate.js';
import { FASHION_MNIST, loadFashionMnist, loadMnist } from '../../src/data/mnist.js';
import { temporaryDir, withEnv, writeTinyDataset } from './fixtures.js';

// Each folder gets a different number of training images, so the count tells which folder was used.
describe('dataset lookup order', () => {
  it('an explicit dataDir comes first, before DESCENT_DATA_DIR and the system folder', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await writeTinyDataset(join(dir, 'explicit'), 3, 1);
      await writeTinyDataset(join(dir, 'env'), 4, 1);
      await writeTinyDataset(join(dir, 'system'), 5, 1);
      const loaded = await withEnv({ DESCENT_DATA_DIR: join(dir, 'env') }, () =>
        loadFashionMnist({ dataDir: join(dir, 'explicit'), systemDir: join(dir, 'system'), download: false }),
      );
      assert.equal(loaded.train.count, 3);
      assert.equal(loaded.test.count, 1);
      assert.deepEqual(loaded.location, { label: 'data directory (--data-dir)', dir: join(dir, 'explicit') });
    } finally {
      await remove();
    }
  });

  it('DESCENT_DATA_DIR comes before the system folder and the cache', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await writeTinyDataset(join(dir, 'env'), 4, 1);
      await writeTinyDataset(join(dir, 'system'), 5, 1);
      await writeTinyDataset(join(dir, 'cache'), 6, 1);
      const loaded = await withEnv({ DESCENT_DATA_DIR: join(dir, 'env') }, () =>
        loadFashionMnist({ systemDir: join(dir, 'system'), cacheDir: join(dir, 'cache'), download: false }),
      );
      assert.equal(loaded.train.count, 4);
      assert.equal(loaded.location.label, 'DESCENT_DATA_DIR');
    } finally {
      await remove();
    }
  });

  it('DESCENT_DATA_DIR may hold the files in a fashion-mnist/ or mnist/ subfolder', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await writeTinyDataset(join(dir, 'fashion-mnist'), 7, 2);
      await writeTinyDataset(join(dir, 'mnist'), 8, 2);
      await withEnv({ DESCENT_DATA_DIR: dir }, async () => {
        const fashion = await loadFashionMnist({ systemDir: join(dir, 'none'), download: false });
        assert.equal(fashion.train.count, 7);
        assert.deepEqual(fashion.location, {
          label: 'DESCENT_DATA_DIR, fashion-mnist/ subfolder',
          dir: join(dir, 'fashion-mnist'),
        });
        assert.deepEqual(fashion.train.classes, FASHION_MNIST.classes);
        const mnist = await loadMnist({ systemDir: join(dir, 'none'), download: false });
        assert.equal(mnist.train.count, 8);
        assert.equal(mnist.location.dir, join(dir, 'mnist'));
        assert.deepEqual(mnist.train.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      });
    } finally {
      await remove();
    }
  });

  it('the system (Debian) folder comes before the user cache', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await writeTinyDataset(join(dir, 'system'), 5, 1);
      await writeTinyDataset(join(dir, 'cache'), 6, 1);
      const loaded = await withEnv({}, () =>
        loadFashionMnist({ systemDir: join(dir, 'system'), cacheDir: join(dir, 'cache'), download: false }),
      );
      assert.equal(loaded.train.count, 5);
      assert.equal(loaded.location.label, 'Debian package dataset-fashion-mnist');
    } finally {
      await remove();
    }
  });

  it('the user cache is used when nothing else has the files', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await writeTinyDataset(join(dir, 'cache'), 6, 1);
      const loaded = await withEnv({}, () =>
        loadFashionMnist({ systemDir: join(dir, 'none'), cacheDir: join(dir, 'cache'), download: false }),
      );
      assert.equal(loaded.train.count, 6);
      assert.deepEqual(loaded.location, { label: 'user cache', dir: join(dir, 'cache') });
    } finally {
      await remove();
    }
  });

  it('the cache follows XDG_CACHE_HOME, and ~/.cache otherwise', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await writeTinyDataset(join(dir, 'descent', 'fashion-mnist'), 9, 1);
      const loaded = await withEnv({ XDG_CACHE_HOME: dir }, () =>
        loadFashionMnist({ systemDir: join(dir, 'none'), download: false }),
      );
      assert.equal(loaded.train.count, 9);
      await withEnv({}, async () => {
        assert.equal(defaultCacheDir('mnist'), join(homedir(), '.cache', 'descent', 'mnist'));
      });
      // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
      await withEnv({ XDG_CACHE_HOME: 'relative/cache' }, async () => {
        assert.equal(defaultCacheDir('mnist'), join(homedir(), '.cache', 'descent', 'mnist'));
      });
    } finally {
      await remove();
    }
  });

  it('searchLocations lists the folders in order, each directly and as a subfolder', async () => {
    await withEnv({ DESCENT_DATA_DIR: '/env' }, async () => {
      assert.deepEqual(
        searchLocations(FASHION_MNIST, { dataDir: '/explicit', cacheDir: '/cache' }).map((l) => l.dir),
        [
          '/explicit',
          '/explicit/fashion-mnist',
          '/env',
          '/env/fashion-mnist',
          '/usr/share/datasets/fashion-mnist',
          '/cache',
        ],
      );
    });
  });

  it('skips a folder holding only some of the files, and says so in the log', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await writeTinyDataset(join(dir, 'partial'), 3, 1);
      await rm(join(dir, 'partial', 't10k-images-idx3-ubyte.gz'));
      await writeTinyDataset(join(dir, 'cache'), 6, 1);
      const lines: string[] = [];
      const loaded = await withEnv({}, () =>
        loadFashionMnist({
          dataDir: join(dir, 'partial'),
          systemDir: join(dir, 'none'),
          cacheDir: join(dir, 'cache'),
          download: false,
          log: (line) => lines.push(line),
        }),
      );
      assert.equal(loaded.train.count, 6);
      assert.deepEqual(lines, [
        `Fashion-MNIST: skipping ${join(dir, 'partial')}: has only 3 of the 4 files, missing t10k-images-idx3-ubyte[.gz]`,
      ]);
    } finally {
      await remove();
    }
  });

  it('accepts uncompressed files', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await writeTinyDataset(dir, 12, 3, { raw: true });
      const loaded = await withEnv({}, () => loadFashionMnist({ dataDir: dir, download: false }));
      assert.equal(loaded.train.count, 12);
      assert.equal(loaded.train.images.length, 12 * 28 * 28);
      assert.deepEqual(Array.from(loaded.train.labels), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
      assert.equal(loaded.train.images[5], (5 * 7 + 1) % 256);
    } finally {
      await remove();
    }
  });

  it('a found but truncated file is an error naming the file, the problem and the location', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await writeTinyDataset(dir, 10, 2, { raw: true });
      const path = join(dir, 'train-images-idx3-ubyte');
      // A header for 10x28x28 unsigned bytes followed by only 1,000 of the 7,840 pixels.
      const bytes = new Uint8Array(16 + 1000);
      bytes.set([0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28]);
      await writeFile(path, bytes);
      await assert.rejects(
        withEnv({}, () => loadFashionMnist({ dataDir: dir, download: false })),
        (error: Error) => {
          assert.match(error.message, /^Fashion-MNIST files found in data directory \(--data-dir\) \(/);
          assert.ok(error.message.includes(`(${dir}) are unusable: ${path}: truncated IDX file`), error.message);
          assert.match(error.message, /header says 10x28x28 = 7840 bytes of data, but only 1000 follow/);
          return true;
        },
      );
    } finally {
      await remove();
    }
  });

  it('images and labels that disagree are reported with both file names', async () => {
    const { dir, remove } = await temporaryDir();
    const other = await temporaryDir();
    try {
      await writeTinyDataset(dir, 10, 2);
      await writeTinyDataset(other.dir, 11, 2);
      await copyFile(join(other.dir, 'train-labels-idx1-ubyte.gz'), join(dir, 'train-labels-idx1-ubyte.gz'));
      await assert.rejects(
        withEnv({}, () => loadFashionMnist({ dataDir: dir, download: false })),
        new RegExp(
          `train-labels-idx1-ubyte\\.gz: holds 11 labels, but ${join(dir, 'train-images-idx3-ubyte.gz')} holds 10 images`,
        ),
      );
    } finally {
      await remove();
      await other.remove();
    }
  });

  it('when nothing is found and download is off, lists every place searched and both fixes', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await writeTinyDataset(join(dir, 'partial'), 3, 1);
      await rm(join(dir, 'partial', 'train-labels-idx1-ubyte.gz'));
      await assert.rejects(
        withEnv({}, () =>
          loadFashionMnist({
            dataDir: join(dir, 'partial'),
            systemDir: join(dir, 'no-system'),
            cacheDir: join(dir, 'no-cache'),
            download: false,
          }),
        ),
        (error: Error) => {
          assert.equal(
            error.message,
            [
              'Fashion-MNIST not found. Searched:',
              `  - data directory (--data-dir): ${join(dir, 'partial')} (has only 3 of the 4 files, missing train-labels-idx1-ubyte[.gz])`,
              `  - data directory (--data-dir), fashion-mnist/ subfolder: ${join(dir, 'partial', 'fashion-mnist')} (does not exist)`,
              '  - DESCENT_DATA_DIR: not set',
              `  - Debian package dataset-fashion-mnist: ${join(dir, 'no-system')} (does not exist)`,
              `  - user cache: ${join(dir, 'no-cache')} (does not exist)`,
              'Downloading is turned off.',
              'To fix it, either:',
              '  - install the Debian package: sudo apt-get install dataset-fashion-mnist',
              '  - or put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and ' +
                't10k-labels-idx1-ubyte.gz in a folder and pass --data-dir <folder> or set DESCENT_DATA_DIR=<folder>',
            ].join('\n'),
          );
          return true;
        },
      );
    } finally {
      await remove();
    }
  });
});
