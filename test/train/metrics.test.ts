/**
 * Streaming metrics against small cases computed by hand: accuracy, top-k (ties with the k-th score
 * count), the confusion matrix, per-class and macro precision/recall/F1 (scikit-learn's definitions,
 * zero_division=0, macro over the classes that occur), fed in one batch or several, and their saved
 * states.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { tensor } from '../../src/tensor/creation.js';
import {
  Accuracy,
  ConfusionMatrix,
  F1Score,
  Precision,
  Recall,
  TopKAccuracy,
  classificationReport,
  createMetric,
  type Metric,
} from '../../src/train/index.js';

// targets [0, 2, 2, 1, 1, 1]; arg-max predictions [0, 1, 2, 0, 1, 0] (the last row ties 0 and 1: 0 wins).
const LOGITS = [
  [2, 1, 0],
  [0, 3, 1],
  [1, 0, 5],
  [4, 0, 1],
  [0, 2, 1],
  [1, 1, 0],
];
const TARGETS = [0, 2, 2, 1, 1, 1];

const logits = (rows: number[][]) => tensor(rows);
const targets = (values: number[]) => tensor(values, { dtype: 'int32' });

/** Feeds the case in batches of the given sizes. */
function feed<M extends Metric>(metric: M, sizes = [6]): M {
  let start = 0;
  for (const size of sizes) {
    metric.update(logits(LOGITS.slice(start, start + size)), targets(TARGETS.slice(start, start + size)));
    start += size;
  }
  return metric;
}

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

describe('metrics', () => {
  it('accuracy: 3 of 6 correct, in one batch or three', () => {
    assert.equal(feed(new Accuracy()).compute(), 0.5);
    assert.equal(feed(new Accuracy(), [2, 3, 1]).compute(), 0.5);
    assert.deepEqual(feed(new Accuracy()).summary(), { accuracy: 0.5 });
    assert.ok(Number.isNaN(new Accuracy().compute()));
  });

  it('top-k: a target tied with the k-th score counts; top-2 is 5/6, top-1 counts the tie too', () => {
    assert.equal(feed(new TopKAccuracy(2)).compute(), 5 / 6);
    assert.equal(feed(new TopKAccuracy(3), [4, 2]).compute(), 1);
    // Row 5's target (class 1) ties the highest score: in the top 1 by Keras's rule, unlike arg-max.
    assert.equal(feed(new TopKAccuracy(1)).compute(), 4 / 6);
    assert.deepEqual(feed(new TopKAccuracy(2)).summary(), { top2: 5 / 6 });
  });

  it('confusion matrix: rows are true classes, columns predictions', () => {
    const expected = [
      [1, 0, 0],
      [2, 1, 0],
      [0, 1, 1],
    ];
    assert.deepEqual(feed(new ConfusionMatrix()).compute(), expected);
    assert.deepEqual(feed(new ConfusionMatrix(3), [1, 1, 4]).compute(), expected);
    assert.deepEqual(new ConfusionMatrix(2).compute(), [
      [0, 0],
      [0, 0],
    ]);
  });

  it('precision, recall and F1 per class and macro-averaged', () => {
    // precision = TP / predicted: [1/3, 1/2, 1]; recall = TP / actual: [1, 1/3, 1/2];
    // F1 = 2PR / (P + R): [1/2, 2/5, 2/3]; macro: 11/18, 11/18, 47/90.
    const report = classificationReport(feed(new ConfusionMatrix()).compute());
    [1 / 3, 1 / 2, 1].forEach((v, i) => close(report.precision[i]!, v));
    [1, 1 / 3, 1 / 2].forEach((v, i) => close(report.recall[i]!, v));
    [1 / 2, 2 / 5, 2 / 3].forEach((v, i) => close(report.f1[i]!, v));
    assert.deepEqual(report.support, [1, 3, 2]);
    close(feed(new Precision()).compute(), 11 / 18);
    close(feed(new Recall(), [5, 1]).compute(), 11 / 18);
    close(feed(new F1Score(), [2, 2, 2]).compute(), 47 / 90);
    assert.deepEqual(
      feed(new F1Score())
        .perClass()
        .map((v) => Math.round(v * 1e9) / 1e9),
      [0.5, 0.4, 0.666666667],
    );
    assert.deepEqual(Object.keys(feed(new Recall()).summary()), ['recall']);
  });

  it('macro averages skip classes that occur neither as target nor as prediction, and divide by zero as 0', () => {
    const wide = new F1Score();
    wide.update(logits(LOGITS.map((r) => [...r, -100])), targets(TARGETS));
    close(wide.compute(), 47 / 90);
    assert.equal(wide.perClass()[3], 0);
    // A class predicted but never a target: precision 0, recall 0 (zero_division=0), counted in the macro.
    const report = classificationReport([
      [0, 1],
      [0, 1],
    ]);
    assert.deepEqual(report.precision, [0, 0.5]);
    assert.deepEqual(report.recall, [0, 1]);
    close(report.macro.f1, (0 + 2 / 3) / 2);
  });

  it('state dicts continue a stream exactly', () => {
    for (const make of [
      () => new Accuracy(),
      () => new TopKAccuracy(2),
      () => new ConfusionMatrix(),
      () => new F1Score(),
    ]) {
      const first = feed(make(), [4]);
      const resumed = make();
      resumed.loadStateDict(JSON.parse(JSON.stringify(first.stateDict())));
      resumed.update(logits(LOGITS.slice(4)), targets(TARGETS.slice(4)));
      assert.deepEqual(resumed.compute(), feed(make()).compute());
    }
  });

  it('reset and fresh start empty; names create metrics; bad inputs give clear errors', () => {
    const m = feed(new Accuracy());
    m.reset();
    assert.ok(Number.isNaN(m.compute()));
    assert.ok(Number.isNaN(feed(new Accuracy()).fresh().compute()));
    assert.deepEqual(
      ['accuracy', 'acc', 'top5', 'top-3', 'precision', 'recall', 'f1', 'confusion'].map(
        (n) => createMetric(n).name,
      ),
      ['accuracy', 'accuracy', 'top5', 'top3', 'precision', 'recall', 'f1', 'confusion'],
    );
    assert.throws(() => createMetric('auc'), /unknown metric 'auc'/);
    assert.throws(
      () => new Accuracy().update(tensor([1, 2]), targets([0])),
      /logits must have shape \[N, classes\]/,
    );
    assert.throws(
      () => new Accuracy().update(logits([[1, 2]]), targets([2])),
      /target 2 at position 0 is not a class index in \[0, 2\)/,
    );
    assert.throws(
      () => new Accuracy().update(logits([[1, 2]]), targets([0, 1])),
      /targets must be 1 class indices/,
    );
    assert.throws(() => new TopKAccuracy(0), /k must be an integer ≥ 1/);
  });
});
