/**
 * Weight decay, in its two forms. Both add λ·θ to the update; what differs is where they sit in
 * the chain, and so what they mean.
 */
import type { Tensor } from '../../tensor/tensor.js';
import {
  resolve,
  stateless,
  type EmptyState,
  type GradientTransformation,
  type Hyper,
  type Hyperparam,
} from '../transform.js';

function addScaledParams<H>(weightDecay: Hyperparam<number, H>): GradientTransformation<EmptyState, H> {
  return stateless((u: Tensor, p: Tensor, hyper: H) => {
    const wd = resolve(weightDecay, hyper);
    return wd === 0 ? u : u.add(p.mul(wd));
  });
}

/**
 * L2 regularisation, PyTorch's `weight_decay` for SGD, Adam, Adagrad, RMSprop...: g ← g + λθ, the
 * gradient of f + (λ/2)‖θ‖². Put it before the preconditioner, which then rescales the decay too.
 */
export function addWeightDecayToGradient<H = Hyper>(
  weightDecay: Hyperparam<number, H>,
): GradientTransformation<EmptyState, H> {
  return addScaledParams(weightDecay);
}

/**
 * Decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization",
 * arXiv:1711.05101), as in AdamW, Lion and LAMB: u ← u + λθ after the preconditioner, so that with
 * `scaleByLearningRate` after it θ shrinks by lr·λ·θ whatever the gradient statistics.
 */
export function addDecayedWeights<H = Hyper>(
  weightDecay: Hyperparam<number, H>,
): GradientTransformation<EmptyState, H> {
  return addScaledParams(weightDecay);
}
