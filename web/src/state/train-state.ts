/** The Train view's whole state: data, network, optimizer and schedule. Mirrored to the URL. */
import { nn, optim } from '../../../src/browser.js';
import { SCHEDULE_PRESETS } from '../engine/schedules.js';
import { DATASET_NAMES } from '../engine/toy-data.js';
import type { TrainSetup } from '../engine/trainer.js';
import { choiceField, listField, numberField, type Schema } from './codec.js';

/** The state is exactly what defines a run (each field is documented on TrainSetup). */
export type TrainState = TrainSetup;

export const ACTIVATION_NAMES = Object.keys(nn.ACTIVATIONS) as nn.ActivationName[];

export const TRAIN_SCHEMA: Schema<TrainState> = {
  dataset: choiceField(DATASET_NAMES),
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
};
