import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { scaleByRms } from '../transforms/adaptive.js';
import { traceMomentum } from '../transforms/momentum.js';
import { addWeightDecayToGradient } from '../transforms/weight-decay.js';
import { checkBoolean, checkInterval, checkLr } from '../validate.js';

export interface RMSpropOptions {
  /** Learning rate. */
  lr: number;
  /** α, the smoothing constant of the running mean of g², in [0, 1]. */
  alpha: number;
  /** ε, added to the root (outside it). */
  eps: number;
  /** λ, L2 penalty added to the gradient. */
  weightDecay: number;
  /** μ, momentum on the normalised gradient (0: none). */
  momentum: number;
  /** Normalise by the centered second moment, an estimate of the variance. */
  centered: boolean;
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const RMSPROP_DEFAULTS: Readonly<RMSpropOptions> = {
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
};

/**
 * RMSprop (Hinton, "Neural Networks for Machine Learning", lecture 6e, 2012; the centered variant
 * from Graves 2013, "Generating Sequences With Recurrent Neural Networks", arXiv:1308.0850), exactly
 * as torch.optim.RMSprop:
 *
 *     g ← ∇f(θ)  (−∇f with maximize);  g ← g + λθ
 *     s ← αs + (1 − α)g²;   centered: ḡ ← αḡ + (1 − α)g, s̃ = s − ḡ², else s̃ = s
 *     d = g/(√s̃ + ε);   with momentum: b ← μb + d, d = b
 *     θ ← θ − lr·d
 *
 * Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false, maximize false.
 *
 * @example
 * const opt = new RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9 });
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, options, RMSPROP_DEFAULTS);
  }

  protected override validate(g: Group<RMSpropOptions>): void {
    checkLr('RMSprop', g.lr);
    checkInterval('RMSprop', 'alpha', g.alpha, '[0, 1]');
    checkInterval('RMSprop', 'eps', g.eps, '[0, ∞)');
    checkInterval('RMSprop', 'weightDecay', g.weightDecay, '[0, ∞)');
    checkInterval('RMSprop', 'momentum', g.momentum, '[0, ∞)');
    checkBoolean('RMSprop', 'centered', g.centered);
    checkBoolean('RMSprop', 'maximize', g.maximize);
  }

  protected override makeTransform(
    group: Group<RMSpropOptions>,
  ): GradientTransformation<unknown, Group<RMSpropOptions>> {
    return chain<Group<RMSpropOptions>>(
      negate((g) => g.maximize),
      addWeightDecayToGradient((g) => g.weightDecay),
      scaleByRms({ alpha: (g) => g.alpha, eps: (g) => g.eps, centered: group.centered }),
      // PyTorch's RMSprop buffer starts at 0, so its first value is the first d: the same as SGD's b₁ = d.
      traceMomentum({ momentum: (g) => g.momentum }),
      scaleByLearningRate((g) => g.lr),
    );
  }
}
