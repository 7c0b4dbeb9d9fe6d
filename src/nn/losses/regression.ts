/** Elementwise regression losses on d = input − target: MSE, L1, smooth L1 and Huber. */
import { where } from '../../tensor/ops/elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkSameShape, Loss, reduce, type Reduction } from './reduction.js';

export interface ReductionOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
}

/** Mean squared error: l = d². Input and target must have the same shape. */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  checkSameShape(input, target, 'mseLoss');
  const d = input.sub(target);
  return reduce(d.mul(d), options.reduction ?? 'mean', 'mseLoss');
}

/** Mean absolute error: l = |d| (its gradient at d = 0 is 0, as in PyTorch). */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  checkSameShape(input, target, 'l1Loss');
  return reduce(input.sub(target).abs(), options.reduction ?? 'mean', 'l1Loss');
}

export interface SmoothL1Options extends ReductionOptions {
  /** Where the loss turns from quadratic to linear; default 1. beta = 0 is the L1 loss. */
  beta?: number;
}

/**
 * Smooth L1 (Girshick, 2015, Fast R-CNN): l = 0.5·d²/beta if |d| < beta, |d| − 0.5·beta otherwise.
 * Unlike Huber, the linear part has slope 1 whatever beta is.
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1Options = {}): Tensor {
  checkSameShape(input, target, 'smoothL1Loss');
  const { beta = 1, reduction = 'mean' } = options;
  if (!(beta >= 0)) throw new RangeError(`smoothL1Loss: beta must be non-negative, got ${beta}`);
  const d = input.sub(target);
  const ad = d.abs();
  if (beta === 0) return reduce(ad, reduction, 'smoothL1Loss');
  return reduce(where(ad.lt(beta), d.mul(d).mul(0.5 / beta), ad.sub(0.5 * beta)), reduction, 'smoothL1Loss');
}

export interface HuberOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear; default 1. */
  delta?: number;
}

/**
 * Huber loss (Huber, 1964): l = 0.5·d² if |d| < delta, delta·(|d| − 0.5·delta) otherwise. Equals
 * smooth L1 only for delta = beta = 1; in general huber = delta·smoothL1 with beta = delta.
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  checkSameShape(input, target, 'huberLoss');
  const { delta = 1, reduction = 'mean' } = options;
  if (!(delta > 0)) throw new RangeError(`huberLoss: delta must be positive, got ${delta}`);
  const d = input.sub(target);
  const ad = d.abs();
  return reduce(
    where(ad.lt(delta), d.mul(d).mul(0.5), ad.sub(0.5 * delta).mul(delta)),
    reduction,
    'huberLoss',
  );
}

/** Mean squared error loss, (input − target)², reduced (default 'mean'). @example new MSELoss().forward(pred, y) */
export class MSELoss extends Loss {
  constructor(options: ReductionOptions = {}) {
    super(options.reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error loss, |input − target|, reduced (default 'mean'). */
export class L1Loss extends Loss {
  constructor(options: ReductionOptions = {}) {
    super(options.reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Smooth L1 loss with threshold beta (default 1); see `smoothL1Loss`. @example new SmoothL1Loss({ beta: 0.5 }) */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options: SmoothL1Options = {}) {
    super(options.reduction);
    this.beta = options.beta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { beta: this.beta, reduction: this.reduction });
  }
  override extraRepr(): string {
    return [`beta=${this.beta}`, super.extraRepr()].filter(Boolean).join(', ');
  }
}

/** Huber loss with threshold delta (default 1); see `huberLoss`. @example new HuberLoss({ delta: 2 }) */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options: HuberOptions = {}) {
    super(options.reduction);
    this.delta = options.delta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { delta: this.delta, reduction: this.reduction });
  }
  override extraRepr(): string {
    return [`delta=${this.delta}`, super.extraRepr()].filter(Boolean).join(', ');
  }
}
