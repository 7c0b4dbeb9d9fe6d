/**
 * The one table of optimizers that drives the golden and property tests (STYLE.md rule 5): PyTorch's
 * class name (as in the golden files' `optimizer.type`) → Descent's class, with the settings the
 * convex-quadratic property test uses.
 */
import {
  ASGD,
  Adadelta,
  Adagrad,
  Adam,
  AdamW,
  Adamax,
  LAMB,
  Lion,
  NAdam,
  RAdam,
  RMSprop,
  Rprop,
  SGD,
  SWATS,
  type Optimizer,
  type Params,
} from '../../src/optim/index.js';

export interface OptimizerTableEntry {
  /** The constructor, as a user calls it. */
  create: new (params: Params<any>, options?: any) => Optimizer<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Options and step count with which the optimizer brings a convex quadratic down by 10×. */
  quadratic: { options: Record<string, unknown>; steps: number };
}

export const OPTIMIZER_TABLE: Record<string, OptimizerTableEntry> = {
  SGD: { create: SGD, quadratic: { options: { lr: 0.05, momentum: 0.9 }, steps: 100 } },
  Adam: { create: Adam, quadratic: { options: { lr: 0.1 }, steps: 100 } },
  AdamW: { create: AdamW, quadratic: { options: { lr: 0.1 }, steps: 100 } },
  Adagrad: { create: Adagrad, quadratic: { options: { lr: 0.5 }, steps: 100 } },
  Adadelta: { create: Adadelta, quadratic: { options: { lr: 10 }, steps: 100 } },
  Adamax: { create: Adamax, quadratic: { options: { lr: 0.1 }, steps: 100 } },
  NAdam: { create: NAdam, quadratic: { options: { lr: 0.1 }, steps: 100 } },
  RAdam: { create: RAdam, quadratic: { options: { lr: 0.1 }, steps: 100 } },
  RMSprop: { create: RMSprop, quadratic: { options: { lr: 0.02 }, steps: 100 } },
  Rprop: { create: Rprop, quadratic: { options: { lr: 0.01 }, steps: 100 } },
  ASGD: { create: ASGD, quadratic: { options: { lr: 0.05 }, steps: 100 } },
  Lion: { create: Lion, quadratic: { options: { lr: 0.02 }, steps: 200 } },
  LAMB: { create: LAMB, quadratic: { options: { lr: 0.05 }, steps: 100 } },
  SWATS: { create: SWATS, quadratic: { options: { lr: 0.1 }, steps: 100 } },
};

/** PyTorch's keyword arguments (weight_decay, lr_decay, step_sizes, ...) as Descent's camelCase options. */
export function camelOptions(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
  );
}
