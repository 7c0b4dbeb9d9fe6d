/**
 * `descent predict <image> --checkpoint DIR`: classifies one PNG or JPEG file with a trained model and
 * prints the top-k classes with their probabilities. The image is decoded, converted to the model's
 * channels (greyscale for Fashion-MNIST models), resized to its input size, and scaled to [0, 1] as
 * the training images were. Fashion-MNIST shows light garments on black; a photo of a dark garment on
 * white needs --invert (the command says so when the border is light).
 */
import { readFileSync } from 'node:fs';

import { decodeImage } from '../../data/decode.js';
import { resizeBilinear, type Image } from '../../data/transforms/image.js';
import { fromTypedArray } from '../../tensor/creation.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { predict } from '../../train/trainer.js';
import { UsageError, type CommandSpec, type ParsedOptions } from '../args.js';
import type { CliIo } from '../io.js';
import { CHECKPOINT_OPTIONS, loadTrainedModel, modelImageShape, pct } from '../run-setup.js';
import { DATASET_NAMES } from '../../data/datasets.js';

export const predictCommand: CommandSpec = {
  name: 'predict',
  summary:
    'Classify an image (PNG or JPEG) with a trained model: the most likely classes and their probabilities.',
  positional: { option: 'image', metavar: 'IMAGE' },
  options: [
    { name: 'image', kind: 'string', metavar: 'PATH', description: 'The image to classify (or give it as the first argument)' },
    ...CHECKPOINT_OPTIONS,
    { name: 'top', kind: 'integer', min: 1, default: 3, description: 'How many classes to list' },
    { name: 'invert', kind: 'boolean', default: false, description: 'Invert the image (1 - value): for dark objects on a light background' },
    { name: 'dataset', kind: 'string', choices: DATASET_NAMES, default: 'fashion-mnist-subset', description: "The dataset the model learned, for the class names (default: the training run's, when its checkpoint directory says)" },
  ], // prettier-ignore
  epilog: [
    'Examples:',
    '  descent predict shoe.png --checkpoint runs/cnn/best',
    '  descent predict photo.jpg --checkpoint runs/cnn --top 5 --invert',
  ].join('\n'),
};

/** An image prepared for a model: the picture itself and the model's input [1, C·H·W]. */
export interface ModelInput {
  image: Image;
  input: Tensor;
  /** The mean of the image's border pixels, in [0, 1]: above one half suggests a light background. */
  borderMean: number;
}

/**
 * Resizes an image: area averaging when shrinking (each output pixel the mean of the input area it
 * covers, so a photo does not alias into noise at 28x28), bilinear when enlarging.
 */
export function resizeImage(image: Image, height: number, width: number): Image {
  if (image.height === height && image.width === width) return image;
  if (image.height < height || image.width < width) return resizeBilinear(image, height, width);
  const { channels, height: H, width: W, data } = image;
  const out = new Float32Array(channels * height * width);
  const sy = H / height;
  const sx = W / width;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const y0 = y * sy;
      const y1 = y0 + sy;
      for (let x = 0; x < width; x++) {
        const x0 = x * sx;
        const x1 = x0 + sx;
        let sum = 0;
        for (let j = Math.floor(y0); j < Math.min(H, Math.ceil(y1)); j++) {
          const wy = Math.min(j + 1, y1) - Math.max(j, y0);
          for (let i = Math.floor(x0); i < Math.min(W, Math.ceil(x1)); i++) {
            const wx = Math.min(i + 1, x1) - Math.max(i, x0);
            sum += data[(c * H + j) * W + i]! * wx * wy;
          }
        }
        out[(c * height + y) * width + x] = sum / (sx * sy);
      }
    }
  }
  return { data: out, channels, height, width };
}

/** The mean of an image's outermost pixels over all channels. */
function borderMean(image: Image): number {
  const { channels, height: h, width: w, data } = image;
  let sum = 0;
  let n = 0;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (y !== 0 && y !== h - 1 && x !== 0 && x !== w - 1) continue;
        sum += data[(c * h + y) * w + x]!;
        n++;
      }
    }
  }
  return n === 0 ? 0 : sum / n;
}

/** Turns an image into the model's input: channels, size, optional inversion, flattened to [1, C·H·W]. */
export function prepareImage(
  image: Image,
  shape: readonly [number, number, number],
  options: { invert?: boolean; dtype?: DType } = {},
): ModelInput {
  const [channels, height, width] = shape;
  if (image.channels !== channels) {
    throw new Error(`the model takes ${channels}-channel images, the image has ${image.channels}`);
  }
  let prepared = resizeImage(image, height, width);
  if (options.invert) prepared = { ...prepared, data: prepared.data.map((v) => 1 - v) };
  const input = fromTypedArray(prepared.data.slice(), [1, channels * height * width]);
  return {
    image: prepared,
    input: options.dtype && options.dtype !== 'float32' ? input.to(options.dtype) : input,
    borderMean: borderMean(prepared),
  };
}

/** Reads and decodes an image file for a model of input `shape`; errors name the file. */
export function loadImageFile(
  path: string,
  shape: readonly [number, number, number],
  options: { invert?: boolean; dtype?: DType } = {},
): ModelInput {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `${path}: cannot read the image (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? (error as Error).message)})`,
    );
  }
  const image = decodeImage(bytes, path, { grayscale: shape[0] === 1 });
  if (shape[0] !== 1 && shape[0] !== 3) {
    throw new Error(
      `the model takes ${shape[0]}-channel images; only 1 (greyscale) and 3 (RGB) can be read from files`,
    );
  }
  return prepareImage(image, shape, options);
}

/** The classes sorted by probability, highest first (ties by class index). */
export function rankClasses(probabilities: ArrayLike<number>): number[] {
  return Array.from({ length: probabilities.length }, (_, i) => i).sort(
    (a, b) => probabilities[b]! - probabilities[a]! || a - b,
  );
}

export async function runPredict(options: ParsedOptions, io: CliIo): Promise<number> {
  const path = options.image as string | undefined;
  if (path === undefined) {
    throw new UsageError(
      'descent predict: give the image to classify, e.g. descent predict shoe.png --checkpoint DIR',
    );
  }
  const trained = loadTrainedModel(options, 'predict');
  const shape = modelImageShape(trained.spec);
  const { input, borderMean } = loadImageFile(path, shape, {
    invert: options.invert as boolean,
    dtype: trained.dtype,
  });
  const probabilities = predict(trained.model, input).probabilities.toTypedArray();
  const ranked = rankClasses(probabilities);
  const top = Math.min(options.top as number, ranked.length);
  const width = Math.max(...ranked.slice(0, top).map((k) => trained.classNames[k]!.length));
  io.out(`${path}: ${trained.classNames[ranked[0]!]} (${pct(probabilities[ranked[0]!]!)})`);
  ranked.slice(0, top).forEach((k, i) => {
    io.out(
      `  ${String(i + 1).padStart(2)}. ${trained.classNames[k]!.padEnd(width)}  ${pct(probabilities[k]!).padStart(7)}`,
    );
  });
  io.out(
    `model: ${trained.description}, ${trained.weightsFile}${trained.step !== null ? ` (step ${trained.step})` : ''}`,
  );
  if (!options.invert && borderMean > 0.5) {
    io.err(
      `note: the image's border is light (mean ${borderMean.toFixed(2)}); the model learned light objects on black, so try --invert`,
    );
  }
  return 0;
}
