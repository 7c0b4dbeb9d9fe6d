/**
 * The 2-D convolution layer (LeCun et al., 1989, "Backpropagation Applied to Handwritten Zip Code
 * Recognition"): a bank of learned kH×kW filters slid over the image,
 *   y[n, o] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x[n, c, y·s − p + i·d, x·s − p + j·d],
 * with PyTorch's weight layout [outChannels, inChannels/groups, kH, kW], so state dicts carry over.
 */
import type { DType } from '../../tensor/dtype.js';
import { zeros } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/random.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { conv2d, conv2dSpec, pair, type Conv2dPadding, type Size2 } from '../../tensor/ops/conv.js';
import { fanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import { Module, retainsNoActivations } from '../module.js';
import { Parameter } from '../parameter.js';

/** The functional form; the op (im2col + matmul, with its gradient) lives in the tensor core. */
export { conv2d, type Conv2dFunctionOptions, type Conv2dPadding, type Size2 } from '../../tensor/ops/conv.js';

export interface Conv2dOptions {
  /** Step between windows; default 1. */
  stride?: Size2;
  /** Zero padding per side (a number or [h, w]), 'valid' (0) or 'same' (needs stride 1); default 0. */
  padding?: Conv2dPadding;
  /** Spacing between kernel taps; default 1. */
  dilation?: Size2;
  /** Independent channel groups; inChannels and outChannels must divide by it; default 1. */
  groups?: number;
  /** Learn an additive per-channel bias; default true. */
  bias?: boolean;
  /** Only 'zeros' (the default) is supported. */
  paddingMode?: 'zeros';
  /** Element type of the parameters; default float32. */
  dtype?: DType;
  /** Generator for the initial values; the global one by default. */
  generator?: Generator;
}

/**
 * A 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]) inputs.
 *
 * Defaults: stride 1, padding 0, dilation 1, groups 1, bias true. The output size per dimension is
 * ⌊(H + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1. Initialised as PyTorch does: W by
 * kaiming-uniform with a = √5, i.e. U(−1/√fanIn, 1/√fanIn), and b ~ U(−1/√fanIn, 1/√fanIn), where
 * fanIn = inChannels/groups · kH · kW.
 *
 * @example
 * const conv = new Conv2d(1, 32, 3, { padding: 1 });
 * conv.forward(zeros([128, 1, 28, 28])).shape; // [128, 32, 28, 28]
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number] | 'same' | 'valid';
  readonly dilation: readonly [number, number];
  readonly groups: number;
  readonly paddingMode = 'zeros';

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2,
    options: Conv2dOptions = {},
  ) {
    super();
    for (const [name, n] of [
      ['inChannels', inChannels],
      ['outChannels', outChannels],
    ] as const) {
      if (!Number.isInteger(n) || n < 1)
        throw new RangeError(`Conv2d: ${name} must be a positive integer, got ${n}`);
    }
    const { groups = 1, bias = true, dtype = 'float32', generator, paddingMode = 'zeros' } = options;
    if (paddingMode !== 'zeros')
      throw new RangeError(`Conv2d: only paddingMode 'zeros' is supported, got '${String(paddingMode)}'`);
    if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new RangeError(
        `Conv2d: groups must be a positive integer dividing inChannels ${inChannels} and outChannels ${outChannels}, got ${groups}`,
      );
    }
    this.kernelSize = pair(kernelSize, 'kernelSize', 'Conv2d', 1);
    this.stride = pair(options.stride ?? 1, 'stride', 'Conv2d', 1);
    this.dilation = pair(options.dilation ?? 1, 'dilation', 'Conv2d', 1);
    const padding = options.padding ?? 0;
    this.padding = typeof padding === 'string' ? padding : pair(padding, 'padding', 'Conv2d', 0);
    this.groups = groups;
    const weightShape = [outChannels, inChannels / groups, ...this.kernelSize];
    // Checks 'same' against the stride now rather than at the first forward.
    if (this.padding === 'same') conv2dSpec([1, inChannels, 1, 1], weightShape, this.functionOptions());
    this.weight = new Parameter(zeros(weightShape, { dtype }));
    this.bias = bias ? new Parameter(zeros([outChannels], { dtype })) : null;
    this.resetParameters(generator);
  }

  /** Draws fresh initial values (see the class comment). */
  resetParameters(generator?: Generator): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias) {
      const { fanIn } = fanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound, { generator });
    }
  }

  private functionOptions() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }

  override forward(x: Tensor): Tensor {
    const channels = x.ndim === 4 || x.ndim === 3 ? x.shape[x.ndim - 3] : undefined;
    if (channels === undefined) {
      throw new RangeError(
        `Conv2d: expected a 4-D input [N, ${this.inChannels}, H, W] or a 3-D input [${this.inChannels}, H, W], got ${formatShape(x.shape)}`,
      );
    }
    if (channels !== this.inChannels)
      throw new RangeError(
        `Conv2d: expected input with ${this.inChannels} channels, got ${formatShape(x.shape)}`,
      );
    return conv2d(x, this.weight, this.bias, this.functionOptions());
  }

  override extraRepr(): string {
    const parts = [
      `${this.inChannels}, ${this.outChannels}`,
      `kernelSize=${formatShape(this.kernelSize)}`,
      `stride=${formatShape(this.stride)}`,
    ];
    if (typeof this.padding === 'string') parts.push(`padding='${this.padding}'`);
    else if (this.padding.some((p) => p !== 0)) parts.push(`padding=${formatShape(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${formatShape(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push('bias=false');
    return parts.join(', ');
  }
}

// Their forwards keep no reference to their input or output (see retainsNoActivations).
retainsNoActivations(Conv2d);
