import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import type { IdxFileRole } from '../../src/data/dataset-spec.js';
import { loadFashionMnist, loadMnist, MNIST } from '../../src/data/mnist.js';
import { gzipAll, md5OfDownload, sha256OfIdx, temporaryDir, tinyDatasetIdx, withEnv } from './fixtures.js';

const idx = tinyDatasetIdx(20, 5);
const gz = gzipAll(idx);
const FILE_NAMES: Record<IdxFileRole, string> = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};

// Same IDX data re-compressed at another level: different .gz bytes, same decompressed bytes.
const regzipped: Record<IdxFileRole, Uint8Array> = {
  trainImages: gzipSync(idx.trainImages, { level: 1 }),
  trainLabels: gzipSync(idx.trainLabels, { level: 1 }),
  testImages: gzipSync(idx.testImages, { level: 1 }),
  testLabels: gzipSync(idx.testLabels, { level: 1 }),
};

// A valid IDX file with one pixel changed: it parses, so only the checksum can catch it.
const tampered = Uint8Array.from(idx.trainImages);
tampered[500] ^= 0xff;

/**
 * Serves, under /good/, /regzipped/ and /tampered/, the fixture files; /drop/ sends the headers and half
 * the body, then cuts the connection, like a download killed midway.
 */
const routes = new Map<string, Uint8Array>();
for (const role of Object.keys(FILE_NAMES) as IdxFileRole[]) {
  routes.set(`/good/${FILE_NAMES[role]}`, gz[role]);
  routes.set(`/regzipped/${FILE_NAMES[role]}`, regzipped[role]);
  routes.set(`/tampered/${FILE_NAMES[role]}`, role === 'trainImages' ? gzipSync(tampered) : gz[role]);
  routes.set(`/drop/${FILE_NAMES[role]}`, gz[role]);
}

let server: Server;
let baseUrl: string;
const requests: string[] = [];

before(async () => {
  server = createServer((request, response) => {
    const url = request.url ?? '';
    requests.push(url);
    const body = routes.get(url);
    if (body === undefined) {
      response.writeHead(404, 'Not Found').end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    if (url.startsWith('/drop/')) {
      response.write(body.subarray(0, body.length >> 1), () => response.destroy());
      return;
    }
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A localhost port nobody listens on: one the system just handed out and that was closed again. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Loads Fashion-MNIST with nothing found locally, so it must download from `path` on the test server. */
async function downloadFashion(cacheDir: string, path: string, extra: Parameters<typeof loadFashionMnist>[0] = {}) {
  return withEnv({}, () =>
    loadFashionMnist({
      systemDir: join(cacheDir, 'no-system-folder'),
      cacheDir,
      baseUrl: `${baseUrl}${path}`,
      checksums: sha256OfIdx(idx),
      ...extra,
    }),
  );
}

describe('downloading into the cache', () => {
  it('downloads all four files, verifies them and loads them from the cache', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      requests.length = 0;
      const lines: string[] = [];
      const loaded = await downloadFashion(dir, '/good/', { log: (line) => lines.push(line) });
      assert.equal(loaded.train.count, 20);
      assert.equal(loaded.test.count, 5);
      assert.deepEqual(loaded.location, { label: 'user cache', dir });
      assert.deepEqual(Array.from(loaded.train.labels.subarray(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
      assert.deepEqual(requests.sort(), Object.values(FILE_NAMES).map((name) => `/good/${name}`).sort());
      // Exactly the four files: no temporary files left over.
      assert.deepEqual((await readdir(dir)).sort(), Object.values(FILE_NAMES).sort());
      assert.deepEqual(new Uint8Array(await readFile(join(dir, FILE_NAMES.trainImages))), new Uint8Array(gz.trainImages));
      assert.equal(lines.length, 4);
      assert.equal(lines[0], `Fashion-MNIST: downloading ${baseUrl}/good/train-images-idx3-ubyte.gz to ${dir}`);

      // A second load finds the cache and does not download again.
      requests.length = 0;
      const again = await downloadFashion(dir, '/good/');
      assert.equal(again.train.count, 20);
      assert.deepEqual(requests, []);
    } finally {
      await remove();
    }
  });

  it('the SHA-256 of the decompressed data accepts the same data compressed differently', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      assert.notDeepEqual(regzipped.trainImages, gz.trainImages);
      const loaded = await downloadFashion(dir, '/regzipped');
      assert.equal(loaded.train.count, 20);
    } finally {
      await remove();
    }
  });

  it('downloads only the files a previous run did not save', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await writeFile(join(dir, FILE_NAMES.trainImages), gz.trainImages);
      await writeFile(join(dir, FILE_NAMES.testLabels), gz.testLabels);
      requests.length = 0;
      const loaded = await downloadFashion(dir, '/good/');
      assert.equal(loaded.train.count, 20);
      assert.deepEqual(requests.sort(), [`/good/${FILE_NAMES.testImages}`, `/good/${FILE_NAMES.trainLabels}`]);
    } finally {
      await remove();
    }
  });

  it('rejects a file whose checksum does not match, saves nothing under its name, and says why', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      const expected = sha256OfIdx(idx).trainImages.hex;
      const actual = createHash('sha256').update(tampered).digest('hex');
      await assert.rejects(downloadFashion(dir, '/tampered/'), (error: Error) => {
        assert.match(error.message, /^Fashion-MNIST not found\. Searched:\n/);
        assert.ok(
          error.message.includes(
            `Downloading failed: ${baseUrl}/tampered/train-images-idx3-ubyte.gz: checksum mismatch: ` +
              `expected SHA-256 of the decompressed IDX data ${expected}, got ${actual}`,
          ),
          error.message,
        );
        assert.match(error.message, /the file was not saved/);
        assert.match(error.message, /sudo apt-get install dataset-fashion-mnist/);
        return true;
      });
      // Files are fetched in order and the bad one comes first: nothing at all may be left, not even a temp file.
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await remove();
    }
  });

  it('a connection dropped mid-file leaves no file under the final name and no temporary file', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await assert.rejects(downloadFashion(dir, '/drop/'), (error: Error) => {
        assert.match(error.message, /Downloading failed: .*\/drop\/train-images-idx3-ubyte\.gz: download interrupted/);
        return true;
      });
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await remove();
    }
  });

  it('an HTTP error is reported with its status and the URL', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await assert.rejects(
        downloadFashion(dir, '/missing'),
        new RegExp(`Downloading failed: ${baseUrl}/missing/train-images-idx3-ubyte\\.gz: download failed: HTTP 404 Not Found`),
      );
    } finally {
      await remove();
    }
  });

  it('an unreachable server is reported with the reason', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      const port = await closedPort();
      await assert.rejects(
        downloadFashion(dir, '', { baseUrl: `http://127.0.0.1:${port}/` }),
        new RegExp(
          `Downloading failed: http://127\\.0\\.0\\.1:${port}/train-images-idx3-ubyte\\.gz: download failed: fetch failed: .*ECONNREFUSED`,
        ),
      );
      assert.deepEqual(await readdir(dir).catch(() => []), []);
    } finally {
      await remove();
    }
  });
});

describe('MNIST checksums (MD5 of the downloaded .gz, as torchvision publishes them)', () => {
  it('accepts files matching an MD5-of-download override', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      const loaded = await withEnv({}, () =>
        loadMnist({
          systemDir: join(dir, 'none'),
          cacheDir: dir,
          baseUrl: `${baseUrl}/good/`,
          checksums: md5OfDownload(gz),
        }),
      );
      assert.equal(loaded.train.count, 20);
      assert.equal(loaded.train.classes[3], '3');
    } finally {
      await remove();
    }
  });

  it('rejects a re-compressed file, since the MD5 covers the exact .gz bytes', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await assert.rejects(
        withEnv({}, () =>
          loadMnist({
            systemDir: join(dir, 'none'),
            cacheDir: dir,
            baseUrl: `${baseUrl}/regzipped/`,
            checksums: md5OfDownload(gz),
          }),
        ),
        /checksum mismatch: expected MD5 of the downloaded file/,
      );
    } finally {
      await remove();
    }
  });

  it('by default expects the official MNIST digests, so fixture files are refused', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      assert.deepEqual(MNIST.checksums.trainImages, {
        algorithm: 'md5',
        of: 'download',
        hex: 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
      });
      await assert.rejects(
        withEnv({}, () => loadMnist({ systemDir: join(dir, 'none'), cacheDir: dir, baseUrl: `${baseUrl}/good/` })),
        (error: Error) => {
          assert.match(error.message, /^MNIST not found\. Searched:/);
          assert.match(
            error.message,
            /checksum mismatch: expected MD5 of the downloaded file f68b3c2dcbeaaa9fbdd348bbdeb94873, got [0-9a-f]{32}/,
          );
          // No Debian package for MNIST: the first fix offered is the download itself.
          assert.match(error.message, /let the download run \(it needs access to https:\/\/ossci-datasets\.s3\.amazonaws\.com\/mnist\/\)/);
          return true;
        },
      );
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await remove();
    }
  });
});
