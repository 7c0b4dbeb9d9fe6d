/**
 * 2-D pooling layers: MaxPool2d and AvgPool2d (fixed windows) and AdaptiveAvgPool2d (a fixed output
 * size). They hold only their settings; the ops, with their gradients, live in the tensor core.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { pair, type Size2 } from '../../tensor/ops/conv.js';
import {
  adaptiveAvgPool2d,
  avgPool2d,
  maxPool2d,
  type AdaptiveSize,
  type AvgPool2dOptions,
  type MaxPool2dOptions,
} from '../../tensor/ops/pool.js';
import { Module, retainsNoActivations } from '../module.js';

export {
  adaptiveAvgPool2d,
  avgPool2d,
  maxPool2d,
  maxPool2dWithIndices,
  type AdaptiveSize,
  type AvgPool2dOptions,
  type MaxPool2dOptions,
} from '../../tensor/ops/pool.js';

/** Refuses bad settings at construction rather than at the first forward. */
function checkWindow(
  op: string,
  kernel: readonly [number, number],
  options: { stride?: Size2 | null; padding?: Size2; dilation?: Size2 },
): void {
  pair(options.stride ?? kernel, 'stride', op, 1);
  pair(options.dilation ?? 1, 'dilation', op, 1);
  const padding = pair(options.padding ?? 0, 'padding', op, 0);
  if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
    throw new RangeError(
      `${op}: padding [${padding.join(', ')}] must be at most half the kernel size [${kernel.join(', ')}]`,
    );
  }
}

/**
 * Max pooling (the MAX operation of Riesenhuber & Poggio, 1999, "Hierarchical models of object
 * recognition in cortex"): the largest value of each kernelSize window,
 * y[n, c, i, j] = max over the window at (i·s − p, j·s − p) with taps d apart.
 *
 * Defaults: stride = kernelSize, padding 0 (read as −∞, at most half the kernel), dilation 1,
 * ceilMode false. The gradient goes to the first maximum of each window.
 *
 * @example
 * new MaxPool2d(2).forward(x);                              // [N, C, 28, 28] -> [N, C, 14, 14]
 * new MaxPool2d(3, { stride: 2, padding: 1 }).forward(x);   // ResNet's stem pool
 */
export class MaxPool2d extends Module {
  readonly kernelSize: readonly [number, number];
  readonly options: Readonly<MaxPool2dOptions>;

  constructor(kernelSize: Size2, options: MaxPool2dOptions = {}) {
    super();
    this.kernelSize = pair(kernelSize, 'kernelSize', 'MaxPool2d', 1);
    checkWindow('MaxPool2d', this.kernelSize, options);
    this.options = Object.freeze({ ...options });
  }

  override forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    const { stride = null, padding = 0, dilation = 1, ceilMode = false } = this.options;
    return `kernelSize=${formatShape(this.kernelSize)}, stride=${JSON.stringify(stride ?? this.kernelSize)}, padding=${JSON.stringify(padding)}, dilation=${JSON.stringify(dilation)}, ceilMode=${ceilMode}`;
  }
}

/**
 * Average pooling (the subsampling layers of LeNet-5: LeCun et al., 1998, "Gradient-Based Learning
 * Applied to Document Recognition"): the mean of each kernelSize window, y = (1/divisor) Σ_window x.
 *
 * Defaults: stride = kernelSize, padding 0 (zeros, at most half the kernel), ceilMode false,
 * countIncludePad true (the padding counts in the divisor), divisorOverride null.
 *
 * @example new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }).forward(x);
 */
export class AvgPool2d extends Module {
  readonly kernelSize: readonly [number, number];
  readonly options: Readonly<AvgPool2dOptions>;

  constructor(kernelSize: Size2, options: AvgPool2dOptions = {}) {
    super();
    this.kernelSize = pair(kernelSize, 'kernelSize', 'AvgPool2d', 1);
    checkWindow('AvgPool2d', this.kernelSize, options);
    this.options = Object.freeze({ ...options });
  }

  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    const { stride = null, padding = 0, ceilMode = false, countIncludePad = true } = this.options;
    return `kernelSize=${formatShape(this.kernelSize)}, stride=${JSON.stringify(stride ?? this.kernelSize)}, padding=${JSON.stringify(padding)}, ceilMode=${ceilMode}, countIncludePad=${countIncludePad}`;
  }
}

/**
 * Adaptive average pooling, which generalises the global average pooling of Lin, Chen & Yan, 2014,
 * "Network in Network": the output is outputSize [oh, ow] whatever the input size; bin i covers rows
 * [⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉), so bins overlap when oh does not divide H.
 * A null entry keeps that input dimension; outputSize 1 is global average pooling.
 *
 * @example new AdaptiveAvgPool2d(1).forward(x); // [N, C, 7, 7] -> [N, C, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}

// Their forwards keep no reference to their input or output (see retainsNoActivations).
retainsNoActivations(MaxPool2d, AvgPool2d, AdaptiveAvgPool2d);
