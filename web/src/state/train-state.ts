/** The Train view's whole state: data, network, optimizer and schedule. Mirrored to the URL. */
import { nn, optim, parseAugmentSpec } from '../../../src/browser.js';
import { IMAGE_DATASETS } from '../engine/fashion.js';
import { SCHEDULE_PRESETS } from '../engine/schedules.js';
import { DATASET_NAMES } from '../engine/toy-data.js';
import { IMAGE_MODELS, type TrainSetup } from '../engine/trainer.js';
import { choiceField, listField, numberField, type FieldCodec, type Schema } from './codec.js';

/** The state is exactly what defines a run (each field is documented on TrainSetup). */
export type TrainState = TrainSetup;

export const ACTIVATION_NAMES = Object.keys(nn.ACTIVATIONS) as nn.ActivationName[];

/** Every dataset of the Train view: the 2-D toy sets, then the image sets. */
export const TRAIN_DATASETS = [...DATASET_NAMES, ...IMAGE_DATASETS] as const;

/** True for the image datasets (Fashion-MNIST), false for the 2-D toy sets. */
export function isImageDataset(dataset: TrainState['dataset']): boolean {
  return (IMAGE_DATASETS as readonly string[]).includes(dataset);
}

/** An augmentation spec in `descent train --augment` syntax; '' for none. */
export function augmentField(): FieldCodec<string> {
  return {
    encode: (value) => value,
    decode(text) {
      parseAugmentSpec(text);
      return text.trim() === 'none' ? '' : text.trim();
    },
  };
}

export const TRAIN_SCHEMA: Schema<TrainState> = {
  dataset: choiceField(TRAIN_DATASETS),
  points: numberField({ min: 20, max: 5000, integer: true }),
  noise: numberField({ min: 0, max: 3 }),
  valFraction: numberField({ min: 0, max: 0.9 }),
  seed: numberField({ min: 0, max: 2 ** 31, integer: true }),
  hidden: listField(numberField({ min: 1, max: 256, integer: true }), { max: 8 }),
  activation: choiceField(ACTIVATION_NAMES),
  optimizer: choiceField(optim.OPTIMIZER_NAMES),
  lr: numberField({ min: 1e-6, max: 10 }),
  schedule: choiceField(SCHEDULE_PRESETS),
  epochs: numberField({ min: 1, max: 10000, integer: true }),
  batchSize: numberField({ min: 1, max: 5000, integer: true }),
  model: choiceField(IMAGE_MODELS),
  channels: listField(numberField({ min: 1, max: 64, integer: true }), { min: 1, max: 3 }),
  images: numberField({ min: 100, max: 10000, integer: true }),
  valImages: numberField({ min: 100, max: 2000, integer: true }),
  augment: augmentField(),
};

export const TRAIN_DEFAULTS: TrainState = {
  dataset: 'spiral',
  points: 400,
  noise: 0.15,
  valFraction: 0.25,
  seed: 1,
  hidden: [32, 32],
  activation: 'relu',
  optimizer: 'adam',
  lr: 0.02,
  schedule: 'cosine',
  epochs: 100,
  batchSize: 32,
  model: 'mlp',
  channels: [8, 16],
  images: 10000,
  valImages: 1000,
  augment: '',
};

/**
 * What changes when the dataset switches between a toy set and images: a network, learning rate,
 * batch size and length that suit the data (MLP 784-128-10 with Adam at 1e-3 reaches about 80%
 * validation accuracy on the subset in one epoch of 157 steps).
 */
export const IMAGE_PRESET: Partial<TrainState> = { hidden: [128], lr: 0.001, batchSize: 64, epochs: 3 };
export const TOY_PRESET: Partial<TrainState> = {
  hidden: TRAIN_DEFAULTS.hidden,
  lr: TRAIN_DEFAULTS.lr,
  batchSize: TRAIN_DEFAULTS.batchSize,
  epochs: TRAIN_DEFAULTS.epochs,
};
