/**
 * A log file written a line at a time (Node). Each line is one `appendFileSync` — a single write(2) —
 * so once the call returns the line is in the kernel's page cache and survives a kill of the process;
 * `sync()` (called at every epoch's end) fsyncs it against power loss too. The file's length is part
 * of the logger's checkpoint state: a resumed run first truncates the file to the length it had at the
 * checkpoint, so the lines of steps that will be retrained are not written twice. The state also holds
 * the file's first line (the run's `begin` line or header): a resumed run whose file does not start
 * with it (another run's log, or a file that is gone) starts the file afresh rather than cutting into
 * it. A copy of the log (a run directory moved elsewhere) continues like the original.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';

export class LogFile {
  /** The bytes written so far: the file's length as this run knows it. */
  bytes = 0;
  /** The first line written (without its newline), or null before any. */
  private first: string | null = null;
  private savedBytes: number | null = null;
  /** The checkpoint's first line; undefined when it records none (older checkpoints). */
  private savedFirst: string | null | undefined = undefined;

  constructor(readonly path: string) {
    if (typeof path !== 'string' || path === '') throw new TypeError('a log file needs a path');
  }

  /**
   * Starts the file: empty for a fresh run (returns false); for a resumed one, when the file is the
   * checkpoint's (it starts with the saved first line), cut back to the checkpoint's length (returns
   * true).
   */
  open(resumed: boolean): boolean {
    mkdirSync(dirname(this.path), { recursive: true });
    if (resumed && this.savedBytes !== null && existsSync(this.path) && this.startsAsSaved()) {
      const size = statSync(this.path).size;
      if (size > this.savedBytes) truncateSync(this.path, this.savedBytes);
      this.bytes = Math.min(size, this.savedBytes);
      this.first = this.savedFirst ?? null;
      return true;
    }
    writeFileSync(this.path, '');
    this.bytes = 0;
    this.first = null;
    return false;
  }

  append(line: string): void {
    const bytes = Buffer.from(line + '\n', 'utf8');
    appendFileSync(this.path, bytes);
    this.bytes += bytes.length;
    this.first ??= line;
  }

  /** Whether the file begins with the checkpoint's first line (true when the checkpoint records none). */
  private startsAsSaved(): boolean {
    if (this.savedFirst === undefined) return true;
    const expected = Buffer.from(this.savedFirst === null ? '' : this.savedFirst + '\n', 'utf8');
    if (expected.length === 0) return true;
    const head = Buffer.alloc(expected.length);
    const fd = openSync(this.path, 'r');
    try {
      return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(expected);
    } finally {
      closeSync(fd);
    }
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
    return { bytes: this.bytes, first: this.first };
  }

  loadStateDict(state: unknown): void {
    const bytes = (state as { bytes?: unknown } | null)?.bytes;
    if (!Number.isInteger(bytes) || (bytes as number) < 0) {
      throw new TypeError(`log file ${this.path}: the saved state needs {bytes}, a non-negative integer`);
    }
    this.savedBytes = bytes as number;
    const first = (state as { first?: unknown }).first;
    this.savedFirst = typeof first === 'string' || first === null ? first : undefined;
  }
}
