/**
 * Optimization: pure gradient transformations that chain (transform.ts, transforms/), the named
 * optimizers as thin compositions under a PyTorch-style class (optimizer.ts, optimizers/), gradient
 * clipping, and a registry by name.
 */
export * from './transform.js';
export * from './transforms/index.js';
export * from './optimizer.js';
export type { ParamGroup, HasParamGroups } from './param-group.js';
export type { Encoded, EncodedTensor } from './state-dict.js';
export * from './optimizers/sgd.js';
export * from './optimizers/adam.js';
export * from './optimizers/adagrad.js';
export * from './optimizers/adadelta.js';
export * from './optimizers/adamax.js';
export * from './optimizers/nadam.js';
export * from './optimizers/radam.js';
export * from './optimizers/rmsprop.js';
export * from './optimizers/rprop.js';
export * from './optimizers/asgd.js';
export * from './optimizers/lion.js';
export * from './optimizers/lamb.js';
export * from './optimizers/lookahead.js';
export * from './clip.js';
export * from './registry.js';
export * from './schedulers/index.js';
export * from './switching/index.js';
