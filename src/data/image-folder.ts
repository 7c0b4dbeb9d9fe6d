// A folder of images, one sub-folder per class, as a dataset (torchvision's ImageFolder). Node only.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';

import { checkIndex, type Dataset, type ImageSample } from './dataset.js';
import { decodeImage } from './decode.js';
import { cloneImage, resizeBilinear, type Image } from './transforms/image.js';

export interface ImageFolderOptions {
  /** Decode to one channel (luma) instead of RGB (default false). */
  grayscale?: boolean;
  /** Resize every image to [height, width] with bilinear interpolation (default: keep sizes, which must then agree). */
  size?: readonly [number, number];
  /** File extensions to load, case-insensitive (default ['.png', '.jpg', '.jpeg']); other files are skipped. */
  extensions?: readonly string[];
  /** Refuse images with more pixels than this (default 2^26). */
  maxPixels?: number;
}

/** Where a sample came from. */
export interface ImageFolderEntry {
  path: string;
  label: number;
}

/**
 * Labelled images loaded from `root/<class>/.../<image>`. Classes are the sub-folders' names in
 * sorted order, so label `i` is `classes[i]`. Images are decoded when the dataset is loaded, so a
 * corrupt file is reported then (with its path), not halfway through training.
 */
export class ImageFolderDataset implements Dataset<ImageSample> {
  constructor(
    readonly root: string,
    readonly classes: string[],
    readonly entries: ImageFolderEntry[],
    private readonly images: Image[],
  ) {}

  get length(): number {
    return this.entries.length;
  }

  /** Sample `index`: a copy of its image, so callers may change it freely. */
  get(index: number): ImageSample {
    checkIndex(index, this.entries.length, 'ImageFolderDataset.get');
    return { image: cloneImage(this.images[index]!), label: this.entries[index]!.label };
  }
}

/**
 * Loads an image-classification folder: each sub-folder of `root` is a class, and every PNG or JPEG
 * file below it (searched recursively, in sorted order; hidden files skipped) is a sample of that
 * class. torchvision: `datasets.ImageFolder(root)`, with `Grayscale()` and `Resize(size)` folded in.
 *
 * @example
 * // flowers/daisy/001.jpg, flowers/rose/002.png, ...
 * const flowers = await loadImageFolder('flowers', { size: [64, 64] });
 * flowers.classes; // ['daisy', 'rose', ...]
 */
export async function loadImageFolder(root: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const { grayscale = false, size, maxPixels } = options;
  const extensions = (options.extensions ?? ['.png', '.jpg', '.jpeg']).map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase());
  if (size !== undefined && (size.length !== 2 || !size.every((s) => Number.isInteger(s) && s > 0))) {
    throw new RangeError(`loadImageFolder: size must be [height, width], two positive integers, got [${size.join(', ')}]`);
  }
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`${root}: not a directory (expected one sub-folder per class)`);
  const classes = (await readdir(root, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  if (classes.length === 0) throw new Error(`${root}: no class folders found (expected ${join(root, '<class>', '<image>')})`);

  const entries: ImageFolderEntry[] = [];
  for (const [label, name] of classes.entries()) {
    for (const path of await listFiles(join(root, name))) {
      if (extensions.includes(extname(path).toLowerCase())) entries.push({ path, label });
    }
  }
  if (entries.length === 0) {
    throw new Error(`${root}: no images with extensions ${extensions.join(', ')} in the class folders ${classes.join(', ')}`);
  }

  const images: Image[] = [];
  for (const entry of entries) {
    const bytes = await readFile(entry.path);
    let image = decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), entry.path, {
      grayscale,
      ...(maxPixels === undefined ? {} : { maxPixels }),
    });
    if (size !== undefined) {
      if (image.height !== size[0] || image.width !== size[1]) image = resizeBilinear(image, size[0], size[1]);
    } else if (images.length > 0 && (image.height !== images[0]!.height || image.width !== images[0]!.width)) {
      throw new Error(
        `${entry.path}: the image is ${image.width}x${image.height}, but ${relative(root, entries[0]!.path)} is ` +
          `${images[0]!.width}x${images[0]!.height}; pass size: [height, width] to resize them all`,
      );
    }
    images.push(image);
  }
  return new ImageFolderDataset(root, classes, entries, images);
}

/** Every non-hidden file below `dir`, depth first, each folder's entries in sorted order. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
