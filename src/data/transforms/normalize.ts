// Turning pixels into network inputs: bytes to floats, scaling, per-channel normalisation, and the
// dataset statistics that normalisation needs.
import type { Dataset, ImageSample } from '../dataset.js';
import type { Image } from './image.js';
import type { Transform } from './transform.js';

/**
 * Per channel, `out = (x - mean[c]) / std[c]`. A single number applies to every channel.
 * torchvision: `transforms.Normalize(mean, std)`. Put it last in a {@link Compose}: the photometric
 * transforms and their clamping assume pixels in [0, 1].
 *
 * @example
 * new Normalize([0.2860], [0.3530]); // Fashion-MNIST's training-set statistics
 */
export class Normalize implements Transform {
  readonly mean: readonly number[];
  readonly std: readonly number[];

  constructor(mean: number | readonly number[], std: number | readonly number[]) {
    this.mean = typeof mean === 'number' ? [mean] : [...mean];
    this.std = typeof std === 'number' ? [std] : [...std];
    if (this.mean.length === 0 || this.mean.length !== this.std.length) {
      throw new RangeError(
        `Normalize: mean and std need the same number of channels (at least one), got ${this.mean.length} and ${this.std.length}`,
      );
    }
    if (!this.mean.every(Number.isFinite)) throw new RangeError(`Normalize: mean must be finite, got [${this.mean.join(', ')}]`);
    if (!this.std.every((s) => s > 0 && Number.isFinite(s))) {
      throw new RangeError(`Normalize: every std must be positive, got [${this.std.join(', ')}]`);
    }
  }

  apply(image: Image): Image {
    const n = this.mean.length;
    if (n !== 1 && n !== image.channels) {
      throw new RangeError(`Normalize: has ${n} channel statistics but the image has ${image.channels} channels`);
    }
    const plane = image.height * image.width;
    const data = new Float32Array(image.data.length);
    for (let c = 0; c < image.channels; c++) {
      const mean = this.mean[n === 1 ? 0 : c]!;
      const scale = 1 / this.std[n === 1 ? 0 : c]!;
      for (let i = c * plane; i < (c + 1) * plane; i++) data[i] = (image.data[i]! - mean) * scale;
    }
    return { ...image, data };
  }

  toString(): string {
    return `Normalize(mean [${this.mean.join(', ')}], std [${this.std.join(', ')}])`;
  }
}

/** Multiplies every pixel by `factor`: `new Scale(1 / 255)` turns 0-255 floats into [0, 1]. */
export class Scale implements Transform {
  constructor(readonly factor: number) {
    if (!Number.isFinite(factor)) throw new RangeError(`Scale: factor must be finite, got ${factor}`);
  }

  apply(image: Image): Image {
    const data = new Float32Array(image.data.length);
    for (let i = 0; i < data.length; i++) data[i] = image.data[i]! * this.factor;
    return { ...image, data };
  }

  toString(): string {
    return `Scale(${this.factor})`;
  }
}

/** Pixel byte -> float in [0, 1], as float32 of the exact quotient (equals PyTorch's `uint8.float() / 255`). */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, value) => value / 255);

export interface ToFloatOptions {
  /** 'chw' (planar, like a tensor) or 'hwc' (interleaved, like decoded files and canvases). Default 'chw'. */
  layout?: 'chw' | 'hwc';
  /** Multiply each byte by this (default 1 / 255, giving [0, 1]). */
  scale?: number;
}

/**
 * Bytes to a float {@link Image} in [C, H, W] order, scaled to [0, 1] by default.
 * torchvision: `transforms.ToTensor()` (which also moves HWC to CHW) or `v2.ToDtype(float32, scale=True)`.
 *
 * @example
 * const image = toFloat(decoded.data, 3, decoded.height, decoded.width, { layout: 'hwc' });
 */
export function toFloat(
  bytes: Uint8Array,
  channels: number,
  height: number,
  width: number,
  options: ToFloatOptions = {},
): Image {
  const { layout = 'chw', scale } = options;
  const plane = height * width;
  if (bytes.length !== channels * plane) {
    throw new RangeError(`toFloat: [${channels}, ${height}, ${width}] needs ${channels * plane} bytes, got ${bytes.length}`);
  }
  const table = scale === undefined ? BYTE_TO_UNIT : Float32Array.from({ length: 256 }, (_, v) => v * scale);
  const data = new Float32Array(bytes.length);
  if (layout === 'chw') {
    for (let i = 0; i < bytes.length; i++) data[i] = table[bytes[i]!]!;
  } else {
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++) data[c * plane + p] = table[bytes[p * channels + c]!]!;
    }
  }
  return { data, channels, height, width };
}

/** Per-channel statistics of a dataset's pixels. */
export interface ChannelStats {
  mean: number[];
  /** Population standard deviation over every pixel of every image (what normalisation constants use). */
  std: number[];
  /** Pixels seen per channel. */
  pixels: number;
}

/**
 * The mean and standard deviation of each channel over every pixel of every image in `dataset`, for
 * {@link Normalize}. Accumulates in float64 and merges per-image moments (Chan et al.), so large
 * datasets lose no precision. Compute it on the training split only.
 *
 * @example
 * const { mean, std } = channelStats(new ImageSetDataset(train)); // Fashion-MNIST: ~0.286, ~0.353
 */
export function channelStats(dataset: Dataset<ImageSample>): ChannelStats {
  if (dataset.length === 0) throw new RangeError('channelStats: the dataset is empty');
  let channels = -1;
  let count = 0;
  let mean: Float64Array = new Float64Array(0);
  let m2: Float64Array = new Float64Array(0);
  for (let i = 0; i < dataset.length; i++) {
    const { image } = dataset.get(i);
    if (channels < 0) {
      channels = image.channels;
      mean = new Float64Array(channels);
      m2 = new Float64Array(channels);
    } else if (image.channels !== channels) {
      throw new RangeError(`channelStats: sample ${i} has ${image.channels} channels, sample 0 has ${channels}`);
    }
    const n = image.height * image.width;
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let p = c * n; p < (c + 1) * n; p++) sum += image.data[p]!;
      const imageMean = sum / n;
      let squares = 0;
      for (let p = c * n; p < (c + 1) * n; p++) squares += (image.data[p]! - imageMean) ** 2;
      const total = count + n;
      const delta = imageMean - mean[c]!;
      mean[c] = mean[c]! + (delta * n) / total;
      m2[c] = m2[c]! + squares + (delta * delta * count * n) / total;
    }
    count += n;
  }
  return { mean: Array.from(mean), std: Array.from(m2, (m) => Math.sqrt(m / count)), pixels: count };
}
