/** The messages between a view (the main thread) and its worker (./worker.ts), which runs Descent. */
import type { RaceSetup, RacerChunk } from './race.js';
import type { SurfaceName, SurfaceParams } from './surfaces.js';
import type { ImageReport, Inspection } from './image-trainer.js';
import type { LayerStats, ProbedLayers } from './layer-probe.js';
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
  /**
   * Build a fresh model and data for `setup`; answered with 'train-data' and a first 'train-progress'.
   * `dataUrl` is the folder of the embedded Fashion-MNIST files, fetched (once) for an image dataset.
   */
  | { type: 'train-reset'; run: number; setup: TrainSetup; resolution: number; dataUrl: string }
  /** Train epoch after epoch (bursts of steps for images) until paused or done. */
  | { type: 'train-play' }
  | { type: 'train-pause' }
  /** Train exactly one epoch (toy datasets) or one burst of steps (images). */
  | { type: 'train-step' }
  /** One validation image through the model being trained; answered with 'inspection' and the same id. */
  | { type: 'inspect'; id: number; index: number };

/** From the worker to a view. */
export type FromWorker =
  | { type: 'grid'; id: number; values: Float64Array; width: number; height: number }
  /** The steps taken since the last message, per racer. */
  | { type: 'race-progress'; step: number; chunks: RacerChunk[]; finished: boolean }
  /** The points of a fresh training run on a toy dataset, and the layers the probe watches. */
  | {
      type: 'train-data';
      kind: 'toy';
      /** The `run` of the 'train-reset' this answers: messages of an earlier run may still be in flight. */
      run: number;
      points: Float32Array;
      labels: Int32Array;
      classes: number;
      trainIndices: Int32Array;
      valIndices: Int32Array;
      layers: ProbedLayers;
    }
  /** A fresh training run on images. */
  | {
      type: 'train-data';
      kind: 'images';
      run: number;
      classNames: string[];
      trainCount: number;
      valCount: number;
      totalSteps: number;
      layers: ProbedLayers;
      /** The first validation image of each class, for the Inside view's picker. */
      samples: { index: number; label: number; pixels: Float32Array }[];
    }
  /** Metrics after an epoch (epoch 0: before training), with the decision boundary when it is due. */
  | {
      type: 'train-progress';
      kind: 'toy';
      run: number;
      report: EpochReport;
      boundary: Boundary | null;
      layers: LayerStats;
      done: boolean;
      playing: boolean;
    }
  /** Metrics after a burst of steps on images (steps 0: before training). */
  | {
      type: 'train-progress';
      kind: 'images';
      run: number;
      report: ImageReport;
      layers: LayerStats;
      done: boolean;
      playing: boolean;
    }
  /** The answer to 'inspect': null when the run is not on images (`reason` says why). */
  | { type: 'inspection'; id: number; inspection: Inspection | null; reason?: string }
  /** Something failed; the message says what. */
  | { type: 'error'; message: string }
  /**
   * The backend the worker computes with, once chosen: 'wasm' (SIMD kernels, with `threads` Web
   * Workers where the page is cross-origin isolated) or 'js' with the reason wasm was not possible.
   */
  | { type: 'backend'; name: 'wasm' | 'js'; threads: number; variant: string | null; note: string | null };
