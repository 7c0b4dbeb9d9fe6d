/**
 * The learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural Networks",
 * section 3.3; fastai's `lr_find`): train for a few hundred batches while the learning rate grows
 * exponentially from tiny to huge, watch the loss fall and then blow up, and read a good learning rate
 * off the curve. The model and optimizer are put back exactly as they were afterwards.
 */
import type { Batch } from '../data/batches.js';
import type { StateDict } from '../nn/module.js';
import type { OptimizerLike } from '../optim/optimizer.js';
import type { DType } from '../tensor/dtype.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { batchTensors, type ClassificationLoss, type Classifier } from './loop.js';

/** What the finder needs of a model: the training loop's, plus saving and loading its state. */
export interface LrFinderModel extends Classifier {
  stateDict(): StateDict;
  loadStateDict(state: StateDict): unknown;
  /** Training mode (a `Module` has it); restored after the sweep when present. */
  training?: boolean;
}

export interface LrFinderOptions {
  model: LrFinderModel;
  /** Every parameter group is set to the sweep's lr at each step; all of it is restored afterwards. */
  optimizer: OptimizerLike;
  loss: ClassificationLoss;
  /** A fresh pass over the training batches; called again whenever a pass runs out before the sweep ends. */
  data: () => Iterable<Batch>;
  /** First learning rate (default 1e-7). */
  startLr?: number;
  /** Last learning rate (default 10). */
  endLr?: number;
  /** Batches in the sweep, at most (default 100). */
  steps?: number;
  /** β of the loss's exponential moving average, in [0, 1) (default 0.98; 0 turns smoothing off). */
  smoothing?: number;
  /** Stop once the smoothed loss exceeds this many times its best value (default 4; Infinity never stops). */
  divergeFactor?: number;
  /** Element type of the inputs (default float32). */
  dtype?: DType;
  /** The generator dropout and other random layers draw from, whose state is restored (default the global one). */
  generator?: Generator;
  /** Called after every step, e.g. for a progress bar. */
  onStep?: (step: LrFinderStep) => void;
}

export interface LrFinderStep {
  /** 1-based. */
  step: number;
  steps: number;
  lr: number;
  loss: number;
  smoothed: number;
}

/** Why the sweep ended: it reached `endLr`, the smoothed loss diverged, or the loss was NaN or infinite. */
export type LrFinderStop = 'completed' | 'diverged' | 'non-finite';

export interface LrFinderResult {
  /** The learning rate of each step taken. */
  lrs: number[];
  /** The minibatch loss at each step, before its update (the last may be NaN or Infinity). */
  losses: number[];
  /** The bias-corrected exponential moving average of `losses` (what fastai plots, and the divergence test reads). */
  smoothed: number[];
  /** A centred (lag-free) local fit of `losses`, what the suggestions are read from; NaN past a non-finite loss. */
  trend: number[];
  /**
   * The suggestion, the rate to train at: where the loss falls fastest, i.e. the steepest negative
   * slope of `trend` against log lr (fastai's 'steep'), looked for before `minLossLr`.
   */
  suggestedLr: number;
  /**
   * Where `trend` is lowest before the loss turns ragged (the first minibatch loss that gives back half
   * of the fall so far): the edge of stability, too high to train at.
   */
  minLossLr: number;
  /** `minLossLr / 10` (fastai's 'minimum' suggestion): a conservative alternative for noisy curves. */
  conservativeLr: number;
  stoppedEarly: boolean;
  stop: LrFinderStop;
  /** The stop, and any doubt about the suggestion, in words. */
  reason: string;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(`findLearningRate: ${message}`);
}

/**
 * Runs the learning-rate range test. Step i (0-based, of `steps`) trains one batch at
 *
 *     lrᵢ = startLr · (endLr / startLr)^(i / (steps − 1))
 *
 * and records its loss ℓᵢ (computed before the update) and the bias-corrected moving average
 *
 *     aᵢ = β·aᵢ₋₁ + (1 − β)·ℓᵢ,   sᵢ = aᵢ / (1 − β^(i+1))      (a₋₁ = 0, β = `smoothing`).
 *
 * The sweep stops early when sᵢ > `divergeFactor` · minⱼ≤ᵢ sⱼ (diverged) or when ℓᵢ is not finite.
 *
 * The rates are read off `trend`, a centred local linear fit of ℓ against log lr over ±¼ decade, not
 * off the moving average, which lags by about β/(1 − β) steps (49 at the default: most of a decade at
 * 100 steps) and so would point at rates already past the minimum:
 * - the part before divergence ends at the first loss that gives back more than half of the fall
 *   achieved so far (once the trend has fallen by a tenth): there the loss turns ragged, Smith's upper
 *   bound; `minLossLr` is where the trend is lowest before that point;
 * - `suggestedLr`, the rate to train at, is where the loss falls fastest: the steepest negative slope
 *   d trend / d log lr before `minLossLr` (fastai's 'steep');
 * - `conservativeLr = minLossLr / 10`, a decade below the lowest loss (fastai's 'minimum'), is the safer
 *   alternative when the curve is noisy.
 *
 * The curve depends on the number of steps (fewer steps: fewer updates at each rate, so the fall comes
 * later); 100–300 steps are typical. The divergence test assumes a non-negative loss.
 *
 * The model's state dict, the optimizer's state dict (group lrs included), the parameters' gradients,
 * the model's training mode and the random generator's state are saved first and restored afterwards,
 * even when the sweep throws, so a later training run is exactly what it would have been.
 *
 * @example
 * const result = findLearningRate({
 *   model, optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }), loss: crossEntropy,
 *   data: () => batches(train, { batchSize: 128, seed: 0 }), steps: 200,
 * });
 * result.suggestedLr; // 0.047 for the MLP 784-256-128-10 on the embedded Fashion-MNIST subset
 */
export function findLearningRate(options: LrFinderOptions): LrFinderResult {
  const {
    model,
    optimizer,
    loss,
    data,
    startLr = 1e-7,
    endLr = 10,
    steps = 100,
    smoothing = 0.98,
    divergeFactor = 4,
    dtype,
    generator = defaultGenerator,
    onStep,
  } = options;
  check(Number.isFinite(startLr) && startLr > 0, `startLr must be a finite number > 0, got ${startLr}`);
  check(
    Number.isFinite(endLr) && endLr > startLr,
    `endLr must be a finite number above startLr (${startLr}), got ${endLr}`,
  );
  check(Number.isInteger(steps) && steps >= 5, `steps must be an integer ≥ 5, got ${steps}`);
  check(smoothing >= 0 && smoothing < 1, `smoothing must be in [0, 1), got ${smoothing}`);
  check(divergeFactor > 1, `divergeFactor must be > 1 (Infinity never stops), got ${divergeFactor}`);
  if (typeof data !== 'function')
    throw new TypeError('findLearningRate: data must be a function returning a fresh pass of batches');

  // Everything the sweep changes, saved before it starts.
  const modelState = model.stateDict();
  const optimizerState = optimizer.stateDict();
  const groupLrs = optimizer.paramGroups.map((g) => g.lr);
  const params = optimizer.paramGroups.flatMap((g) => g.params);
  const grads = params.map((p) => (p.grad ? p.grad.detach().clone() : null));
  const wasTraining = model.training;
  const randomState = generator.getState();

  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let stop: LrFinderStop = 'completed';
  let reason = `completed the sweep from ${startLr} to ${endLr} in ${steps} steps`;
  try {
    const nextBatch = cycle(data);
    model.train();
    let average = 0;
    let best = Infinity;
    for (let i = 0; i < steps; i++) {
      const lr = startLr * (endLr / startLr) ** (i / (steps - 1));
      for (const group of optimizer.paramGroups) group.lr = lr;
      const { inputs, targets } = batchTensors(nextBatch(), dtype);
      optimizer.zeroGrad();
      const value = loss(model.forward(inputs), targets);
      const l = value.item();
      lrs.push(lr);
      losses.push(l);
      if (!Number.isFinite(l)) {
        smoothed.push(NaN);
        stop = 'non-finite';
        reason = `stopped at step ${i + 1} of ${steps}: the loss was ${l} at lr ${lr.toPrecision(3)}`;
        break;
      }
      value.backward();
      optimizer.step();
      average = smoothing * average + (1 - smoothing) * l;
      const s = average / (1 - smoothing ** (i + 1));
      smoothed.push(s);
      best = Math.min(best, s);
      onStep?.({ step: i + 1, steps, lr, loss: l, smoothed: s });
      if (s > divergeFactor * best) {
        stop = 'diverged';
        reason =
          `stopped at step ${i + 1} of ${steps}: the smoothed loss ${s.toPrecision(4)} passed ` +
          `${divergeFactor} × its best ${best.toPrecision(4)} at lr ${lr.toPrecision(3)}`;
        break;
      }
    }
  } finally {
    model.loadStateDict(modelState);
    optimizer.loadStateDict(optimizerState);
    optimizer.paramGroups.forEach((g, i) => (g.lr = groupLrs[i]!));
    params.forEach((p, i) => (p.grad = grads[i] ?? null));
    if (wasTraining !== undefined) model.train(wasTraining);
    generator.setState(randomState);
  }

  const reading = readLrCurve(lrs, losses);
  return {
    lrs,
    losses,
    smoothed,
    ...reading,
    stoppedEarly: stop !== 'completed',
    stop,
    reason: reading.doubt ? `${reason}; ${reading.doubt}` : reason,
  };
}

/** Endless batches: a new pass from `data()` whenever the current one runs out. */
function cycle(data: () => Iterable<Batch>): () => Batch {
  let pass = data()[Symbol.iterator]();
  let fresh = true;
  return () => {
    for (;;) {
      const next = pass.next();
      if (!next.done) {
        fresh = false;
        return next.value;
      }
      if (fresh) throw new RangeError('findLearningRate: data() gave no batches');
      pass = data()[Symbol.iterator]();
      fresh = true;
    }
  };
}

/** What `readLrCurve` reads off a sweep. */
export interface LrCurveReading {
  trend: number[];
  suggestedLr: number;
  minLossLr: number;
  conservativeLr: number;
  /** Set when the curve gives no clear answer (it never fell). */
  doubt?: string;
}

/**
 * Reads the suggested learning rates off a sweep (`lrs` increasing geometrically, `losses` the raw
 * minibatch losses; a non-finite loss ends the usable part). `halfWindow` is the half-width of the
 * local linear fit in decades of lr (default ¼).
 */
export function readLrCurve(
  lrs: readonly number[],
  losses: readonly number[],
  halfWindow = 0.25,
): LrCurveReading {
  let n = 0;
  while (n < losses.length && Number.isFinite(losses[n]!)) n++;
  const trend = losses.map(() => NaN);
  if (n === 0) {
    const lr = lrs[0] ?? NaN;
    return {
      trend,
      suggestedLr: lr,
      minLossLr: lr,
      conservativeLr: lr / 10,
      doubt: 'no finite loss to read',
    };
  }
  const x = lrs.slice(0, n).map(Math.log10);
  const spacing = n > 1 ? (x[n - 1]! - x[0]!) / (n - 1) : 1;
  const h = Math.max(1, Math.min(Math.round(halfWindow / spacing), Math.floor((n - 1) / 4)));
  const slope: number[] = [];
  for (let i = 0; i < n; i++) {
    const fit = fitLine(x, losses, Math.max(0, i - h), Math.min(n - 1, i + h), x[i]!);
    trend[i] = fit.level;
    slope.push(fit.slope);
  }
  // The part before divergence ends at the first minibatch loss that gives back more than half of the
  // fall so far (once the trend has fallen by a tenth): the loss has turned ragged, Smith's upper bound.
  let end = n;
  let low = trend[0]!;
  for (let i = 0; i < n; i++) {
    low = Math.min(low, trend[i]!);
    const fall = trend[0]! - low;
    if (fall > 0.1 * Math.abs(trend[0]!) && losses[i]! > low + fall / 2) {
      end = i;
      break;
    }
  }
  let lowest = 0;
  for (let i = 1; i < end; i++) if (trend[i]! < trend[lowest]!) lowest = i;
  // The steepest descent before the minimum, away from the first points, whose fit is one-sided.
  let steepest = -1;
  const last = Math.max(0, lowest - 1);
  for (let i = Math.min(h, last); i <= last; i++)
    if (steepest < 0 || slope[i]! < slope[steepest]!) steepest = i;
  const minLossLr = lrs[lowest]!;
  if (steepest < 0 || !(slope[steepest]! < 0)) {
    return {
      trend,
      suggestedLr: lrs[0]!,
      minLossLr,
      conservativeLr: minLossLr / 10,
      doubt: 'the loss never fell, so the suggestion is the first lr: try a smaller startLr',
    };
  }
  return { trend, suggestedLr: lrs[steepest]!, minLossLr, conservativeLr: minLossLr / 10 };
}

/** Least-squares line through (x[k], y[k]) for k in [from, to]: its value at `at` and its slope. */
function fitLine(
  x: readonly number[],
  y: readonly number[],
  from: number,
  to: number,
  at: number,
): { level: number; slope: number } {
  let sx = 0;
  let sy = 0;
  const count = to - from + 1;
  for (let k = from; k <= to; k++) {
    sx += x[k]!;
    sy += y[k]!;
  }
  const mx = sx / count;
  const my = sy / count;
  let sxx = 0;
  let sxy = 0;
  for (let k = from; k <= to; k++) {
    sxx += (x[k]! - mx) ** 2;
    sxy += (x[k]! - mx) * (y[k]! - my);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { level: my + slope * (at - mx), slope };
}
