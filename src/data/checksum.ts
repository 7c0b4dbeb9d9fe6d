// Checksums that decide whether a downloaded dataset file is the one we expect (Node only).
import { createHash } from 'node:crypto';

import { gunzipIfNeeded } from './idx-file.js';

/**
 * An expected digest of a dataset file.
 *
 * `of: 'idx'` hashes the decompressed IDX bytes, so any gzip encoding of the same data passes
 * (Debian's .gz files differ byte-wise from the official ones but decompress to the same bytes).
 * `of: 'download'` hashes the bytes exactly as downloaded; use it where only a published digest of
 * the official .gz file is known.
 */
export interface FileChecksum {
  algorithm: 'sha256' | 'md5';
  of: 'idx' | 'download';
  /** Lower-case hex digest. */
  hex: string;
}

/** Computes the digest that `expected` describes over `downloaded` (the bytes as fetched). */
export function computeChecksum(downloaded: Uint8Array, expected: FileChecksum, source: string): string {
  const bytes = expected.of === 'idx' ? gunzipIfNeeded(downloaded, source) : downloaded;
  return createHash(expected.algorithm).update(bytes).digest('hex');
}

/** Throws a message naming the file, both digests and what they were computed over when they differ. */
export function verifyChecksum(downloaded: Uint8Array, expected: FileChecksum, source: string): void {
  const actual = computeChecksum(downloaded, expected, source);
  if (actual !== expected.hex.toLowerCase()) {
    throw new Error(
      `${source}: checksum mismatch: expected ${describeChecksum(expected)} ${expected.hex.toLowerCase()}, ` +
        `got ${actual} (the download is corrupted or the mirror serves different data); the file was not saved`,
    );
  }
}

/** "SHA-256 of the decompressed IDX data", "MD5 of the downloaded file". */
export function describeChecksum(checksum: FileChecksum): string {
  const name = checksum.algorithm === 'sha256' ? 'SHA-256' : 'MD5';
  return checksum.of === 'idx' ? `${name} of the decompressed IDX data` : `${name} of the downloaded file`;
}
