import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { scaleByAdamax } from '../transforms/adam.js';
import { addWeightDecayToGradient } from '../transforms/weight-decay.js';
import { checkBetas, checkBoolean, checkInterval, checkLr } from '../validate.js';

export interface AdamaxOptions {
  /** Learning rate. */
  lr: number;
  /** (β₁, β₂): decay of the first moment and of the infinity norm, each in [0, 1). */
  betas: [number, number];
  /** ε, added to |g| inside the max. */
  eps: number;
  /** λ, L2 penalty added to the gradient. */
  weightDecay: number;
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const ADAMAX_DEFAULTS: Readonly<AdamaxOptions> = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  maximize: false,
};

/**
 * Adamax, Adam with the infinity norm (Kingma & Ba 2015, "Adam: A Method for Stochastic
 * Optimization", §7.1), exactly as torch.optim.Adamax:
 *
 *     g ← ∇f(θ)  (−∇f with maximize);  g ← g + λθ
 *     m ← β₁m + (1 − β₁)g,   u ← max(β₂u, |g| + ε)
 *     θ ← θ − lr/(1 − β₁ᵗ) · m/u
 *
 * Defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0, maximize false.
 *
 * @example
 * const opt = new Adamax(model.parameters(), { lr: 2e-3 });
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: Params<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super('Adamax', params, options, ADAMAX_DEFAULTS);
  }

  protected override validate(g: Group<AdamaxOptions>): void {
    checkLr('Adamax', g.lr);
    checkBetas('Adamax', g.betas);
    checkInterval('Adamax', 'eps', g.eps, '[0, ∞)');
    checkInterval('Adamax', 'weightDecay', g.weightDecay, '[0, ∞)');
    checkBoolean('Adamax', 'maximize', g.maximize);
  }

  protected override makeTransform(): GradientTransformation<unknown, Group<AdamaxOptions>> {
    return chain<Group<AdamaxOptions>>(
      negate((g) => g.maximize),
      addWeightDecayToGradient((g) => g.weightDecay),
      scaleByAdamax({ b1: (g) => g.betas[0], b2: (g) => g.betas[1], eps: (g) => g.eps }),
      scaleByLearningRate((g) => g.lr),
    );
  }
}
