/**
 * Descent for the browser: everything in the main entry (./index.ts) that runs without Node, for the
 * playground (web/) and any bundler. Left out are the Node-only parts: `writePlot` (node:fs) and the
 * file and download side of `data` (readIdxFile, loadFashionMnist, ...); the pure data helpers (IDX
 * parsing, batching, shuffling, splitting) are exported by name instead. test/web/browser-entry.test.ts
 * checks that nothing reachable from here imports a `node:` module.
 */
import './backend/js/index.js';

export {
  loadWasmBackend,
  wasmThreadsPossible,
  type LoadWasmBackendOptions,
  type LoadedWasmBackend,
} from './backend/wasm/web.js';
export { configureWasmBackend, sharedWasmKernels } from './backend/wasm/load.js';

export * from './tensor/index.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export {
  setBackend,
  getBackend,
  availableBackends,
  registerBackend,
  type Backend,
} from './backend/backend.js';
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
export * as report from './report/index.js';
export { parseIdx, encodeIdx, type IdxArray, type IdxDtype } from './data/idx.js';
export { FASHION_MNIST_CLASSES, MNIST_CLASSES } from './data/classes.js';
export { classCounts, imageSetFromIdx, selectImages, type ImageSet } from './data/image-set.js';
export { trainValidationSplit, type TrainValidationSplit } from './data/split.js';
export { batchCount, batches, type Batch, type BatchOptions } from './data/batches.js';
export { shuffledIndices, xoshiro128ss, type Uint32Generator } from './data/shuffle.js';
export { fit, type FitOptions, type EpochRecord } from './train/fit.js';
export { trainEpoch, evaluate, batchTensors } from './train/loop.js';
export { findLearningRate, type LrFinderOptions, type LrFinderResult } from './train/lr-finder.js';
export {
  ImageSetDataset,
  Subset,
  TensorDataset,
  randomSplit,
  type Dataset,
  type ImageSample,
  type Sample,
  type TensorSample,
} from './data/dataset.js';
export { DataLoader, type DataLoaderOptions, type LoaderBatch } from './data/loader.js';
export * from './data/transforms/index.js';
