/**
 * Training a classifier over epochs: the plain loop plus what every run needs around it — a
 * learning-rate schedule stepped per batch or per epoch (ReduceLROnPlateau gets the validation loss),
 * gradient-norm clipping, optimizer switching (an optimizer with `onEpochEnd`, such as the switching
 * optimizers, hears every epoch end), and one record per epoch for reports and comparisons.
 * The data order depends only on the seed, so two runs with different optimizers see the same batches.
 */
import type { ImageSet } from '../data/image-set.js';
import { batches, batchCount } from '../data/batches.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { clipGradNorm } from '../optim/clip.js';
import type { OptimizerLike } from '../optim/optimizer.js';
import type { Scheduler } from '../optim/schedulers/lr-scheduler.js';
import { ReduceLROnPlateau } from '../optim/schedulers/plateau.js';
import { evaluate, trainEpoch, type Classifier, type ClassificationLoss } from './loop.js';

/** One line of a training history. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  /** Validation loss and accuracy (NaN without validation data). */
  valLoss: number;
  valAccuracy: number;
  /** The learning rate of the first parameter group at the end of the epoch. */
  lr: number;
  /** The optimizer that took the epoch's last step (changes after a switch). */
  optimizer: string;
  /** Mean gradient norm before clipping (NaN when not clipping). */
  gradNorm: number;
  seconds: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Seed of the batch order (epoch e uses seed·1000 + e). */
  seed?: number;
  dtype?: DType;
  validation?: ImageSet;
  scheduler?: Scheduler;
  /** When the scheduler steps: after every batch (default) or every epoch. Plateau always steps per epoch. */
  scheduleEvery?: 'batch' | 'epoch';
  /** Clip the global L2 norm of the gradients to this value before each step. */
  clipNorm?: number;
  onBatch?: (epoch: number, done: number, total: number, runningLoss: number) => void;
  onEpoch?: (record: EpochRecord) => void;
}

/** What `fit` needs of a model. */
export interface TrainableClassifier extends Classifier {
  parameters(): Tensor[];
}

/** An optimizer's display name: a switching optimizer reports its active phase. */
export function optimizerName(optimizer: OptimizerLike): string {
  const o = optimizer as unknown as { activeName?: string; name?: string; constructor: { name: string } };
  return o.activeName ?? o.name ?? o.constructor.name;
}

export function fit(
  model: TrainableClassifier,
  optimizer: OptimizerLike,
  loss: ClassificationLoss,
  train: ImageSet,
  options: FitOptions,
): EpochRecord[] {
  const { epochs, batchSize, seed = 0, dtype = 'float32', validation, scheduler, clipNorm } = options;
  const plateau = scheduler instanceof ReduceLROnPlateau;
  const perBatch = scheduler && !plateau && (options.scheduleEvery ?? 'batch') === 'batch';
  const total = batchCount(train.count, batchSize);
  const params = model.parameters();
  const history: EpochRecord[] = [];
  const switching = optimizer as OptimizerLike & {
    onEpochEnd?: (epochsDone: number) => void;
    attachScheduler?: (scheduler: Scheduler) => void;
  };
  // A switching optimizer rebases the schedule on the new phase's lr, so it must know the scheduler.
  if (scheduler && switching.attachScheduler) switching.attachScheduler(scheduler);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const result = trainEpoch(
      model,
      batches(train, { batchSize, seed: seed * 1000 + epoch }),
      optimizer,
      loss,
      {
        dtype,
        ...(clipNorm !== undefined ? { beforeStep: () => clipGradNorm(params, clipNorm) } : {}),
        ...(perBatch ? { afterStep: () => scheduler.step() } : {}),
        onBatch: (done, running) => options.onBatch?.(epoch, done, total, running),
      },
    );
    const val =
      validation && validation.count > 0
        ? evaluate(model, batches(validation, { batchSize: 1000, shuffle: false }), loss, { dtype })
        : null;
    const record: EpochRecord = {
      epoch,
      trainLoss: result.loss,
      trainAccuracy: result.accuracy,
      valLoss: val ? val.loss : NaN,
      valAccuracy: val ? val.accuracy : NaN,
      lr: optimizer.paramGroups[0]!.lr,
      optimizer: optimizerName(optimizer),
      gradNorm: result.gradNorm ?? NaN,
      seconds: result.seconds,
    };
    if (scheduler && !perBatch) scheduler.step(plateau ? (val ? val.loss : result.loss) : undefined);
    history.push(record);
    options.onEpoch?.(record);
    switching.onEpochEnd?.(epoch);
  }
  return history;
}
