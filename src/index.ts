/**
 * Descent: tensors with reverse-mode autograd, neural-network layers, optimizers and schedules, data
 * loading and training, in TypeScript for Node and the browser.
 */
import './backend/js/index.js';
import './backend/wasm/index.js';

export * from './tensor/index.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export {
  setBackend,
  getBackend,
  availableBackends,
  registerBackend,
  type Backend,
} from './backend/backend.js';
/** Gradient buffers recycled by backward: `clearPool()` frees them, `setPooling(false)` turns recycling off. */
export { setPooling, clearPool, poolBytes } from './backend/pool.js';
export { gradcheck, type GradcheckOptions, type GradcheckFn } from './autograd/gradcheck.js';
export * as nn from './nn/index.js';
export { Module, Parameter, Linear, Sequential } from './nn/index.js';
export * as optim from './optim/index.js';
export {
  Optimizer,
  SGD,
  Adam,
  AdamW,
  Adagrad,
  Adadelta,
  Adamax,
  NAdam,
  RAdam,
  RMSprop,
  Rprop,
  ASGD,
  Lion,
  LAMB,
  Lookahead,
  clipGradNorm,
  clipGradValue,
  createOptimizer,
} from './optim/index.js';
export * as data from './data/index.js';
export * as report from './report/index.js';
export { writePlot } from './report/write.js';
export * as train from './train/index.js';
export { fit, evaluate, predict, Trainer, findLearningRate } from './train/index.js';
export { trainEpoch, batchTensors } from './train/loop.js';
