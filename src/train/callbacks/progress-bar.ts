/** A progress bar with ETA during each epoch, and a summary line after it. */
import { ProgressBar, formatSeconds, type ProgressStream } from '../../cli/progress.js';
import type { EpochLog } from '../history.js';
import type { Trainer } from '../trainer.js';
import type { BatchLog, Callback } from './callback.js';

export interface ProgressBarCallbackOptions {
  /** Where to draw (default process.stderr). The bar is drawn only on a terminal. */
  stream?: ProgressStream;
  /** Print a line per epoch with its loss, metrics, lr and optimizer (default true; also off a terminal). */
  summary?: boolean;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

/** One line describing an epoch: `epoch 2/10  loss 0.4123  accuracy 0.8512  val_loss …  lr 0.001  Adam  12.3s`. */
export function formatEpochLog(log: EpochLog, epochs: number): string {
  const parts = [`epoch ${log.epoch}/${epochs}`, `loss ${fmt(log.loss)}`];
  for (const [k, v] of Object.entries(log.metrics)) parts.push(`${k} ${fmt(v)}`);
  if (!Number.isNaN(log.valLoss)) parts.push(`val_loss ${fmt(log.valLoss)}`);
  for (const [k, v] of Object.entries(log.valMetrics)) parts.push(`val_${k} ${fmt(v)}`);
  parts.push(`lr ${log.lr.toPrecision(3)}`, log.optimizer, formatSeconds(log.seconds));
  return parts.join('  ');
}

/**
 * Draws the CLI's progress bar (src/cli/progress.ts: counts, running loss, elapsed time and ETA)
 * during each epoch and prints a summary line at its end.
 *
 * @example
 * fit(model, data, { epochs: 5, optimizer, callbacks: [new ProgressBarCallback()] });
 */
export class ProgressBarCallback implements Callback {
  readonly name = 'ProgressBarCallback';
  private readonly stream: ProgressStream;
  private readonly summary: boolean;
  private bar: ProgressBar | null = null;

  constructor(options: ProgressBarCallbackOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.summary = options.summary ?? true;
  }

  onEpochBegin(trainer: Trainer, epoch: number): void {
    this.bar = new ProgressBar(`epoch ${epoch}/${trainer.epochs}`, trainer.stepsPerEpoch, this.stream);
  }

  onBatchEnd(trainer: Trainer, log: BatchLog): void {
    this.bar?.update(log.batch, `loss ${fmt(trainer.runningLoss)}`);
  }

  onEpochEnd(trainer: Trainer, log: EpochLog): void {
    this.bar?.finish();
    this.bar = null;
    if (this.summary) this.stream.write(formatEpochLog(log, trainer.epochs) + '\n');
  }
}
