/**
 * The contract between optimizers and learning-rate schedulers: an optimizer exposes PyTorch-style
 * parameter groups, and a scheduler only ever writes `lr` (and, for one-cycle/cyclic schedules,
 * `momentum` or `betas[0]`) into them.
 */
import type { Tensor } from '../tensor/tensor.js';

export interface ParamGroup {
  params: Tensor[];
  /** The learning rate this group steps with; schedulers write it. */
  lr: number;
  /** SGD/RMSprop momentum, when the optimizer has one (cyclic schedules write it). */
  momentum?: number;
  /** Adam-family (β1, β2), when the optimizer has them (cyclic schedules write β1). */
  betas?: [number, number];
  /** The lr when the first scheduler was attached (PyTorch's `initial_lr`). */
  initialLr?: number;
  /** Every other option of the optimizer, per group. */
  [option: string]: unknown;
}

/** What a scheduler needs from an optimizer. */
export interface HasParamGroups {
  readonly paramGroups: ParamGroup[];
}
