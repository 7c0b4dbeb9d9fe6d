/** Stepping a learning-rate scheduler from the training loop, per batch or per epoch. */
import type { Scheduler, SchedulerState } from '../../optim/schedulers/lr-scheduler.js';
import { ReduceLROnPlateau } from '../../optim/schedulers/plateau.js';
import { readMonitor, type EpochLog } from '../history.js';
import type { Trainer } from '../trainer.js';
import type { BatchLog, Callback } from './callback.js';

export interface LRSchedulerCallbackOptions {
  /** Step after every optimizer step ('batch') or after every epoch ('epoch', the default). */
  every?: 'batch' | 'epoch';
  /** For ReduceLROnPlateau: the value passed to `step` at each epoch's end (default 'valLoss'). */
  monitor?: string;
}

/**
 * Steps `scheduler` after every batch or every epoch (the trainer's `scheduler` option does the same
 * without a callback). A ReduceLROnPlateau is stepped per epoch with the monitored value. The
 * scheduler's state is saved in checkpoints, and a switching optimizer is told about it so that the
 * schedule follows a switch.
 *
 * @example
 * new LRSchedulerCallback(new StepLR(optimizer, { stepSize: 2, gamma: 0.5 }), { every: 'epoch' });
 */
export class LRSchedulerCallback implements Callback {
  readonly name = 'LRSchedulerCallback';
  readonly every: 'batch' | 'epoch';
  readonly monitor: string;
  private readonly plateau: boolean;

  constructor(
    readonly scheduler: Scheduler,
    options: LRSchedulerCallbackOptions = {},
  ) {
    if (!scheduler || typeof scheduler.step !== 'function' || typeof scheduler.stateDict !== 'function') {
      throw new TypeError('LRSchedulerCallback: expected a scheduler');
    }
    this.plateau = scheduler instanceof ReduceLROnPlateau;
    const every = options.every ?? 'epoch';
    if (every !== 'batch' && every !== 'epoch') {
      throw new RangeError(`LRSchedulerCallback: every must be 'batch' or 'epoch', got ${String(every)}`);
    }
    if (this.plateau && every === 'batch') {
      throw new RangeError(
        'LRSchedulerCallback: ReduceLROnPlateau steps once per epoch, on a monitored value',
      );
    }
    this.every = every;
    this.monitor = options.monitor ?? 'valLoss';
  }

  onTrainBegin(trainer: Trainer): void {
    if (this.scheduler.optimizer !== trainer.optimizer) {
      throw new TypeError(
        "LRSchedulerCallback: the scheduler belongs to another optimizer than the trainer's",
      );
    }
    if (this.plateau) trainer.checkMonitor(this.monitor, 'LRSchedulerCallback');
    const switching = trainer.optimizer as { attachScheduler?: (s: Scheduler) => void };
    switching.attachScheduler?.(this.scheduler);
  }

  onBatchEnd(_trainer: Trainer, _log: BatchLog): void {
    if (this.every === 'batch') this.scheduler.step();
  }

  onEpochEnd(_trainer: Trainer, log: EpochLog): void {
    if (this.every !== 'epoch') return;
    if (this.plateau) this.scheduler.step(readMonitor(log, this.monitor) ?? NaN);
    else this.scheduler.step();
  }

  stateDict(): unknown {
    return this.scheduler.stateDict();
  }

  loadStateDict(state: unknown): void {
    this.scheduler.loadStateDict(state as SchedulerState);
  }
}
