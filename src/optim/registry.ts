/**
 * The optimizers by lower-case name, for command lines and configuration files:
 * `createOptimizer('adamw', model.parameters(), { lr: 3e-3 })`.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Optimizer, Params } from './optimizer.js';
import { ADADELTA_DEFAULTS, Adadelta } from './optimizers/adadelta.js';
import { ADAGRAD_DEFAULTS, Adagrad } from './optimizers/adagrad.js';
import { ADAM_DEFAULTS, ADAMW_DEFAULTS, Adam, AdamW } from './optimizers/adam.js';
import { ADAMAX_DEFAULTS, Adamax } from './optimizers/adamax.js';
import { ASGD_DEFAULTS, ASGD } from './optimizers/asgd.js';
import { LAMB_DEFAULTS, LAMB } from './optimizers/lamb.js';
import { LION_DEFAULTS, Lion } from './optimizers/lion.js';
import { NADAM_DEFAULTS, NAdam } from './optimizers/nadam.js';
import { RADAM_DEFAULTS, RAdam } from './optimizers/radam.js';
import { RMSPROP_DEFAULTS, RMSprop } from './optimizers/rmsprop.js';
import { RPROP_DEFAULTS, Rprop } from './optimizers/rprop.js';
import { SGD_DEFAULTS, SGD } from './optimizers/sgd.js';
import { SWATS_DEFAULTS, SWATS } from './switching/swats.js';

/** A registered optimizer: its class and its default options. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface OptimizerEntry<O extends object = any> {
  /** The class, e.g. `Adam`. */
  readonly create: new (params: Params<O>, options?: Partial<O>) => Optimizer<O>;
  /** Every option with its default value. */
  readonly defaults: Readonly<O>;
}

function entry<O extends object>(
  create: new (params: Params<O>, options?: Partial<O>) => Optimizer<O>,
  defaults: Readonly<O>,
): OptimizerEntry<O> {
  return { create, defaults };
}

export const OPTIMIZERS = {
  sgd: entry(SGD, SGD_DEFAULTS),
  adam: entry(Adam, ADAM_DEFAULTS),
  adamw: entry(AdamW, ADAMW_DEFAULTS),
  adagrad: entry(Adagrad, ADAGRAD_DEFAULTS),
  adadelta: entry(Adadelta, ADADELTA_DEFAULTS),
  adamax: entry(Adamax, ADAMAX_DEFAULTS),
  nadam: entry(NAdam, NADAM_DEFAULTS),
  radam: entry(RAdam, RADAM_DEFAULTS),
  rmsprop: entry(RMSprop, RMSPROP_DEFAULTS),
  rprop: entry(Rprop, RPROP_DEFAULTS),
  asgd: entry(ASGD, ASGD_DEFAULTS),
  lion: entry(Lion, LION_DEFAULTS),
  lamb: entry(LAMB, LAMB_DEFAULTS),
  swats: entry(SWATS, SWATS_DEFAULTS),
} as const;

export type OptimizerName = keyof typeof OPTIMIZERS;

export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as OptimizerName[];

export function isOptimizerName(name: string): name is OptimizerName {
  return Object.prototype.hasOwnProperty.call(OPTIMIZERS, name);
}

/**
 * Builds an optimizer by name (case-insensitive). An unknown name gets an error listing the valid
 * ones; an unknown or invalid option gets the optimizer's own error.
 */
export function createOptimizer(
  name: string,
  params: Iterable<Tensor> | Params<Record<string, unknown>>,
  options: Record<string, unknown> = {},
): Optimizer<object> {
  const key = String(name).toLowerCase();
  if (!isOptimizerName(key)) {
    throw new RangeError(`unknown optimizer '${name}'; valid optimizers are ${OPTIMIZER_NAMES.join(', ')}`);
  }
  const { create } = OPTIMIZERS[key] as OptimizerEntry;
  return new create(params, options);
}
