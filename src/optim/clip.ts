/**
 * Gradient clipping on parameters' `.grad`, in place, as torch.nn.utils does; the same rules as the
 * chainable `clipByGlobalNorm` and `clipByValue` transforms.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { Tensor } from '../tensor/tensor.js';
import { checkNormType, clipCoefficient, globalNorm } from './transforms/clip.js';

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of scaling by it. Default false. */
  errorIfNonfinite?: boolean;
}

function gradsOf(params: Tensor | Iterable<Tensor>): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  return list.flatMap((p) => (p.grad ? [p.grad] : []));
}

/**
 * Rescales the gradients of `params` together so that their global p-norm ‖(‖g₁‖ₚ, …, ‖gₙ‖ₚ)‖ₚ is
 * at most maxNorm: g ← g·maxNorm/(‖g‖ + 1e-6) when that factor is below 1. p may be any positive
 * number or Infinity (the largest |gᵢ|). Returns the total norm before clipping, like
 * torch.nn.utils.clip_grad_norm_. Parameters without a gradient are ignored.
 *
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 * optimizer.step();
 */
export function clipGradNorm(
  params: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normType = 2,
  options: ClipGradNormOptions = {},
): number {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) {
    throw new RangeError(`clipGradNorm: maxNorm must be in [0, ∞), got ${String(maxNorm)}`);
  }
  checkNormType(normType, 'clipGradNorm');
  const grads = gradsOf(params);
  const total = globalNorm(grads, normType);
  if (!Number.isFinite(total) && options.errorIfNonfinite) {
    throw new RangeError(
      `clipGradNorm: the total ${normType}-norm of the gradients is ${total}, so they cannot be clipped`,
    );
  }
  const coefficient = clipCoefficient(total, maxNorm);
  if (coefficient < 1) noGrad(() => grads.forEach((g) => g.mul_(coefficient)));
  return total;
}

/**
 * Clamps every gradient coordinate of `params` into [−clipValue, clipValue], in place, like
 * torch.nn.utils.clip_grad_value_.
 */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) {
    throw new RangeError(`clipGradValue: clipValue must be in [0, ∞), got ${String(clipValue)}`);
  }
  noGrad(() => gradsOf(params).forEach((g) => g.copy_(g.clamp(-clipValue, clipValue))));
}
