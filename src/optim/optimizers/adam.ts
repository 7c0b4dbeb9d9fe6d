import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { scaleByAdam } from '../transforms/adam.js';
import { addDecayedWeights, addWeightDecayToGradient } from '../transforms/weight-decay.js';
import { checkBetas, checkBoolean, checkInterval, checkLr } from '../validate.js';

export interface AdamOptions {
  /** Learning rate. */
  lr: number;
  /** (β₁, β₂): decay rates of the first and second moment estimates, each in [0, 1). */
  betas: [number, number];
  /** ε, added to the bias-corrected √v for numerical stability. */
  eps: number;
  /** λ: for Adam an L2 penalty added to the gradient; for AdamW the decoupled decay. */
  weightDecay: number;
  /** Use the running maximum of v (AMSGrad, Reddi et al. 2018, "On the Convergence of Adam and Beyond"). */
  amsgrad: boolean;
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const ADAM_DEFAULTS: Readonly<AdamOptions> = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
};

export const ADAMW_DEFAULTS: Readonly<AdamOptions> = { ...ADAM_DEFAULTS, weightDecay: 1e-2 };

function validateAdam(owner: string, g: Group<AdamOptions>): void {
  checkLr(owner, g.lr);
  checkBetas(owner, g.betas);
  checkInterval(owner, 'eps', g.eps, '[0, ∞)');
  checkInterval(owner, 'weightDecay', g.weightDecay, '[0, ∞)');
  checkBoolean(owner, 'amsgrad', g.amsgrad);
  checkBoolean(owner, 'maximize', g.maximize);
}

const moments = (group: Group<AdamOptions>) =>
  scaleByAdam<Group<AdamOptions>>({
    b1: (g) => g.betas[0],
    b2: (g) => g.betas[1],
    eps: (g) => g.eps,
    amsgrad: group.amsgrad,
  });

/**
 * Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization", arXiv:1412.6980), exactly as
 * torch.optim.Adam:
 *
 *     g ← ∇f(θ)  (−∇f with maximize);  g ← g + λθ
 *     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²   (amsgrad: v̂ ← max(v̂, v), used for v)
 *     θ ← θ − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)
 *
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0, amsgrad false, maximize false.
 *
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, options, ADAM_DEFAULTS);
  }

  protected override validate(g: Group<AdamOptions>): void {
    validateAdam('Adam', g);
  }

  protected override makeTransform(
    group: Group<AdamOptions>,
  ): GradientTransformation<unknown, Group<AdamOptions>> {
    return chain<Group<AdamOptions>>(
      negate((g) => g.maximize),
      addWeightDecayToGradient((g) => g.weightDecay),
      moments(group),
      scaleByLearningRate((g) => g.lr),
    );
  }
}

/**
 * AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", arXiv:1711.05101): Adam
 * with the weight decay taken out of the gradient, exactly as torch.optim.AdamW:
 *
 *     θ ← θ − lr·(λθ + m̂-step),  i.e. θ ← θ(1 − lr·λ) then the Adam step of the plain gradient
 *
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0.01, amsgrad false, maximize false.
 *
 * @example
 * const opt = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, options, ADAMW_DEFAULTS);
  }

  protected override validate(g: Group<AdamOptions>): void {
    validateAdam('AdamW', g);
  }

  protected override makeTransform(
    group: Group<AdamOptions>,
  ): GradientTransformation<unknown, Group<AdamOptions>> {
    return chain<Group<AdamOptions>>(
      negate((g) => g.maximize),
      moments(group),
      addDecayedWeights((g) => g.weightDecay),
      scaleByLearningRate((g) => g.lr),
    );
  }
}
