/** The negative log-likelihood loss on log-probabilities. */
import type { Tensor } from '../../tensor/tensor.js';
import { batchify, classTargets } from './class-targets.js';
import {
  asWeight,
  checkReduction,
  Loss,
  weightBuffer,
  type Reduction,
  type WeightLike,
} from './reduction.js';

export interface NLLLossOptions {
  /** Per-class weight w_c, [C]. */
  weight?: WeightLike | null;
  /** A target value that contributes nothing (neither to the sum nor to the mean's divisor); default −100. */
  ignoreIndex?: number;
  reduction?: Reduction;
}

/**
 * NLL loss: l_i = −w[y_i]·x_i[y_i] for log-probabilities x of shape [N, C, d1, ...] (or [C]) and
 * int32 class targets y of shape [N, d1, ...]. 'mean' divides by Σ w[y_i] over the targets that are
 * not ignored (not by N), as PyTorch does.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  const what = 'nllLoss';
  const { ignoreIndex = -100, reduction = 'mean' } = options;
  checkReduction(reduction, what);
  const b = batchify(input, target, what);
  const t = classTargets(b.input, b.target, asWeight(options.weight, b.input.dtype), ignoreIndex, what);
  const loss = b.input.gather(1, t.gatherIndex).squeeze(1).neg().mul(t.targetWeight);
  if (reduction === 'sum') return loss.sum();
  if (reduction === 'mean') return loss.sum().div(t.totalWeight);
  return b.unbatched ? loss.squeeze(0) : loss;
}

/**
 * Negative log-likelihood loss on log-probabilities (e.g. after LogSoftmax). Defaults: no weight,
 * ignoreIndex −100, reduction 'mean'.
 *
 * @example
 * const loss = new NLLLoss().forward(logSoftmax(scores, 1), labels); // labels: int32 [N]
 */
export class NLLLoss extends Loss {
  readonly ignoreIndex: number;
  declare weight: Tensor | null;

  constructor(options: NLLLossOptions = {}) {
    super(options.reduction);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.registerBuffer('weight', weightBuffer(options.weight));
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
    });
  }
}
