/** Saving resumable checkpoints during training: every N steps, the last position, the best epoch. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { checkpointStep, removeCheckpoint } from '../checkpoint.js';
import { defaultMode, readMonitor, type EpochLog } from '../history.js';
import type { Trainer } from '../trainer.js';
import type { BatchLog, Callback } from './callback.js';

export interface ModelCheckpointOptions {
  /** Keep `dir/best`, the checkpoint of the best epoch by `monitor` (default true). */
  saveBest?: boolean;
  /** Keep `dir/last`, the checkpoint after the latest epoch, or step with `lastEverySteps` (default true). */
  saveLast?: boolean;
  /**
   * Also replace `dir/last` every this many optimizer steps, mid-epoch (default 0: at epoch ends
   * only), so that a killed run loses at most this many steps. Needs `saveLast`.
   */
  lastEverySteps?: number;
  /** The value `saveBest` watches (default 'valLoss' with validation data, else 'loss'). */
  monitor?: string;
  /** 'min', 'max', or 'auto' (default): 'max' for accuracies and scores. */
  mode?: 'min' | 'max' | 'auto';
  /** Also checkpoint every this many optimizer steps, as `dir/step-00000120` (default 0: never). */
  everySteps?: number;
  /** How many step checkpoints to keep, the most recent (default 2). */
  keep?: number;
}

/** The directory name of the step checkpoint after `step` steps. */
export function stepCheckpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/**
 * Writes full, resumable checkpoints (weights as safetensors plus the trainer state; see
 * checkpoint.ts) into `dir`: `last` after every epoch (and every `lastEverySteps` steps), `best` after
 * every epoch that improves on the monitored value, and `step-NNNNNNNN` every `everySteps` steps
 * (keeping the `keep` most recent). Every
 * write is atomic, so whatever moment the process dies, every checkpoint in `dir` loads; resume with
 * `fit(..., { resume: dir })` or `trainer.resume(latestCheckpoint(dir))`.
 *
 * @example
 * new ModelCheckpoint('runs/mlp', { monitor: 'valAccuracy', everySteps: 500 });
 */
export class ModelCheckpoint implements Callback {
  readonly name = 'ModelCheckpoint';
  readonly saveBest: boolean;
  readonly saveLast: boolean;
  readonly everySteps: number;
  readonly lastEverySteps: number;
  readonly keep: number;
  private monitorName: string | undefined;
  private mode: 'min' | 'max' | 'auto';
  /** The best monitored value so far (NaN before the first epoch). */
  best = NaN;

  constructor(
    readonly dir: string,
    options: ModelCheckpointOptions = {},
  ) {
    const { saveBest = true, saveLast = true, monitor, mode = 'auto', everySteps = 0, keep = 2 } = options;
    const { lastEverySteps = 0 } = options;
    if (typeof dir !== 'string' || dir === '') throw new TypeError('ModelCheckpoint: dir must be a path');
    for (const [name, value] of [
      ['everySteps', everySteps],
      ['lastEverySteps', lastEverySteps],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) {
        throw new RangeError(`ModelCheckpoint: ${name} must be an integer ≥ 0, got ${value}`);
      }
    }
    if (lastEverySteps > 0 && !saveLast) {
      throw new RangeError('ModelCheckpoint: lastEverySteps needs saveLast');
    }
    if (!Number.isInteger(keep) || keep < 1) {
      throw new RangeError(`ModelCheckpoint: keep must be an integer ≥ 1, got ${keep}`);
    }
    if (mode !== 'min' && mode !== 'max' && mode !== 'auto') {
      throw new RangeError(`ModelCheckpoint: mode must be 'min', 'max' or 'auto', got ${String(mode)}`);
    }
    this.saveBest = saveBest;
    this.saveLast = saveLast;
    this.everySteps = everySteps;
    this.lastEverySteps = lastEverySteps;
    this.keep = keep;
    this.monitorName = monitor;
    this.mode = mode;
  }

  /** The monitored value's name (known once training begins when not given). */
  get monitor(): string | undefined {
    return this.monitorName;
  }

  onTrainBegin(trainer: Trainer): void {
    this.monitorName ??= trainer.validation ? 'valLoss' : 'loss';
    if (this.saveBest) trainer.checkMonitor(this.monitorName, 'ModelCheckpoint');
  }

  onBatchEnd(trainer: Trainer, log: BatchLog): void {
    if (this.everySteps > 0 && log.step % this.everySteps === 0) {
      trainer.requestSave(this.dir, stepCheckpointName(log.step), () => this.prune());
    }
    // An epoch's last batch is followed at once by the epoch's end, which writes `last` anyway.
    if (
      this.lastEverySteps > 0 &&
      log.step % this.lastEverySteps === 0 &&
      log.batch < trainer.stepsPerEpoch
    ) {
      trainer.requestSave(this.dir, 'last');
    }
  }

  onEpochEnd(trainer: Trainer, log: EpochLog): void {
    if (this.saveLast) trainer.requestSave(this.dir, 'last');
    if (!this.saveBest) return;
    const value = readMonitor(log, this.monitorName!) ?? NaN;
    const mode = this.mode === 'auto' ? defaultMode(this.monitorName!) : this.mode;
    const better = Number.isNaN(this.best) || (mode === 'min' ? value < this.best : value > this.best);
    if (!Number.isNaN(value) && better) {
      this.best = value;
      trainer.requestSave(this.dir, 'best');
    }
  }

  /** Deletes the step checkpoints beyond the `keep` most recent. */
  private prune(): void {
    const steps = readdirSync(this.dir)
      .filter((n) => /^step-\d+$/.test(n))
      .map((n) => ({ n, step: checkpointStep(join(this.dir, n)) }))
      .sort((a, b) => a.step - b.step || (a.n < b.n ? -1 : 1));
    for (const { n } of steps.slice(0, Math.max(0, steps.length - this.keep))) {
      removeCheckpoint(join(this.dir, n));
    }
  }

  stateDict(): unknown {
    return { best: this.best, monitor: this.monitorName ?? null };
  }

  loadStateDict(state: unknown): void {
    const s = state as { best?: unknown };
    if (typeof s !== 'object' || s === null || typeof s.best !== 'number') {
      throw new TypeError('ModelCheckpoint.loadStateDict: expected {best}');
    }
    this.best = s.best;
  }
}
