/** The Kullback-Leibler divergence loss. */
import { where } from '../../tensor/ops/elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkReduction, checkSameShape, Loss } from './reduction.js';

/** 'batchmean' (Σ / N) is the true KL divergence per sample; 'mean' (PyTorch's default) divides by every element. */
export type KLDivReduction = 'mean' | 'batchmean' | 'sum' | 'none';

const KL_REDUCTIONS: readonly KLDivReduction[] = ['mean', 'batchmean', 'sum', 'none'];

export interface KLDivOptions {
  /** Default 'mean' as in PyTorch; use 'batchmean' for the mathematical KL divergence. */
  reduction?: KLDivReduction;
  /** The target is given as log-probabilities too; default false. */
  logTarget?: boolean;
}

/**
 * KL(t ‖ p) with the input x = log p (log-probabilities) and target t: pointwise
 * l = t·(log t − x), taken as 0 where t = 0, or with `logTarget` l = e^t·(t − x).
 */
export function klDiv(input: Tensor, target: Tensor, options: KLDivOptions = {}): Tensor {
  const what = 'klDiv';
  checkSameShape(input, target, what);
  const { reduction = 'mean', logTarget = false } = options;
  checkReduction(reduction, what, KL_REDUCTIONS);
  let loss: Tensor;
  if (logTarget) {
    loss = target.exp().mul(target.sub(input));
  } else {
    // t·log t is 0 at t = 0; the log sees 1 there, so neither the value nor the gradient is NaN.
    const positive = target.gt(0);
    const tLogT = where(positive, target.mul(where(positive, target, 1).log()), 0);
    loss = tLogT.sub(target.mul(input));
  }
  switch (reduction) {
    case 'sum':
      return loss.sum();
    case 'mean':
      return loss.mean();
    case 'batchmean':
      return loss.sum().div(input.ndim === 0 ? 1 : input.shape[0]!);
    default:
      return loss;
  }
}

/**
 * KL divergence loss on log-probability inputs (Kullback & Leibler, 1951); see `klDiv`.
 *
 * @example
 * const kl = new KLDivLoss({ reduction: 'batchmean' });
 * kl.forward(logSoftmax(studentScores, 1), softmax(teacherScores, 1));
 */
export class KLDivLoss extends Loss<KLDivReduction> {
  readonly logTarget: boolean;
  constructor(options: KLDivOptions = {}) {
    super(options.reduction, KL_REDUCTIONS);
    this.logTarget = options.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
  override extraRepr(): string {
    return [super.extraRepr(), this.logTarget ? 'logTarget=true' : ''].filter(Boolean).join(', ');
  }
}
