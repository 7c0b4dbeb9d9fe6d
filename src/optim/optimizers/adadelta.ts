import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { scaleByAdadelta } from '../transforms/adaptive.js';
import { addWeightDecayToGradient } from '../transforms/weight-decay.js';
import { checkBoolean, checkInterval, checkLr } from '../validate.js';

export interface AdadeltaOptions {
  /** A factor on the step Δ (1 in Zeiler's paper). */
  lr: number;
  /** ρ, the decay of both running averages, in [0, 1]. */
  rho: number;
  /** ε, inside both square roots. */
  eps: number;
  /** λ, L2 penalty added to the gradient. */
  weightDecay: number;
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const ADADELTA_DEFAULTS: Readonly<AdadeltaOptions> = {
  lr: 1.0,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
};

/**
 * Adadelta (Zeiler 2012, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701), exactly as
 * torch.optim.Adadelta:
 *
 *     g ← ∇f(θ)  (−∇f with maximize);  g ← g + λθ
 *     s ← ρs + (1 − ρ)g²
 *     Δ = √(a + ε)/√(s + ε) · g,   a ← ρa + (1 − ρ)Δ²
 *     θ ← θ − lr·Δ
 *
 * Defaults: lr 1.0, rho 0.9, eps 1e-6, weightDecay 0, maximize false.
 *
 * @example
 * const opt = new Adadelta(model.parameters());
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: Params<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super('Adadelta', params, options, ADADELTA_DEFAULTS);
  }

  protected override validate(g: Group<AdadeltaOptions>): void {
    checkLr('Adadelta', g.lr);
    checkInterval('Adadelta', 'rho', g.rho, '[0, 1]');
    checkInterval('Adadelta', 'eps', g.eps, '[0, ∞)');
    checkInterval('Adadelta', 'weightDecay', g.weightDecay, '[0, ∞)');
    checkBoolean('Adadelta', 'maximize', g.maximize);
  }

  protected override makeTransform(): GradientTransformation<unknown, Group<AdadeltaOptions>> {
    return chain<Group<AdadeltaOptions>>(
      negate((g) => g.maximize),
      addWeightDecayToGradient((g) => g.weightDecay),
      scaleByAdadelta({ rho: (g) => g.rho, eps: (g) => g.eps }),
      scaleByLearningRate((g) => g.lr),
    );
  }
}
