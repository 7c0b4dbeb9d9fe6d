/** What every loss shares: the reduction of per-element losses, shape checks, and the Loss base class. */
import { tensor } from '../../tensor/creation.js';
import type { DType } from '../../tensor/dtype.js';
import { formatShape, sameShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

/** 'mean' (the default) averages the per-element losses, 'sum' adds them, 'none' returns them all. */
export type Reduction = 'mean' | 'sum' | 'none';

const REDUCTIONS: readonly string[] = ['mean', 'sum', 'none'];

export function checkReduction<R extends string>(
  reduction: R,
  what: string,
  accepted: readonly string[] = REDUCTIONS,
): R {
  if (!accepted.includes(reduction))
    throw new RangeError(
      `${what}: reduction must be one of ${accepted.map((r) => `'${r}'`).join(', ')}, got '${String(reduction)}'`,
    );
  return reduction;
}

/** Applies a reduction to per-element losses. */
export function reduce(loss: Tensor, reduction: Reduction, what: string): Tensor {
  switch (checkReduction(reduction, what)) {
    case 'mean':
      return loss.mean();
    case 'sum':
      return loss.sum();
    default:
      return loss;
  }
}

/** Losses that compare elementwise need input and target of the same shape (no silent broadcasting). */
export function checkSameShape(input: Tensor, target: Tensor, what: string): void {
  if (!(target instanceof Tensor)) throw new TypeError(`${what}: the target must be a Tensor`);
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(
      `${what}: input shape ${formatShape(input.shape)} and target shape ${formatShape(target.shape)} differ; ` +
        'they must be the same (broadcasting a target, e.g. [N] against [N, 1], is almost always a bug)',
    );
  }
}

/** A per-class or per-element weight given as a tensor or a list, in the input's element type. */
export type WeightLike = Tensor | readonly number[];

export function asWeight(weight: WeightLike | null | undefined, dtype: DType): Tensor | null {
  if (weight === null || weight === undefined) return null;
  if (weight instanceof Tensor) return weight.dtype === dtype ? weight : weight.to(dtype);
  return tensor([...weight], { dtype });
}

/**
 * Base of the loss modules: holds the reduction (checked against `accepted`), and prints it when it
 * is not the default 'mean'.
 */
export abstract class Loss<R extends string = Reduction> extends Module {
  readonly reduction: R;

  constructor(reduction: R | undefined, accepted: readonly string[] = REDUCTIONS) {
    super();
    this.reduction = checkReduction(reduction ?? ('mean' as R), this.constructor.name, accepted);
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;

  override extraRepr(): string {
    return this.reduction === 'mean' ? '' : `reduction='${this.reduction}'`;
  }
}

/**
 * A weight option as a tensor for a registered buffer (PyTorch keeps loss weights as buffers, saved in
 * the state dict). A list stays float64, exactly the numbers given, and is cast to the input's type
 * when used.
 */
export function weightBuffer(weight: WeightLike | null | undefined): Tensor | null {
  if (weight === null || weight === undefined) return null;
  return weight instanceof Tensor ? weight : tensor([...weight], { dtype: 'float64' });
}
