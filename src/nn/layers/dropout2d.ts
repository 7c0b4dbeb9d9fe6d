/**
 * Channel dropout (Tompson et al., 2015, "Efficient Object Localization Using Convolutional
 * Networks"): in training each whole channel of each sample is zeroed with probability p and the kept
 * ones are scaled by 1/(1 − p); in evaluation it is the identity. Neighbouring pixels of a feature map
 * are strongly correlated, so dropping single pixels (Dropout) barely regularises a convolution.
 */
import { rand } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/random.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module, retainsNoActivations } from '../module.js';

export interface Dropout2dOptions {
  /** Apply the dropout (true) or return the input (false); default true. */
  training?: boolean;
  /** The generator for the channel mask; the global one by default. */
  generator?: Generator;
}

function checkP(p: number, what: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${what}: p must be a probability in [0, 1], got ${p}`);
}

/**
 * Zeroes whole channels of x [N, C, H, W] (or unbatched [C, H, W]) with probability p (default 0.5)
 * and scales the rest by 1/(1 − p): y = x · m / (1 − p) with m ~ Bernoulli(1 − p) of shape [N, C, 1, 1].
 */
export function dropout2d(x: Tensor, p = 0.5, options: Dropout2dOptions = {}): Tensor {
  checkP(p, 'dropout2d');
  if (x.ndim !== 4 && x.ndim !== 3)
    throw new RangeError(
      `dropout2d: expected a 4-D [N, C, H, W] or 3-D [C, H, W] input, got ${formatShape(x.shape)}`,
    );
  const { training = true, generator } = options;
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
  const maskShape = x.shape.map((d, i) => (i < x.ndim - 2 ? d : 1));
  const keep = rand(maskShape, { dtype, generator }).ge(p).to(dtype);
  return x.mul(keep.div(1 - p));
}

/**
 * Dropout2d layer; follows the module's `training` flag. Default p 0.5.
 *
 * @example
 * const drop = new Dropout2d(0.1, { generator: new Generator(1) });
 * drop.forward(featureMaps);        // some [n, c] planes are all zero, the rest scaled by 1/0.9
 * drop.eval().forward(featureMaps); // featureMaps itself
 */
export class Dropout2d extends Module {
  private readonly generator: Generator | undefined;

  constructor(
    readonly p = 0.5,
    options: { generator?: Generator } = {},
  ) {
    super();
    checkP(p, 'Dropout2d');
    this.generator = options.generator;
  }

  override forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, { training: this.training, generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

// Their forwards keep no reference to their input or output (see retainsNoActivations).
retainsNoActivations(Dropout2d);
