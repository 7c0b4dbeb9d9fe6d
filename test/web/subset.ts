// The embedded Fashion-MNIST subset read in Node exactly as the playground's worker reads it: the
// gzipped IDX files of data/fashion-mnist-subset through web/src/engine/fashion.ts's parseSubset.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedFashionMnistDir } from '../../src/data/embedded.js';
import { SUBSET_FILES, parseSubset, type FashionSubset } from '../../web/src/engine/fashion.js';

let loaded: Promise<FashionSubset> | undefined;

/** The subset (read once per process). */
export function loadSubsetAsTheBrowserDoes(): Promise<FashionSubset> {
  const dir = embeddedFashionMnistDir();
  const bytes = (key: keyof typeof SUBSET_FILES) =>
    new Uint8Array(readFileSync(join(dir, SUBSET_FILES[key])));
  loaded ??= parseSubset({
    trainImages: bytes('trainImages'),
    trainLabels: bytes('trainLabels'),
    testImages: bytes('testImages'),
    testLabels: bytes('testLabels'),
  });
  return loaded;
}
