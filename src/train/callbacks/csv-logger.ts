/**
 * A CSV training log: one row per epoch and one per step record, for spreadsheets and pandas.
 *
 * Columns: type ('epoch' or 'step'), epoch, step, batch, loss, val_loss, lr, grad_norm, optimizer,
 * seconds, then one column per training metric (accuracy, top5, f1...) and, with validation data,
 * val_<metric>. A step row's loss and grad_norm are means since the previous step row; an epoch row's
 * are over the epoch. Empty cells are values not measured (or not finite).
 */
import type { EpochLog } from '../history.js';
import type { Trainer } from '../trainer.js';
import type { BatchLog, Callback } from './callback.js';
import { LogFile } from './log-file.js';

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Writes the run to `path` as CSV (see the columns above); rows are flushed to the OS as they are
 * written and fsynced at every epoch end. A resumed run continues the file from its checkpoint.
 *
 * @example
 * new CsvLogger('runs/mlp/log.csv');
 */
export class CsvLogger implements Callback {
  readonly name = 'CsvLogger';
  private readonly file: LogFile;
  private metrics: string[] = [];
  private valMetrics: string[] = [];

  constructor(readonly path: string) {
    this.file = new LogFile(path);
  }

  onTrainBegin(trainer: Trainer): void {
    this.metrics = trainer.metricKeys;
    this.valMetrics = trainer.validation ? trainer.metricKeys : [];
    const resumed = trainer.resumedFrom !== null && this.file.open(true);
    if (!resumed) {
      this.file.open(false);
      const head = [
        'type',
        'epoch',
        'step',
        'batch',
        'loss',
        'val_loss',
        'lr',
        'grad_norm',
        'optimizer',
        'seconds',
      ];
      this.file.append(
        [...head, ...this.metrics, ...this.valMetrics.map((m) => `val_${m}`)].map(cell).join(','),
      );
    }
  }

  onBatchEnd(_trainer: Trainer, log: BatchLog): void {
    const s = log.stepLog;
    if (!s) return;
    const row = ['step', s.epoch, s.step, s.batch, s.loss, null, s.lr, s.gradNorm, s.optimizer, s.seconds];
    this.file.append(
      [...row, ...this.metrics.map(() => null), ...this.valMetrics.map(() => null)].map(cell).join(','),
    );
  }

  onEpochEnd(_trainer: Trainer, log: EpochLog): void {
    const row = [
      'epoch',
      log.epoch,
      log.step,
      null,
      log.loss,
      log.valLoss,
      log.lr,
      log.gradNorm,
      log.optimizer,
      log.seconds,
    ];
    this.file.append(
      [...row, ...this.metrics.map((m) => log.metrics[m]), ...this.valMetrics.map((m) => log.valMetrics[m])]
        .map(cell)
        .join(','),
    );
    this.file.sync();
  }

  stateDict(): unknown {
    return this.file.stateDict();
  }

  loadStateDict(state: unknown): void {
    this.file.loadStateDict(state);
  }
}
