/**
 * Exact resume: an MLP with dropout on a slice of the embedded Fashion-MNIST subset, trained with a
 * SwitchingOptimizer (Adam → AdamW at step 10 → SGD after epoch 2) under a per-batch cosine schedule,
 * checkpointed every 5 steps. Resuming fresh objects from checkpoints mid-epoch, at a switch, at the
 * last batch before an epoch's end and after an epoch's end reproduces the uninterrupted run's final
 * weights as bytes, its history and its JSONL log.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { selectImages, type ImageSet } from '../../src/data/image-set.js';
import { loadEmbeddedFashionMnist } from '../../src/data/embedded.js';
import { Dropout, Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { CosineAnnealingLR } from '../../src/optim/index.js';
import { SwitchingOptimizer } from '../../src/optim/switching/index.js';
import { defaultGenerator, manualSeed } from '../../src/tensor/random.js';
import {
  EarlyStopping,
  JsonlLogger,
  ModelCheckpoint,
  Trainer,
  imageSetSource,
  latestCheckpoint,
  listCheckpoints,
  readCheckpoint,
  stepCheckpointName,
  type History,
} from '../../src/train/index.js';
import { makeTempDir } from './fixtures/temp-dir.js';

const EPOCHS = 3;
const BATCH = 50;
const TRAIN = 600; // 12 steps per epoch
const STEPS = EPOCHS * (TRAIN / BATCH);

let train: ImageSet;
let test: ImageSet;
let root: string;

function build(checkpoints: string, log: string, seed = 7) {
  manualSeed(seed);
  const model = new Sequential(new Linear(784, 32), new ReLU(), new Dropout(0.2), new Linear(32, 10));
  const optimizer = new SwitchingOptimizer(model.parameters(), [
    { optimizer: 'adam', options: { lr: 2e-3 }, until: { step: 10 } },
    { optimizer: 'adamw', options: { lr: 1e-3, weightDecay: 0.01 }, until: { epoch: 2 } },
    { optimizer: 'sgd', options: { lr: 0.05, momentum: 0.9 } },
  ]);
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: STEPS, etaMin: 1e-4 });
  const trainer = new Trainer(model, imageSetSource(train, { batchSize: BATCH, seed: 3 }), {
    epochs: EPOCHS,
    optimizer,
    scheduler,
    metrics: ['accuracy', 'top3', 'f1'],
    validation: imageSetSource(test, { batchSize: 100, shuffle: false }),
    logEvery: 4,
    callbacks: [
      new ModelCheckpoint(checkpoints, { everySteps: 5, keep: 100 }),
      new EarlyStopping({ monitor: 'valLoss', patience: 10 }),
      new JsonlLogger(log),
      // A checkpoint after each epoch's last batch, before validation and the epoch-end hooks.
      {
        name: 'SaveBeforeEpochEnd',
        onBatchEnd(t: Trainer) {
          if (t.batch === t.stepsPerEpoch) t.requestSave(checkpoints, `pre-end-${t.step}`);
        },
      },
    ],
  });
  return { model, trainer };
}

function weightBytes(model: Sequential): Buffer[] {
  return Object.values(model.stateDict()).map((t) =>
    Buffer.from(t._data.buffer, t._data.byteOffset, t._data.byteLength),
  );
}

/** The history without wall times. */
function timeless(history: History) {
  return {
    epochs: history.epochs.map(({ seconds: _s, ...rest }) => rest),
    steps: history.steps.map(({ seconds: _s, ...rest }) => rest),
    switches: history.switches,
    stopReason: history.stopReason,
  };
}

/** The log's lines without times and resume markers. */
function logLines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.type !== 'resume')
    .map(({ time: _t, seconds: _s, ...rest }) => rest);
}

let reference: { weights: Buffer[]; history: History; log: string; checkpoints: string };

before(async () => {
  root = makeTempDir('descent-resume-');
  const sets = await loadEmbeddedFashionMnist();
  train = selectImages(
    sets.train,
    Int32Array.from({ length: TRAIN }, (_, i) => i * 13),
  );
  test = selectImages(
    sets.test,
    Int32Array.from({ length: 200 }, (_, i) => i),
  );
  const checkpoints = join(root, 'reference');
  const log = join(root, 'reference.jsonl');
  const { model, trainer } = build(checkpoints, log);
  const history = trainer.fit();
  reference = { weights: weightBytes(model), history, log, checkpoints };
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('resume', () => {
  it('the reference run switched twice, followed the schedule and checkpointed every 5 steps', () => {
    const { history, checkpoints } = reference;
    assert.equal(history.epochs.length, EPOCHS);
    assert.deepEqual(
      history.switches.map((s) => [s.from, s.to, s.step]),
      [
        ['adam', 'adamw', 10],
        ['adamw', 'sgd', 24],
      ],
    );
    assert.deepEqual(
      history.epochs.map((e) => e.optimizer),
      ['AdamW', 'AdamW', 'SGD'],
    );
    assert.ok(history.epochs[2]!.loss < history.epochs[0]!.loss);
    const names = listCheckpoints(checkpoints).map((d) => d.slice(checkpoints.length + 1));
    assert.deepEqual(names, [
      'best',
      'last',
      'pre-end-12',
      'pre-end-24',
      'pre-end-36',
      ...[5, 10, 15, 20, 25, 30, 35].map(stepCheckpointName),
    ]);
    const preEnd = readCheckpoint(join(checkpoints, 'pre-end-24')).state.position;
    assert.deepEqual(preEnd, { epoch: 1, batch: 12, step: 24 });
    assert.equal(latestCheckpoint(checkpoints), join(checkpoints, 'last'));
  });

  // step-5 and step-15: mid-epoch; step-10: the step of the Adam → AdamW switch; pre-end-12 and
  // pre-end-24: after an epoch's last batch, before its end (validation, the switch to SGD after
  // epoch 2); step-25: just after that switch; best: after epoch 3.
  for (const name of [
    'step-00000005',
    'step-00000010',
    'pre-end-12',
    'step-00000015',
    'pre-end-24',
    'step-00000025',
    'best',
  ]) {
    it(`continuing from ${name} gives the same weights, history and log`, () => {
      const dir = join(reference.checkpoints, name);
      const at = Number(name.replace(/\D/g, '') || 36);
      const log = join(root, `resumed-${at}.jsonl`);
      copyFileSync(reference.log, log);
      const { model, trainer } = build(join(root, `resumed-${at}`), log, 1234);
      defaultGenerator.manualSeed(999);
      trainer.resume(dir);
      assert.equal(trainer.step, at);
      const history = trainer.fit();
      assert.deepEqual(weightBytes(model), reference.weights);
      assert.deepEqual(timeless(history), timeless(reference.history));
      assert.deepEqual(logLines(log), logLines(reference.log));
    });
  }

  it('refuses a checkpoint saved with other callbacks or metrics, naming them', () => {
    manualSeed(1);
    const model = new Sequential(new Linear(784, 32), new ReLU(), new Dropout(0.2), new Linear(32, 10));
    const optimizer = new SwitchingOptimizer(model.parameters(), [
      { optimizer: 'sgd', options: { lr: 0.1 } },
    ]);
    const trainer = new Trainer(model, imageSetSource(train, { batchSize: BATCH, seed: 3 }), {
      epochs: 1,
      optimizer,
    });
    assert.throws(
      () => trainer.resume(join(reference.checkpoints, 'last')),
      /saved with callbacks \[ModelCheckpoint, EarlyStopping, JsonlLogger, SaveBeforeEpochEnd\], this trainer has \[\]/,
    );
  });

  it('refuses a checkpoint when the data order would differ', () => {
    const { trainer } = build(join(root, 'x'), join(root, 'x.jsonl'));
    const other = new Trainer(trainer.model, imageSetSource(train, { batchSize: BATCH, seed: 4 }), {
      epochs: EPOCHS,
      optimizer: trainer.optimizer,
      scheduler: trainer.scheduler!,
      metrics: ['accuracy', 'top3', 'f1'],
      callbacks: [...trainer.callbacks],
    });
    assert.throws(() => other.resume(join(reference.checkpoints, 'last')), /seed 3, this data has 4/);
  });
});
