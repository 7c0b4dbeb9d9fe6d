/**
 * Activation functions, each as a function (also reachable as `nn.functional.*`) and, beside it, as
 * a Module for use in `Sequential`. Gradients at the kinks match PyTorch: ReLU'(0) = 0,
 * LeakyReLU'(0) = negativeSlope, ELU'(0) = alpha; GELU, SiLU and Softplus are smooth with slope 1/2
 * at 0.
 *
 * A note on `where`: the branch that is not taken still gets a gradient, multiplied by 0, and
 * 0·∞ = NaN. So every exp that sits in a branch is fed a clamped argument that cannot overflow.
 */
import { where, type Tensor } from '../tensor/index.js';
import { Module, retainsNoActivations } from './module.js';

// ---- functions ----

/** max(x, 0). */
export function relu(x: Tensor): Tensor {
  return x.relu();
}

/** x for x > 0, negativeSlope·x otherwise (Maas et al., 2013). Default slope 0.01. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(x.gt(0), x, x.mul(negativeSlope));
}

/**
 * e^x − 1 for x ≤ 0 without the cancellation of exp(x) − 1 near 0: with t = tanh(x/2),
 * e^x − 1 = 2t/(1 − t), and 1 − t ∈ [1, 2) there.
 */
function expm1NonPositive(x: Tensor): Tensor {
  const t = x.mul(0.5).tanh();
  return t.mul(2).div(t.neg().add(1));
}

/**
 * ELU (Clevert et al., 2016): x for x > 0, alpha·(e^x − 1) otherwise. Default alpha 1. The negative
 * branch sees min(x, 0), so a large x cannot overflow it.
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  return where(x.gt(0), x, expm1NonPositive(x.clamp(null, 0)).mul(alpha));
}

export type GeluApproximation = 'none' | 'tanh';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU (Hendrycks & Gimpel, 2016): x·Φ(x) = ½x(1 + erf(x/√2)). With `approximate: 'tanh'`:
 * ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
 */
export function gelu(x: Tensor, options: { approximate?: GeluApproximation } = {}): Tensor {
  const { approximate = 'none' } = options;
  if (approximate === 'tanh') {
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI);
    return x.mul(0.5).mul(inner.tanh().add(1));
  }
  if (approximate !== 'none')
    throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return x.mul(0.5).mul(x.mul(Math.SQRT1_2).erf().add(1));
}

/** SiLU, also called swish (Elfwing et al., 2018; Ramachandran et al., 2017): x·σ(x). */
export function silu(x: Tensor): Tensor {
  return x.mul(x.sigmoid());
}

/** σ(x) = 1/(1 + e^−x). */
export function sigmoid(x: Tensor): Tensor {
  return x.sigmoid();
}

export function tanh(x: Tensor): Tensor {
  return x.tanh();
}

export interface SoftplusOptions {
  /** Sharpness; default 1. */
  beta?: number;
  /** Above beta·x > threshold the result is x itself (the difference is below e^−threshold); default 20. */
  threshold?: number;
}

/** Softplus: log(1 + e^(beta·x))/beta, and x where beta·x > threshold. Defaults beta 1, threshold 20. */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  const { beta = 1, threshold = 20 } = options;
  const bx = x.mul(beta);
  return where(bx.gt(threshold), x, bx.clamp(null, threshold).exp().log1p().div(beta));
}

/**
 * log(1 + e^z) for every z, without overflow or a threshold: z + log(1 + e^−z) for z > 0 and
 * log(1 + e^z) otherwise, each exp fed a clamped argument (see the note at the top).
 */
function softplusExact(z: Tensor): Tensor {
  const positive = z.add(z.clamp(0, null).neg().exp().log1p());
  const negative = z.clamp(null, 0).exp().log1p();
  return where(z.gt(0), positive, negative);
}

/** log σ(x) = −softplus(−x), computed stably (never as log(sigmoid(x)), which is −∞ for x ≲ −104 in float32). */
export function logSigmoid(x: Tensor): Tensor {
  return softplusExact(x.neg()).neg();
}

/** e^x / Σ e^x along `dim` (shifted by the max, so it never overflows). */
export function softmax(x: Tensor, dim: number): Tensor {
  return x.softmax(dim);
}

/** x − log Σ e^x along `dim`: log-probabilities, more accurate than log(softmax(x)). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return x.logSoftmax(dim);
}

// ---- modules ----

/** max(x, 0) as a layer. @example new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10)) */
export class ReLU extends Module {
  override forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** Leaky ReLU: x for x > 0, negativeSlope·x otherwise. @example new LeakyReLU(0.2) */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** ELU: x for x > 0, alpha·(e^x − 1) otherwise (Clevert et al., 2016). @example new ELU(0.5) */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** GELU, exact or with the tanh approximation (Hendrycks & Gimpel, 2016). @example new GELU({ approximate: 'tanh' }) */
export class GELU extends Module {
  readonly approximate: GeluApproximation;
  constructor(options: { approximate?: GeluApproximation } = {}) {
    super();
    this.approximate = options.approximate ?? 'none';
  }
  override forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** SiLU / swish: x·σ(x). */
export class SiLU extends Module {
  override forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** The logistic function σ(x) = 1/(1 + e^−x) as a layer; for a binary classifier's output prefer BCEWithLogitsLoss on the logits. */
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** tanh(x) = (e^x − e^−x)/(e^x + e^−x) as a layer. */
export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** Softplus log(1 + e^(beta·x))/beta, linear above the threshold. @example new Softplus({ beta: 2, threshold: 1 }) */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(options: SoftplusOptions = {}) {
    super();
    this.beta = options.beta ?? 1;
    this.threshold = options.threshold ?? 20;
  }
  override forward(x: Tensor): Tensor {
    return softplus(x, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** Softmax along `dim` (required: PyTorch's implicit dim is deprecated). @example new Softmax(-1) */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Log-softmax along `dim`; pair it with NLLLoss, or use CrossEntropyLoss on the raw scores. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

// Their forwards keep no reference to their input or output (see retainsNoActivations).
retainsNoActivations(ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softplus, Softmax, LogSoftmax);
