import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { traceMomentum } from '../transforms/momentum.js';
import { addWeightDecayToGradient } from '../transforms/weight-decay.js';
import { checkBoolean, checkInterval, checkLr } from '../validate.js';

export interface SGDOptions {
  /** Learning rate. */
  lr: number;
  /** μ, the momentum factor (0: plain SGD). */
  momentum: number;
  /** τ, dampening of the momentum (from the second step). */
  dampening: number;
  /** λ, L2 penalty added to the gradient. */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const SGD_DEFAULTS: Readonly<SGDOptions> = {
  lr: 1e-3,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
};

/**
 * Stochastic gradient descent with momentum (Polyak 1964; Nesterov's form as in Sutskever et al.
 * 2013, "On the importance of initialization and momentum in deep learning"), exactly as
 * torch.optim.SGD:
 *
 *     g ← ∇f(θ)  (−∇f with maximize);  g ← g + λθ
 *     b₁ = g,  bₜ = μ·bₜ₋₁ + (1 − τ)·g
 *     d = g + μ·b (nesterov) or b (momentum > 0) or g
 *     θ ← θ − lr·d
 *
 * Defaults: lr 1e-3, momentum 0, dampening 0, weightDecay 0, nesterov false, maximize false.
 *
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('SGD', params, options, SGD_DEFAULTS);
  }

  protected override validate(g: Group<SGDOptions>): void {
    checkLr('SGD', g.lr);
    checkInterval('SGD', 'momentum', g.momentum, '[0, ∞)');
    checkInterval('SGD', 'dampening', g.dampening, '[0, 1]');
    checkInterval('SGD', 'weightDecay', g.weightDecay, '[0, ∞)');
    checkBoolean('SGD', 'nesterov', g.nesterov);
    checkBoolean('SGD', 'maximize', g.maximize);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new RangeError(
        `SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${g.momentum} and dampening ${g.dampening}`,
      );
    }
  }

  protected override makeTransform(): GradientTransformation<unknown, Group<SGDOptions>> {
    return chain<Group<SGDOptions>>(
      negate((g) => g.maximize),
      addWeightDecayToGradient((g) => g.weightDecay),
      traceMomentum({
        momentum: (g) => g.momentum,
        dampening: (g) => g.dampening,
        nesterov: (g) => g.nesterov,
      }),
      scaleByLearningRate((g) => g.lr),
    );
  }
}
