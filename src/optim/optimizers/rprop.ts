import { Optimizer, type Group, type Params } from '../optimizer.js';
import { chain, negate, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { scaleByRprop } from '../transforms/sign.js';
import { checkBoolean, checkInterval, checkLr, checkPair } from '../validate.js';

export interface RpropOptions {
  /** The initial step size of every coordinate. */
  lr: number;
  /** (η⁻, η⁺): step-size factors when the gradient's sign flips or holds, 0 < η⁻ < 1 < η⁺. */
  etas: [number, number];
  /** (Δmin, Δmax): bounds of the step size. */
  stepSizes: [number, number];
  /** Ascend the objective instead of descending. */
  maximize: boolean;
}

export const RPROP_DEFAULTS: Readonly<RpropOptions> = {
  lr: 1e-2,
  etas: [0.5, 1.2],
  stepSizes: [1e-6, 50],
  maximize: false,
};

/**
 * Rprop, resilient backpropagation (Riedmiller & Braun 1993, "A Direct Adaptive Method for Faster
 * Backpropagation Learning: The RPROP Algorithm"), exactly as torch.optim.Rprop:
 *
 *     g ← ∇f(θ)  (−∇f with maximize);   s = sign(g·g_prev)
 *     Δ ← clamp(Δ·η⁺ where s > 0, Δ·η⁻ where s < 0, Δ where s = 0;  Δmin, Δmax)   (Δ₀ = lr)
 *     where s < 0: g ← 0   (no move this step, and g_prev = 0)
 *     θ ← θ − sign(g)·Δ,   g_prev ← g
 *
 * Defaults: lr 1e-2, etas (0.5, 1.2), stepSizes (1e-6, 50), maximize false. Meant for full-batch
 * gradients.
 *
 * @example
 * const opt = new Rprop(model.parameters());
 */
export class Rprop extends Optimizer<RpropOptions> {
  constructor(params: Params<RpropOptions>, options: Partial<RpropOptions> = {}) {
    super('Rprop', params, options, RPROP_DEFAULTS);
  }

  protected override validate(g: Group<RpropOptions>): void {
    checkLr('Rprop', g.lr);
    const [etaMinus, etaPlus] = checkPair('Rprop', 'etas', g.etas);
    checkInterval('Rprop', 'etas[0]', etaMinus, '(0, 1)');
    checkInterval('Rprop', 'etas[1]', etaPlus, '(1, ∞)');
    const [minStep, maxStep] = checkPair('Rprop', 'stepSizes', g.stepSizes);
    checkInterval('Rprop', 'stepSizes[0]', minStep, '[0, ∞)');
    checkInterval('Rprop', 'stepSizes[1]', maxStep, `[${minStep}, ∞)`);
    checkBoolean('Rprop', 'maximize', g.maximize);
  }

  protected override makeTransform(): GradientTransformation<unknown, Group<RpropOptions>> {
    return chain<Group<RpropOptions>>(
      negate((g) => g.maximize),
      scaleByRprop({ initialStepSize: (g) => g.lr, etas: (g) => g.etas, stepSizes: (g) => g.stepSizes }),
      // The step sizes already carry the learning rate.
      scaleByLearningRate(1),
    );
  }
}
