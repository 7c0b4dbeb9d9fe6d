/**
 * Dropout (Srivastava et al., 2014): in training, each element is zeroed with probability p and the
 * survivors are scaled by 1/(1 − p), so the expected activation is unchanged and evaluation needs no
 * rescaling; in evaluation it is the identity.
 */
import { rand } from '../../tensor/creation.js';
import { isFloat } from '../../tensor/dtype.js';
import type { Generator } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module, retainsNoActivations } from '../module.js';

export interface DropoutOptions {
  /** Apply the dropout (true) or return the input (false); default true. */
  training?: boolean;
  /** The generator for the mask; the global one by default. */
  generator?: Generator;
}

function checkP(p: number, what: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${what}: p must be a probability in [0, 1], got ${p}`);
}

/** Zeroes each element with probability p (default 0.5) and scales the rest by 1/(1 − p). */
export function dropout(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  checkP(p, 'dropout');
  const { training = true, generator } = options;
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const dtype = isFloat(x.dtype) ? x.dtype : 'float32';
  const keep = rand(x.shape, { dtype, generator }).ge(p).to(dtype);
  return x.mul(keep.div(1 - p));
}

/**
 * Dropout layer; follows the module's `training` flag (see `train()` / `eval()`).
 *
 * @example
 * const drop = new Dropout(0.2, { generator: new Generator(1) });
 * drop.eval().forward(x); // x itself
 */
export class Dropout extends Module {
  private readonly generator: Generator | undefined;

  constructor(
    readonly p = 0.5,
    options: { generator?: Generator } = {},
  ) {
    super();
    checkP(p, 'Dropout');
    this.generator = options.generator;
  }

  override forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

// Their forwards keep no reference to their input or output (see retainsNoActivations).
retainsNoActivations(Dropout);
