/** Cross-entropy between class scores (logits) and class-index or probability targets. */
import { formatShape, sameShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { batchify, checkClassWeight, classTargets, classWeightView } from './class-targets.js';
import {
  asWeight,
  checkReduction,
  Loss,
  weightBuffer,
  type Reduction,
  type WeightLike,
} from './reduction.js';

export interface CrossEntropyLossOptions {
  /** Per-class weight w_c, [C]. */
  weight?: WeightLike | null;
  /** A class-index target value that contributes nothing; default −100. */
  ignoreIndex?: number;
  reduction?: Reduction;
  /** ε in [0, 1]: the target becomes (1 − ε)·one-hot + ε/C (Szegedy et al., 2016); default 0. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of scores x ([N, C, d1, ...], or [C]) against targets, with log p = logSoftmax(x)
 * over the class dim 1:
 *
 * - class indices y (int32, [N, d1, ...]):
 *   l_i = (1 − ε)·w[y_i]·(−log p_i[y_i]) + (ε/C)·Σ_c w_c·(−log p_i[c]), and 0 where y_i = ignoreIndex;
 *   'mean' divides Σ l_i by Σ w[y_i] over the targets that are not ignored (not by N).
 * - probabilities t (float, same shape as x): l_i = −Σ_c w_c·t'_ic·log p_ic with t' = (1 − ε)t + ε/C;
 *   'mean' divides by the number of samples N·d1·....
 *
 * Defaults: no weight, ignoreIndex −100, reduction 'mean', labelSmoothing 0.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyLossOptions = {}): Tensor {
  const what = 'crossEntropy';
  const { ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 } = options;
  checkReduction(reduction, what);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
    throw new RangeError(`${what}: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  const b = batchify(input, target, what);
  const x = b.input;
  const classes = x.shape[1]!;
  const weight = asWeight(options.weight, x.dtype);
  const logp = x.logSoftmax(1);
  const eps = labelSmoothing;

  let loss: Tensor;
  let divisor: number;
  if (b.target.dtype !== 'int32' && sameShape(b.target.shape, x.shape)) {
    // Probability targets.
    if (weight) checkClassWeight(weight, classes, what);
    const t = eps > 0 ? b.target.mul(1 - eps).add(eps / classes) : b.target;
    const weighted = weight ? logp.mul(classWeightView(weight, x.ndim)) : logp;
    loss = weighted.mul(t).sum(1).neg();
    divisor = loss.numel;
  } else {
    if (b.target.dtype !== 'int32' && b.target.ndim === x.ndim)
      throw new RangeError(
        `${what}: probability targets must have the input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
      );
    const t = classTargets(x, b.target, weight, ignoreIndex, what);
    loss = logp.gather(1, t.gatherIndex).squeeze(1).neg().mul(t.targetWeight);
    if (eps > 0) {
      const weighted = weight ? logp.mul(classWeightView(weight, x.ndim)) : logp;
      const smooth = weighted.sum(1).neg().mul(t.valid);
      loss = loss.mul(1 - eps).add(smooth.mul(eps / classes));
    }
    divisor = t.totalWeight;
  }
  if (reduction === 'sum') return loss.sum();
  if (reduction === 'mean') return loss.sum().div(divisor);
  return b.unbatched ? loss.squeeze(0) : loss;
}

/**
 * Cross-entropy on raw scores (logits): LogSoftmax and NLLLoss in one, numerically stable. Accepts
 * int32 class indices or class probabilities as targets (see `crossEntropy`).
 *
 * @example
 * const criterion = new CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = criterion.forward(model.forward(x), labels); // x: [N, 784], labels: int32 [N]
 * loss.backward();
 */
export class CrossEntropyLoss extends Loss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  declare weight: Tensor | null;

  constructor(options: CrossEntropyLossOptions = {}) {
    super(options.reduction);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.registerBuffer('weight', weightBuffer(options.weight));
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }

  override extraRepr(): string {
    const parts = [super.extraRepr()];
    if (this.labelSmoothing !== 0) parts.push(`labelSmoothing=${this.labelSmoothing}`);
    if (this.ignoreIndex !== -100) parts.push(`ignoreIndex=${this.ignoreIndex}`);
    return parts.filter(Boolean).join(', ');
  }
}
