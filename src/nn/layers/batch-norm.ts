/**
 * Batch normalisation (Ioffe & Szegedy, 2015, "Batch Normalization: Accelerating Deep Network Training
 * by Reducing Internal Covariate Shift"): each channel c is normalised over the batch (and every
 * spatial position),
 *
 *   y = (x − μ_c) / √(σ²_c + eps) · γ_c + β_c,
 *
 * with μ and σ² the batch statistics in training (σ² biased, ÷M, where M = N·spatial) and the running
 * estimates in evaluation. Training also updates the running estimates,
 *   running = (1 − momentum)·running + momentum·batch,
 * with the *unbiased* batch variance (÷(M − 1)) for running_var, exactly as PyTorch does.
 */
import { noGrad } from '../../autograd/grad-mode.js';
import type { DType } from '../../tensor/dtype.js';
import { ones, zeros } from '../../tensor/creation.js';
import { formatShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module, retainsNoActivations } from '../module.js';
import { Parameter } from '../parameter.js';

/** The dims a per-channel statistic reduces over (all but dim 1), and the shape that broadcasts it. */
function channelLayout(x: Tensor, op: string): { dims: number[]; shape: number[]; count: number } {
  if (x.ndim < 2)
    throw new RangeError(
      `${op}: expected an input [N, C, ...] with at least 2 dims, got ${formatShape(x.shape)}`,
    );
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const shape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const count = dims.reduce((n, d) => n * x.shape[d]!, 1);
  return { dims, shape, count };
}

export interface BatchNormTrainingOptions {
  /** γ, [C]; none by default. */
  weight?: Tensor | null;
  /** β, [C]; none by default. */
  bias?: Tensor | null;
  /** Added to the variance; default 1e-5. */
  eps?: number;
}

export interface BatchNormTrainingResult {
  /** The normalised (and scaled and shifted) input; gradients flow through it. */
  output: Tensor;
  /** The batch mean per channel, [C], detached: for the running-statistics update. */
  mean: Tensor;
  /** The unbiased (÷(M − 1)) batch variance per channel, [C], detached: for the running-statistics update. */
  var: Tensor;
}

/**
 * Training-mode batch norm of x [N, C, ...]: normalises with the biased batch variance and returns the
 * batch mean and the unbiased batch variance for the caller's running-statistics update. Needs more
 * than one value per channel.
 */
export function batchNormTraining(
  x: Tensor,
  options: BatchNormTrainingOptions = {},
): BatchNormTrainingResult {
  const { weight = null, bias = null, eps = 1e-5 } = options;
  const { dims, shape, count } = channelLayout(x, 'batchNorm');
  if (count <= 1) {
    throw new RangeError(
      `batchNorm: expected more than 1 value per channel when training, got input ${formatShape(x.shape)}`,
    );
  }
  checkChannelVector(weight, 'weight', x);
  checkChannelVector(bias, 'bias', x);
  const mean = x.mean(dims, true);
  const centered = x.sub(mean);
  const biasedVar = centered.mul(centered).mean(dims, true);
  let y = centered.div(biasedVar.add(eps).sqrt());
  if (weight) y = y.mul(weight.reshape(shape));
  if (bias) y = y.add(bias.reshape(shape));
  const channels = x.shape[1]!;
  return {
    output: y,
    mean: mean.detach().reshape([channels]),
    var: biasedVar
      .detach()
      .mul(count / (count - 1))
      .reshape([channels]),
  };
}

function checkChannelVector(t: Tensor | null, what: string, x: Tensor): void {
  if (t && (t.ndim !== 1 || t.shape[0] !== x.shape[1])) {
    throw new RangeError(
      `batchNorm: ${what} must have shape [${x.shape[1]}] (one per channel of the input ${formatShape(x.shape)}), got ${formatShape(t.shape)}`,
    );
  }
}

export interface BatchNormFunctionOptions extends BatchNormTrainingOptions {
  /** Use batch statistics (and update the running ones in place, when given); default false, as F.batch_norm. */
  training?: boolean;
  /** The weight of the new batch statistic in the running update; default 0.1. */
  momentum?: number;
}

/**
 * PyTorch's F.batch_norm on x [N, C, ...]. In training it normalises with the batch statistics and,
 * when runningMean/runningVar are given, updates them in place (running_var with the unbiased
 * variance); otherwise it normalises with runningMean and runningVar, which must then be given.
 *
 * @example
 * const y = batchNorm(x, runningMean, runningVar, { weight, bias, training: true });
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormFunctionOptions = {},
): Tensor {
  const { training = false, momentum = 0.1, weight = null, bias = null, eps = 1e-5 } = options;
  if (training) {
    const result = batchNormTraining(x, { weight, bias, eps });
    noGrad(() => {
      if (runningMean) runningMean.mul_(1 - momentum).add_(result.mean, momentum);
      if (runningVar) runningVar.mul_(1 - momentum).add_(result.var, momentum);
    });
    return result.output;
  }
  if (!runningMean || !runningVar)
    throw new RangeError(
      'batchNorm: evaluation mode needs runningMean and runningVar (or pass training: true)',
    );
  checkChannelVector(runningMean, 'runningMean', x);
  checkChannelVector(runningVar, 'runningVar', x);
  checkChannelVector(weight, 'weight', x);
  checkChannelVector(bias, 'bias', x);
  const { shape } = channelLayout(x, 'batchNorm');
  let y = x.sub(runningMean.reshape(shape)).div(runningVar.reshape(shape).add(eps).sqrt());
  if (weight) y = y.mul(weight.reshape(shape));
  if (bias) y = y.add(bias.reshape(shape));
  return y;
}

export interface BatchNormOptions {
  /** Added to the variance for stability; default 1e-5. */
  eps?: number;
  /** Weight of each new batch in the running statistics; default 0.1; null for a cumulative (equal-weight) average. */
  momentum?: number | null;
  /** Learn a per-channel scale γ (initialised to 1) and shift β (initialised to 0); default true. */
  affine?: boolean;
  /** Keep running statistics for evaluation; default true. Without them evaluation uses batch statistics too. */
  trackRunningStats?: boolean;
  /** Element type of the parameters and running statistics; default float32. */
  dtype?: DType;
}

/**
 * The shared body of BatchNorm1d and BatchNorm2d.
 *
 * The buffers are fields named as in PyTorch, `running_mean`, `running_var` and
 * `num_batches_tracked` (an int32 scalar), because a field's name is its state-dict key and
 * checkpoints must load in PyTorch; `runningMean`, `runningVar` and `numBatchesTracked` read the same
 * tensors under this library's camelCase names.
 */
export abstract class BatchNormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1)
      throw new RangeError(
        `${this.constructor.name}: numFeatures must be a positive integer, got ${numFeatures}`,
      );
    const {
      eps = 1e-5,
      momentum = 0.1,
      affine = true,
      trackRunningStats = true,
      dtype = 'float32',
    } = options;
    if (momentum !== null && !(momentum >= 0 && momentum <= 1))
      throw new RangeError(`${this.constructor.name}: momentum must be in [0, 1] or null, got ${momentum}`);
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    this.registerBuffer('running_mean', trackRunningStats ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('running_var', trackRunningStats ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer('num_batches_tracked', trackRunningStats ? zeros([], { dtype: 'int32' }) : null);
  }

  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Running mean 0, running variance 1, no batches tracked. */
  resetRunningStats(): void {
    noGrad(() => {
      this.running_mean?.zero_();
      this.running_var?.fill_(1);
      this.num_batches_tracked?.zero_();
    });
  }

  /** Throws unless x has the dimensions this layer normalises. */
  protected abstract checkInput(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new RangeError(
        `${this.constructor.name}: expected input with ${this.numFeatures} channels, got ${formatShape(x.shape)}`,
      );
    }
    let momentum = 0;
    if (this.training && this.num_batches_tracked) {
      const tracked = this.num_batches_tracked;
      noGrad(() => tracked.add_(1));
      momentum = this.momentum ?? 1 / tracked.item();
    }
    // Batch statistics in training, and always when there are no running ones to use.
    return batchNorm(x, this.running_mean, this.running_var, {
      training: this.training || !this.running_mean,
      momentum,
      weight: this.weight,
      bias: this.bias,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/**
 * Batch normalisation over [N, C] or [N, C, L] inputs (per feature C, over N and L).
 * Defaults: eps 1e-5, momentum 0.1, affine true, trackRunningStats true.
 *
 * @example
 * const bn = new BatchNorm1d(64);
 * bn.forward(x);          // training: batch statistics, running ones updated
 * bn.eval().forward(x);   // evaluation: running statistics
 */
export class BatchNorm1d extends BatchNormBase {
  protected override checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3)
      throw new RangeError(
        `BatchNorm1d: expected a 2-D [N, C] or 3-D [N, C, L] input, got ${formatShape(x.shape)}`,
      );
  }
}

/**
 * Batch normalisation over [N, C, H, W] inputs (per channel C, over N, H and W).
 * Defaults: eps 1e-5, momentum 0.1, affine true, trackRunningStats true.
 *
 * @example
 * const block = new Sequential(new Conv2d(3, 16, 3, { padding: 1, bias: false }), new BatchNorm2d(16), new ReLU());
 */
export class BatchNorm2d extends BatchNormBase {
  protected override checkInput(x: Tensor): void {
    if (x.ndim !== 4)
      throw new RangeError(`BatchNorm2d: expected a 4-D input [N, C, H, W], got ${formatShape(x.shape)}`);
  }
}

// Their forwards keep no reference to their input or output (see retainsNoActivations).
retainsNoActivations(BatchNorm1d, BatchNorm2d);
