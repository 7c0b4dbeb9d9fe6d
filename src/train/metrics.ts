/**
 * Classification metrics as streaming accumulators: `update(logits, targets)` once per batch adds the
 * batch's counts, `compute()` at the end reads the value over everything seen, `reset()` starts again.
 * Only counts are kept, so a metric over a whole epoch costs O(classes²) memory at most, and its state
 * is a few integers that checkpoints save (`stateDict`), so a resumed epoch reports what an
 * uninterrupted one would.
 *
 * Inputs: `logits` [N, C] (any scores whose arg-max is the prediction: logits or probabilities) and
 * `targets` [N] class indices. The prediction is the first index of the largest score.
 */
import type { Tensor } from '../tensor/tensor.js';

/** A JSON value (what metric states are made of). */
export type MetricState = null | boolean | number | string | MetricState[] | { [key: string]: MetricState };

/** A streaming metric. */
export interface Metric<V = unknown> {
  /** The metric's name, e.g. 'accuracy', 'top5', 'f1'. */
  readonly name: string;
  /** The names of the scalars `summary()` returns (known before any update; may be empty). */
  readonly keys: readonly string[];
  /** Adds a batch: logits [N, C], targets [N] class indices. */
  update(logits: Tensor, targets: Tensor): void;
  /** The value over every batch since the last reset. */
  compute(): V;
  /** The scalar values for histories and logs, by key (e.g. `{ accuracy: 0.91 }`). */
  summary(): Record<string, number>;
  reset(): void;
  /** A new, empty metric with the same settings. */
  fresh(): Metric<V>;
  stateDict(): MetricState;
  loadStateDict(state: MetricState): void;
}

/** Reads a batch: N, C, the scores row-major, the targets, with the shapes checked. */
function readBatch(logits: Tensor, targets: Tensor, who: string) {
  if (logits.shape.length !== 2) {
    throw new RangeError(`${who}: logits must have shape [N, classes], got [${logits.shape.join(', ')}]`);
  }
  const [n, c] = logits.shape as [number, number];
  if (targets.shape.length !== 1 || targets.shape[0] !== n) {
    throw new RangeError(
      `${who}: targets must be ${n} class indices (shape [${n}]), got shape [${targets.shape.join(', ')}]`,
    );
  }
  const labels = targets._data;
  for (let i = 0; i < n; i++) {
    const t = labels[i]!;
    if (!Number.isInteger(t) || t < 0 || t >= c) {
      throw new RangeError(`${who}: target ${t} at position ${i} is not a class index in [0, ${c})`);
    }
  }
  return { n, c, scores: logits._data, labels };
}

function argmaxRow(scores: ArrayLike<number>, row: number, c: number): number {
  let best = 0;
  let value = scores[row * c]!;
  for (let j = 1; j < c; j++) {
    const v = scores[row * c + j]!;
    if (v > value || (Number.isNaN(v) && !Number.isNaN(value))) {
      best = j;
      value = v;
    }
  }
  return best;
}

function checkCounts(who: string, state: MetricState, keys: string[]): Record<string, number> {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new TypeError(`${who}.loadStateDict: expected {${keys.join(', ')}}`);
  }
  const out: Record<string, number> = {};
  for (const k of keys) {
    const v = (state as Record<string, MetricState>)[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new TypeError(
        `${who}.loadStateDict: ${k} must be a non-negative integer, got ${JSON.stringify(v)}`,
      );
    }
    out[k] = v;
  }
  return out;
}

/**
 * The fraction of samples whose predicted class (arg-max score) is the target: correct / total.
 * NaN before any update.
 */
export class Accuracy implements Metric<number> {
  readonly name: string = 'accuracy';
  readonly keys: readonly string[] = ['accuracy'];
  private correct = 0;
  private total = 0;

  update(logits: Tensor, targets: Tensor): void {
    const { n, c, scores, labels } = readBatch(logits, targets, 'Accuracy');
    for (let i = 0; i < n; i++) if (argmaxRow(scores, i, c) === labels[i]) this.correct++;
    this.total += n;
  }

  compute(): number {
    return this.total === 0 ? NaN : this.correct / this.total;
  }

  summary(): Record<string, number> {
    return { accuracy: this.compute() };
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }

  fresh(): Accuracy {
    return new Accuracy();
  }

  stateDict(): MetricState {
    return { correct: this.correct, total: this.total };
  }

  loadStateDict(state: MetricState): void {
    const s = checkCounts('Accuracy', state, ['correct', 'total']);
    this.correct = s.correct!;
    this.total = s.total!;
  }
}

/**
 * Top-k accuracy: the fraction of samples whose target is among the k highest scores. A target tied
 * with the k-th score counts as in the top k (as Keras's `in_top_k`): the sample is correct when fewer
 * than k classes score strictly higher than the target. Named `top${k}`.
 */
export class TopKAccuracy implements Metric<number> {
  readonly name: string;
  readonly keys: readonly string[];
  private correct = 0;
  private total = 0;

  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 1)
      throw new RangeError(`TopKAccuracy: k must be an integer ≥ 1, got ${k}`);
    this.name = `top${k}`;
    this.keys = [this.name];
  }

  update(logits: Tensor, targets: Tensor): void {
    const { n, c, scores, labels } = readBatch(logits, targets, this.name);
    for (let i = 0; i < n; i++) {
      const target = scores[i * c + labels[i]!]!;
      let higher = 0;
      for (let j = 0; j < c; j++) if (scores[i * c + j]! > target) higher++;
      if (higher < this.k && !Number.isNaN(target)) this.correct++;
    }
    this.total += n;
  }

  compute(): number {
    return this.total === 0 ? NaN : this.correct / this.total;
  }

  summary(): Record<string, number> {
    return { [this.name]: this.compute() };
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }

  fresh(): TopKAccuracy {
    return new TopKAccuracy(this.k);
  }

  stateDict(): MetricState {
    return { correct: this.correct, total: this.total };
  }

  loadStateDict(state: MetricState): void {
    const s = checkCounts(this.name, state, ['correct', 'total']);
    this.correct = s.correct!;
    this.total = s.total!;
  }
}

/**
 * The confusion matrix: `compute()[t][p]` counts the samples of true class t predicted as p (rows:
 * truth, columns: prediction, as scikit-learn's `confusion_matrix`). The number of classes is given or
 * read from the first batch's logits.
 */
export class ConfusionMatrix implements Metric<number[][]> {
  readonly name: string = 'confusion';
  readonly keys: readonly string[] = [];
  private counts: number[] | null = null;
  private classes: number | null;

  constructor(numClasses?: number) {
    if (numClasses !== undefined && (!Number.isInteger(numClasses) || numClasses < 1)) {
      throw new RangeError(`ConfusionMatrix: numClasses must be an integer ≥ 1, got ${numClasses}`);
    }
    this.classes = numClasses ?? null;
  }

  /** The number of classes (null until known). */
  get numClasses(): number | null {
    return this.classes;
  }

  update(logits: Tensor, targets: Tensor): void {
    const { n, c, scores, labels } = readBatch(logits, targets, this.name);
    if (this.classes === null) this.classes = c;
    if (c !== this.classes) {
      throw new RangeError(`${this.name}: the logits have ${c} classes but the matrix has ${this.classes}`);
    }
    this.counts ??= new Array<number>(c * c).fill(0);
    for (let i = 0; i < n; i++) this.counts[labels[i]! * c + argmaxRow(scores, i, c)]!++;
  }

  compute(): number[][] {
    const c = this.classes ?? 0;
    return Array.from({ length: c }, (_, t) =>
      Array.from({ length: c }, (_, p) => this.counts?.[t * c + p] ?? 0),
    );
  }

  summary(): Record<string, number> {
    return {};
  }

  reset(): void {
    this.counts = null;
  }

  fresh(): ConfusionMatrix {
    return new ConfusionMatrix(this.classes ?? undefined);
  }

  stateDict(): MetricState {
    return { classes: this.classes, counts: this.counts };
  }

  loadStateDict(state: MetricState): void {
    const s = state as { classes?: MetricState; counts?: MetricState } | null;
    const where = `${this.name}.loadStateDict`;
    if (typeof s !== 'object' || s === null) throw new TypeError(`${where}: expected {classes, counts}`);
    const { classes, counts } = s;
    if (classes !== null && (typeof classes !== 'number' || !Number.isInteger(classes) || classes < 1)) {
      throw new TypeError(`${where}: classes must be null or an integer ≥ 1`);
    }
    if (
      counts !== null &&
      (!Array.isArray(counts) ||
        classes === null ||
        counts.length !== (classes as number) ** 2 ||
        !counts.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0))
    ) {
      throw new TypeError(`${where}: counts must be null or classes² non-negative integers`);
    }
    this.classes = classes as number | null;
    this.counts = counts === null ? null : [...(counts as number[])];
  }
}

/** Per-class and macro-averaged precision, recall and F1, and each class's support (true count). */
export interface ClassificationReport {
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  macro: { precision: number; recall: number; f1: number };
}

/**
 * Precision, recall and F1 from a confusion matrix (rows truth, columns prediction), as
 * scikit-learn's `precision_recall_fscore_support` with `zero_division=0`:
 *
 *     precision_c = TP_c / (TP_c + FP_c),  recall_c = TP_c / (TP_c + FN_c),
 *     F1_c = 2·precision_c·recall_c / (precision_c + recall_c)
 *
 * with 0 where a denominator is 0. The macro average is the unweighted mean over the classes that
 * occur among the targets or the predictions (scikit-learn's default label set); NaN when none does.
 */
export function classificationReport(matrix: readonly (readonly number[])[]): ClassificationReport {
  const c = matrix.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  const support: number[] = [];
  const present: number[] = [];
  for (let k = 0; k < c; k++) {
    const tp = matrix[k]![k]!;
    const actual = matrix[k]!.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let t = 0; t < c; t++) predicted += matrix[t]![k]!;
    const p = predicted === 0 ? 0 : tp / predicted;
    const r = actual === 0 ? 0 : tp / actual;
    precision.push(p);
    recall.push(r);
    f1.push(p + r === 0 ? 0 : (2 * p * r) / (p + r));
    support.push(actual);
    if (actual > 0 || predicted > 0) present.push(k);
  }
  const mean = (values: number[]) =>
    present.length === 0 ? NaN : present.reduce((s, k) => s + values[k]!, 0) / present.length;
  return {
    precision,
    recall,
    f1,
    support,
    macro: { precision: mean(precision), recall: mean(recall), f1: mean(f1) },
  };
}

type ReportField = 'precision' | 'recall' | 'f1';

/** Precision, recall or F1 over the batches seen: `compute()` is the macro average, `perClass()` the per-class values. */
abstract class ReportMetric implements Metric<number> {
  abstract readonly name: ReportField;
  protected readonly matrix: ConfusionMatrix;

  constructor(readonly numClasses?: number) {
    this.matrix = new ConfusionMatrix(numClasses);
  }

  get keys(): readonly string[] {
    return [this.name];
  }

  update(logits: Tensor, targets: Tensor): void {
    this.matrix.update(logits, targets);
  }

  /** The macro average over the classes that occur (see `classificationReport`). */
  compute(): number {
    return classificationReport(this.matrix.compute()).macro[this.name];
  }

  /** The value of each class. */
  perClass(): number[] {
    return classificationReport(this.matrix.compute())[this.name];
  }

  summary(): Record<string, number> {
    return { [this.name]: this.compute() };
  }

  reset(): void {
    this.matrix.reset();
  }

  abstract fresh(): ReportMetric;

  stateDict(): MetricState {
    return this.matrix.stateDict();
  }

  loadStateDict(state: MetricState): void {
    this.matrix.loadStateDict(state);
  }
}

/** Macro-averaged precision (`perClass()` for each class): TP / (TP + FP). Named 'precision'. */
export class Precision extends ReportMetric {
  readonly name = 'precision' as const;
  fresh(): Precision {
    return new Precision(this.numClasses);
  }
}

/** Macro-averaged recall (`perClass()` for each class): TP / (TP + FN). Named 'recall'. */
export class Recall extends ReportMetric {
  readonly name = 'recall' as const;
  fresh(): Recall {
    return new Recall(this.numClasses);
  }
}

/** Macro-averaged F1 (`perClass()` for each class): the harmonic mean of precision and recall. Named 'f1'. */
export class F1Score extends ReportMetric {
  readonly name = 'f1' as const;
  fresh(): F1Score {
    return new F1Score(this.numClasses);
  }
}

/** A metric, or its name: 'accuracy' (or 'acc'), 'top5' (any k; also 'top-5'), 'precision', 'recall', 'f1', 'confusion'. */
export type MetricSpec = string | Metric;

/** The metric a spec names (a Metric is returned as a fresh copy). */
export function createMetric(spec: MetricSpec): Metric {
  if (typeof spec !== 'string') {
    if (typeof spec?.fresh !== 'function')
      throw new TypeError('createMetric: expected a metric name or a Metric');
    return spec.fresh();
  }
  const name = spec.toLowerCase();
  if (name === 'accuracy' || name === 'acc') return new Accuracy();
  const top = /^top-?(\d+)$/.exec(name);
  if (top) return new TopKAccuracy(Number(top[1]));
  if (name === 'precision') return new Precision();
  if (name === 'recall') return new Recall();
  if (name === 'f1') return new F1Score();
  if (name === 'confusion' || name === 'confusion-matrix') return new ConfusionMatrix();
  throw new RangeError(
    `unknown metric '${spec}'; expected accuracy, top<k> (e.g. top5), precision, recall, f1 or confusion`,
  );
}
