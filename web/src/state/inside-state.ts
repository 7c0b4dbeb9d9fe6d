/** The Inside view's state: the training run it looks into (the Train view's state) and the image it follows. */
import type { FieldCodec, Schema } from './codec.js';
import { numberField } from './codec.js';
import { IMAGE_PRESET, TRAIN_DEFAULTS, TRAIN_SCHEMA, type TrainState } from './train-state.js';

export interface InsideState extends TrainState {
  /** Index of the followed image among the validation images. */
  image: number;
}

export const INSIDE_SCHEMA: Schema<InsideState> = {
  ...TRAIN_SCHEMA,
  image: numberField({ min: 0, max: 1999, integer: true }) as FieldCodec<number>,
};

/** By default Inside looks at the MLP on Fashion-MNIST (the Train view's image preset). */
export const INSIDE_DEFAULTS: InsideState = {
  ...structuredClone(TRAIN_DEFAULTS),
  dataset: 'fashion-mnist',
  ...structuredClone(IMAGE_PRESET),
  image: 0,
};

/** The training setup within an Inside state. */
export function trainStateOf(state: InsideState): TrainState {
  const { image: _image, ...train } = state;
  return train;
}
