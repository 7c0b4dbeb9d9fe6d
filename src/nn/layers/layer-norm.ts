/**
 * Layer normalisation (Ba, Kiros & Hinton, 2016): each sample is normalised over its last
 * dimensions, y = (x − E[x]) / √(Var[x] + eps) · γ + β, with the biased variance (÷N), as in PyTorch.
 */
import type { DType } from '../../tensor/dtype.js';
import { ones, zeros } from '../../tensor/creation.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module, retainsNoActivations } from '../module.js';
import { Parameter } from '../parameter.js';

export interface LayerNormFunctionOptions {
  /** γ, of shape normalizedShape; none by default. */
  weight?: Tensor | null;
  /** β, of shape normalizedShape; none by default. */
  bias?: Tensor | null;
  /** Added to the variance for stability; default 1e-5. */
  eps?: number;
}

/** Normalises x over its trailing dims `normalizedShape`, then scales by weight and shifts by bias. */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  options: LayerNormFunctionOptions = {},
): Tensor {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const { weight = null, bias = null, eps = 1e-5 } = options;
  const k = shape.length;
  const trailing = x.shape.slice(x.ndim - k);
  if (k === 0 || x.ndim < k || trailing.some((d, i) => d !== shape[i])) {
    throw new RangeError(
      `layerNorm: input of shape ${formatShape(x.shape)} does not end with normalizedShape ${formatShape(shape)}`,
    );
  }
  const dims = shape.map((_, i) => x.ndim - k + i);
  const centered = x.sub(x.mean(dims, true));
  const variance = centered.mul(centered).mean(dims, true);
  let y = centered.div(variance.add(eps).sqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

export interface LayerNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learn a per-element scale γ (initialised to 1) and shift β (initialised to 0); default true. */
  elementwiseAffine?: boolean;
  /** Learn β (only with elementwiseAffine); default true. */
  bias?: boolean;
  dtype?: DType;
}

/**
 * LayerNorm over the trailing `normalizedShape` dims. γ starts at 1 and β at 0.
 *
 * @example
 * const norm = new LayerNorm(512);          // over the last dim of [batch, tokens, 512]
 * const norm2 = new LayerNorm([3, 4], { eps: 1e-6 });
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    this.normalizedShape = Object.freeze(
      typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape],
    );
    this.eps = options.eps ?? 1e-5;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    const dtype = options.dtype ?? 'float32';
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias =
      this.elementwiseAffine && (options.bias ?? true)
        ? new Parameter(zeros(this.normalizedShape, { dtype }))
        : null;
  }

  override forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `normalizedShape=${formatShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}

// Their forwards keep no reference to their input or output (see retainsNoActivations).
retainsNoActivations(LayerNorm);
