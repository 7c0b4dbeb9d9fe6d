/** The messages between a view (the main thread) and its worker (./worker.ts), which runs Descent. */
import type { RaceSetup, RacerChunk } from './race.js';
import type { SurfaceName, SurfaceParams } from './surfaces.js';
import type { Boundary, EpochReport, TrainSetup } from './trainer.js';

/** From a view to the worker. */
export type ToWorker =
  /** Evaluate a surface on a grid for the heatmap; answered with 'grid' and the same id. */
  | { type: 'grid'; id: number; surface: SurfaceName; params: SurfaceParams; width: number; height: number }
  /** Start (or restart) a race, stepping `speed` steps per second. */
  | { type: 'race-start'; setup: RaceSetup; speed: number }
  /** Change the pace of the running race. */
  | { type: 'race-speed'; speed: number }
  | { type: 'race-pause' }
  | { type: 'race-resume' }
  /** Build a fresh model and data for `setup`; answered with 'train-data' and a first 'train-progress'. */
  | { type: 'train-reset'; setup: TrainSetup; resolution: number }
  /** Train epoch after epoch until paused or done. */
  | { type: 'train-play' }
  | { type: 'train-pause' }
  /** Train exactly one epoch. */
  | { type: 'train-step' };

/** From the worker to a view. */
export type FromWorker =
  | { type: 'grid'; id: number; values: Float64Array; width: number; height: number }
  /** The steps taken since the last message, per racer. */
  | { type: 'race-progress'; step: number; chunks: RacerChunk[]; finished: boolean }
  /** The points of a fresh training run. */
  | {
      type: 'train-data';
      points: Float32Array;
      labels: Int32Array;
      classes: number;
      trainIndices: Int32Array;
      valIndices: Int32Array;
    }
  /** Metrics after an epoch (epoch 0: before training), with the decision boundary when it is due. */
  | {
      type: 'train-progress';
      report: EpochReport;
      boundary: Boundary | null;
      done: boolean;
      playing: boolean;
    }
  /** Something failed; the message says what. */
  | { type: 'error'; message: string };
