/**
 * The learning-rate range test on a small synthetic classification problem (float64): the sweep, the
 * divergence stop, the suggestion (checked by training at it and at 100 times it), the exact restoration
 * of everything the sweep touches, and the curve reading on hand-made curves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Batch } from '../../src/data/batches.js';
import { defaultGenerator, Generator } from '../../src/index.js';
import {
  buildMlp,
  crossEntropy,
  Dropout,
  Linear,
  ReLU,
  Sequential,
  type Module,
} from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { linePlotSvg } from '../../src/report/svg.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { findLearningRate, readLrCurve, type LrFinderOptions } from '../../src/train/lr-finder.js';
import { lrFinderPlotSpec } from '../../src/train/lr-finder-plot.js';
import { batchTensors } from '../../src/train/loop.js';

// ---- four Gaussian blobs in 8 dimensions, 512 points, batches of 32 ----

const FEATURES = 8;
const CLASSES = 4;
const COUNT = 512;
const BATCH = 32;

function makeData(seed: number) {
  const g = new Generator(seed);
  const centers = Array.from({ length: CLASSES * FEATURES }, () => 2 * g.normal());
  const images = new Float32Array(COUNT * FEATURES);
  const labels = new Int32Array(COUNT);
  for (let i = 0; i < COUNT; i++) {
    labels[i] = i % CLASSES;
    for (let f = 0; f < FEATURES; f++)
      images[i * FEATURES + f] = centers[labels[i]! * FEATURES + f]! + g.normal();
  }
  const batch = (start: number, size: number): Batch => ({
    images: images.subarray(start * FEATURES, (start + size) * FEATURES),
    labels: labels.subarray(start, start + size),
    size,
    indices: Int32Array.from({ length: size }, (_, k) => start + k),
  });
  return {
    /** One pass in a fixed order. */
    pass: function* () {
      for (let start = 0; start < COUNT; start += BATCH) yield batch(start, BATCH);
    },
    all: batch(0, COUNT),
  };
}

const data = makeData(7);
const makeModel = () =>
  buildMlp([FEATURES, 16, CLASSES], 'relu', { dtype: 'float64', generator: new Generator(3) });

function fullLoss(model: Module): number {
  const { inputs, targets } = batchTensors(data.all, 'float64');
  return crossEntropy(model.forward(inputs), targets).item();
}

/** Trains `steps` batches at a fixed lr with plain SGD, cycling through the data. */
function trainSteps(model: Module, lr: number, steps: number): void {
  const optimizer = new SGD(model.parameters(), { lr });
  let pass = data.pass();
  for (let k = 0; k < steps; k++) {
    let next = pass.next();
    if (next.done) next = (pass = data.pass()).next();
    const { inputs, targets } = batchTensors(next.value as Batch, 'float64');
    optimizer.zeroGrad();
    crossEntropy(model.forward(inputs), targets).backward();
    optimizer.step();
  }
}

const SWEEP = { startLr: 1e-4, endLr: 1e3, steps: 80, dtype: 'float64' } as const;

function sweep(overrides: Partial<LrFinderOptions> = {}) {
  const model = makeModel();
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const result = findLearningRate({
    model,
    optimizer,
    loss: crossEntropy,
    data: data.pass,
    ...SWEEP,
    ...overrides,
  });
  return { model, optimizer, result };
}

/** The bytes of every tensor in a state dict, for bit-for-bit comparison. */
function bytesOf(tensors: (Tensor | null)[]): (number[] | null)[] {
  return tensors.map((t) => {
    if (!t) return null;
    const a = t.toTypedArray();
    return [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];
  });
}

describe('findLearningRate', () => {
  it('sweeps the lr exponentially, smooths the loss and stops when it diverges', () => {
    const { result } = sweep();
    const { lrs, losses, smoothed } = result;
    assert.equal(lrs[0], 1e-4);
    const ratio = (1e3 / 1e-4) ** (1 / 79);
    lrs.slice(1).forEach((lr, i) => assert.ok(Math.abs(lr / lrs[i]! / ratio - 1) < 1e-12));
    assert.equal(losses.length, lrs.length);
    assert.equal(smoothed.length, lrs.length);
    // The bias-corrected moving average, recomputed.
    let average = 0;
    losses.forEach((l, i) => {
      average = 0.98 * average + (1 - 0.98) * l;
      assert.equal(smoothed[i], average / (1 - 0.98 ** (i + 1)));
    });
    // Falls, then blows up: the sweep stopped before its end, on the 4 × best rule.
    const best = Math.min(...smoothed);
    assert.ok(best < smoothed[0]! / 2, `the loss should fall: ${smoothed[0]} → ${best}`);
    assert.ok(result.stoppedEarly);
    assert.equal(result.stop, 'diverged');
    assert.ok(lrs.length < 80);
    assert.ok(smoothed.at(-1)! > 4 * best);
    assert.ok(smoothed.slice(0, -1).every((s) => s <= 4 * best));
    assert.match(
      result.reason,
      /^stopped at step \d+ of 80: the smoothed loss .* passed 4 × its best .* at lr /,
    );
  });

  it('suggests an lr where the loss is falling, that trains, while 100 times it does not', () => {
    const { model, result } = sweep();
    const { lrs, trend, suggestedLr } = result;
    assert.ok(suggestedLr > lrs[0]! && suggestedLr < lrs.at(-1)!, `suggestedLr ${suggestedLr}`);
    const at = lrs.indexOf(suggestedLr);
    assert.ok(
      trend[at + 2]! < trend[at]! && trend[at]! < trend[at - 2]!,
      'the trend falls at the suggestion',
    );
    assert.ok(result.minLossLr > suggestedLr);
    assert.equal(result.conservativeLr, result.minLossLr / 10);

    const before = fullLoss(model);
    const saved = model.stateDict();
    trainSteps(model, suggestedLr, 10);
    const atSuggestion = fullLoss(model);
    model.loadStateDict(saved);
    trainSteps(model, 100 * suggestedLr, 10);
    const atHundredTimes = fullLoss(model);
    assert.ok(atSuggestion < 0.8 * before, `10 steps at ${suggestedLr}: ${before} → ${atSuggestion}`);
    assert.ok(!(atHundredTimes < before), `10 steps at 100 × ${suggestedLr}: ${before} → ${atHundredTimes}`);
  });

  it('restores the model, the optimizer (state and group lrs), the gradients, the mode and the generator bit for bit', () => {
    const model = new Sequential(
      new Linear(FEATURES, 16),
      new ReLU(),
      new Dropout(0.2),
      new Linear(16, CLASSES),
    ).to('float64');
    const [w1, b1, w2, b2] = model.parameters();
    const optimizer = new SGD(
      [
        { params: [w1!, b1!], lr: 0.05 },
        { params: [w2!, b2!], lr: 0.02 },
      ],
      { momentum: 0.9 },
    );
    // Three real steps, so that the momentum buffers exist, then leave gradients behind, in eval mode.
    for (let k = 0; k < 3; k++) {
      const { inputs, targets } = batchTensors(data.all, 'float64');
      optimizer.zeroGrad();
      crossEntropy(model.forward(inputs), targets).backward();
      optimizer.step();
    }
    const { inputs, targets } = batchTensors(data.all, 'float64');
    crossEntropy(model.forward(inputs), targets).backward();
    model.eval();

    const snapshot = () => ({
      params: bytesOf(Object.values(model.stateDict())),
      grads: bytesOf(model.parameters().map((p) => p.grad)),
      optimizer: JSON.stringify(optimizer.stateDict()),
      lrs: optimizer.paramGroups.map((g) => g.lr),
      training: model.training,
      random: defaultGenerator.getState(),
    });
    const before = snapshot();
    const result = findLearningRate({ model, optimizer, loss: crossEntropy, data: data.pass, ...SWEEP });
    assert.ok(result.lrs.length > 10);
    assert.deepEqual(snapshot(), before);
    assert.deepEqual(before.lrs, [0.05, 0.02]);
    assert.equal(before.training, false);
  });

  it('leaves a later training run exactly as it would have been without the sweep', () => {
    const twin = () => {
      const model = new Sequential(
        new Linear(FEATURES, 16),
        new ReLU(),
        new Dropout(0.3),
        new Linear(16, CLASSES),
      );
      model.to('float64');
      return { model, optimizer: new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) };
    };
    const run = (withSweep: boolean) => {
      defaultGenerator.manualSeed(11);
      const { model, optimizer } = twin();
      if (withSweep) findLearningRate({ model, optimizer, loss: crossEntropy, data: data.pass, ...SWEEP });
      for (const batch of data.pass()) {
        const { inputs, targets } = batchTensors(batch, 'float64');
        optimizer.zeroGrad();
        crossEntropy(model.forward(inputs), targets).backward();
        optimizer.step();
      }
      return { params: bytesOf(model.parameters()), optimizer: JSON.stringify(optimizer.stateDict()) };
    };
    assert.deepEqual(run(true), run(false));
  });

  it("puts the groups' lrs back even when the optimizer's state dict does not carry them", () => {
    const model = makeModel();
    const inner = new SGD(model.parameters(), { lr: 0.3 });
    // A wrapper that saves only the per-parameter state, as a custom OptimizerLike might.
    const optimizer = {
      paramGroups: inner.paramGroups,
      step: <T>(closure?: () => T) => inner.step(closure),
      zeroGrad: () => inner.zeroGrad(),
      stateDict: () => ({ ...inner.stateDict(), paramGroups: [] }),
      loadStateDict: () => undefined,
    };
    findLearningRate({ model, optimizer, loss: crossEntropy, data: data.pass, ...SWEEP });
    assert.equal(inner.paramGroups[0]!.lr, 0.3);
  });

  it('restores everything when the sweep throws', () => {
    const model = makeModel();
    const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const before = { params: bytesOf(model.parameters()), optimizer: JSON.stringify(optimizer.stateDict()) };
    let calls = 0;
    const failing = (logits: Tensor, targets: Tensor) => {
      if (++calls === 6) throw new Error('loss exploded on purpose');
      return crossEntropy(logits, targets);
    };
    assert.throws(
      () => findLearningRate({ model, optimizer, loss: failing, data: data.pass, ...SWEEP }),
      /loss exploded on purpose/,
    );
    assert.deepEqual(
      { params: bytesOf(model.parameters()), optimizer: JSON.stringify(optimizer.stateDict()) },
      before,
    );
    assert.equal(optimizer.paramGroups[0]!.lr, 0.1);
  });

  it('stops on a non-finite loss and reads the curve before it', () => {
    let calls = 0;
    const poisoned = (logits: Tensor, targets: Tensor) => {
      const value = crossEntropy(logits, targets);
      return ++calls === 40 ? value.mul(NaN) : value;
    };
    const { result } = sweep({ loss: poisoned, divergeFactor: Infinity });
    assert.equal(result.stop, 'non-finite');
    assert.ok(result.stoppedEarly);
    assert.equal(result.lrs.length, 40);
    assert.ok(
      Number.isNaN(result.losses[39]) && Number.isNaN(result.smoothed[39]) && Number.isNaN(result.trend[39]),
    );
    assert.match(result.reason, /stopped at step 40 of 80: the loss was NaN at lr /);
    assert.ok(result.suggestedLr < result.lrs[39]!);
  });

  it('runs to the end when nothing diverges, cycling through the data', () => {
    let passes = 0;
    const twoBatches = function* () {
      passes++;
      yield* [...data.pass()].slice(0, 2);
    };
    const { result } = sweep({ data: twoBatches, startLr: 1e-6, endLr: 1e-3, steps: 9 });
    assert.equal(result.stop, 'completed');
    assert.equal(result.stoppedEarly, false);
    assert.equal(result.lrs.length, 9);
    assert.ok(Math.abs(result.lrs[8]! / 1e-3 - 1) < 1e-12);
    assert.equal(passes, 5);
    assert.throws(() => sweep({ data: () => [] }), /data\(\) gave no batches/);
  });

  it('names a bad option and its valid range', () => {
    const bad: [Partial<LrFinderOptions>, RegExp][] = [
      [{ startLr: 0 }, /startLr must be a finite number > 0, got 0/],
      [{ endLr: 1e-5 }, /endLr must be a finite number above startLr \(0.0001\), got 0.00001/],
      [{ steps: 3 }, /steps must be an integer ≥ 5, got 3/],
      [{ smoothing: 1 }, /smoothing must be in \[0, 1\), got 1/],
      [{ divergeFactor: 1 }, /divergeFactor must be > 1/],
    ];
    for (const [options, message] of bad) assert.throws(() => sweep(options), message);
  });

  it('gives a plot spec with both suggestions marked', () => {
    const { result } = sweep();
    const spec = lrFinderPlotSpec(result);
    assert.equal(spec.xScale, 'log');
    assert.deepEqual(
      spec.markers!.map((m) => m.x),
      [result.suggestedLr, result.conservativeLr],
    );
    const svg = linePlotSvg(spec);
    assert.match(svg, /suggested /);
    assert.match(svg, /min\/10 /);
    assert.match(svg, />learning rate</);
  });
});

describe('readLrCurve', () => {
  // 141 points over 1e-6 … 10: a fall of 1 centred on 1e-2 (steepest there), a rise after 0.3.
  const lrs = Array.from({ length: 141 }, (_, i) => 10 ** (-6 + i * 0.05));
  const curve = (x: number) =>
    1 + 1 / (1 + Math.exp(4 * (x + 2))) + (x > -0.5 ? Math.exp(3 * (x + 0.5)) - 1 : 0);

  it('finds the steepest fall and the minimum of a clean curve', () => {
    const reading = readLrCurve(
      lrs,
      lrs.map((lr) => curve(Math.log10(lr))),
    );
    assert.ok(Math.abs(Math.log10(reading.suggestedLr) + 2) <= 0.051, `suggested ${reading.suggestedLr}`);
    assert.ok(Math.abs(Math.log10(reading.minLossLr) + 0.6) <= 0.2, `min ${reading.minLossLr}`);
    assert.equal(reading.conservativeLr, reading.minLossLr / 10);
    assert.equal(reading.doubt, undefined);
  });

  it('is not fooled by noise, nor by a deeper dip once the loss has turned ragged', () => {
    const g = new Generator(5);
    const losses = lrs.map((lr) => {
      const x = Math.log10(lr);
      return x < -1 ? curve(x) + 0.03 * g.normal() : x < -0.7 ? 2.2 : 0.5 + 0.3 * g.normal();
    });
    const reading = readLrCurve(lrs, losses);
    assert.ok(Math.abs(Math.log10(reading.suggestedLr) + 2) <= 0.2, `suggested ${reading.suggestedLr}`);
    assert.ok(reading.minLossLr < 0.1, `min ${reading.minLossLr}`);
  });

  it('says so when the loss never falls', () => {
    const reading = readLrCurve(
      lrs,
      lrs.map((lr) => 1 + lr),
    );
    assert.equal(reading.suggestedLr, lrs[0]);
    assert.match(reading.doubt!, /never fell/);
  });
});
