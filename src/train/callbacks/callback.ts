/**
 * The callback interface: objects whose hooks the trainer calls at fixed points of a run, in list
 * order. Every hook is optional. A callback with state that must survive a resume (counters, best
 * values, best weights) implements `stateDict`/`loadStateDict`; the trainer saves it in every
 * checkpoint and restores it before the run continues.
 *
 * Order within a step: onBatchBegin → forward, backward, clip, optimizer step, per-batch schedule →
 * onBatchEnd. At an epoch's end: validation → the epoch record → epoch-wise schedule →
 * `optimizer.onEpochEnd` (a planned switch fires onSwitch here) → onEpochEnd. Checkpoints requested
 * by callbacks (`trainer.requestSave`) are written after every callback has run its hook, so they hold
 * a consistent state.
 */
import type { SwitchEvent } from '../../optim/switching/events.js';
import type { EpochLog, History, StepLog } from '../history.js';
import type { Trainer } from '../trainer.js';

/** What onBatchEnd receives about the step just taken. */
export interface BatchLog {
  /** The epoch's number, from 1. */
  epoch: number;
  /** Batches done in this epoch (this one included). */
  batch: number;
  /** Optimizer steps taken so far (this one included). */
  step: number;
  /** This batch's loss. */
  loss: number;
  /** Samples in the batch. */
  size: number;
  /** The lr this step used (first parameter group). */
  lr: number;
  /** The global L2 norm of the gradients before clipping. */
  gradNorm: number;
  /** The step record made at this step, when `step` is a multiple of the trainer's `logEvery`. */
  stepLog?: StepLog;
}

export interface Callback {
  /** A name for checkpoints and messages (default: the class name). */
  readonly name?: string;
  /** Before the first epoch, also when a run resumes (then `trainer.resumedFrom` is set). */
  onTrainBegin?(trainer: Trainer): void;
  /** After the last epoch or a stop. */
  onTrainEnd?(trainer: Trainer, history: History): void;
  /** At the start of each epoch (`epoch` from 1); also when a run resumes mid-epoch (`trainer.batch` > 0). */
  onEpochBegin?(trainer: Trainer, epoch: number): void;
  /** After each epoch, with its record. */
  onEpochEnd?(trainer: Trainer, log: EpochLog): void;
  onBatchBegin?(trainer: Trainer, epoch: number, batch: number): void;
  onBatchEnd?(trainer: Trainer, log: BatchLog): void;
  /** When the optimizer switches (SwitchingOptimizer phases, SWATS). */
  onSwitch?(trainer: Trainer, event: SwitchEvent): void;
  /** State to save in checkpoints: JSON with tensors allowed anywhere. */
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}

/** A callback's name: its `name`, or its class name. */
export function callbackName(callback: Callback): string {
  return callback.name ?? callback.constructor.name;
}
