/** An in-memory CliIo for running `main()` in tests: stdout and stderr lines, no progress bar. */
import type { CliIo } from '../../src/cli/io.js';

export function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    progress: { isTTY: false, write: () => true },
  };
}
