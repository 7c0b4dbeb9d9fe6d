/** Where a command writes: results to stdout, diagnostics to stderr, the progress bar to a terminal. */
import type { ProgressStream } from './progress.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  progress: ProgressStream;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  progress: process.stderr,
};
