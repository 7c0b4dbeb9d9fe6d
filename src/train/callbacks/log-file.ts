/**
 * A log file written a line at a time (Node). Each line is one `appendFileSync` — a single write(2) —
 * so once the call returns the line is in the kernel's page cache and survives a kill of the process;
 * `sync()` (called at every epoch's end) fsyncs it against power loss too. The file's length is part
 * of the logger's checkpoint state: a resumed run first truncates the file to the length it had at the
 * checkpoint, so the lines of steps that will be retrained are not written twice.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';

export class LogFile {
  /** The bytes written so far: the file's length as this run knows it. */
  bytes = 0;
  private savedBytes: number | null = null;

  constructor(readonly path: string) {
    if (typeof path !== 'string' || path === '') throw new TypeError('a log file needs a path');
  }

  /** Starts the file: empty for a fresh run; cut back to the checkpoint's length for a resumed one. */
  open(resumed: boolean): boolean {
    mkdirSync(dirname(this.path), { recursive: true });
    if (resumed && this.savedBytes !== null && existsSync(this.path)) {
      const size = statSync(this.path).size;
      if (size > this.savedBytes) truncateSync(this.path, this.savedBytes);
      this.bytes = Math.min(size, this.savedBytes);
      return true;
    }
    writeFileSync(this.path, '');
    this.bytes = 0;
    return false;
  }

  append(line: string): void {
    const bytes = Buffer.from(line + '\n', 'utf8');
    appendFileSync(this.path, bytes);
    this.bytes += bytes.length;
  }

  sync(): void {
    const fd = openSync(this.path, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  stateDict(): unknown {
    return { bytes: this.bytes };
  }

  loadStateDict(state: unknown): void {
    const bytes = (state as { bytes?: unknown } | null)?.bytes;
    if (!Number.isInteger(bytes) || (bytes as number) < 0) {
      throw new TypeError(`log file ${this.path}: the saved state needs {bytes}, a non-negative integer`);
    }
    this.savedBytes = bytes as number;
  }
}
