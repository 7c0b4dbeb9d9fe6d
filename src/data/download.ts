// Downloading one dataset file: fetch, verify the checksum, then move it into place atomically (Node only).
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { verifyChecksum, type FileChecksum } from './checksum.js';

/** How long one file may take before the download is abandoned. Fashion-MNIST's largest file is 26 MB. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Downloads `url` to `destination`, accepting it only if it matches `checksum`.
 *
 * The bytes go to a uniquely named temporary file in the destination folder, are flushed to disk,
 * and are then renamed over `destination`. Rename is atomic on one file system, so a killed or
 * failed download never leaves a partial file under the final name, and two processes downloading
 * at once cannot interleave their bytes. On a checksum mismatch nothing is written at all.
 */
export async function downloadVerified(url: string, destination: string, checksum: FileChecksum): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (error) {
    throw new Error(`${url}: download failed: ${describeFetchError(error)}`, { cause: error });
  }
  if (!response.ok) {
    throw new Error(`${url}: download failed: HTTP ${response.status} ${response.statusText}`.trimEnd());
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new Error(`${url}: download interrupted: ${describeFetchError(error)}`, { cause: error });
  }
  verifyChecksum(bytes, checksum, url);

  const folder = dirname(destination);
  await mkdir(folder, { recursive: true });
  const temporary = join(folder, `.${basename(destination)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      // Flush before the rename so a crash cannot leave the final name pointing at unwritten blocks.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, destination);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, ENOTFOUND...) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
