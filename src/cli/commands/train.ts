/**
 * `descent train`: trains a multilayer perceptron on Fashion-MNIST (the embedded subset by default, so
 * it runs offline right after install) and reports per-epoch train loss, validation loss and accuracy,
 * then the test accuracy. Uses only the public API.
 */
import {
  DATASET_NAMES,
  loadDataset,
  trainValidationSplit,
  batches,
  batchCount,
  type DatasetName,
} from '../../data/index.js';
import { manualSeed } from '../../tensor/random.js';
import { getBackend } from '../../backend/backend.js';
import { buildMlp, ACTIVATIONS, type ActivationName } from '../../nn/mlp.js';
import { crossEntropy } from '../../nn/index.js';
import { createOptimizer, OPTIMIZERS } from '../../optim/index.js';
import { trainEpoch, evaluate } from '../../train/loop.js';
import type { CommandSpec, ParsedOptions } from '../args.js';
import { ProgressBar, formatSeconds } from '../progress.js';
import type { CliIo } from '../io.js';

export const trainCommand: CommandSpec = {
  name: 'train',
  summary:
    'Train a multilayer perceptron classifier on Fashion-MNIST (or MNIST) with minibatch gradient descent, ' +
    'printing train loss, validation loss and accuracy per epoch and the final test accuracy.',
  options: [
    {
      name: 'dataset',
      kind: 'string',
      choices: DATASET_NAMES,
      default: 'fashion-mnist-subset',
      description: 'Dataset: the embedded Fashion-MNIST subset (offline), the full Fashion-MNIST, or MNIST',
    },
    {
      name: 'data-dir',
      kind: 'string',
      metavar: 'PATH',
      description:
        'Folder holding the IDX files (else $DESCENT_DATA_DIR, /usr/share/datasets, the user cache, then a download)',
    },
    {
      name: 'download',
      kind: 'boolean',
      default: true,
      description: 'Download the dataset when no local copy is found (--no-download to forbid)',
    },
    {
      name: 'hidden',
      kind: 'integer-list',
      min: 1,
      default: [256, 128],
      description: 'Hidden layer sizes, comma-separated',
    },
    {
      name: 'activation',
      kind: 'string',
      choices: Object.keys(ACTIVATIONS),
      default: 'relu',
      description: 'Hidden-layer activation',
    },
    {
      name: 'optimizer',
      kind: 'string',
      choices: Object.keys(OPTIMIZERS),
      default: 'sgd',
      description: 'Optimizer',
    },
    { name: 'lr', kind: 'number', min: 0, exclusiveMin: true, default: 0.1, description: 'Learning rate' },
    {
      name: 'momentum',
      kind: 'number',
      min: 0,
      max: 1,
      default: 0.9,
      description: 'Momentum (SGD, RMSprop)',
    },
    {
      name: 'weight-decay',
      kind: 'number',
      min: 0,
      description: "Weight decay (the optimizer's default when omitted)",
    },
    { name: 'batch-size', kind: 'integer', min: 1, default: 128, description: 'Mini-batch size' },
    { name: 'epochs', kind: 'integer', min: 1, default: 5, description: 'Passes over the training set' },
    {
      name: 'validation',
      kind: 'integer',
      min: 0,
      description: 'Training images held out for validation (default: one sixth, 10,000 of 60,000)',
    },
    {
      name: 'seed',
      kind: 'integer',
      min: 0,
      default: 0,
      description: 'Seed of the initial weights and the batch order',
    },
    {
      name: 'dtype',
      kind: 'string',
      choices: ['float32', 'float64'],
      default: 'float32',
      description: 'Floating-point precision',
    },
  ],
  epilog: [
    'Examples:',
    '  descent train                                   # embedded subset, MLP 784-256-128-10, SGD lr 0.1 momentum 0.9',
    '  descent train --dataset fashion-mnist --epochs 5  # the full 60,000/10,000 Fashion-MNIST',
    '  descent train --hidden 512,256 --activation gelu --optimizer adam --lr 1e-3',
  ].join('\n'),
};

const OPTIMIZERS_WITH_MOMENTUM = new Set(['sgd', 'rmsprop']);

export async function runTrain(options: ParsedOptions, io: CliIo): Promise<number> {
  const seed = options.seed as number;
  const dtype = options.dtype as 'float32' | 'float64';
  const datasetName = options.dataset as DatasetName;
  const sets = await loadDataset(datasetName, {
    dataDir: options['data-dir'] as string | undefined,
    download: options.download as boolean,
    log: (line: string) => io.err(line),
  });
  const split = trainValidationSplit(sets.train, options.validation as number | undefined);
  const { train, validation } = split;
  const test = sets.test;

  manualSeed(seed);
  const inputSize = train.rows * train.cols;
  const classes = sets.train.classes.length;
  const hidden = options.hidden as number[];
  const activation = options.activation as ActivationName;
  const model = buildMlp([inputSize, ...hidden, classes], activation, { dtype });

  const optimizerName = options.optimizer as string;
  const hyper: Record<string, number> = { lr: options.lr as number };
  if (OPTIMIZERS_WITH_MOMENTUM.has(optimizerName)) hyper.momentum = options.momentum as number;
  if (options['weight-decay'] !== undefined) hyper.weightDecay = options['weight-decay'] as number;
  const optimizer = createOptimizer(optimizerName, model.parameters(), hyper);

  const batchSize = options['batch-size'] as number;
  const epochs = options.epochs as number;
  const fmt = (n: number) => n.toLocaleString('en-US');
  io.out(
    `Descent: MLP ${[inputSize, ...hidden, classes].join('-')} (${activation}) on ${datasetName} from ${sets.location.label}`,
  );
  io.out(
    `  ${fmt(train.count)} train / ${fmt(validation.count)} validation / ${fmt(test.count)} test images`,
  );
  io.out(
    `  ${optimizerName} ${Object.entries(hyper)
      .map(([k, v]) => `${k} ${v}`)
      .join(' ')}, batch ${batchSize}, ${epochs} epochs, ` +
      `seed ${seed}, ${dtype}, backend ${getBackend().name}`,
  );
  io.out('');
  io.out('epoch  train loss  train acc  val loss  val acc    time');

  const loss = (logits: Parameters<typeof crossEntropy>[0], targets: Parameters<typeof crossEntropy>[1]) =>
    crossEntropy(logits, targets);
  const perBatch = batchCount(train.count, batchSize);
  let totalSeconds = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const bar = new ProgressBar(`epoch ${epoch}/${epochs}`, perBatch, io.progress);
    const result = trainEpoch(
      model,
      batches(train, { batchSize, seed: seed * 1000 + epoch }),
      optimizer,
      loss,
      {
        dtype,
        onBatch: (done, running) => bar.update(done, `loss ${running.toFixed(4)}`),
      },
    );
    bar.finish();
    const val =
      validation.count > 0
        ? evaluate(model, batches(validation, { batchSize: 1000, shuffle: false }), loss, { dtype })
        : null;
    totalSeconds += result.seconds;
    io.out(
      `${String(epoch).padStart(5)}  ${result.loss.toFixed(4).padStart(10)}  ${pct(result.accuracy).padStart(9)}  ` +
        `${(val ? val.loss.toFixed(4) : '-').padStart(8)}  ${(val ? pct(val.accuracy) : '-').padStart(7)}  ${formatSeconds(result.seconds).padStart(6)}`,
    );
  }
  const final = evaluate(model, batches(test, { batchSize: 1000, shuffle: false }), loss, { dtype });
  io.out('');
  io.out(
    `test accuracy ${pct(final.accuracy)} (${fmt(Math.round(final.accuracy * final.samples))}/${fmt(final.samples)}), ` +
      `test loss ${final.loss.toFixed(4)}; ${formatSeconds(totalSeconds / epochs)} per epoch of training`,
  );
  return 0;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}
