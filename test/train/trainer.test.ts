/**
 * The trainer: it reproduces the simple `fit` of fit.ts exactly on an ImageSet; step records,
 * validation split, switching events; every callback (EarlyStopping with restoreBestWeights,
 * TerminateOnNaN, LR scheduling per epoch, ReduceLROnPlateau, ModelCheckpoint, CSV and JSONL loggers,
 * the progress bar); evaluate and predict; and clear errors for bad settings.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';

import { batches } from '../../src/data/batches.js';
import type { ImageSet } from '../../src/data/image-set.js';
import { Linear, ReLU, Sequential, crossEntropy, type StateDict } from '../../src/nn/index.js';
import { Adam, CosineAnnealingLR, SGD, StepLR } from '../../src/optim/index.js';
import { SwitchingOptimizer, type SwitchEvent } from '../../src/optim/switching/index.js';
import { randn, tensor } from '../../src/tensor/creation.js';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { fit as fitImageSet } from '../../src/train/fit.js';
import { evaluate as evaluateEpoch } from '../../src/train/loop.js';
import {
  CsvLogger,
  EarlyStopping,
  JsonlLogger,
  LRSchedulerCallback,
  ModelCheckpoint,
  ProgressBarCallback,
  ReduceLROnPlateauCallback,
  TerminateOnNaN,
  Trainer,
  evaluate,
  fit,
  imageSetSource,
  predict,
  readCheckpoint,
  tensorSource,
  type Callback,
  type DataSource,
} from '../../src/train/index.js';
import { writeHooks } from '../../src/train/atomic-write.js';
import { makeTempDir } from './fixtures/temp-dir.js';

const root = makeTempDir('descent-trainer-');
after(() => rmSync(root, { recursive: true, force: true }));

/** Three classes of 6×6 images: a bright band at a class-dependent row, with noise. */
function imageSet(count: number, seed: number): ImageSet {
  const g = new Generator(seed);
  const images = new Uint8Array(count * 36);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = g.integer(0, 3);
    labels[i] = label;
    for (let p = 0; p < 36; p++) {
      const row = Math.floor(p / 6);
      images[i * 36 + p] = Math.min(255, (row === label * 2 ? 180 : 20) + g.integer(0, 60));
    }
  }
  return { images, labels, count, rows: 6, cols: 6, classes: ['a', 'b', 'c'] };
}

const TRAIN = imageSet(240, 1);
const TEST = imageSet(90, 2);

function mlp(seed = 0): Sequential {
  manualSeed(seed);
  return new Sequential(new Linear(36, 16), new ReLU(), new Linear(16, 3));
}

/** Each tensor's bytes, by name. */
const bytes = (state: StateDict) =>
  Object.fromEntries(
    Object.entries(state)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, t]) => [k, Buffer.from(t._data.buffer, t._data.byteOffset, t._data.byteLength)]),
  );

/** Blobs as tensors: 4 features, 3 classes. */
function blobs(count: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const y = Array.from({ length: count }, () => g.integer(0, 3));
  const x = y.flatMap((c) => [c + 0.3 * g.normal(), -c + 0.3 * g.normal(), 0.3 * g.normal(), 1]);
  return { x: tensor(x, { shape: [count, 4] }), y: tensor(y, { dtype: 'int32' }) };
}

describe('Trainer', () => {
  it('reproduces the simple fit of fit.ts bit for bit (same batches, clipping, per-batch cosine schedule)', () => {
    const a = mlp(1);
    const optA = new SGD(a.parameters(), { lr: 0.2, momentum: 0.9 });
    const schedA = new CosineAnnealingLR(optA, { tMax: 24 });
    const old = fitImageSet(a, optA, crossEntropy, TRAIN, {
      epochs: 3,
      batchSize: 30,
      seed: 4,
      validation: TEST,
      scheduler: schedA,
      clipNorm: 0.5,
    });
    const b = mlp(1);
    const optB = new SGD(b.parameters(), { lr: 0.2, momentum: 0.9 });
    const history = fit(b, TRAIN, {
      epochs: 3,
      optimizer: optB,
      scheduler: new CosineAnnealingLR(optB, { tMax: 24 }),
      batchSize: 30,
      seed: 4,
      validation: TEST,
      clipNorm: 0.5,
    });
    assert.deepEqual(bytes(b.stateDict()), bytes(a.stateDict()));
    assert.deepEqual(
      history.epochs.map((e) => [e.loss, e.metrics.accuracy, e.valLoss, e.valMetrics.accuracy, e.gradNorm]),
      old.map((e) => [e.trainLoss, e.trainAccuracy, e.valLoss, e.valAccuracy, e.gradNorm]),
    );
    // fit.ts records the lr after the epoch's last schedule step; the trainer the lr that step used.
    const cosine = (k: number) => 0.1 * (1 + Math.cos((Math.PI * k) / 24));
    assert.deepEqual(
      history.epochs.map((e) => e.lr),
      [7, 15, 23].map(cosine),
    );
    assert.deepEqual(
      old.map((e) => e.lr),
      [8, 16, 24].map(cosine),
    );
    assert.ok(history.epochs[2]!.valMetrics.accuracy! > 0.9, 'the MLP learns the bands');
  });

  it('makes a step record every logEvery steps with the means since the previous one', () => {
    const { x, y } = blobs(100, 3);
    const small = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
    const losses: number[] = [];
    const norms: number[] = [];
    const spy: Callback = {
      name: 'spy',
      onBatchEnd: (_t, log) => {
        losses.push(log.loss);
        norms.push(log.gradNorm);
      },
    };
    const history = fit(small, tensorSource(x, y, { batchSize: 10 }), {
      epochs: 2,
      optimizer: new Adam(small.parameters(), { lr: 0.01 }),
      logEvery: 3,
      callbacks: [spy],
    });
    assert.equal(history.steps.length, Math.floor(20 / 3));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    history.steps.forEach((s, i) => {
      assert.equal(s.step, 3 * (i + 1));
      assert.equal(s.loss, mean(losses.slice(3 * i, 3 * i + 3)));
      assert.equal(s.gradNorm, mean(norms.slice(3 * i, 3 * i + 3)));
      assert.equal(s.epoch, s.step <= 10 ? 1 : 2);
      assert.equal(s.batch, s.step <= 10 ? s.step : s.step - 10);
      assert.equal(s.optimizer, 'Adam');
    });
    assert.equal(history.epochs[0]!.step, 10);
    assert.equal(history.epochs[1]!.step, 20);
  });

  it('validationSplit holds out the last fraction, unshuffled', () => {
    const model = mlp(3);
    const trainer = new Trainer(model, TRAIN, {
      epochs: 1,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      validationSplit: 0.25,
      batchSize: 20,
    });
    assert.equal(trainer.stepsPerEpoch, 9); // 180 images
    const heldOut = [...trainer.validation!.batches(0)];
    assert.equal(
      heldOut.reduce((n, b) => n + b.targets.shape[0]!, 0),
      60,
    );
    assert.deepEqual(
      Array.from(heldOut[0]!.targets._data.slice(0, 5)),
      Array.from(TRAIN.labels.slice(180, 185)),
    );
    const history = trainer.fit();
    assert.ok(Number.isFinite(history.epochs[0]!.valLoss));
  });

  it('records switches, hands them to onSwitch and names the optimizer of each epoch', () => {
    const { x, y } = blobs(60, 4);
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
    const optimizer = new SwitchingOptimizer(model.parameters(), [
      { optimizer: 'adam', options: { lr: 0.01 }, until: { epoch: 1 } },
      { optimizer: 'sgd', options: { lr: 0.05 }, until: { step: 9 } },
      { optimizer: 'rmsprop', options: { lr: 0.001 } },
    ]);
    const seen: SwitchEvent[] = [];
    const history = fit(model, tensorSource(x, y, { batchSize: 20 }), {
      epochs: 4,
      optimizer,
      callbacks: [{ name: 'listen', onSwitch: (_t, e) => seen.push(e) }],
    });
    assert.deepEqual(
      history.switches.map((s) => [s.from, s.to, s.step, s.epoch]),
      [
        ['adam', 'sgd', 3, 1],
        ['sgd', 'rmsprop', 9, 2],
      ],
    );
    assert.deepEqual(seen, history.switches);
    assert.deepEqual(
      history.epochs.map((e) => e.optimizer),
      ['Adam', 'SGD', 'SGD', 'RMSprop'],
    );
  });
  it('trains a float64 model on float32 data and checkpoints it as F64', () => {
    const { x, y } = blobs(40, 6);
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3)).double();
    const trainer = new Trainer(model, tensorSource(x, y, { batchSize: 10 }), {
      epochs: 2,
      optimizer: new Adam(model.parameters(), { lr: 0.01 }),
    });
    assert.equal(trainer.dtype, 'float64');
    const history = trainer.fit();
    assert.ok(history.epochs[1]!.loss < history.epochs[0]!.loss);
    const dir = trainer.save(join(root, 'f64'), 'last');
    const saved = readCheckpoint(dir).weights;
    assert.equal(saved['0.weight']!.dtype, 'float64');
    assert.deepEqual(bytes(saved), bytes(model.stateDict()));
  });
});

describe('callbacks', () => {
  const data = () => imageSetSource(TRAIN, { batchSize: 40, seed: 1 });

  it('EarlyStopping stops after `patience` epochs without improvement and restores the best weights', () => {
    const model = mlp(5);
    const atEpoch1: StateDict[] = [];
    const history = fit(model, data(), {
      epochs: 10,
      optimizer: new SGD(model.parameters(), { lr: 0.3 }),
      callbacks: [
        {
          name: 'grab',
          onEpochEnd: (t, log) => void (log.epoch === 1 && atEpoch1.push(t.model.stateDict())),
        },
        // The training loss falls every epoch, so in 'max' mode only the first epoch is ever best.
        new EarlyStopping({ monitor: 'loss', mode: 'max', patience: 2, restoreBestWeights: true }),
      ],
    });
    assert.equal(history.epochs.length, 3);
    assert.match(
      history.stopReason!,
      /EarlyStopping: loss did not improve for 2 epochs \(best [\d.]+ at epoch 1\)/,
    );
    assert.deepEqual(bytes(model.stateDict()), bytes(atEpoch1[0]!));
  });

  it('EarlyStopping with minDelta treats small gains as none', () => {
    const model = mlp(5);
    const history = fit(model, data(), {
      epochs: 10,
      optimizer: new SGD(model.parameters(), { lr: 1e-6 }),
      validation: TEST,
      callbacks: [new EarlyStopping({ monitor: 'val_loss', minDelta: 0.01, patience: 1 })],
    });
    assert.equal(history.epochs.length, 2);
  });

  it('TerminateOnNaN stops at the first non-finite loss', () => {
    const { x, y } = blobs(40, 5);
    x._data[25] = NaN; // sample 6, in the second batch of the unshuffled order
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
    const history = fit(model, tensorSource(x, y, { batchSize: 5, shuffle: false }), {
      epochs: 3,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      callbacks: [new TerminateOnNaN()],
    });
    assert.equal(history.epochs.length, 1);
    assert.match(history.stopReason!, /TerminateOnNaN: the loss was NaN at step 2 \(epoch 1, batch 2\)/);
  });

  it('LRSchedulerCallback steps per epoch; the epoch records show the lr each epoch used', () => {
    const model = mlp(6);
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const history = fit(model, data(), {
      epochs: 3,
      optimizer,
      callbacks: [new LRSchedulerCallback(new StepLR(optimizer, { stepSize: 1, gamma: 0.5 }))],
    });
    assert.deepEqual(
      history.epochs.map((e) => e.lr),
      [0.1, 0.05, 0.025],
    );
  });

  it('ReduceLROnPlateauCallback lowers the lr once the monitored value stalls', () => {
    const model = mlp(7);
    const optimizer = new SGD(model.parameters(), { lr: 1e-6 });
    const history = fit(model, data(), {
      epochs: 4,
      optimizer,
      callbacks: [
        new ReduceLROnPlateauCallback(optimizer, {
          monitor: 'loss',
          patience: 0,
          factor: 0.5,
          threshold: 0.01,
        }),
      ],
    });
    assert.deepEqual(
      history.epochs.map((e) => e.lr),
      [1e-6, 1e-6, 5e-7, 2.5e-7],
    );
  });

  it('ModelCheckpoint keeps last, best and the most recent step checkpoints', () => {
    const dir = join(root, 'mc');
    const model = mlp(8);
    const history = fit(model, data(), {
      epochs: 3,
      optimizer: new Adam(model.parameters(), { lr: 0.01 }),
      validation: TEST,
      metrics: ['accuracy'],
      callbacks: [new ModelCheckpoint(dir, { everySteps: 4, keep: 2, monitor: 'valLoss' })],
    });
    assert.deepEqual(readdirSync(dir).sort(), ['best', 'last', 'step-00000012', 'step-00000016']);
    const best = history.epochs.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
    const saved = readCheckpoint(join(dir, 'best')).state.position as { epoch: number };
    assert.equal(saved.epoch, best.epoch);
    assert.deepEqual(bytes(readCheckpoint(join(dir, 'last')).weights), bytes(model.stateDict()));
  });

  it('ModelCheckpoint lastEverySteps replaces last every N steps mid-epoch, once at an epoch end', () => {
    const dir = join(root, 'mc-last');
    const model = mlp(8);
    const trainer = new Trainer(model, imageSetSource(TRAIN, { batchSize: 32 }), {
      epochs: 2,
      optimizer: new Adam(model.parameters(), { lr: 0.01 }),
      callbacks: [new ModelCheckpoint(dir, { lastEverySteps: 4, saveBest: false })],
    });
    // Where the run stands (epochs done:batches into the next) at every write of last.
    const writes: string[] = [];
    writeHooks.beforeRename = (target) => {
      if (basename(target) === 'last') writes.push(`${trainer.epochsDone}:${trainer.batch}`);
    };
    try {
      trainer.fit();
    } finally {
      delete writeHooks.beforeRename;
    }
    assert.equal(trainer.stepsPerEpoch, 8);
    // Step 8 is epoch 1's last batch: the epoch's end writes last right after, so only it does.
    assert.deepEqual(writes, ['0:4', '1:0', '1:4', '2:0']);
    assert.deepEqual(readdirSync(dir), ['last']);
    assert.throws(() => new ModelCheckpoint(dir, { lastEverySteps: 4, saveLast: false }), /needs saveLast/);
    assert.throws(
      () => new ModelCheckpoint(dir, { lastEverySteps: 1.5 }),
      /lastEverySteps must be an integer/,
    );
  });

  it('CsvLogger and JsonlLogger write one line per epoch and per step record, matching the history', () => {
    const csv = join(root, 'logs', 'run.csv');
    const jsonl = join(root, 'logs', 'run.jsonl');
    const model = mlp(9);
    const history = fit(model, data(), {
      epochs: 2,
      optimizer: new Adam(model.parameters(), { lr: 0.01 }),
      validation: TEST,
      metrics: ['accuracy', 'top2'],
      logEvery: 4,
      callbacks: [new CsvLogger(csv), new JsonlLogger(jsonl)],
    });
    const lines = readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => l.type),
      ['begin', 'step', 'epoch', 'step', 'step', 'epoch', 'end'],
    );
    assert.equal(lines[0]!.format, 'descent-train-log');
    assert.deepEqual(lines[0]!.metrics, ['accuracy', 'top2']);
    const epochs = lines.filter((l) => l.type === 'epoch');
    assert.deepEqual(
      epochs.map(({ type: _t, ...rest }) => rest),
      JSON.parse(JSON.stringify(history.epochs)),
    );
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(
      rows[0],
      'type,epoch,step,batch,loss,val_loss,lr,grad_norm,optimizer,seconds,accuracy,top2,val_accuracy,val_top2',
    );
    assert.equal(rows.length, 1 + 3 + 2);
    const epochRow = rows.find((r) => r.startsWith('epoch,2,'))!.split(',');
    assert.equal(Number(epochRow[4]), history.epochs[1]!.loss);
    assert.equal(Number(epochRow[12]), history.epochs[1]!.valMetrics.accuracy);
    const stepRow = rows.find((r) => r.startsWith('step,'))!.split(',');
    assert.equal(stepRow[5], '', 'a step row has no validation loss');
  });

  it('ProgressBarCallback draws a bar on a terminal and prints a line per epoch', () => {
    let out = '';
    const stream = { isTTY: true, write: (s: string) => (out += s) };
    const model = mlp(10);
    fit(model, data(), {
      epochs: 2,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      callbacks: [new ProgressBarCallback({ stream })],
    });
    assert.match(out, /\repoch 1\/2 \[[=> ]+\] 6\/6 loss \d\.\d{4} /);
    const cleared = out.split('\x1b[K').join('|');
    assert.match(
      cleared,
      /\|epoch 2\/2 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}lr 0\.100 {2}SGD {2}[\d.]+s\n$/,
    );
  });
});

describe('evaluate and predict', () => {
  it('evaluate agrees with the plain loop and reports every metric', () => {
    const model = mlp(11);
    fit(model, TRAIN, { epochs: 2, optimizer: new Adam(model.parameters(), { lr: 0.01 }), batchSize: 20 });
    const plain = evaluateEpoch(model, batches(TEST, { batchSize: 1000, shuffle: false }), crossEntropy);
    const result = evaluate(model, TEST, { metrics: ['accuracy', 'f1', 'confusion'] });
    assert.equal(result.loss, plain.loss);
    assert.equal(result.metrics.accuracy, plain.accuracy);
    assert.equal(result.samples, 90);
    const confusion = result.values.confusion as number[][];
    assert.equal(
      confusion.flat().reduce((a, b) => a + b, 0),
      90,
    );
    assert.equal(confusion.reduce((n, row, i) => n + row[i]!, 0) / 90, plain.accuracy);
    assert.deepEqual(Object.keys(result.metrics), ['accuracy', 'f1']);
  });

  it('predict gives probabilities and classes, batched or not, in eval mode, and restores the mode', () => {
    const model = mlp(12);
    fit(model, TRAIN, { epochs: 2, optimizer: new Adam(model.parameters(), { lr: 0.01 }), batchSize: 20 });
    model.train();
    const x = randn([25, 36]);
    const whole = predict(model, x, { batchSize: 100 });
    const batched = predict(model, x, { batchSize: 7 });
    assert.deepEqual(Array.from(batched.probabilities._data), Array.from(whole.probabilities._data));
    assert.deepEqual(batched.probabilities.shape, [25, 3]);
    for (let i = 0; i < 25; i++) {
      const row = Array.from(whole.probabilities._data.slice(3 * i, 3 * i + 3));
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
      assert.equal(whole.classes[i], row.indexOf(Math.max(...row)));
    }
    assert.equal(model.training, true);
    const fromSet = predict(model, TEST);
    assert.equal(fromSet.classes.length, 90);
    const accuracy = fromSet.classes.filter((c, i) => c === TEST.labels[i]).length / 90;
    assert.equal(accuracy, evaluate(model, TEST).metrics.accuracy);
  });
});

describe('errors', () => {
  const model = mlp(13);
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const source: DataSource = imageSetSource(TRAIN, { batchSize: 40 });

  it('names the setting and what it expected', () => {
    assert.throws(
      () => new Trainer(model, source, { epochs: 1, optimizer, validation: TEST, validationSplit: 0.1 }),
      /give validation or validationSplit, not both/,
    );
    assert.throws(
      () => new Trainer(model, source, { epochs: 1.5, optimizer }),
      /epochs must be a non-negative integer/,
    );
    assert.throws(
      () => new Trainer(model, source, { epochs: 1, optimizer, dtype: 'float64' }),
      /dtype is float64 but the model has float32 parameters; call model.to\('float64'\)/,
    );
    assert.throws(
      () => new Trainer(model, source, { epochs: 1, optimizer, metrics: ['accuracy', 'acc'] }),
      /the metric 'accuracy' is listed twice/,
    );
    assert.throws(
      () => fit(model, source, { epochs: 1, optimizer, callbacks: [new EarlyStopping()] }),
      /EarlyStopping: monitor 'valLoss' needs validation data/,
    );
    assert.throws(
      () => fit(model, source, { epochs: 1, optimizer, callbacks: [new EarlyStopping({ monitor: 'f1' })] }),
      /EarlyStopping: cannot monitor 'f1'; this run measures loss, accuracy, lr, gradNorm/,
    );
    assert.throws(
      () => fit(model, source, { epochs: 1, optimizer, resume: join(root, 'none') }),
      /no checkpoint to resume from/,
    );
  });
});
