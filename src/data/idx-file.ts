// Reading IDX files from disk, gzipped or raw (Node only; the pure parser is idx.ts).
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

import { parseIdx, type IdxArray } from './idx.js';

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Returns the IDX bytes inside `bytes`: gunzipped when they start with the gzip magic number,
 * unchanged otherwise. The file name extension is ignored on purpose: what matters is the content,
 * and people do rename files.
 */
export function gunzipIfNeeded(bytes: Uint8Array, source: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${source}: not a valid gzip stream: ${reason} (the file starts with the gzip magic number 1f 8b ` +
        `but does not decompress; the download may be incomplete or corrupted)`,
      { cause: error },
    );
  }
}

/**
 * Reads and parses an IDX file, gzipped (detected by its magic number 1f 8b) or raw.
 * Errors name the file and say what is wrong; see {@link parseIdx}.
 *
 * @example
 * const images = await readIdxFile('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz');
 * images.shape; // [10000, 28, 28]
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  const bytes = await readFile(path);
  return parseIdx(gunzipIfNeeded(bytes, path), path);
}
