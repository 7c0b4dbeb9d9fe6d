/**
 * Per-coordinate step sizes from accumulated squared gradients: Adagrad, RMSprop and Adadelta, with
 * PyTorch's placement of ε. Each outputs the direction before the learning rate.
 */
import { fullLike, zerosLike } from '../../tensor/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { resolve, type GradientTransformation, type Hyper, type Hyperparam } from '../transform.js';

export interface AdagradState {
  step: number;
  /** Σ g² (started at the initial accumulator value). */
  sum: Tensor;
}

export interface ScaleByAdagradOptions<H> {
  /** η decay: the step is divided by 1 + (t−1)·lrDecay. Default 0. */
  lrDecay?: Hyperparam<number, H>;
  /** ε added to √Σg², default 1e-10. */
  eps?: Hyperparam<number, H>;
  /** The accumulator's starting value, default 0. Fixed for the life of the state. */
  initialAccumulatorValue?: number;
}

/**
 * Adagrad's direction (Duchi et al. 2011): s ← s + g², u = g/(√s + ε) / (1 + (t−1)·lrDecay).
 */
export function scaleByAdagrad<H = Hyper>(
  options: ScaleByAdagradOptions<H> = {},
): GradientTransformation<AdagradState, H> {
  const { lrDecay = 0, eps = 1e-10, initialAccumulatorValue = 0 } = options;
  return {
    init: (params) => params.map((p) => ({ step: 0, sum: fullLike(p, initialAccumulatorValue) })),
    update: (updates, states, _params, hyper) => {
      const decay = resolve(lrDecay, hyper);
      const epsilon = resolve(eps, hyper);
      const next: AdagradState[] = [];
      const out = updates.map((g, i) => {
        const s = states[i]!;
        const step = s.step + 1;
        const sum = s.sum.add(g.mul(g));
        next.push({ step, sum });
        const direction = g.div(sum.sqrt().add(epsilon));
        const factor = 1 + (step - 1) * decay;
        return factor === 1 ? direction : direction.div(factor);
      });
      return { updates: out, states: next };
    },
  };
}

export interface RmsState {
  /** The running mean of g². */
  squareAvg: Tensor;
  /** The running mean of g (centered only, else null). */
  gradAvg: Tensor | null;
}

export interface ScaleByRmsOptions<H> {
  /** α, the smoothing constant, default 0.99. */
  alpha?: Hyperparam<number, H>;
  /** ε added to the root (outside it), default 1e-8. */
  eps?: Hyperparam<number, H>;
  /** Divide by the centered second moment √(E[g²] − E[g]²). Fixed for the life of the state. */
  centered?: boolean;
}

/**
 * RMSprop's direction (Hinton, Coursera lecture 6e, 2012; the centered form from Graves 2013):
 * s ← αs + (1−α)g², u = g/(√s + ε); centered: ḡ ← αḡ + (1−α)g, u = g/(√(s − ḡ²) + ε).
 * PyTorch's RMSprop momentum is `traceMomentum` chained after this.
 */
export function scaleByRms<H = Hyper>(
  options: ScaleByRmsOptions<H> = {},
): GradientTransformation<RmsState, H> {
  const { alpha = 0.99, eps = 1e-8, centered = false } = options;
  return {
    init: (params) =>
      params.map((p) => ({ squareAvg: zerosLike(p), gradAvg: centered ? zerosLike(p) : null })),
    update: (updates, states, _params, hyper) => {
      const a = resolve(alpha, hyper);
      const epsilon = resolve(eps, hyper);
      const next: RmsState[] = [];
      const out = updates.map((g, i) => {
        const s = states[i]!;
        const squareAvg = s.squareAvg.mul(a).add(g.mul(g).mul(1 - a));
        const gradAvg = s.gradAvg ? s.gradAvg.mul(a).add(g.mul(1 - a)) : null;
        const variance = gradAvg ? squareAvg.sub(gradAvg.mul(gradAvg)) : squareAvg;
        next.push({ squareAvg, gradAvg });
        return g.div(variance.sqrt().add(epsilon));
      });
      return { updates: out, states: next };
    },
  };
}

export interface AdadeltaState {
  step: number;
  /** The running mean of g². */
  squareAvg: Tensor;
  /** The running mean of the squared steps Δ². */
  accDelta: Tensor;
}

export interface ScaleByAdadeltaOptions<H> {
  /** ρ, the smoothing constant, default 0.9. */
  rho?: Hyperparam<number, H>;
  /** ε, inside both square roots, default 1e-6. */
  eps?: Hyperparam<number, H>;
}

/**
 * Adadelta's direction (Zeiler 2012, arXiv:1212.5701): s ← ρs + (1−ρ)g²,
 * Δ = √(a + ε)/√(s + ε)·g, a ← ρa + (1−ρ)Δ²; the output is Δ (before the learning rate).
 */
export function scaleByAdadelta<H = Hyper>(
  options: ScaleByAdadeltaOptions<H> = {},
): GradientTransformation<AdadeltaState, H> {
  const { rho = 0.9, eps = 1e-6 } = options;
  return {
    init: (params) => params.map((p) => ({ step: 0, squareAvg: zerosLike(p), accDelta: zerosLike(p) })),
    update: (updates, states, _params, hyper) => {
      const r = resolve(rho, hyper);
      const epsilon = resolve(eps, hyper);
      const next: AdadeltaState[] = [];
      const out = updates.map((g, i) => {
        const s = states[i]!;
        const squareAvg = s.squareAvg.mul(r).add(g.mul(g).mul(1 - r));
        const delta = s.accDelta.add(epsilon).sqrt().div(squareAvg.add(epsilon).sqrt()).mul(g);
        const accDelta = s.accDelta.mul(r).add(delta.mul(delta).mul(1 - r));
        next.push({ step: s.step + 1, squareAvg, accDelta });
        return delta;
      });
      return { updates: out, states: next };
    },
  };
}
