import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { scaleByAdagrad } from '../transforms/adaptive.js';
import { addWeightDecayToGradient } from '../transforms/weight-decay.js';
import { checkBoolean, checkInterval, checkLr } from '../validate.js';

export interface AdagradOptions {
  /** Learning rate. */
  lr: number;
  /** The step at t is divided by 1 + (t − 1)·lrDecay. */
  lrDecay: number;
  /** λ, L2 penalty added to the gradient. */
  weightDecay: number;
  /** The starting value of the accumulated Σg². */
  initialAccumulatorValue: number;
  /** ε, added to √Σg². */
  eps: number;
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const ADAGRAD_DEFAULTS: Readonly<AdagradOptions> = {
  lr: 1e-2,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
};

/**
 * Adagrad (Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for Online Learning and
 * Stochastic Optimization", JMLR 12), exactly as torch.optim.Adagrad:
 *
 *     g ← ∇f(θ)  (−∇f with maximize);  g ← g + λθ
 *     s ← s + g²   (s₀ = initialAccumulatorValue)
 *     θ ← θ − lr/(1 + (t − 1)·lrDecay) · g/(√s + ε)
 *
 * Defaults: lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10, maximize false.
 *
 * @example
 * const opt = new Adagrad(model.parameters(), { lr: 0.05 });
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, options, ADAGRAD_DEFAULTS);
  }

  protected override validate(g: Group<AdagradOptions>): void {
    checkLr('Adagrad', g.lr);
    checkInterval('Adagrad', 'lrDecay', g.lrDecay, '[0, ∞)');
    checkInterval('Adagrad', 'weightDecay', g.weightDecay, '[0, ∞)');
    checkInterval('Adagrad', 'initialAccumulatorValue', g.initialAccumulatorValue, '[0, ∞)');
    checkInterval('Adagrad', 'eps', g.eps, '[0, ∞)');
    checkBoolean('Adagrad', 'maximize', g.maximize);
  }

  protected override makeTransform(
    group: Group<AdagradOptions>,
  ): GradientTransformation<unknown, Group<AdagradOptions>> {
    return chain<Group<AdagradOptions>>(
      negate((g) => g.maximize),
      addWeightDecayToGradient((g) => g.weightDecay),
      scaleByAdagrad({
        lrDecay: (g) => g.lrDecay,
        eps: (g) => g.eps,
        initialAccumulatorValue: group.initialAccumulatorValue,
      }),
      scaleByLearningRate((g) => g.lr),
    );
  }
}
