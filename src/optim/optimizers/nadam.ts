import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { scaleByNadam } from '../transforms/adam.js';
import { addDecayedWeights, addWeightDecayToGradient } from '../transforms/weight-decay.js';
import { checkBetas, checkBoolean, checkInterval, checkLr } from '../validate.js';

export interface NAdamOptions {
  /** Learning rate. */
  lr: number;
  /** (β₁, β₂), each in [0, 1). */
  betas: [number, number];
  /** ε, added to √v̂. */
  eps: number;
  /** λ: an L2 penalty added to the gradient, or decoupled (AdamW-style) with decoupledWeightDecay. */
  weightDecay: number;
  /** ψ, the momentum schedule's decay: μₜ = β₁(1 − ½·0.96^(tψ)). */
  momentumDecay: number;
  /** Apply the weight decay as θ ← θ − lr·λθ instead of adding λθ to the gradient (PyTorch 2.1). */
  decoupledWeightDecay: boolean;
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const NADAM_DEFAULTS: Readonly<NAdamOptions> = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  momentumDecay: 4e-3,
  decoupledWeightDecay: false,
  maximize: false,
};

/**
 * NAdam, Adam with Nesterov momentum (Dozat 2016, "Incorporating Nesterov Momentum into Adam", ICLR
 * workshop), exactly as torch.optim.NAdam in PyTorch 2.x (1.13's single-tensor path multiplied one μ
 * too many, pytorch#92699):
 *
 *     g ← ∇f(θ)  (−∇f with maximize);  g ← g + λθ
 *     μₜ = β₁(1 − ½·0.96^(tψ)),  Pₜ = μ₁⋯μₜ
 *     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  d = √(v/(1 − β₂ᵗ)) + ε
 *     θ ← θ − lr·(1 − μₜ)/(1 − Pₜ)·g/d − lr·μₜ₊₁/(1 − Pₜμₜ₊₁)·m/d
 *
 * Defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0, momentumDecay 4e-3,
 * decoupledWeightDecay false, maximize false.
 *
 * @example
 * const opt = new NAdam(model.parameters(), { lr: 2e-3 });
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: Params<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super('NAdam', params, options, NADAM_DEFAULTS);
  }

  protected override validate(g: Group<NAdamOptions>): void {
    checkLr('NAdam', g.lr);
    checkBetas('NAdam', g.betas);
    checkInterval('NAdam', 'eps', g.eps, '[0, ∞)');
    checkInterval('NAdam', 'weightDecay', g.weightDecay, '[0, ∞)');
    checkInterval('NAdam', 'momentumDecay', g.momentumDecay, '[0, ∞)');
    checkBoolean('NAdam', 'decoupledWeightDecay', g.decoupledWeightDecay);
    checkBoolean('NAdam', 'maximize', g.maximize);
  }

  protected override makeTransform(): GradientTransformation<unknown, Group<NAdamOptions>> {
    return chain<Group<NAdamOptions>>(
      negate((g) => g.maximize),
      addWeightDecayToGradient((g) => (g.decoupledWeightDecay ? 0 : g.weightDecay)),
      scaleByNadam({
        b1: (g) => g.betas[0],
        b2: (g) => g.betas[1],
        eps: (g) => g.eps,
        momentumDecay: (g) => g.momentumDecay,
      }),
      addDecayedWeights((g) => (g.decoupledWeightDecay ? g.weightDecay : 0)),
      scaleByLearningRate((g) => g.lr),
    );
  }
}
