/** Layer-wise adaptive step sizes, as in LARS and LAMB. */
import { stateless, type EmptyState, type GradientTransformation, type Hyper } from '../transform.js';

/**
 * u ↦ u·‖θ‖/‖u‖ per parameter tensor (You et al. 2019, "Large Batch Optimization for Deep
 * Learning: Training BERT in 76 minutes", arXiv:1904.00962, with φ the identity); the ratio is 1
 * where either norm is 0, so fresh zero-initialised tensors (biases) still move.
 */
export function scaleByTrustRatio<H = Hyper>(): GradientTransformation<EmptyState, H> {
  return stateless((u, p) => {
    const paramNorm = p.norm().item();
    const updateNorm = u.norm().item();
    const ratio = paramNorm > 0 && updateNorm > 0 ? paramNorm / updateNorm : 1;
    return ratio === 1 ? u : u.mul(ratio);
  });
}
