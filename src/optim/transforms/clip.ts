/** Gradient clipping as chainable transforms; `clipGradNorm`/`clipGradValue` in ../clip.ts use the same rules. */
import type { Tensor } from '../../tensor/tensor.js';
import {
  resolve,
  stateless,
  type EmptyState,
  type GradientTransformation,
  type Hyper,
  type Hyperparam,
} from '../transform.js';

/** PyTorch's guard against dividing by a zero norm: the scale is maxNorm/(‖g‖ + 1e-6). */
export const CLIP_NORM_EPS = 1e-6;

/** Checks a norm order: any p > 0, or Infinity. */
export function checkNormType(normType: number, where: string): void {
  if (typeof normType !== 'number' || !(normType > 0)) {
    throw new RangeError(
      `${where}: normType must be in (0, ∞] (Infinity for the max norm), got ${String(normType)}`,
    );
  }
}

/**
 * The p-norm of all the tensors taken together, ‖(‖t₁‖ₚ, …, ‖tₙ‖ₚ)‖ₚ, as a JS number; p may be
 * Infinity (the largest |value|). 0 for an empty list.
 */
export function globalNorm(tensors: readonly Tensor[], normType = 2): number {
  checkNormType(normType, 'globalNorm');
  const norms = tensors.map((t) => (t.numel === 0 ? 0 : t.norm(normType).item()));
  if (normType === Infinity) return norms.reduce((a, b) => Math.max(a, b), 0);
  return norms.reduce((sum, n) => sum + n ** normType, 0) ** (1 / normType);
}

/** The factor that brings a total norm down to maxNorm, or 1 when it is already within it. */
export function clipCoefficient(totalNorm: number, maxNorm: number): number {
  const coefficient = maxNorm / (totalNorm + CLIP_NORM_EPS);
  return coefficient < 1 ? coefficient : 1;
}

export interface ClipByGlobalNormOptions<H> {
  /** The order p of the norm, default 2; Infinity for the max norm. */
  normType?: Hyperparam<number, H>;
}

/**
 * Rescales all the updates together so that their global p-norm is at most maxNorm:
 * u ← u·min(1, maxNorm/(‖u‖ + 1e-6)) (torch.nn.utils.clip_grad_norm_, over one parameter group
 * when used inside an optimizer).
 */
export function clipByGlobalNorm<H = Hyper>(
  maxNorm: Hyperparam<number, H>,
  options: ClipByGlobalNormOptions<H> = {},
): GradientTransformation<EmptyState, H> {
  const { normType = 2 } = options;
  return {
    init: (params) => params.map(() => ({})),
    update: (updates, states, _params, hyper) => {
      const coefficient = clipCoefficient(
        globalNorm(updates, resolve(normType, hyper)),
        resolve(maxNorm, hyper),
      );
      return {
        updates: coefficient === 1 ? [...updates] : updates.map((u) => u.mul(coefficient)),
        states: [...states],
      };
    },
  };
}

/** Clamps every coordinate into [−clipValue, clipValue] (torch.nn.utils.clip_grad_value_). */
export function clipByValue<H = Hyper>(
  clipValue: Hyperparam<number, H>,
): GradientTransformation<EmptyState, H> {
  return stateless((u, _p, hyper) => {
    const c = resolve(clipValue, hyper);
    return u.clamp(-c, c);
  });
}
