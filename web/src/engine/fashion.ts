/**
 * The embedded Fashion-MNIST subset (data/fashion-mnist-subset: 10,000 training and 2,000 test
 * images) in the browser: the build ships its gzipped IDX files beside the app (web/vite.config.ts),
 * the worker fetches and unzips them with the platform's DecompressionStream, and Descent's own IDX
 * parser reads them. Free of the DOM and of Node, so Node's tests run it on the files themselves.
 */
import { FASHION_MNIST_CLASSES, imageSetFromIdx, parseIdx, type ImageSet } from '../../../src/browser.js';

/** Class names by label: the library's list. */
export const FASHION_CLASSES = FASHION_MNIST_CLASSES;

/** The image datasets the Train view offers, beside the 2-D toy sets. */
export const IMAGE_DATASETS = ['fashion-mnist'] as const;
export type ImageDatasetName = (typeof IMAGE_DATASETS)[number];

/** The subset's files, relative to the app (where the build puts them). */
export const SUBSET_PATH = 'data/fashion-mnist-subset/';
export const SUBSET_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

export interface FashionSubset {
  /** 10,000 training images, 1,000 per class. */
  train: ImageSet;
  /** The first 2,000 test images of Fashion-MNIST. */
  test: ImageSet;
}

/** The bytes of a gzip stream, decompressed (bytes without the gzip magic are returned as they are). */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The subset from the four files' (gzipped) bytes. */
export async function parseSubset(
  files: Record<keyof typeof SUBSET_FILES, Uint8Array>,
): Promise<FashionSubset> {
  const idx = async (key: keyof typeof SUBSET_FILES) => parseIdx(await gunzip(files[key]), SUBSET_FILES[key]);
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    (['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const).map(idx),
  );
  const set = (images: typeof trainImages, labels: typeof trainLabels, role: 'train' | 'test') =>
    imageSetFromIdx(
      {
        images: images!,
        labels: labels!,
        imagesFile: SUBSET_FILES[`${role}Images`],
        labelsFile: SUBSET_FILES[`${role}Labels`],
      },
      FASHION_CLASSES,
    );
  return { train: set(trainImages, trainLabels, 'train'), test: set(testImages, testLabels, 'test') };
}

/** Fetches the subset from `baseUrl` (the folder holding the four files). */
export async function fetchSubset(baseUrl: string): Promise<FashionSubset> {
  const get = async (name: string): Promise<Uint8Array> => {
    const url = new URL(name, baseUrl).href;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const keys = Object.keys(SUBSET_FILES) as (keyof typeof SUBSET_FILES)[];
  const bytes = await Promise.all(keys.map((key) => get(SUBSET_FILES[key])));
  return parseSubset(
    Object.fromEntries(keys.map((key, i) => [key, bytes[i]!])) as Record<
      keyof typeof SUBSET_FILES,
      Uint8Array
    >,
  );
}
