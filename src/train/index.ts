/**
 * Training: the trainer (`fit`, `evaluate`, `predict`, `Trainer`), data sources, metrics, callbacks,
 * histories, checkpoints and safetensors; plus the plain loop (loop.ts), the simple ImageSet `fit`
 * (fit.ts, exported here as `fitImageSet`) and the learning-rate finder.
 */
export * from './trainer.js';
export * from './data-source.js';
export * from './metrics.js';
export * from './history.js';
export * from './callbacks/index.js';
export * from './checkpoint.js';
export * from './safetensors.js';
export { writeFileAtomic, writeFileDurable, fsyncDirectory } from './atomic-write.js';
export {
  fit as fitImageSet,
  optimizerName,
  type FitOptions as FitImageSetOptions,
  type EpochRecord,
  type TrainableClassifier,
} from './fit.js';
export {
  trainEpoch,
  evaluate as evaluateEpoch,
  batchTensors,
  type Classifier,
  type ClassificationLoss,
  type EpochResult,
  type TrainEpochOptions,
} from './loop.js';
export * from './lr-finder.js';
export { lrFinderPlotSpec } from './lr-finder-plot.js';
