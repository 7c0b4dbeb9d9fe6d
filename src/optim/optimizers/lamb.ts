import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { scaleByAdam } from '../transforms/adam.js';
import { scaleByTrustRatio } from '../transforms/trust-ratio.js';
import { addDecayedWeights } from '../transforms/weight-decay.js';
import { checkBetas, checkBoolean, checkInterval, checkLr } from '../validate.js';

export interface LAMBOptions {
  /** Learning rate. */
  lr: number;
  /** (β₁, β₂) of the Adam moments, each in [0, 1). */
  betas: [number, number];
  /** ε, added to √v̂. */
  eps: number;
  /** λ, decoupled weight decay (added to the Adam direction before the trust ratio). */
  weightDecay: number;
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const LAMB_DEFAULTS: Readonly<LAMBOptions> = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
};

/**
 * LAMB, layer-wise adaptive moments (You et al. 2020, "Large Batch Optimization for Deep Learning:
 * Training BERT in 76 minutes", arXiv:1904.00962, Algorithm 2 with φ the identity), composed as in
 * optax:
 *
 *     g ← ∇f(θ)  (−∇f with maximize)
 *     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  r = (m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε)
 *     u = r + λθ
 *     θ ← θ − lr·‖θ‖/‖u‖·u    per parameter tensor (the ratio is 1 where a norm is 0)
 *
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-6, weightDecay 0, maximize false.
 *
 * @example
 * const opt = new LAMB(model.parameters(), { lr: 2e-3, weightDecay: 0.01 });
 */
export class LAMB extends Optimizer<LAMBOptions> {
  constructor(params: Params<LAMBOptions>, options: Partial<LAMBOptions> = {}) {
    super('LAMB', params, options, LAMB_DEFAULTS);
  }

  protected override validate(g: Group<LAMBOptions>): void {
    checkLr('LAMB', g.lr);
    checkBetas('LAMB', g.betas);
    checkInterval('LAMB', 'eps', g.eps, '[0, ∞)');
    checkInterval('LAMB', 'weightDecay', g.weightDecay, '[0, ∞)');
    checkBoolean('LAMB', 'maximize', g.maximize);
  }

  protected override makeTransform(): GradientTransformation<unknown, Group<LAMBOptions>> {
    return chain<Group<LAMBOptions>>(
      negate((g) => g.maximize),
      scaleByAdam({ b1: (g) => g.betas[0], b2: (g) => g.betas[1], eps: (g) => g.eps }),
      addDecayedWeights((g) => g.weightDecay),
      scaleByTrustRatio(),
      scaleByLearningRate((g) => g.lr),
    );
  }
}
