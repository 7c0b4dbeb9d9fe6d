/**
 * A minimal PNG encoder (ISO/IEC 15948; RFC 2083): signature, IHDR, one IDAT, IEND, 8-bit RGB, every
 * row with filter 0 (none). The compressor is injected, so this file needs nothing from Node and stays
 * browser-safe: `encodePng` takes any zlib (RFC 1950) compressor, uses `node:zlib` when the runtime
 * offers it through `process.getBuiltinModule`, and otherwise writes valid uncompressed (stored) blocks.
 */
import type { RgbImage } from './raster.js';

/** A zlib-format (RFC 1950) compressor, such as Node's `zlib.deflateSync`. */
export type Deflate = (data: Uint8Array) => Uint8Array;

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, the polynomial 0xEDB88320 reflected), as PNG chunks and gzip use; chain with `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** Adler-32 (RFC 1950), the checksum that ends a zlib stream. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length;) {
    // 5552 bytes is the most that can be summed before b overflows 2^32 (RFC 1950's NMAX).
    const end = Math.min(i + 5552, bytes.length);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of stored (uncompressed) deflate blocks: valid everywhere, compresses nothing. */
export function storedZlib(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = new Uint8Array(2 + data.length + blocks * 5 + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no dictionary, fastest; (0x78 << 8 | 0x01) % 31 === 0
  let at = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535;
    const length = Math.min(65535, data.length - start);
    out[at++] = b === blocks - 1 ? 1 : 0; // BFINAL, BTYPE 00
    out[at++] = length & 0xff;
    out[at++] = length >>> 8;
    out[at++] = ~length & 0xff;
    out[at++] = (~length >>> 8) & 0xff;
    out.set(data.subarray(start, start + length), at);
    at += length;
  }
  new DataView(out.buffer).setUint32(at, adler32(data));
  return out;
}

/** `node:zlib`'s deflateSync when the runtime offers built-in modules synchronously (Node ≥ 20.16), else undefined. */
export function builtinDeflate(): Deflate | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const zlib = proc?.getBuiltinModule?.('node:zlib') as typeof import('node:zlib') | undefined;
  if (!zlib?.deflateSync) return undefined;
  return (data) => new Uint8Array(zlib.deflateSync(data, { level: 9 }));
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/**
 * Encodes an RGB image as a PNG file. `deflate` compresses the scanlines (default: node:zlib when
 * available, else stored blocks).
 */
export function encodePng(image: RgbImage, options: { deflate?: Deflate } = {}): Uint8Array {
  const { width, height, data } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    throw new RangeError(`encodePng: width and height must be positive integers, got ${width} × ${height}`);
  if (data.length !== width * height * 3)
    throw new RangeError(
      `encodePng: an RGB image of ${width} × ${height} needs ${width * height * 3} bytes, got ${data.length}`,
    );
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, adaptive filters, no interlace
  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const deflate = options.deflate ?? builtinDeflate() ?? storedZlib;
  const parts = [
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflate(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
