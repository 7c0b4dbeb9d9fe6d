// Small MNIST-style datasets written to temporary folders, for the loader and download tests.
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import type { FileChecksum } from '../../src/data/checksum.js';
import { FASHION_MNIST } from '../../src/data/mnist.js';
import type { IdxFileRole } from '../../src/data/dataset-spec.js';
import { encodeIdx } from '../../src/data/idx.js';

/** The uncompressed IDX bytes of a tiny dataset whose pixel values encode (image index, pixel index). */
export function tinyDatasetIdx(trainCount: number, testCount: number): Record<IdxFileRole, Uint8Array> {
  const images = (count: number, salt: number): Uint8Array => {
    const data = new Uint8Array(count * 28 * 28);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + salt) % 256;
    return encodeIdx({ dtype: 'uint8', shape: [count, 28, 28], data });
  };
  const labels = (count: number): Uint8Array =>
    encodeIdx({ dtype: 'uint8', shape: [count], data: Uint8Array.from({ length: count }, (_, i) => i % 10) });
  return {
    trainImages: images(trainCount, 1),
    trainLabels: labels(trainCount),
    testImages: images(testCount, 2),
    testLabels: labels(testCount),
  };
}

/** The same files gzipped, as a mirror would serve them. */
export function gzipAll(files: Record<IdxFileRole, Uint8Array>): Record<IdxFileRole, Uint8Array> {
  return {
    trainImages: gzipSync(files.trainImages),
    trainLabels: gzipSync(files.trainLabels),
    testImages: gzipSync(files.testImages),
    testLabels: gzipSync(files.testLabels),
  };
}

/** Writes a tiny dataset into `dir` with the official file names (`.gz`, unless `raw`). */
export async function writeTinyDataset(
  dir: string,
  trainCount: number,
  testCount: number,
  { raw = false } = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files = tinyDatasetIdx(trainCount, testCount);
  const contents = raw ? files : gzipAll(files);
  for (const role of Object.keys(files) as IdxFileRole[]) {
    const name = FASHION_MNIST.files[role] + (raw ? '' : '.gz');
    await writeFile(join(dir, name), contents[role]);
  }
}

export function sha256OfIdx(files: Record<IdxFileRole, Uint8Array>): Record<IdxFileRole, FileChecksum> {
  return mapRoles(files, (bytes) => ({
    algorithm: 'sha256',
    of: 'idx',
    hex: createHash('sha256').update(bytes).digest('hex'),
  }));
}

export function md5OfDownload(files: Record<IdxFileRole, Uint8Array>): Record<IdxFileRole, FileChecksum> {
  return mapRoles(files, (bytes) => ({
    algorithm: 'md5',
    of: 'download',
    hex: createHash('md5').update(bytes).digest('hex'),
  }));
}

function mapRoles<T>(
  files: Record<IdxFileRole, Uint8Array>,
  f: (bytes: Uint8Array) => T,
): Record<IdxFileRole, T> {
  return {
    trainImages: f(files.trainImages),
    trainLabels: f(files.trainLabels),
    testImages: f(files.testImages),
    testLabels: f(files.testLabels),
  };
}

/** A fresh temporary folder, and a function that removes it. */
export async function temporaryDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'descent-data-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `body` with DESCENT_DATA_DIR and XDG_CACHE_HOME set as given (undefined: unset), then restores them. */
export async function withEnv<T>(
  values: { DESCENT_DATA_DIR?: string; XDG_CACHE_HOME?: string },
  body: () => Promise<T>,
): Promise<T> {
  const names = ['DESCENT_DATA_DIR', 'XDG_CACHE_HOME'] as const;
  const saved = names.map((name) => process.env[name]);
  for (const name of names) {
    if (values[name] === undefined) delete process.env[name];
    else process.env[name] = values[name];
  }
  try {
    return await body();
  } finally {
    names.forEach((name, i) => {
      if (saved[i] === undefined) delete process.env[name];
      else process.env[name] = saved[i];
    });
  }
}
