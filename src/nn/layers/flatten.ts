/** Reshaping layers: Flatten and Identity. */
import type { Tensor } from '../../tensor/tensor.js';
import { Module, retainsNoActivations } from '../module.js';

/**
 * Merges dims startDim..endDim into one; the defaults (1, −1) keep the batch dimension, so images
 * [N, 1, 28, 28] become [N, 784].
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Returns its input: a placeholder where an architecture optionally has a layer. */
export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}

// Their forwards keep no reference to their input or output (see retainsNoActivations).
retainsNoActivations(Flatten, Identity);
