/** Averaged SGD (Polyak & Juditsky 1992): a decaying step size, and the running average of the iterates. */
import { zerosLike } from '../../tensor/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { resolve, type GradientTransformation, type Hyper, type Hyperparam } from '../transform.js';

export interface AsgdState {
  step: number;
  /** η, the step size this step uses. */
  eta: number;
}

export interface ScaleByAsgdOptions<H> {
  /** The learning rate: η starts at it and decays as lr/(1 + λ·lr·t)^α. */
  lr: Hyperparam<number, H>;
  /** λ, the decay term, default 1e-4. */
  lambd?: Hyperparam<number, H>;
  /** α, the power of the η decay, default 0.75. */
  alpha?: Hyperparam<number, H>;
}

/**
 * ASGD's step, PyTorch's variant: u = η·(g + λθ), which with `scaleByLearningRate(1)` after it is
 * θ ← θ(1 − λη) − ηg; then η ← lr/(1 + λ·lr·t)^α for the next step (so step 1 uses η = lr).
 */
export function scaleByAsgd<H = Hyper>(options: ScaleByAsgdOptions<H>): GradientTransformation<AsgdState, H> {
  const { lr, lambd = 1e-4, alpha = 0.75 } = options;
  return {
    init: (params, hyper) => {
      const eta = resolve(lr, hyper);
      return params.map(() => ({ step: 0, eta }));
    },
    update: (updates, states, params, hyper) => {
      const l = resolve(lambd, hyper);
      const a = resolve(alpha, hyper);
      const rate = resolve(lr, hyper);
      const next: AsgdState[] = [];
      const out = updates.map((g, i) => {
        const { eta, step: previous } = states[i]!;
        const step = previous + 1;
        next.push({ step, eta: rate / (1 + l * rate * step) ** a });
        return l === 0 ? g.mul(eta) : g.mul(eta).add(params[i]!.mul(l * eta));
      });
      return { updates: out, states: next };
    },
  };
}

export interface AverageState {
  step: number;
  /** μ, the weight of the newest iterate in the average at this step. */
  mu: number;
  /** The averaged parameters. */
  ax: Tensor;
}

export interface AverageIteratesOptions<H> {
  /** t₀: averaging starts after this many steps (before, the average is the last iterate). Default 1e6. */
  t0?: Hyperparam<number, H>;
}

/**
 * Keeps the running average ax of the iterates θ + u, leaving the updates unchanged; chain it last,
 * after `scaleByLearningRate`. μ = 1/max(1, t − 1 − t₀): ax ← ax + μ(θ' − ax), or θ' while μ = 1.
 */
export function averageIterates<H = Hyper>(
  options: AverageIteratesOptions<H> = {},
): GradientTransformation<AverageState, H> {
  const { t0 = 1e6 } = options;
  return {
    init: (params) => params.map((p) => ({ step: 0, mu: 1, ax: zerosLike(p) })),
    update: (updates, states, params, hyper) => {
      const start = resolve(t0, hyper);
      const next = updates.map((u, i) => {
        const { step: previous, mu, ax } = states[i]!;
        const step = previous + 1;
        // The same sum applyUpdates will compute, so ax follows the parameters exactly.
        const iterate = params[i]!.add(u);
        return {
          step,
          mu: 1 / Math.max(1, step - start),
          ax: mu === 1 ? iterate : ax.add(iterate.sub(ax).mul(mu)),
        };
      });
      return { updates: [...updates], states: next };
    },
  };
}
