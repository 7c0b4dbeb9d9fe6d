import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { scaleByLion } from '../transforms/sign.js';
import { addDecayedWeights } from '../transforms/weight-decay.js';
import { checkBetas, checkBoolean, checkInterval, checkLr } from '../validate.js';

export interface LionOptions {
  /** Learning rate (typically 3–10× smaller than AdamW's, the paper advises). */
  lr: number;
  /** (β₁, β₂): the interpolation used for the sign, and the momentum's decay; each in [0, 1). */
  betas: [number, number];
  /** λ, decoupled weight decay (typically 3–10× larger than AdamW's). */
  weightDecay: number;
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const LION_DEFAULTS: Readonly<LionOptions> = {
  lr: 1e-4,
  betas: [0.9, 0.99],
  weightDecay: 0,
  maximize: false,
};

/**
 * Lion, EvoLved Sign Momentum (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms",
 * arXiv:2302.06675, Algorithm 2):
 *
 *     g ← ∇f(θ)  (−∇f with maximize)
 *     c = β₁m + (1 − β₁)g
 *     θ ← θ − lr·(sign(c) + λθ)
 *     m ← β₂m + (1 − β₂)g
 *
 * Defaults: lr 1e-4, betas (0.9, 0.99), weightDecay 0, maximize false. Every coordinate moves by
 * exactly lr (or 0), so the lr is usually 3–10× smaller than AdamW's.
 *
 * @example
 * const opt = new Lion(model.parameters(), { lr: 3e-4, weightDecay: 0.1 });
 */
export class Lion extends Optimizer<LionOptions> {
  constructor(params: Params<LionOptions>, options: Partial<LionOptions> = {}) {
    super('Lion', params, options, LION_DEFAULTS);
  }

  protected override validate(g: Group<LionOptions>): void {
    checkLr('Lion', g.lr);
    checkBetas('Lion', g.betas);
    checkInterval('Lion', 'weightDecay', g.weightDecay, '[0, ∞)');
    checkBoolean('Lion', 'maximize', g.maximize);
  }

  protected override makeTransform(): GradientTransformation<unknown, Group<LionOptions>> {
    return chain<Group<LionOptions>>(
      negate((g) => g.maximize),
      scaleByLion({ b1: (g) => g.betas[0], b2: (g) => g.betas[1] }),
      addDecayedWeights((g) => g.weightDecay),
      scaleByLearningRate((g) => g.lr),
    );
  }
}
