/**
 * A lookup table of learned vectors: row i of the weight is the embedding of index i. Gradients of
 * repeated indices accumulate in the same row; the `paddingIdx` row (if any) gets no gradient.
 */
import type { DType } from '../../tensor/dtype.js';
import { ones, zeros } from '../../tensor/creation.js';
import { where } from '../../tensor/ops/elementwise.js';
import type { Generator } from '../../tensor/random.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { normal_ } from '../init.js';
import { Module, retainsNoActivations } from '../module.js';
import { Parameter } from '../parameter.js';

/**
 * The rows of `weight` ([num, dim]) named by the int32 `indices` (any shape): the result has shape
 * [...indices.shape, dim]. An index outside 0..num−1 is an error naming it and its position.
 */
export function embedding(
  indices: Tensor,
  weight: Tensor,
  options: { paddingIdx?: number | null } = {},
): Tensor {
  if (indices.dtype !== 'int32')
    throw new TypeError(
      `embedding: indices must be an int32 tensor, got ${indices.dtype}; convert with .int()`,
    );
  if (weight.ndim !== 2)
    throw new RangeError(`embedding: the weight must be 2-D [num, dim], got ${formatShape(weight.shape)}`);
  const [num, dim] = weight.shape as [number, number];
  const data = indices._data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0 || v >= num) {
      throw new RangeError(
        `embedding: index ${v} at position ${i} is out of range for ${num} embeddings (expected 0..${num - 1})`,
      );
    }
  }
  const rows = weight.indexSelect(0, indices.reshape([-1]));
  const paddingIdx = normalizePaddingIdx(options.paddingIdx, num, 'embedding');
  // The padding row's value is returned as it is, but a detached copy of it, so that no gradient
  // reaches that row (the masking costs O(indices·dim), not O(num·dim)).
  const out =
    paddingIdx === null ? rows : where(indices.reshape([-1, 1]).eq(paddingIdx), rows.detach(), rows);
  return out.reshape([...indices.shape, dim]);
}

function normalizePaddingIdx(
  paddingIdx: number | null | undefined,
  num: number,
  what: string,
): number | null {
  if (paddingIdx === undefined || paddingIdx === null) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -num || paddingIdx >= num)
    throw new RangeError(
      `${what}: paddingIdx ${paddingIdx} must be within the ${num} embeddings (${-num}..${num - 1})`,
    );
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

export interface EmbeddingOptions {
  /** An index whose row gets no gradient (and starts at zero), e.g. for padding tokens; negative counts from the end. */
  paddingIdx?: number | null;
  dtype?: DType;
  generator?: Generator;
}

/**
 * Embedding table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, 1) as in
 * PyTorch, with the paddingIdx row set to zero.
 *
 * @example
 * const emb = new Embedding(10, 3, { paddingIdx: 0 });
 * emb.forward(tensor(Int32Array.of(1, 2, 0), { shape: [3] })).shape; // [3, 3]
 */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    for (const [name, n] of [
      ['numEmbeddings', numEmbeddings],
      ['embeddingDim', embeddingDim],
    ] as const) {
      if (!Number.isInteger(n) || n < 0)
        throw new RangeError(`Embedding: ${name} must be a non-negative integer, got ${n}`);
    }
    this.paddingIdx = normalizePaddingIdx(options.paddingIdx, numEmbeddings, 'Embedding');
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? 'float32' }));
    this.resetParameters(options.generator);
  }

  resetParameters(generator?: Generator): void {
    normal_(this.weight, 0, 1, { generator });
    if (this.paddingIdx !== null) {
      const keep = ones([this.numEmbeddings, 1], { dtype: this.weight.dtype });
      keep._data[this.paddingIdx] = 0;
      noGrad(() => this.weight.mul_(keep));
    }
  }

  override forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    const pad = this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`;
    return `numEmbeddings=${this.numEmbeddings}, embeddingDim=${this.embeddingDim}${pad}`;
  }
}

// Their forwards keep no reference to their input or output (see retainsNoActivations).
retainsNoActivations(Embedding);
