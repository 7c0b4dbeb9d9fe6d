/** Lowering the learning rate when a monitored value plateaus (Keras's ReduceLROnPlateau callback). */
import type { HasParamGroups } from '../../optim/param-group.js';
import { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from '../../optim/schedulers/plateau.js';
import type { SchedulerState } from '../../optim/schedulers/lr-scheduler.js';
import { defaultMode, readMonitor, type EpochLog } from '../history.js';
import type { Trainer } from '../trainer.js';
import type { Callback } from './callback.js';

export interface ReduceLROnPlateauCallbackOptions extends Omit<ReduceLROnPlateauOptions, 'mode'> {
  /** The value watched (default 'valLoss'). */
  monitor?: string;
  /** 'min', 'max', or 'auto' (default): 'max' for accuracies and scores. */
  mode?: 'min' | 'max' | 'auto';
}

/**
 * A `ReduceLROnPlateau` scheduler (see its doc for the rule and the defaults: factor 0.1, patience 10,
 * threshold 1e-4 relative, cooldown 0, minLr 0) stepped at every epoch's end with the monitored value.
 * Its state is saved in checkpoints.
 *
 * @example
 * new ReduceLROnPlateauCallback(optimizer, { monitor: 'valLoss', factor: 0.5, patience: 2 });
 */
export class ReduceLROnPlateauCallback implements Callback {
  readonly name = 'ReduceLROnPlateauCallback';
  readonly monitor: string;
  readonly scheduler: ReduceLROnPlateau;

  constructor(optimizer: HasParamGroups, options: ReduceLROnPlateauCallbackOptions = {}) {
    const { monitor = 'valLoss', mode = 'auto', ...rest } = options;
    this.monitor = monitor;
    this.scheduler = new ReduceLROnPlateau(optimizer, {
      ...rest,
      mode: mode === 'auto' ? defaultMode(monitor) : mode,
    });
  }

  onTrainBegin(trainer: Trainer): void {
    trainer.checkMonitor(this.monitor, 'ReduceLROnPlateauCallback');
  }

  onEpochEnd(_trainer: Trainer, log: EpochLog): void {
    this.scheduler.step(readMonitor(log, this.monitor) ?? NaN);
  }

  stateDict(): unknown {
    return this.scheduler.stateDict();
  }

  loadStateDict(state: unknown): void {
    this.scheduler.loadStateDict(state as SchedulerState);
  }
}
