/**
 * Class-index targets, shared by NLLLoss and CrossEntropyLoss: the layout checks ([N, C, d1, ...]
 * scores against [N, d1, ...] int32 targets, or an unbatched [C] against a scalar), the range check
 * with an error that names the bad index, and the per-sample class weights with ignoreIndex applied.
 */
import { fromTypedArray } from '../../tensor/creation.js';
import type { DType } from '../../tensor/dtype.js';
import { formatShape, sameShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';

/** Input and target with a batch dimension, and whether it was added (then 'none' results drop it). */
export interface Batched {
  input: Tensor;
  target: Tensor;
  unbatched: boolean;
}

/**
 * Adds the batch dimension to an unbatched [C] input and its target (a scalar index, or [C]
 * probabilities), so that the class dimension is always 1.
 */
export function batchify(input: Tensor, target: Tensor, what: string): Batched {
  if (!(input instanceof Tensor) || !(target instanceof Tensor))
    throw new TypeError(`${what}: input and target must be Tensors`);
  if (input.ndim === 0) throw new RangeError(`${what}: the input needs a class dimension, got a scalar`);
  if (input.ndim > 1) return { input, target, unbatched: false };
  return { input: input.unsqueeze(0), target: target.unsqueeze(0), unbatched: true };
}

/** The shape class-index targets must have for scores of shape [N, C, d1, ...]: [N, d1, ...]. */
export function indexTargetShape(inputShape: readonly number[]): number[] {
  return [inputShape[0]!, ...inputShape.slice(2)];
}

export interface ClassTargets {
  /** The targets with ignored entries replaced by class 0, shaped [N, 1, d1, ...] for gather(1, ·). */
  gatherIndex: Tensor;
  /** w[y] (1 without weights) per target, 0 where the target is ignored; shape [N, d1, ...]. */
  targetWeight: Tensor;
  /** 1 per target, 0 where ignored; shape [N, d1, ...]. */
  valid: Tensor;
  /** Σ w[y] over the targets that are not ignored: the divisor of the 'mean' reduction. */
  totalWeight: number;
}

/** Checks the targets against scores of shape [N, C, ...] and precomputes what the losses need. */
export function classTargets(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  what: string,
): ClassTargets {
  const expected = indexTargetShape(input.shape);
  if (target.dtype !== 'int32') {
    throw new TypeError(
      `${what}: class-index targets must be an int32 tensor, got ${target.dtype} of shape ${formatShape(target.shape)}` +
        (sameShape(target.shape, input.shape) ? '' : '; convert with .int()'),
    );
  }
  if (!sameShape(target.shape, expected)) {
    throw new RangeError(
      `${what}: input shape ${formatShape(input.shape)} needs class-index targets of shape ${formatShape(expected)} ` +
        `(or probabilities of shape ${formatShape(input.shape)}), got target shape ${formatShape(target.shape)}`,
    );
  }
  const classes = input.shape[1]!;
  const w = weight ? checkClassWeight(weight, classes, what) : null;
  const labels = target._data as Int32Array;
  const n = labels.length;
  const safe = new Int32Array(n);
  const targetWeight = allocateLike(input.dtype, n);
  const valid = allocateLike(input.dtype, n);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y === ignoreIndex) continue;
    if (y < 0 || y >= classes) {
      throw new RangeError(
        `${what}: target ${y} at position ${position(i, target.shape)} is out of range for ${classes} classes ` +
          `(expected 0..${classes - 1}, or ignoreIndex ${ignoreIndex})`,
      );
    }
    safe[i] = y;
    const wy = w ? w[y]! : 1;
    targetWeight[i] = wy;
    valid[i] = 1;
    totalWeight += wy;
  }
  const gatherShape = [...target.shape];
  gatherShape.splice(1, 0, 1);
  return {
    gatherIndex: fromTypedArray(safe, gatherShape),
    targetWeight: fromTypedArray(targetWeight, target.shape),
    valid: fromTypedArray(valid, target.shape),
    totalWeight,
  };
}

/** A class weight must be 1-D with one entry per class; returns its values. */
export function checkClassWeight(weight: Tensor, classes: number, what: string): ArrayLike<number> {
  if (weight.ndim !== 1 || weight.numel !== classes)
    throw new RangeError(
      `${what}: weight of shape ${formatShape(weight.shape)} must have one entry per class, [${classes}]`,
    );
  return weight._data;
}

/** [1, C, 1, ...]: a per-class weight laid out to broadcast against scores of `ndim` dims. */
export function classWeightView(weight: Tensor, ndim: number): Tensor {
  const shape = new Array<number>(ndim).fill(1);
  shape[1] = weight.numel;
  return weight.reshape(shape);
}

function allocateLike(dtype: DType, n: number): Float32Array | Float64Array {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** A flat index as a position: `3` in a 1-D target, `[1, 2]` in a multi-dimensional one. */
function position(flat: number, shape: readonly number[]): string {
  if (shape.length <= 1) return String(flat);
  const out: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    out.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  return `[${out.join(', ')}]`;
}
