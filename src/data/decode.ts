// Decoding PNG and JPEG files into float images, with the file name in every error and bounds that
// keep hostile or corrupt files from exhausting memory or time. PNG is decoded by fast-png, JPEG by
// jpeg-js: both pure JavaScript, so this file also works in browsers.
import { convertIndexedToRgb, decode as decodePngFile, type DecodedPng } from 'fast-png';
import jpeg from 'jpeg-js';

import { crc32 } from '../report/png.js';
import type { Image } from './transforms/image.js';

/** The image formats {@link decodeImage} reads. */
export type ImageFormat = 'png' | 'jpeg';

export interface DecodeOptions {
  /** One channel (luma) instead of three (default false: RGB, greyscale files replicated). */
  grayscale?: boolean;
  /** Refuse images with more pixels than this (default 2^26, about 67 megapixels). */
  maxPixels?: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DEFAULT_MAX_PIXELS = 2 ** 26;
/** Samples a pixel for each PNG colour type (0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA). */
const CHANNELS_OF_COLOUR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Deflate's largest expansion is 258 bytes from about 2 bits (~1032x); 1100 leaves a margin. */
const MAX_DEFLATE_RATIO = 1100;

/** The format of an image file from its first bytes, or undefined when it is neither PNG nor JPEG. */
export function imageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/**
 * Decodes a PNG or JPEG file (recognised by its signature, not its name) into an {@link Image} of
 * floats in [0, 1], [3, H, W] or with `grayscale` [1, H, W]. Alpha is dropped (as PIL's
 * `convert('RGB')`); greyscale uses ITU-R 601 luma, `(299 R + 587 G + 114 B) / 1000` (as PIL's
 * `convert('L')`, without its rounding to bytes); 16-bit PNG keeps its precision.
 *
 * Every failure is an Error whose message starts with `source`: unknown formats, truncated files,
 * bad checksums, broken compressed data, images over `maxPixels`. The pixel bound is checked from
 * the header before anything large is allocated, and both decoders work in time linear in the
 * file and image size, so a corrupt file cannot hang or exhaust memory.
 *
 * @example
 * const image = decodeImage(readFileSync('cat.jpg'), 'cat.jpg', { grayscale: true });
 */
export function decodeImage(bytes: Uint8Array, source: string, options: DecodeOptions = {}): Image {
  const { grayscale = false, maxPixels = DEFAULT_MAX_PIXELS } = options;
  const format = imageFormat(bytes);
  if (format === undefined) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(
      `${source}: not a PNG or JPEG file (it starts with ${bytes.length === 0 ? 'nothing: the file is empty' : `bytes ${head}`})`,
    );
  }
  try {
    return format === 'png' ? decodePng(bytes, source, grayscale, maxPixels) : decodeJpeg(bytes, source, grayscale, maxPixels);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(`${source}: `)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${source}: corrupt ${format === 'png' ? 'PNG' : 'JPEG'} file: ${message.replace(/:$/, '')}`, {
      cause: error,
    });
  }
}

function decodePng(bytes: Uint8Array, source: string, grayscale: boolean, maxPixels: number): Image {
  const { width, height } = checkPngStructure(bytes, source);
  checkPixels(width, height, maxPixels, source);
  const png = decodePngFile(bytes, { checkCrc: true });
  if (png.width !== width || png.height !== height) throw new Error(`${source}: corrupt PNG file: inconsistent size`);
  const { data, channels, maxValue } = pngSamples(png, source);
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new Error(`${source}: corrupt PNG file: decoded ${data.length} samples, expected ${expected}`);
  }
  return toImage(data, channels, width, height, maxValue, grayscale);
}

/**
 * Walks the chunk list before decoding: signature, IHDR first with a plausible size, every chunk
 * inside the file with a matching CRC, an IDAT, and IEND last. This turns truncation into a clear
 * message and bounds the image size before fast-png allocates anything.
 */
function checkPngStructure(bytes: Uint8Array, source: string): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  let dataBytes = 0;
  let minRawBytes = 0;
  for (let index = 0; ; index++) {
    if (at + 12 > bytes.length) {
      throw new Error(
        `${source}: truncated PNG file: it ends at byte ${bytes.length} ${index === 0 ? 'right after the signature' : 'before the IEND chunk'}`,
      );
    }
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) {
      throw new Error(`${source}: corrupt PNG file: chunk ${index} at byte ${at} has an invalid type ${JSON.stringify(type)}`);
    }
    if (length > bytes.length - at - 12) {
      throw new Error(
        `${source}: truncated PNG file: chunk ${type} at byte ${at} announces ${length} bytes of data, ` +
          `but only ${Math.max(0, bytes.length - at - 12)} remain`,
      );
    }
    const crc = view.getUint32(at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== crc) {
      throw new Error(`${source}: corrupt PNG file: chunk ${type} at byte ${at} fails its CRC check`);
    }
    if (index === 0) {
      if (type !== 'IHDR' || length !== 13) {
        throw new Error(`${source}: corrupt PNG file: the first chunk must be a 13-byte IHDR, found ${type} of ${length} bytes`);
      }
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      if (width === 0 || height === 0) throw new Error(`${source}: corrupt PNG file: the image is ${width}x${height}`);
      const samples = CHANNELS_OF_COLOUR_TYPE[bytes[at + 17]!] ?? 1;
      minRawBytes = height * Math.ceil((width * samples * bytes[at + 16]!) / 8);
    } else if (type === 'IDAT') {
      dataBytes += length;
    } else if (type === 'IEND') {
      if (dataBytes === 0) throw new Error(`${source}: corrupt PNG file: no IDAT chunk (no image data)`);
      // Deflate expands at most ~1032-fold, so a tiny IDAT cannot hold a huge image: refusing it here
      // saves allocating and unfiltering the whole announced size for a file that must fail.
      if (dataBytes * MAX_DEFLATE_RATIO < minRawBytes) {
        throw new Error(
          `${source}: corrupt PNG file: ${dataBytes} bytes of compressed data cannot hold a ${width}x${height} image`,
        );
      }
      return { width, height };
    }
    at += 12 + length;
  }
}

function pngSamples(
  png: DecodedPng,
  source: string,
): { data: Uint8Array | Uint8ClampedArray | Uint16Array; channels: number; maxValue: number } {
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    return { data: rgb, channels: png.palette[0]?.length ?? 3, maxValue: 255 };
  }
  const { depth, channels } = png;
  if (depth === 8 || depth === 16) return { data: png.data, channels, maxValue: depth === 8 ? 255 : 65535 };
  if (channels !== 1) throw new Error(`${source}: corrupt PNG file: bit depth ${depth} with ${channels} channels`);
  // Greyscale with 1, 2 or 4 bits a pixel: rows are packed and padded to whole bytes.
  const out = new Uint8Array(png.width * png.height);
  const rowBytes = Math.ceil((png.width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const bit = x * depth;
      const byte = png.data[y * rowBytes + (bit >> 3)] ?? 0;
      out[y * png.width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return { data: out, channels: 1, maxValue: mask };
}

function decodeJpeg(bytes: Uint8Array, source: string, grayscale: boolean, maxPixels: number): Image {
  // Entropy-coded data never holds FF D9 (a data FF is stuffed as FF 00), so a file without an
  // end-of-image marker is truncated; jpeg-js would otherwise return the missing part as grey.
  let end = -1;
  for (let i = bytes.length - 2; i >= 2; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${source}: truncated JPEG file: no end-of-image marker (FF D9)`);
  const decoded = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    tolerantDecoding: true,
    maxResolutionInMP: maxPixels / 1e6,
    maxMemoryUsageInMB: Math.max(64, Math.ceil((maxPixels * 16) / 2 ** 20)),
  });
  const { width, height, data } = decoded;
  if (!(width > 0 && height > 0)) throw new Error(`${source}: corrupt JPEG file: the image is ${width}x${height}`);
  checkPixels(width, height, maxPixels, source);
  if (data.length !== width * height * 3) throw new Error(`${source}: corrupt JPEG file: wrong amount of pixel data`);
  return toImage(data, 3, width, height, 255, grayscale);
}

function checkPixels(width: number, height: number, maxPixels: number, source: string): void {
  if (width * height > maxPixels) {
    throw new Error(
      `${source}: the image is ${width}x${height} = ${width * height} pixels, above the limit of ${maxPixels} ` +
        `(raise maxPixels if the file is genuine)`,
    );
  }
}

/** Interleaved samples (1 to 4 channels, alpha last) to a float [1 or 3, H, W] image in [0, 1]. */
function toImage(
  data: ArrayLike<number>,
  channels: number,
  width: number,
  height: number,
  maxValue: number,
  grayscale: boolean,
): Image {
  const plane = width * height;
  const colour = channels >= 3;
  const outChannels = grayscale ? 1 : 3;
  const out = new Float32Array(outChannels * plane);
  const scale = 1 / maxValue;
  for (let p = 0; p < plane; p++) {
    const at = p * channels;
    if (!colour) {
      const v = data[at]! * scale;
      out[p] = v;
      if (!grayscale) {
        out[plane + p] = v;
        out[2 * plane + p] = v;
      }
    } else if (grayscale) {
      out[p] = ((299 * data[at]! + 587 * data[at + 1]! + 114 * data[at + 2]!) / 1000) * scale;
    } else {
      out[p] = data[at]! * scale;
      out[plane + p] = data[at + 1]! * scale;
      out[2 * plane + p] = data[at + 2]! * scale;
    }
  }
  return { data: out, channels: outChannels, height, width };
}
