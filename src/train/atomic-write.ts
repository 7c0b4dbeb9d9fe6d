/**
 * Durable and atomic file writes (Node). A file written with `writeFileAtomic` is either its old
 * content or its new content, whatever the moment the process is killed or the machine loses power:
 * the data goes to a temporary file in the same directory, which is fsynced, renamed over the target
 * (rename is atomic on POSIX file systems), and then the directory is fsynced so the rename itself is
 * on disk.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Test hooks: `beforeRename` runs after a temporary file or checkpoint directory is written and
 * fsynced and before it is renamed into place, the moment a kill leaves the most behind. The
 * kill test uses it to slow writes down. Not for production use.
 */
export const writeHooks: { beforeRename?: (target: string) => void } = {};

/** Writes all of `data` to `path` (created or truncated) and fsyncs it before returning. */
export function writeFileDurable(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const fd = openSync(path, 'w');
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Fsyncs a directory, so that renames and new entries in it survive a crash. Some platforms
 * (Windows) cannot open a directory for fsync; there the call does nothing.
 */
export function fsyncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'EPERM' || code === 'EACCES') return;
    throw error;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    closeSync(fd);
  }
}

/** A name that no other writer (process or call) will pick. */
export function uniqueSuffix(): string {
  return `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Replaces `path` with `data` atomically: temp file in the same directory, fsync, rename, fsync of
 * the directory. On failure the temporary file is removed and the old file is untouched.
 *
 * @example
 * writeFileAtomic('run/history.json', JSON.stringify(history));
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.tmp-${uniqueSuffix()}`);
  try {
    writeFileDurable(temp, data);
    writeHooks.beforeRename?.(path);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDirectory(dir);
}
