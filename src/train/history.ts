/**
 * What a training run leaves behind: one record per epoch, one per `logEvery` steps, and the
 * optimizer switches. Plain data (JSON-serialisable through `toJSON`), restored exactly by a resume.
 */
import type { SwitchEvent } from '../optim/switching/events.js';

/** One epoch of training. Values that were not measured are NaN. */
export interface EpochLog {
  /** The epoch's number, from 1. */
  epoch: number;
  /** Optimizer steps taken from the start of training to the end of this epoch. */
  step: number;
  /** Mean training loss over the epoch's samples (computed in training mode, before each step). */
  loss: number;
  /** Training metrics over the epoch (e.g. `{ accuracy: 0.91 }`). */
  metrics: Record<string, number>;
  /** Validation loss after the epoch (NaN without validation data). */
  valLoss: number;
  /** Validation metrics after the epoch (empty without validation data). */
  valMetrics: Record<string, number>;
  /** The learning rate of the first parameter group at the epoch's last step. */
  lr: number;
  /** Mean over the epoch's steps of the global L2 norm of the gradients, before clipping. */
  gradNorm: number;
  /** The optimizer that took the epoch's last step ('Adam', 'SGD'...; changes after a switch). */
  optimizer: string;
  /** Wall time of the epoch, validation included. */
  seconds: number;
}

/** One record every `logEvery` optimizer steps: means over the steps since the previous record. */
export interface StepLog {
  /** Optimizer steps taken so far (this record is made right after step `step`). */
  step: number;
  /** The number of the epoch in progress, from 1. */
  epoch: number;
  /** Batches done in that epoch. */
  batch: number;
  /** Mean training loss of the steps since the previous record. */
  loss: number;
  /** The learning rate of the first parameter group at step `step`. */
  lr: number;
  /** Mean gradient norm (before clipping) of the steps since the previous record. */
  gradNorm: number;
  /** The optimizer that took step `step`. */
  optimizer: string;
  /** Seconds of training so far (summed over resumed sessions). */
  seconds: number;
}

/** The history of a run, returned by `fit` and saved in every checkpoint. */
export class History {
  epochs: EpochLog[] = [];
  steps: StepLog[] = [];
  switches: SwitchEvent[] = [];
  /** Why training stopped before its last epoch (EarlyStopping, TerminateOnNaN), or null. */
  stopReason: string | null = null;

  /** The last epoch's record, if any. */
  get last(): EpochLog | undefined {
    return this.epochs.at(-1);
  }

  /**
   * One value per epoch: 'loss', 'valLoss', 'lr', 'gradNorm', 'seconds', a training metric
   * ('accuracy') or a validation metric ('valAccuracy' or 'val_accuracy').
   */
  series(name: string): number[] {
    return this.epochs.map((e) => monitorValue(e, name));
  }

  toJSON(): { epochs: EpochLog[]; steps: StepLog[]; switches: SwitchEvent[]; stopReason: string | null } {
    return { epochs: this.epochs, steps: this.steps, switches: this.switches, stopReason: this.stopReason };
  }

  static fromJSON(value: unknown): History {
    const v = value as Partial<ReturnType<History['toJSON']>> | null;
    if (
      typeof v !== 'object' ||
      v === null ||
      !Array.isArray(v.epochs) ||
      !Array.isArray(v.steps) ||
      !Array.isArray(v.switches)
    ) {
      throw new TypeError('History.fromJSON: expected {epochs, steps, switches, stopReason}');
    }
    const h = new History();
    h.epochs = v.epochs.map((e) => ({ ...e, metrics: { ...e.metrics }, valMetrics: { ...e.valMetrics } }));
    h.steps = v.steps.map((s) => ({ ...s }));
    h.switches = v.switches.map((s) => ({ ...s, groups: [...s.groups], lrs: [...s.lrs] }));
    h.stopReason = typeof v.stopReason === 'string' ? v.stopReason : null;
    return h;
  }
}

const FIELDS: Record<string, keyof EpochLog> = {
  loss: 'loss',
  valLoss: 'valLoss',
  val_loss: 'valLoss',
  lr: 'lr',
  gradNorm: 'gradNorm',
  seconds: 'seconds',
};

/** A validation metric's key: 'valAccuracy' and 'val_accuracy' both name `valMetrics.accuracy`. */
function validationKey(name: string): string | null {
  if (name.startsWith('val_')) return name.slice(4);
  if (/^val[A-Z0-9]/.test(name)) return name[3]!.toLowerCase() + name.slice(4);
  return null;
}

/**
 * The value a monitor name reads from an epoch record (see `History.series`); undefined for a name
 * the record does not have.
 */
export function readMonitor(log: EpochLog, name: string): number | undefined {
  const field = FIELDS[name];
  if (field !== undefined) return log[field] as number;
  const val = validationKey(name);
  if (val !== null) return Object.hasOwn(log.valMetrics, val) ? log.valMetrics[val] : undefined;
  return Object.hasOwn(log.metrics, name) ? log.metrics[name] : undefined;
}

/** As `readMonitor`, but throws for an unknown name, listing the names the record has. */
export function monitorValue(log: EpochLog, name: string): number {
  const value = readMonitor(log, name);
  if (value === undefined) {
    throw new RangeError(`unknown monitor '${name}'; the epoch records have ${monitorNames(log).join(', ')}`);
  }
  return value;
}

/** Every name `monitorValue` accepts for this record. */
export function monitorNames(log: Pick<EpochLog, 'metrics' | 'valMetrics'>): string[] {
  return [
    'loss',
    'valLoss',
    ...Object.keys(log.metrics),
    ...Object.keys(log.valMetrics).map((k) => `val${k[0]!.toUpperCase()}${k.slice(1)}`),
    'lr',
    'gradNorm',
  ];
}

/** 'max' for monitors where higher is better (accuracy, top-k, precision, recall, F1), else 'min'. */
export function defaultMode(monitor: string): 'min' | 'max' {
  return /acc|top|precision|recall|f1/i.test(monitor) ? 'max' : 'min';
}
