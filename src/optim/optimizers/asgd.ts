import type { Tensor } from '../../tensor/tensor.js';
import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { averageIterates, scaleByAsgd } from '../transforms/averaging.js';
import { addWeightDecayToGradient } from '../transforms/weight-decay.js';
import { checkBoolean, checkInterval, checkLr } from '../validate.js';

export interface ASGDOptions {
  /** Learning rate: the first step size η. */
  lr: number;
  /** λ, the decay term. */
  lambd: number;
  /** α, the power of the step-size decay. */
  alpha: number;
  /** t₀, the step after which averaging starts. */
  t0: number;
  /** λ_wd, L2 penalty added to the gradient. */
  weightDecay: number;
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const ASGD_DEFAULTS: Readonly<ASGDOptions> = {
  lr: 1e-2,
  lambd: 1e-4,
  alpha: 0.75,
  t0: 1e6,
  weightDecay: 0,
  maximize: false,
};

/**
 * Averaged SGD (Polyak & Juditsky 1992, "Acceleration of Stochastic Approximation by Averaging";
 * step sizes after Bottou 2012), exactly as torch.optim.ASGD:
 *
 *     g ← ∇f(θ)  (−∇f with maximize);  g ← g + λ_wd·θ
 *     θ ← θ(1 − λη) − ηg
 *     ax ← θ while μ = 1, else ax + μ(θ − ax)
 *     η ← lr/(1 + λ·lr·t)^α,  μ ← 1/max(1, t − t₀)   (for the next step; step 1 uses η = lr)
 *
 * Defaults: lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6, weightDecay 0, maximize false. The averaged
 * parameters ax are in each parameter's state (`averagedParams()`).
 *
 * @example
 * const opt = new ASGD(model.parameters(), { lr: 0.05, t0: 100 });
 */
/** Where `averageIterates` sits in ASGD's chain. */
const AVERAGE_AT = 4;

export class ASGD extends Optimizer<ASGDOptions> {
  constructor(params: Params<ASGDOptions>, options: Partial<ASGDOptions> = {}) {
    super('ASGD', params, options, ASGD_DEFAULTS);
  }

  protected override validate(g: Group<ASGDOptions>): void {
    checkLr('ASGD', g.lr);
    checkInterval('ASGD', 'lambd', g.lambd, '[0, ∞)');
    checkInterval('ASGD', 'alpha', g.alpha, '[0, ∞)');
    checkInterval('ASGD', 't0', g.t0, '[0, ∞)');
    checkInterval('ASGD', 'weightDecay', g.weightDecay, '[0, ∞)');
    checkBoolean('ASGD', 'maximize', g.maximize);
  }

  protected override makeTransform(): GradientTransformation<unknown, Group<ASGDOptions>> {
    return chain<Group<ASGDOptions>>(
      negate((g) => g.maximize),
      addWeightDecayToGradient((g) => g.weightDecay),
      scaleByAsgd({ lr: (g) => g.lr, lambd: (g) => g.lambd, alpha: (g) => g.alpha }),
      // η already carries the learning rate.
      scaleByLearningRate(1),
      averageIterates({ t0: (g) => g.t0 }),
    );
  }

  /**
   * The averaged parameters ax, in the order of `paramGroups` (a copy of the parameter itself where
   * it has not stepped yet).
   */
  averagedParams(): Tensor[] {
    return this.paramGroups.flatMap((group) =>
      group.params.map((p) => {
        const state = this.state.get(p) as unknown[] | undefined;
        const average = state?.[AVERAGE_AT] as { ax: Tensor } | undefined;
        return average ? average.ax : p.detach().clone();
      }),
    );
  }
}
