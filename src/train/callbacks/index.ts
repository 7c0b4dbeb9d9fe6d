/** Training callbacks: hooks into the trainer's loop (see callback.ts for the order of events). */
export { callbackName, type BatchLog, type Callback } from './callback.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { ModelCheckpoint, stepCheckpointName, type ModelCheckpointOptions } from './model-checkpoint.js';
export { LRSchedulerCallback, type LRSchedulerCallbackOptions } from './lr-scheduler.js';
export { ReduceLROnPlateauCallback, type ReduceLROnPlateauCallbackOptions } from './reduce-lr-on-plateau.js';
export { TerminateOnNaN } from './terminate-on-nan.js';
export { JsonlLogger, TRAIN_LOG_FORMAT, TRAIN_LOG_VERSION } from './jsonl-logger.js';
export { CsvLogger } from './csv-logger.js';
export { ProgressBarCallback, formatEpochLog, type ProgressBarCallbackOptions } from './progress-bar.js';
