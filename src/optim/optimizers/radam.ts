import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { scaleByRadam } from '../transforms/adam.js';
import { addDecayedWeights, addWeightDecayToGradient } from '../transforms/weight-decay.js';
import { checkBetas, checkBoolean, checkInterval, checkLr } from '../validate.js';

export interface RAdamOptions {
  /** Learning rate. */
  lr: number;
  /** (β₁, β₂), each in [0, 1). */
  betas: [number, number];
  /** ε, added to √v. */
  eps: number;
  /** λ: an L2 penalty added to the gradient, or decoupled (AdamW-style) with decoupledWeightDecay. */
  weightDecay: number;
  /** Apply the weight decay as θ ← θ − lr·λθ instead of adding λθ to the gradient (PyTorch 2.1). */
  decoupledWeightDecay: boolean;
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const RADAM_DEFAULTS: Readonly<RAdamOptions> = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  maximize: false,
};

/**
 * RAdam, rectified Adam (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and Beyond",
 * arXiv:1908.03265), exactly as torch.optim.RAdam:
 *
 *     g ← ∇f(θ)  (−∇f with maximize);  g ← g + λθ
 *     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  m̂ = m/(1 − β₁ᵗ)
 *     ρ∞ = 2/(1 − β₂) − 1,  ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
 *     ρₜ > 5:  rₜ = √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ)),  θ ← θ − lr·m̂·rₜ·√(1 − β₂ᵗ)/(√v + ε)
 *     else:    θ ← θ − lr·m̂
 *
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0, decoupledWeightDecay false,
 * maximize false. With β₂ = 0.999 the rectified branch starts at t = 6.
 *
 * @example
 * const opt = new RAdam(model.parameters(), { lr: 1e-3 });
 */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: Params<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super('RAdam', params, options, RADAM_DEFAULTS);
  }

  protected override validate(g: Group<RAdamOptions>): void {
    checkLr('RAdam', g.lr);
    checkBetas('RAdam', g.betas);
    checkInterval('RAdam', 'eps', g.eps, '[0, ∞)');
    checkInterval('RAdam', 'weightDecay', g.weightDecay, '[0, ∞)');
    checkBoolean('RAdam', 'decoupledWeightDecay', g.decoupledWeightDecay);
    checkBoolean('RAdam', 'maximize', g.maximize);
  }

  protected override makeTransform(): GradientTransformation<unknown, Group<RAdamOptions>> {
    return chain<Group<RAdamOptions>>(
      negate((g) => g.maximize),
      addWeightDecayToGradient((g) => (g.decoupledWeightDecay ? 0 : g.weightDecay)),
      scaleByRadam({ b1: (g) => g.betas[0], b2: (g) => g.betas[1], eps: (g) => g.eps }),
      addDecayedWeights((g) => (g.decoupledWeightDecay ? g.weightDecay : 0)),
      scaleByLearningRate((g) => g.lr),
    );
  }
}
