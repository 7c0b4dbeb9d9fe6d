/**
 * A one-line progress bar with rate and ETA, redrawn in place on a terminal. When the stream is not a
 * terminal (CI logs, pipes) it stays silent and callers print their per-epoch summaries only, so logs
 * are not flooded with carriage returns.
 */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export class ProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
  ) {}

  /** Redraws at most every 100 ms; `info` is shown after the counts (e.g. the running loss). */
  update(done: number, info = ''): void {
    if (!this.stream.isTTY) return;
    const now = performance.now();
    if (done < this.total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.stream.write('\r' + this.render(done, info, now) + '\x1b[K');
  }

  /** Clears the bar's line. */
  finish(): void {
    if (this.stream.isTTY) this.stream.write('\r\x1b[K');
  }

  render(done: number, info: string, now = performance.now()): string {
    const elapsed = (now - this.start) / 1000;
    const fraction = this.total > 0 ? Math.min(done / this.total, 1) : 1;
    const eta = fraction > 0 ? elapsed * (1 / fraction - 1) : NaN;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar =
      '='.repeat(Math.max(filled - 1, 0)) +
      (filled > 0 ? (filled === width ? '=' : '>') : '') +
      ' '.repeat(width - filled);
    const counts = `${String(done).padStart(String(this.total).length)}/${this.total}`;
    const time = `${formatSeconds(elapsed)} elapsed, ETA ${Number.isFinite(eta) ? formatSeconds(eta) : '?'}`;
    return `${this.label} [${bar}] ${counts} ${info ? info + ' ' : ''}${time}`;
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}
