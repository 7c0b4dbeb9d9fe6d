/**
 * The plain supervised loop for classifiers: one pass over mini-batches that steps the optimizer, and
 * an evaluation pass that only measures. The trainer (callbacks, checkpoints, metrics) builds on these.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { fromTypedArray } from '../tensor/creation.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Batch } from '../data/batches.js';

/** What the loop needs of a model: PyTorch's forward plus train/eval modes. */
export interface Classifier {
  forward(input: Tensor): Tensor;
  train(mode?: boolean): unknown;
  eval(): unknown;
}

/** What the loop needs of an optimizer. */
export interface Steppable {
  zeroGrad(): void;
  step(): unknown;
}

/** A loss on (logits [N, C], class indices [N]) returning a scalar mean over the batch. */
export type ClassificationLoss = (logits: Tensor, targets: Tensor) => Tensor;

export interface EpochResult {
  /** Mean loss over the samples seen. */
  loss: number;
  /** Fraction of samples whose arg-max logit is the label. */
  accuracy: number;
  samples: number;
  seconds: number;
  /** Mean gradient norm over the batches, when `beforeStep` measured it. */
  gradNorm?: number;
}

/** A batch of flat images and labels as tensors: inputs [N, features] and int32 targets [N]. */
export function batchTensors(batch: Batch, dtype: DType = 'float32'): { inputs: Tensor; targets: Tensor } {
  const features = batch.images.length / batch.size;
  const images = fromTypedArray(batch.images, [batch.size, features]);
  return {
    inputs: dtype === 'float32' ? images : images.to(dtype),
    targets: fromTypedArray(batch.labels, [batch.size]),
  };
}

function countCorrect(logits: Tensor, targets: Tensor): number {
  const predicted = logits.argmax(1)._data;
  const labels = targets._data;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct;
}

export interface TrainEpochOptions {
  dtype?: DType;
  /**
   * Runs between backward() and step(): gradient clipping goes here. It may return the gradient norm
   * it measured, which the epoch result averages.
   */
  beforeStep?: () => number | void;
  /** Runs after every optimizer step: a per-batch learning-rate schedule steps here. */
  afterStep?: () => void;
  /** Called after every batch with the number of batches done and the running mean loss. */
  onBatch?: (done: number, runningLoss: number) => void;
}

/** One epoch of minibatch gradient descent: forward, loss, backward, step. */
export function trainEpoch(
  model: Classifier,
  data: Iterable<Batch>,
  optimizer: Steppable,
  loss: ClassificationLoss,
  options: TrainEpochOptions = {},
): EpochResult {
  const start = performance.now();
  model.train();
  let total = 0;
  let correct = 0;
  let samples = 0;
  let done = 0;
  let normSum = 0;
  let normCount = 0;
  for (const batch of data) {
    const { inputs, targets } = batchTensors(batch, options.dtype);
    optimizer.zeroGrad();
    const logits = model.forward(inputs);
    const value = loss(logits, targets);
    value.backward();
    const norm = options.beforeStep?.();
    if (typeof norm === 'number') {
      normSum += norm;
      normCount++;
    }
    optimizer.step();
    options.afterStep?.();
    const l = value.item();
    if (!Number.isFinite(l)) {
      throw new Error(
        `training diverged: the loss became ${l} at batch ${done + 1}; try a smaller learning rate`,
      );
    }
    total += l * batch.size;
    correct += countCorrect(logits, targets);
    samples += batch.size;
    done++;
    options.onBatch?.(done, total / samples);
  }
  return {
    loss: total / Math.max(samples, 1),
    accuracy: correct / Math.max(samples, 1),
    samples,
    seconds: (performance.now() - start) / 1000,
    ...(normCount > 0 ? { gradNorm: normSum / normCount } : {}),
  };
}

/** Loss and accuracy over a dataset, without recording gradients, in eval mode. */
export function evaluate(
  model: Classifier,
  data: Iterable<Batch>,
  loss: ClassificationLoss,
  options: { dtype?: DType } = {},
): EpochResult {
  const start = performance.now();
  model.eval();
  let total = 0;
  let correct = 0;
  let samples = 0;
  noGrad(() => {
    for (const batch of data) {
      const { inputs, targets } = batchTensors(batch, options.dtype);
      const logits = model.forward(inputs);
      total += loss(logits, targets).item() * batch.size;
      correct += countCorrect(logits, targets);
      samples += batch.size;
    }
  });
  return {
    loss: total / Math.max(samples, 1),
    accuracy: correct / Math.max(samples, 1),
    samples,
    seconds: (performance.now() - start) / 1000,
  };
}
