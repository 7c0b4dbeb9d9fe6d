/** Binary cross-entropy, on probabilities (BCELoss) and, stably, on logits (BCEWithLogitsLoss). */
import { where } from '../../tensor/ops/elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';
import { logSigmoid } from '../activations.js';
import {
  asWeight,
  checkSameShape,
  Loss,
  reduce,
  weightBuffer,
  type Reduction,
  type WeightLike,
} from './reduction.js';

export interface BCEOptions {
  /** A weight per element, broadcast against the input. */
  weight?: WeightLike | null;
  reduction?: Reduction;
}

/** max(log x, −100), with no NaN gradient at x = 0 (the log never sees a zero). */
function clampedLog(x: Tensor): Tensor {
  const positive = x.gt(0);
  return where(positive, where(positive, x, 1).log().clamp(-100, null), -100);
}

/**
 * Binary cross-entropy on probabilities x ∈ [0, 1]: l = −w·(t·log x + (1 − t)·log(1 − x)), each log
 * clamped at −100 as PyTorch does, so a confident wrong prediction gives a large finite loss rather
 * than ∞. Targets may be soft. Prefer `binaryCrossEntropyWithLogits` on raw scores.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  const what = 'binaryCrossEntropy';
  checkSameShape(input, target, what);
  const data = input._data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(v >= 0 && v <= 1))
      throw new RangeError(
        `${what}: input element ${i} is ${v}, but the input must be probabilities in [0, 1] (use binaryCrossEntropyWithLogits on raw scores)`,
      );
  }
  let loss = target
    .mul(clampedLog(input))
    .add(
      target
        .neg()
        .add(1)
        .mul(clampedLog(input.neg().add(1))),
    )
    .neg();
  const weight = asWeight(options.weight, loss.dtype);
  if (weight) loss = loss.mul(weight);
  return reduce(loss, options.reduction ?? 'mean', what);
}

export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of the positive term per class, broadcast along the last dim ([C]); > 1 raises recall. */
  posWeight?: WeightLike | null;
}

/**
 * Binary cross-entropy on logits x: l = −w·(p·t·log σ(x) + (1 − t)·log(1 − σ(x))), with p the
 * posWeight. Written as (1 − t)·x − (1 + (p − 1)·t)·log σ(x), using log(1 − σ(x)) = log σ(x) − x, and
 * log σ computed stably (never log(sigmoid(x))), so large |x| is exact.
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BCEWithLogitsOptions = {},
): Tensor {
  const what = 'binaryCrossEntropyWithLogits';
  checkSameShape(input, target, what);
  const posWeight = asWeight(options.posWeight, input.dtype);
  const logSig = logSigmoid(input);
  const positiveScale = posWeight ? posWeight.sub(1).mul(target).add(1) : null;
  const positive = positiveScale ? logSig.mul(positiveScale) : logSig;
  let loss = target.neg().add(1).mul(input).sub(positive);
  const weight = asWeight(options.weight, input.dtype);
  if (weight) loss = loss.mul(weight);
  return reduce(loss, options.reduction ?? 'mean', what);
}

/** Binary cross-entropy on probabilities (after a Sigmoid); see `binaryCrossEntropy`. */
export class BCELoss extends Loss {
  declare weight: Tensor | null;
  constructor(options: BCEOptions = {}) {
    super(options.reduction);
    this.registerBuffer('weight', weightBuffer(options.weight));
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Sigmoid and binary cross-entropy in one, numerically stable; see `binaryCrossEntropyWithLogits`.
 *
 * @example
 * const criterion = new BCEWithLogitsLoss({ posWeight: [3] }); // positives are 3× rarer
 */
export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  // The field's name is its state-dict key, so it keeps PyTorch's `pos_weight`.
  declare pos_weight: Tensor | null;
  constructor(options: BCEWithLogitsOptions = {}) {
    super(options.reduction);
    this.registerBuffer('weight', weightBuffer(options.weight));
    this.registerBuffer('pos_weight', weightBuffer(options.posWeight));
  }
  /** The positive-class weight p (PyTorch's `pos_weight` buffer). */
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.pos_weight,
      reduction: this.reduction,
    });
  }
}
