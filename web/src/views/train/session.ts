/**
 * The training run that the Train and Inside views share: one worker, one model, one history. The
 * session outlives the views, so switching from Train to Inside keeps the run (and its curves) going,
 * and Inside looks into the very model Train is training. A view `ensure`s the setup of its URL: the
 * same setup keeps the run, another one starts afresh. With no view subscribed, the run pauses.
 */
import { SUBSET_PATH } from '../../engine/fashion.js';
import type { Inspection } from '../../engine/image-trainer.js';
import type { ProbedLayers } from '../../engine/layer-probe.js';
import type { FromWorker, ToWorker } from '../../engine/protocol.js';
import type { Boundary, TrainSetup } from '../../engine/trainer.js';
import { startWorker } from '../view.js';

/** Loss and accuracy curves: x is the epoch (toy datasets) or the step (images). */
export interface Curves {
  trainX: number[];
  trainLoss: number[];
  trainAccuracy: number[];
  valX: number[];
  valLoss: number[];
  valAccuracy: number[];
  /** The learning rate of every step. */
  lrs: number[];
}

/** Every step's statistics of every probed layer (./engine/layer-probe.ts). */
export interface LayerHistory {
  layers: ProbedLayers;
  gradNorm: number[][];
  updateRatio: number[][];
  deadFraction: number[][];
}

type ToyData = Extract<FromWorker, { type: 'train-data'; kind: 'toy' }>;
type ImageInfo = Extract<FromWorker, { type: 'train-data'; kind: 'images' }>;

/** The setup as text with its keys sorted, so that two views' copies of one setup compare equal. */
function keyOf(setup: TrainSetup): string {
  const record = setup as unknown as Record<string, unknown>;
  return JSON.stringify(
    Object.keys(record)
      .sort()
      .map((key) => [key, record[key]]),
  );
}

const emptyCurves = (): Curves => ({
  trainX: [],
  trainLoss: [],
  trainAccuracy: [],
  valX: [],
  valLoss: [],
  valAccuracy: [],
  lrs: [],
});

export class TrainSession {
  /** The setup of the current run (null before the first). */
  setup: TrainSetup | null = null;
  /** Set once the worker has built the run. */
  toyData: ToyData | null = null;
  images: ImageInfo | null = null;
  curves = emptyCurves();
  layers: LayerHistory | null = null;
  boundary: Boundary | null = null;
  /** The validation set's confusion matrix at its last measurement (images). */
  confusion: number[][] | null = null;
  /** Epochs done (fractional for images) and steps done. */
  epoch = 0;
  steps = 0;
  done = false;
  playing = false;
  /** Why the run stopped, when it failed. */
  error: string | null = null;
  private key = '';
  /** Counts the runs, so that messages of a replaced run still in flight are dropped. */
  private runId = 0;
  private worker: Worker | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly waiting = new Map<
    number,
    (answer: { inspection: Inspection | null; reason?: string }) => void
  >();
  private nextId = 1;

  private send(message: ToWorker): void {
    if (!this.worker) {
      this.worker = startWorker();
      this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
      this.worker.onerror = (event) => console.error(`descent worker failed: ${event.message}`);
    }
    this.worker.postMessage(message);
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      // The shell mounts the next view right after destroying this one: pause only if none did.
      setTimeout(() => {
        if (this.listeners.size === 0 && this.playing) this.pause();
      }, 0);
    };
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Keeps the run when it has this setup; else starts a fresh one. */
  ensure(setup: TrainSetup): void {
    if (keyOf(setup) !== this.key) this.reset(setup);
  }

  /** A fresh run of `setup`: new weights, empty history. */
  reset(setup: TrainSetup): void {
    this.setup = structuredClone(setup);
    this.key = keyOf(setup);
    this.toyData = null;
    this.images = null;
    this.curves = emptyCurves();
    this.layers = null;
    this.boundary = null;
    this.confusion = null;
    this.epoch = 0;
    this.steps = 0;
    this.done = false;
    this.playing = false;
    this.error = null;
    const dataUrl = new URL(SUBSET_PATH, document.baseURI).href;
    this.runId++;
    this.send({
      type: 'train-reset',
      run: this.runId,
      setup: structuredClone(setup),
      resolution: 50,
      dataUrl,
    });
    this.changed();
  }

  /** True until the worker has built the run (an image dataset is being fetched). */
  get loading(): boolean {
    return this.setup !== null && this.toyData === null && this.images === null && this.error === null;
  }

  play(): void {
    if (this.done) return;
    this.playing = true;
    this.send({ type: 'train-play' });
    this.changed();
  }

  pause(): void {
    this.playing = false;
    this.send({ type: 'train-pause' });
    this.changed();
  }

  step(): void {
    this.playing = false;
    this.send({ type: 'train-step' });
    this.changed();
  }

  /** Validation image `index` through the current model. */
  inspect(index: number): Promise<{ inspection: Inspection | null; reason?: string }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.send({ type: 'inspect', id, index });
    });
  }

  private receive(message: FromWorker): void {
    if (message.type === 'inspection') {
      this.waiting.get(message.id)?.({ inspection: message.inspection, reason: message.reason });
      this.waiting.delete(message.id);
      return;
    }
    if (message.type === 'backend') {
      // On the page's root element, for anyone (and the e2e tests) to see what trains: "wasm ×2 (simd)".
      const threads = message.threads > 1 ? ` ×${message.threads}` : '';
      document.documentElement.dataset.backend = `${message.name}${threads}${message.variant ? ` (${message.variant})` : ''}`;
      if (message.note) console.info(`descent: training on the reference backend: ${message.note}`);
      return;
    }
    if (message.type === 'error') {
      this.playing = false;
      this.error = message.message;
      console.error(`descent worker: ${message.message}`);
    } else if (
      (message.type === 'train-data' || message.type === 'train-progress') &&
      message.run !== this.runId
    ) {
      return;
    } else if (message.type === 'train-data') {
      if (message.kind === 'toy') this.toyData = message;
      else this.images = message;
      const { layers } = message;
      this.layers = {
        layers,
        gradNorm: layers.weighted.map(() => []),
        updateRatio: layers.weighted.map(() => []),
        deadFraction: layers.relus.map(() => []),
      };
    } else if (message.type === 'train-progress') {
      const c = this.curves;
      if (message.kind === 'toy') {
        const r = message.report;
        c.trainX.push(r.epoch);
        c.trainLoss.push(r.trainLoss);
        c.trainAccuracy.push(r.trainAccuracy);
        c.valX.push(r.epoch);
        c.valLoss.push(r.valLoss);
        c.valAccuracy.push(r.valAccuracy);
        c.lrs.push(...r.lrs);
        if (message.boundary) this.boundary = message.boundary;
        this.epoch = r.epoch;
        this.steps = r.steps;
      } else {
        const r = message.report;
        if (r.steps > 0 && Number.isFinite(r.trainLoss)) {
          c.trainX.push(r.steps);
          c.trainLoss.push(r.trainLoss);
          c.trainAccuracy.push(r.trainAccuracy);
        }
        if (r.validation) {
          c.valX.push(r.steps);
          c.valLoss.push(r.validation.loss);
          c.valAccuracy.push(r.validation.accuracy);
          this.confusion = r.validation.confusion;
        }
        c.lrs.push(...r.lrs);
        this.epoch = r.epoch;
        this.steps = r.steps;
      }
      if (this.layers) {
        const { gradNorm, updateRatio, deadFraction } = message.layers;
        gradNorm.forEach((values, i) => this.layers!.gradNorm[i]!.push(...values));
        updateRatio.forEach((values, i) => this.layers!.updateRatio[i]!.push(...values));
        deadFraction.forEach((values, i) => this.layers!.deadFraction[i]!.push(...values));
      }
      this.done = message.done;
      if (message.done || !message.playing) this.playing = false;
    } else {
      return;
    }
    this.changed();
  }
}

let shared: TrainSession | null = null;

/** The page's one training session. */
export function trainSession(): TrainSession {
  shared ??= new TrainSession();
  return shared;
}
