/** Heavy-ball and Nesterov momentum, with PyTorch's SGD conventions. */
import type { Tensor } from '../../tensor/tensor.js';
import { resolve, type GradientTransformation, type Hyper, type Hyperparam } from '../transform.js';

export interface MomentumState {
  /** The velocity b; null until the first step with a non-zero momentum. */
  momentumBuffer: Tensor | null;
}

export interface TraceMomentumOptions<H> {
  /** μ; 0 turns the transform into the identity (and keeps no buffer). */
  momentum: Hyperparam<number, H>;
  /** τ: the new update enters the buffer with weight 1 − τ (from the second step on). Default 0. */
  dampening?: Hyperparam<number, H>;
  /** Use g + μ·b instead of b. Default false. */
  nesterov?: Hyperparam<boolean, H>;
}

/**
 * b₁ = g, then bₜ = μ·bₜ₋₁ + (1 − τ)·g; the output is b (or g + μ·b with Nesterov). The buffer
 * starts as g itself, without the (1 − τ) factor, exactly as torch.optim.SGD does.
 */
export function traceMomentum<H = Hyper>(
  options: TraceMomentumOptions<H>,
): GradientTransformation<MomentumState, H> {
  const { momentum, dampening = 0, nesterov = false } = options;
  return {
    init: (params) => params.map(() => ({ momentumBuffer: null })),
    update: (updates, states, _params, hyper) => {
      const mu = resolve(momentum, hyper);
      if (mu === 0) return { updates: [...updates], states: [...states] };
      const tau = resolve(dampening, hyper);
      const useNesterov = resolve(nesterov, hyper);
      const next: MomentumState[] = [];
      const out = updates.map((g, i) => {
        const prev = states[i]!.momentumBuffer;
        // A copy: the buffer must not alias the caller's gradient tensor, which may be zeroed in place.
        const buf = prev === null ? g.clone() : prev.mul(mu).add(tau === 0 ? g : g.mul(1 - tau));
        next.push({ momentumBuffer: buf });
        return useNesterov ? g.add(buf.mul(mu)) : buf;
      });
      return { updates: out, states: next };
    },
  };
}
