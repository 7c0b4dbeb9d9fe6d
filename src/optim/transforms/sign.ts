/** Sign-based directions: Rprop and Lion move each coordinate by a step that ignores |g|. */
import { fullLike, scalar, zerosLike } from '../../tensor/creation.js';
import { where } from '../../tensor/ops/elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';
import { resolve, type GradientTransformation, type Hyper, type Hyperparam } from '../transform.js';

export interface RpropState {
  step: number;
  /** The previous step's gradient (0 where that step reversed direction). */
  prev: Tensor;
  /** Each coordinate's current step size. */
  stepSize: Tensor;
}

export interface ScaleByRpropOptions<H> {
  /** The step size every coordinate starts with (PyTorch: the lr), read when the state is made. */
  initialStepSize: Hyperparam<number, H>;
  /** (η⁻, η⁺): the factors applied when the gradient's sign flips or stays. Default (0.5, 1.2). */
  etas?: Hyperparam<readonly [number, number], H>;
  /** (Δmin, Δmax): the step size's bounds. Default (1e-6, 50). */
  stepSizes?: Hyperparam<readonly [number, number], H>;
}

/**
 * Rprop's step (Riedmiller & Braun 1993), PyTorch's variant: s = sign(g·g_prev); Δ ← clamp(Δ·η⁺
 * where s > 0, Δ·η⁻ where s < 0, Δ where s = 0; Δmin, Δmax); where s < 0 the gradient is taken as 0
 * (no move, and g_prev = 0). The output is sign(g)·Δ, so the learning rate is already in it: chain
 * with `scaleByLearningRate(1)`.
 */
export function scaleByRprop<H = Hyper>(
  options: ScaleByRpropOptions<H>,
): GradientTransformation<RpropState, H> {
  const { initialStepSize, etas = [0.5, 1.2], stepSizes = [1e-6, 50] } = options;
  return {
    init: (params, hyper) => {
      const initial = resolve(initialStepSize, hyper);
      return params.map((p) => ({ step: 0, prev: zerosLike(p), stepSize: fullLike(p, initial) }));
    },
    update: (updates, states, _params, hyper) => {
      const [etaMinus, etaPlus] = resolve(etas, hyper);
      const [minStep, maxStep] = resolve(stepSizes, hyper);
      const next: RpropState[] = [];
      const out = updates.map((g, i) => {
        const s = states[i]!;
        const agreement = g.mul(s.prev).sign();
        const flipped = agreement.lt(0);
        const factor = where(
          agreement.gt(0),
          etaPlus,
          where(flipped, scalar(etaMinus, { dtype: g.dtype }), 1),
        );
        const stepSize = s.stepSize.mul(factor).clamp(minStep, maxStep);
        const kept = where(flipped, 0, g);
        next.push({ step: s.step + 1, prev: kept, stepSize });
        return kept.sign().mul(stepSize);
      });
      return { updates: out, states: next };
    },
  };
}

export interface LionState {
  /** m: the momentum, an exponential average of g with rate β₂. */
  expAvg: Tensor;
}

export interface ScaleByLionOptions<H> {
  /** β₁, the interpolation used for the step's sign, default 0.9. */
  b1?: Hyperparam<number, H>;
  /** β₂, the momentum's decay, default 0.99. */
  b2?: Hyperparam<number, H>;
}

/**
 * Lion's direction (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms",
 * arXiv:2302.06675, Algorithm 2): c = β₁m + (1−β₁)g, u = sign(c), then m ← β₂m + (1−β₂)g.
 */
export function scaleByLion<H = Hyper>(
  options: ScaleByLionOptions<H> = {},
): GradientTransformation<LionState, H> {
  const { b1 = 0.9, b2 = 0.99 } = options;
  return {
    init: (params) => params.map((p) => ({ expAvg: zerosLike(p) })),
    update: (updates, states, _params, hyper) => {
      const beta1 = resolve(b1, hyper);
      const beta2 = resolve(b2, hyper);
      const next: LionState[] = [];
      const out = updates.map((g, i) => {
        const m = states[i]!.expAvg;
        const direction = m
          .mul(beta1)
          .add(g.mul(1 - beta1))
          .sign();
        next.push({ expAvg: m.mul(beta2).add(g.mul(1 - beta2)) });
        return direction;
      });
      return { updates: out, states: next };
    },
  };
}
