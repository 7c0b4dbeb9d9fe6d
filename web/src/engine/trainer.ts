/**
 * Training an MLP on a 2-D toy dataset with Descent's own pieces: `nn.buildMlp`, an optimizer from
 * the registry, a schedule from `schedulerFromSpec`, and the library's `trainEpoch` / `evaluate`
 * loops. Free of the DOM, so the worker and Node's tests run the same code.
 */
import {
  Generator,
  evaluate,
  fromTypedArray,
  nn,
  noGrad,
  optim,
  shuffledIndices,
  trainEpoch,
  type Batch,
} from '../../../src/browser.js';
import type { ImageDatasetName } from './fashion.js';
import { LayerProbe } from './layer-probe.js';
import { schedulePresetSpec, type SchedulePreset } from './schedules.js';
import { DATASET_CLASSES, TOY_EXTENT, makeToyData, type DatasetName, type ToyData } from './toy-data.js';

/** The image models: an MLP of `hidden`, or a CNN of `channels` then `hidden` (nn.buildCnn). */
export const IMAGE_MODELS = ['mlp', 'cnn'] as const;
export type ImageModel = (typeof IMAGE_MODELS)[number];

/** Everything that defines a training run. */
export interface TrainSetup {
  /** A 2-D toy dataset, or the embedded Fashion-MNIST subset (./image-trainer.ts). */
  dataset: DatasetName | ImageDatasetName;
  /** Points generated in all, before the train/validation split (toy datasets). */
  points: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (toy datasets). */
  noise: number;
  /** Fraction of the points held out for validation (toy datasets). */
  valFraction: number;
  /** Seed of the data, the split, the initial weights and the batch order. */
  seed: number;
  /** Units of each hidden layer; empty for a linear classifier. */
  hidden: number[];
  /** Activation after each hidden layer. */
  activation: nn.ActivationName;
  /** Optimizer by registry name. */
  optimizer: optim.OptimizerName;
  /** Learning rate (the peak under a schedule). */
  lr: number;
  /** Learning-rate schedule over the whole run, stepped once per batch. */
  schedule: SchedulePreset;
  /** Epochs in the run. */
  epochs: number;
  /** Points per mini-batch. */
  batchSize: number;
  /** Image datasets: the model. */
  model: ImageModel;
  /** Image datasets: output channels of the CNN's Conv(3×3)-activation-MaxPool(2) blocks. */
  channels: number[];
  /** Image datasets: training images used, drawn from the subset's 10,000 in a seeded order. */
  images: number;
  /** Image datasets: validation images, the first of the subset's 2,000 test images. */
  valImages: number;
  /** Image datasets: augmentation of the training images as for `descent train --augment` ('' for none). */
  augment: string;
}

/** The metrics after one epoch. */
export interface EpochReport {
  /** Epochs done, from 1. */
  epoch: number;
  /** Optimizer steps done in all. */
  steps: number;
  /** Mean cross-entropy and accuracy over the whole training set, after the epoch. */
  trainLoss: number;
  trainAccuracy: number;
  /** The same over the validation set. */
  valLoss: number;
  valAccuracy: number;
  /** The learning rate of each step of the epoch. */
  lrs: number[];
}

/** Probabilities of every class on a grid over the data's square. */
export interface Boundary {
  /** Grid points per side. */
  resolution: number;
  /** `resolution² · classes` probabilities, row-major from the top row, classes innermost. */
  probabilities: Float32Array;
  classes: number;
}

/**
 * The network sees coordinates divided by this: inputs in [-3, 3] keep the spiral's turns a few
 * units apart, which tanh and ReLU units resolve far faster than the same spiral squeezed into [-1, 1].
 */
const INPUT_SCALE = 2;

/** A fixed set of points as one batch, the inputs divided by INPUT_SCALE. */
function batchOf(data: ToyData, indices: Int32Array): Batch {
  const images = new Float32Array(indices.length * 2);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, i) => {
    images[2 * i] = data.points[2 * index]! / INPUT_SCALE;
    images[2 * i + 1] = data.points[2 * index + 1]! / INPUT_SCALE;
    labels[i] = data.labels[index]!;
  });
  return { images, labels, size: indices.length, indices };
}

export class ToyTrainer {
  readonly data: ToyData;
  /** The indices of the training and validation points in `data`. */
  readonly trainIndices: Int32Array;
  readonly valIndices: Int32Array;
  private readonly model: nn.Module;
  private readonly optimizer: optim.Optimizer<object>;
  private readonly scheduler: { step(): void } | null;
  private readonly trainSet: Batch;
  private readonly valSet: Batch;
  private epochsDone = 0;
  private stepsDone = 0;
  /** Per-layer gradient norms, relative updates and dead ReLUs, step by step. */
  readonly probe: LayerProbe;

  constructor(readonly setup: TrainSetup) {
    if (!(setup.dataset in DATASET_CLASSES)) throw new Error(`'${setup.dataset}' is not a 2-D toy dataset`);
    const dataset = setup.dataset as DatasetName;
    this.data = makeToyData(dataset, setup.points, setup.noise, setup.seed);
    const order = shuffledIndices(setup.points, setup.seed);
    const valCount = Math.min(setup.points - 1, Math.round(setup.points * setup.valFraction));
    this.valIndices = order.slice(0, valCount);
    this.trainIndices = order.slice(valCount);
    this.trainSet = batchOf(this.data, this.trainIndices);
    this.valSet = batchOf(this.data, this.valIndices);
    const sizes = [2, ...setup.hidden, DATASET_CLASSES[dataset]];
    this.model = nn.buildMlp(sizes, setup.activation, { generator: new Generator(setup.seed) });
    this.probe = new LayerProbe(this.model);
    this.optimizer = optim.createOptimizer(setup.optimizer, this.model.parameters(), { lr: setup.lr });
    const totalSteps = setup.epochs * Math.ceil(this.trainIndices.length / setup.batchSize);
    const spec = schedulePresetSpec(setup.schedule, totalSteps, setup.lr);
    this.scheduler = spec ? (optim.schedulerFromSpec(this.optimizer, spec) as { step(): void }) : null;
  }

  /** Epochs done so far. */
  get epoch(): number {
    return this.epochsDone;
  }

  /** True once the run's epochs are done. */
  get done(): boolean {
    return this.epochsDone >= this.setup.epochs;
  }

  /** The learning rate of the next step. */
  get lr(): number {
    return this.optimizer.paramGroups[0]!.lr as number;
  }

  /** Loss and accuracy over the training and the validation sets, without training. */
  measure(): Omit<EpochReport, 'epoch' | 'steps' | 'lrs'> {
    const train = evaluate(this.model, [this.trainSet], nn.crossEntropy);
    const val = this.valSet.size > 0 ? evaluate(this.model, [this.valSet], nn.crossEntropy) : train;
    return {
      trainLoss: train.loss,
      trainAccuracy: train.accuracy,
      valLoss: val.loss,
      valAccuracy: val.accuracy,
    };
  }

  /** One pass over the training points in a seeded order, stepping the optimizer after each batch. */
  runEpoch(): EpochReport {
    const { batchSize, seed } = this.setup;
    const order = shuffledIndices(this.trainIndices.length, seed * 1009 + this.epochsDone + 1);
    const batches: Batch[] = [];
    for (let start = 0; start < order.length; start += batchSize) {
      const picked = order.slice(start, start + batchSize).map((i) => this.trainIndices[i]!);
      batches.push(batchOf(this.data, picked));
    }
    const lrs: number[] = [];
    trainEpoch(this.model, batches, this.optimizer, nn.crossEntropy, {
      beforeStep: () => this.probe.beforeStep(),
      afterStep: () => {
        this.probe.afterStep();
        lrs.push(this.lr);
        this.scheduler?.step();
        this.stepsDone++;
      },
    });
    this.epochsDone++;
    return { epoch: this.epochsDone, steps: this.stepsDone, lrs, ...this.measure() };
  }

  /** The model's class probabilities on a `resolution` × `resolution` grid over the data's square. */
  boundary(resolution: number): Boundary {
    const inputs = new Float32Array(resolution * resolution * 2);
    for (let row = 0; row < resolution; row++) {
      for (let col = 0; col < resolution; col++) {
        const i = row * resolution + col;
        inputs[2 * i] = (TOY_EXTENT / INPUT_SCALE) * (-1 + (2 * col) / (resolution - 1));
        inputs[2 * i + 1] = (TOY_EXTENT / INPUT_SCALE) * (1 - (2 * row) / (resolution - 1));
      }
    }
    this.model.eval();
    const probabilities = noGrad(() =>
      this.model
        .forward(fromTypedArray(inputs, [resolution * resolution, 2]))
        .softmax(1)
        .toTypedArray(),
    );
    return {
      resolution,
      probabilities: Float32Array.from(probabilities),
      classes: this.data.classes,
    };
  }
}
