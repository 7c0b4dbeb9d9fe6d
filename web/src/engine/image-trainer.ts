/**
 * Training an image classifier on the embedded Fashion-MNIST subset with Descent's own pieces: an MLP
 * (`nn.buildMlp`) or a CNN (`nn.buildCnn`), a seeded `DataLoader` over an `ImageSetDataset` that
 * augments every image afresh each epoch (`parseAugmentSpec`, the syntax of `descent train --augment`),
 * an optimizer from the registry and a schedule preset. Training runs in short bursts of steps so the
 * worker can report live; the validation set is measured every EVAL_EVERY steps and at the end of
 * every epoch, with its confusion matrix. Free of the DOM, so Node's tests run the same code.
 */
import {
  DataLoader,
  Generator,
  ImageSetDataset,
  fromTypedArray,
  nn,
  noGrad,
  optim,
  parseAugmentSpec,
  selectImages,
  shuffledIndices,
  type ImageSet,
  type Tensor,
} from '../../../src/browser.js';
import type { FashionSubset } from './fashion.js';
import { LayerProbe } from './layer-probe.js';
import { schedulePresetSpec } from './schedules.js';
import type { TrainSetup } from './trainer.js';

/** Steps between two measurements of the validation set. */
export const EVAL_EVERY = 50;

/** Loss, accuracy and confusion matrix over the validation images. */
export interface Validation {
  loss: number;
  accuracy: number;
  /** `confusion[label][predicted]`: how many validation images of class `label` were predicted as `predicted`. */
  confusion: number[][];
}

/** What a burst of training steps did. */
export interface ImageReport {
  /** Epochs done, fractional: 1.5 is halfway through the second epoch. */
  epoch: number;
  /** Optimizer steps done in all. */
  steps: number;
  /** Mean loss and accuracy of the training batches of this burst (measured before each step); NaN for none. */
  trainLoss: number;
  trainAccuracy: number;
  /** The learning rate of each step of the burst. */
  lrs: number[];
  /** The validation set, when it was measured at the end of this burst. */
  validation: Validation | null;
}

/** One image's pass through the model, for the Inside view. */
export interface Inspection {
  /** The image's index among the validation images, its pixels [rows·cols] in [0, 1], and its label. */
  index: number;
  pixels: Float32Array;
  label: number;
  /** The model's class probabilities. */
  probabilities: Float32Array;
  /** Every layer's output, in call order, without the batch dimension. */
  maps: { name: string; type: string; shape: number[]; values: Float32Array }[];
  /** The first layer's weights: [units, 784] for a Linear, [channels, 1, k, k] for a Conv2d. */
  weights: { name: string; type: string; shape: number[]; values: Float32Array } | null;
}

export class ImageTrainer {
  readonly trainSet: ImageSet;
  readonly valSet: ImageSet;
  readonly model: nn.Sequential;
  readonly probe: LayerProbe;
  private readonly loader: DataLoader;
  private readonly optimizer: optim.Optimizer<object>;
  private readonly scheduler: { step(): void } | null;
  private readonly valInputs: Tensor;
  private readonly valTargets: Tensor;
  private epochsDone = 0;
  private batchInEpoch = 0;
  private stepsDone = 0;

  constructor(
    readonly setup: TrainSetup,
    data: FashionSubset,
  ) {
    const { seed } = setup;
    const images = Math.min(setup.images, data.train.count);
    this.trainSet = selectImages(data.train, shuffledIndices(data.train.count, seed).slice(0, images));
    const valCount = Math.min(setup.valImages, data.test.count);
    this.valSet = selectImages(
      data.test,
      Array.from({ length: valCount }, (_, i) => i),
    );
    const pixels = this.valSet.rows * this.valSet.cols;
    const valPixels = new Float32Array(valCount * pixels);
    for (let i = 0; i < valPixels.length; i++) valPixels[i] = this.valSet.images[i]! / 255;
    this.valInputs = fromTypedArray(valPixels, [valCount, pixels]);
    this.valTargets = fromTypedArray(Int32Array.from(this.valSet.labels), [valCount]);
    const classes = data.train.classes.length;
    const generator = new Generator(seed);
    this.model =
      setup.model === 'cnn'
        ? nn.buildCnn({
            channels: setup.channels,
            hidden: setup.hidden,
            classes,
            activation: setup.activation,
            generator,
          })
        : nn.buildMlp([pixels, ...setup.hidden, classes], setup.activation, { generator });
    this.probe = new LayerProbe(this.model);
    const augment = parseAugmentSpec(setup.augment);
    this.loader = new DataLoader(new ImageSetDataset(this.trainSet), {
      batchSize: setup.batchSize,
      shuffle: true,
      seed,
      prefetch: false,
      ...(augment.transforms.length > 0 ? { transform: augment } : {}),
    });
    this.optimizer = optim.createOptimizer(setup.optimizer, this.model.parameters(), { lr: setup.lr });
    const spec = schedulePresetSpec(setup.schedule, this.totalSteps, setup.lr);
    this.scheduler = spec ? (optim.schedulerFromSpec(this.optimizer, spec) as { step(): void }) : null;
  }

  /** Steps in the whole run. */
  get totalSteps(): number {
    return this.setup.epochs * this.loader.length;
  }

  get steps(): number {
    return this.stepsDone;
  }

  /** Epochs done, fractional. */
  get epoch(): number {
    return this.epochsDone + this.batchInEpoch / this.loader.length;
  }

  get done(): boolean {
    return this.epochsDone >= this.setup.epochs;
  }

  /** The learning rate of the next step. */
  get lr(): number {
    return this.optimizer.paramGroups[0]!.lr as number;
  }

  /** Loss, accuracy and confusion matrix over the validation images, in batches of 500. */
  validate(): Validation {
    const classes = this.valSet.classes.length;
    const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    const count = this.valSet.count;
    let lossSum = 0;
    let correct = 0;
    this.model.eval();
    noGrad(() => {
      for (let start = 0; start < count; start += 500) {
        const size = Math.min(500, count - start);
        const logits = this.model.forward(this.valInputs.narrow(0, start, size));
        const targets = this.valTargets.narrow(0, start, size);
        lossSum += nn.crossEntropy(logits, targets).item() * size;
        const predicted = logits.argmax(1).toTypedArray();
        for (let i = 0; i < size; i++) {
          const label = this.valSet.labels[start + i]!;
          confusion[label]![predicted[i]!]!++;
          if (predicted[i] === label) correct++;
        }
      }
    });
    return { loss: lossSum / count, accuracy: correct / count, confusion };
  }

  /**
   * Trains until `budgetMs` have passed (at least one step), the next validation is due, or the run is
   * done; measures the validation set when it is due.
   */
  run(budgetMs: number): ImageReport {
    const started = performance.now();
    const lrs: number[] = [];
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let validate = false;
    while (!this.done) {
      const batch = this.loader.batch(this.epochsDone, this.batchInEpoch);
      const inputs = batch.inputs.reshape([batch.size, -1]);
      this.model.train();
      this.optimizer.zeroGrad();
      const logits = this.model.forward(inputs);
      const loss = nn.crossEntropy(logits, batch.targets);
      loss.backward();
      this.probe.beforeStep();
      this.optimizer.step();
      this.probe.afterStep();
      lrs.push(this.lr);
      this.scheduler?.step();
      this.stepsDone++;
      lossSum += loss.item() * batch.size;
      const predicted = logits.argmax(1).toTypedArray();
      const labels = batch.targets.toTypedArray();
      for (let i = 0; i < batch.size; i++) if (predicted[i] === labels[i]) correct++;
      seen += batch.size;
      if (++this.batchInEpoch === this.loader.length) {
        this.batchInEpoch = 0;
        this.epochsDone++;
        validate = true;
      }
      if (this.stepsDone % EVAL_EVERY === 0) validate = true;
      if (validate || performance.now() - started >= budgetMs) break;
    }
    return {
      epoch: this.epoch,
      steps: this.stepsDone,
      trainLoss: seen > 0 ? lossSum / seen : NaN,
      trainAccuracy: seen > 0 ? correct / seen : NaN,
      lrs,
      validation: validate ? this.validate() : null,
    };
  }

  /** The first validation image of each class, for a picker: its index, label and pixels in [0, 1]. */
  classSamples(): { index: number; label: number; pixels: Float32Array }[] {
    const pixels = this.valSet.rows * this.valSet.cols;
    const samples = [];
    for (let label = 0; label < this.valSet.classes.length; label++) {
      const index = this.valSet.labels.indexOf(label);
      if (index < 0) continue;
      const image = this.valSet.images.subarray(index * pixels, (index + 1) * pixels);
      samples.push({ index, label, pixels: Float32Array.from(image, (v) => v / 255) });
    }
    return samples;
  }

  /** Validation image `index` through the model: every layer's output and the first layer's weights. */
  inspect(index: number): Inspection {
    const i = Math.max(0, Math.min(this.valSet.count - 1, Math.floor(index)));
    const input = this.valInputs.narrow(0, i, 1);
    const { output, maps } = nn.recordForward(this.model, input);
    const first = this.model.namedModules().find(([, m]) => m instanceof nn.Linear || m instanceof nn.Conv2d);
    const weight = first?.[1].namedParameters({ recurse: false }).find(([name]) => name === 'weight')?.[1];
    return {
      index: i,
      pixels: Float32Array.from(input.toTypedArray()),
      label: this.valSet.labels[i]!,
      probabilities: Float32Array.from(noGrad(() => output.softmax(1).toTypedArray())),
      maps: maps.map((m) => ({
        name: m.name,
        type: m.type,
        shape: m.output.shape.slice(1),
        values: Float32Array.from(m.output.toTypedArray()),
      })),
      weights:
        first && weight
          ? {
              name: first[0],
              type: first[1].constructor.name,
              shape: [...weight.shape],
              values: Float32Array.from(weight.toTypedArray()),
            }
          : null,
    };
  }
}
