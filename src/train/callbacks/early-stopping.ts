/** Stopping when a monitored value stops improving (Keras's EarlyStopping). */
import type { StateDict } from '../../nn/module.js';
import { defaultMode, readMonitor, type EpochLog } from '../history.js';
import type { Trainer } from '../trainer.js';
import type { Callback } from './callback.js';

export interface EarlyStoppingOptions {
  /** The value watched (default 'valLoss'): 'loss', 'valLoss', 'accuracy', 'valAccuracy', 'val_f1'... */
  monitor?: string;
  /** 'min': lower is better; 'max': higher is better; 'auto' (default): 'max' for accuracies and scores. */
  mode?: 'min' | 'max' | 'auto';
  /** Epochs without improvement tolerated before stopping (default 0). */
  patience?: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** A value the monitor must beat; until it does, the patience counter runs (default none). */
  baseline?: number;
  /** At the end of training, put back the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
}

/**
 * Stops training once the monitored value has not improved for `patience` epochs in a row. An epoch
 * improves when `value < best − minDelta` ('min') or `value > best + minDelta` ('max'). With
 * `restoreBestWeights` the model's state dict at the best epoch is kept and loaded at the end of
 * training (stopped early or not), as Keras 3 does. A NaN value never improves. The counters and
 * the best weights are saved in checkpoints.
 *
 * @example
 * new EarlyStopping({ monitor: 'valLoss', patience: 3, restoreBestWeights: true });
 */
export class EarlyStopping implements Callback {
  readonly name = 'EarlyStopping';
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  /** Epochs since the last improvement. */
  wait = 0;
  /** The best value seen (±Infinity before the first epoch). */
  best: number;
  /** The number of the best epoch (0 before the first). */
  bestEpoch = 0;
  /** The epoch training stopped after (0 if it did not stop). */
  stoppedEpoch = 0;
  private bestWeights: StateDict | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    const {
      monitor = 'valLoss',
      mode = 'auto',
      patience = 0,
      minDelta = 0,
      baseline,
      restoreBestWeights = false,
    } = options;
    if (mode !== 'min' && mode !== 'max' && mode !== 'auto') {
      throw new RangeError(`EarlyStopping: mode must be 'min', 'max' or 'auto', got ${String(mode)}`);
    }
    if (!Number.isInteger(patience) || patience < 0) {
      throw new RangeError(`EarlyStopping: patience must be an integer ≥ 0, got ${patience}`);
    }
    if (!(minDelta >= 0)) throw new RangeError(`EarlyStopping: minDelta must be ≥ 0, got ${minDelta}`);
    this.monitor = monitor;
    this.mode = mode === 'auto' ? defaultMode(monitor) : mode;
    this.patience = patience;
    this.minDelta = minDelta;
    this.baseline = baseline;
    this.restoreBestWeights = restoreBestWeights;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  private improves(value: number, reference: number): boolean {
    return this.mode === 'min' ? value < reference - this.minDelta : value > reference + this.minDelta;
  }

  onTrainBegin(trainer: Trainer): void {
    trainer.checkMonitor(this.monitor, 'EarlyStopping');
  }

  onEpochEnd(trainer: Trainer, log: EpochLog): void {
    const value = readMonitor(log, this.monitor) ?? NaN;
    if (this.restoreBestWeights && this.bestWeights === null) {
      this.bestWeights = trainer.model.stateDict();
      this.bestEpoch = log.epoch;
    }
    this.wait++;
    if (this.improves(value, this.best)) {
      this.best = value;
      this.bestEpoch = log.epoch;
      if (this.restoreBestWeights) this.bestWeights = trainer.model.stateDict();
      if (this.baseline === undefined || this.improves(value, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && log.epoch > 1) {
      this.stoppedEpoch = log.epoch;
      trainer.stop(
        `EarlyStopping: ${this.monitor} did not improve for ${this.wait} epochs (best ${this.best} at epoch ${this.bestEpoch})`,
      );
    }
  }

  onTrainEnd(trainer: Trainer): void {
    if (this.restoreBestWeights && this.bestWeights !== null) trainer.model.loadStateDict(this.bestWeights);
  }

  stateDict(): unknown {
    return {
      wait: this.wait,
      best: this.best,
      bestEpoch: this.bestEpoch,
      stoppedEpoch: this.stoppedEpoch,
      bestWeights: this.bestWeights,
    };
  }

  loadStateDict(state: unknown): void {
    const s = state as {
      wait: number;
      best: number;
      bestEpoch: number;
      stoppedEpoch: number;
      bestWeights: StateDict | null;
    };
    if (typeof s !== 'object' || s === null || typeof s.wait !== 'number' || typeof s.best !== 'number') {
      throw new TypeError(
        'EarlyStopping.loadStateDict: expected {wait, best, bestEpoch, stoppedEpoch, bestWeights}',
      );
    }
    this.wait = s.wait;
    this.best = s.best;
    this.bestEpoch = s.bestEpoch;
    this.stoppedEpoch = s.stoppedEpoch;
    this.bestWeights = s.bestWeights ?? null;
  }
}
