// Builds data/fashion-mnist-subset/, the real Fashion-MNIST subset shipped in the package so that
// `descent train` works offline right after install.
//
//   node --import tsx scripts/make-embedded-subset.ts [source-dir]
//
// source-dir defaults to /usr/share/datasets/fashion-mnist (sudo apt-get install dataset-fashion-mnist).
// The output is deterministic: the same source files always give byte-identical .gz files.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { verifyChecksum } from '../src/data/checksum.js';
import { IDX_FILE_ROLES, type IdxFileRole } from '../src/data/dataset-spec.js';
import { embeddedFashionMnistDir } from '../src/data/embedded.js';
import { gunzipIfNeeded } from '../src/data/idx-file.js';
import { encodeIdx, parseIdx, type IdxArray } from '../src/data/idx.js';
import { classCounts, imageSetFromIdx, selectImages, type ImageSet } from '../src/data/image-set.js';
import { FASHION_MNIST } from '../src/data/mnist.js';

/** Training images kept per class: the first ones in the official order. */
const TRAIN_PER_CLASS = 1000;
/** Test images kept: the first ones in the official order (the test set is already class-balanced overall). */
const TEST_COUNT = 2000;

async function main(): Promise<void> {
  const sourceDir = process.argv[2] ?? FASHION_MNIST.systemDir;
  const outDir = embeddedFashionMnistDir();
  const { train, test } = await readVerifiedFashionMnist(sourceDir);

  const trainSubset = selectImages(train, firstPerClass(train, TRAIN_PER_CLASS));
  const testSubset = selectImages(
    test,
    Array.from({ length: TEST_COUNT }, (_, i) => i),
  );

  await mkdir(outDir, { recursive: true });
  await writeImageSet(outDir, 'trainImages', 'trainLabels', trainSubset);
  await writeImageSet(outDir, 'testImages', 'testLabels', testSubset);

  console.log(`wrote ${outDir}`);
  for (const role of IDX_FILE_ROLES) {
    const path = join(outDir, `${FASHION_MNIST.files[role]}.gz`);
    console.log(`  ${FASHION_MNIST.files[role]}.gz  ${(await stat(path)).size} bytes`);
  }
  console.log(`  train: ${trainSubset.count} images, per class ${classCounts(trainSubset).join(' ')}`);
  console.log(`  test:  ${testSubset.count} images, per class ${classCounts(testSubset).join(' ')}`);
}

/** Reads the four official files, refusing any whose decompressed data is not the official data. */
async function readVerifiedFashionMnist(sourceDir: string): Promise<{ train: ImageSet; test: ImageSet }> {
  const parsed = {} as Record<IdxFileRole, IdxArray>;
  for (const role of IDX_FILE_ROLES) {
    const path = join(sourceDir, `${FASHION_MNIST.files[role]}.gz`);
    const bytes = await readFile(path);
    verifyChecksum(bytes, FASHION_MNIST.checksums[role], path);
    parsed[role] = parseIdx(gunzipIfNeeded(bytes, path), path);
  }
  const file = (role: IdxFileRole): string => join(sourceDir, `${FASHION_MNIST.files[role]}.gz`);
  const train = imageSetFromIdx(
    {
      images: parsed.trainImages,
      imagesFile: file('trainImages'),
      labels: parsed.trainLabels,
      labelsFile: file('trainLabels'),
    },
    FASHION_MNIST.classes,
  );
  const test = imageSetFromIdx(
    {
      images: parsed.testImages,
      imagesFile: file('testImages'),
      labels: parsed.testLabels,
      labelsFile: file('testLabels'),
    },
    FASHION_MNIST.classes,
  );
  return { train, test };
}

/** Indices of the first `perClass` images of every class, in the set's original order. */
function firstPerClass(set: ImageSet, perClass: number): number[] {
  const taken = new Array<number>(set.classes.length).fill(0);
  const indices: number[] = [];
  for (let i = 0; i < set.count; i++) {
    const label = set.labels[i]!;
    if (taken[label]! < perClass) {
      taken[label]!++;
      indices.push(i);
    }
  }
  return indices;
}

async function writeImageSet(
  outDir: string,
  imagesRole: IdxFileRole,
  labelsRole: IdxFileRole,
  set: ImageSet,
): Promise<void> {
  const images = encodeIdx({ dtype: 'uint8', shape: [set.count, set.rows, set.cols], data: set.images });
  const labels = encodeIdx({ dtype: 'uint8', shape: [set.count], data: set.labels });
  // Level 9: the files ship in every install, so a few seconds of compression here are worth it.
  await writeFile(join(outDir, `${FASHION_MNIST.files[imagesRole]}.gz`), gzipSync(images, { level: 9 }));
  await writeFile(join(outDir, `${FASHION_MNIST.files[labelsRole]}.gz`), gzipSync(labels, { level: 9 }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
