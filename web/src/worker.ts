/**
 * The module worker that runs Descent for a view, so that the page stays responsive while the
 * optimizers step: it answers heatmap requests, paces races and runs training epochs, streaming
 * the results back (./engine/protocol.ts). One worker serves both the Train and the Inside views, so
 * Inside looks into the very model that Train is training.
 */
import { loadWasmBackend, setBackend, sharedWasmKernels } from '../../src/browser.js';
import type { FromWorker, ToWorker } from './engine/protocol.js';
import { Race, surfaceGrid } from './engine/race.js';
import { IMAGE_DATASETS, fetchSubset, type FashionSubset } from './engine/fashion.js';
import { ImageTrainer, type ImageReport } from './engine/image-trainer.js';
import { ToyTrainer, type EpochReport } from './engine/trainer.js';

function post(message: FromWorker): void {
  self.postMessage(message);
}

function fail(error: unknown): void {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}

// --- races: a timer steps every racer `speed` times a second, carrying fractions of a step over.
const TICK_MS = 16;
let race: Race | null = null;
let raceTimer: ReturnType<typeof setTimeout> | undefined;
let raceSpeed = 100;
let racePaused = false;
let raceCarry = 0;
let raceLast = 0;

function raceTick(): void {
  raceTimer = undefined;
  if (!race || racePaused) return;
  const now = performance.now();
  raceCarry += ((now - raceLast) / 1000) * raceSpeed;
  raceLast = now;
  const steps = Math.floor(raceCarry);
  raceCarry -= steps;
  try {
    const chunks = race.advance(steps);
    post({ type: 'race-progress', step: race.step, chunks, finished: race.finished });
  } catch (error) {
    fail(error);
    race = null;
    return;
  }
  if (!race.finished) raceTimer = setTimeout(raceTick, TICK_MS);
}

function startRace(message: Extract<ToWorker, { type: 'race-start' }>): void {
  clearTimeout(raceTimer);
  race = new Race(message.setup);
  raceSpeed = message.speed;
  racePaused = false;
  raceCarry = 1; // the first tick reports the start point of every racer
  raceLast = performance.now();
  raceTick();
}

// --- training: epochs (toy datasets) or bursts of steps (images) back to back while playing,
// yielding to the message queue after each.
type Run = { id: number } & (
  { kind: 'toy'; trainer: ToyTrainer } | { kind: 'images'; trainer: ImageTrainer }
);
let run: Run | null = null;
let resolution = 50;
let playing = false;
let trainTimer: ReturnType<typeof setTimeout> | undefined;
/** When the decision boundary was last sent: while playing it costs as much as an epoch, so send it ~6 times a second. */
let boundarySentAt = -Infinity;
const BOUNDARY_EVERY_MS = 160;
/** How long one burst of image training runs before it reports. */
const BURST_MS = 100;
/** The Fashion-MNIST subset, fetched once per address. */
const subsets = new Map<string, Promise<FashionSubset>>();
/** Training messages run one after another, after any data they wait for has loaded. */
/**
 * The fastest backend this page allows: the WebAssembly SIMD kernels (the app ships them in wasm/),
 * on every core when the page is cross-origin isolated (descent serve sends the headers), else on
 * this worker's thread; the reference backend if WebAssembly SIMD is missing. Training waits for it.
 */
async function chooseBackend(): Promise<void> {
  try {
    const { variant, threads } = await loadWasmBackend({ baseUrl: new URL('../wasm/', self.location.href) });
    setBackend('wasm');
    // The Web Workers start in the background; until they have, the kernels run on this thread alone.
    const kernels = sharedWasmKernels();
    for (const until = performance.now() + 10_000; !kernels.threadsReady() && performance.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const started = kernels.threadsReady();
    post({
      type: 'backend',
      name: 'wasm',
      threads: started ? threads : 1,
      variant,
      note: started ? null : `its ${threads - 1} Web Workers did not start within 10 s`,
    });
  } catch (error) {
    post({
      type: 'backend',
      name: 'js',
      threads: 1,
      variant: null,
      note: error instanceof Error ? error.message : String(error),
    });
  }
}

let queue: Promise<void> = chooseBackend();

function runDone(): boolean {
  return run === null || run.trainer.done;
}

function report(epochReport: EpochReport | ImageReport): void {
  if (!run) return;
  const layers = run.trainer.probe.take();
  if (run.kind === 'images') {
    const message = { report: epochReport as ImageReport, layers, done: run.trainer.done, playing };
    post({ type: 'train-progress', kind: 'images', run: run.id, ...message });
    return;
  }
  const now = performance.now();
  const due = !playing || run.trainer.done || now - boundarySentAt >= BOUNDARY_EVERY_MS;
  if (due) boundarySentAt = now;
  post({
    type: 'train-progress',
    kind: 'toy',
    run: run.id,
    report: epochReport as EpochReport,
    boundary: due ? run.trainer.boundary(resolution) : null,
    layers,
    done: run.trainer.done,
    playing,
  });
}

function trainOnce(): void {
  if (!run || runDone()) {
    playing = false;
    return;
  }
  const result = run.kind === 'toy' ? run.trainer.runEpoch() : run.trainer.run(BURST_MS);
  if (runDone()) playing = false;
  report(result);
}

function trainLoop(): void {
  trainTimer = undefined;
  if (!playing) return;
  try {
    trainOnce();
  } catch (error) {
    playing = false;
    fail(error);
    return;
  }
  if (runDone()) playing = false;
  else if (playing) trainTimer = setTimeout(trainLoop, 0);
}

async function resetTraining(message: Extract<ToWorker, { type: 'train-reset' }>): Promise<void> {
  clearTimeout(trainTimer);
  playing = false;
  run = null;
  resolution = message.resolution;
  const { setup } = message;
  if ((IMAGE_DATASETS as readonly string[]).includes(setup.dataset)) {
    let subset = subsets.get(message.dataUrl);
    if (!subset) {
      subset = fetchSubset(message.dataUrl);
      subsets.set(message.dataUrl, subset);
      subset.catch(() => subsets.delete(message.dataUrl));
    }
    const trainer = new ImageTrainer(setup, await subset);
    run = { id: message.run, kind: 'images', trainer };
    post({
      type: 'train-data',
      kind: 'images',
      run: message.run,
      classNames: trainer.valSet.classes,
      trainCount: trainer.trainSet.count,
      valCount: trainer.valSet.count,
      totalSteps: trainer.totalSteps,
      layers: trainer.probe.layers,
      samples: trainer.classSamples(),
    });
    report({
      epoch: 0,
      steps: 0,
      trainLoss: NaN,
      trainAccuracy: NaN,
      lrs: [],
      validation: trainer.validate(),
    });
    return;
  }
  const trainer = new ToyTrainer(setup);
  run = { id: message.run, kind: 'toy', trainer };
  const { points, labels, classes } = trainer.data;
  post({
    type: 'train-data',
    kind: 'toy',
    run: message.run,
    points,
    labels,
    classes,
    trainIndices: trainer.trainIndices,
    valIndices: trainer.valIndices,
    layers: trainer.probe.layers,
  });
  report({ ...trainer.measure(), epoch: 0, steps: 0, lrs: [] });
}

function inspect(id: number, index: number): void {
  if (run?.kind !== 'images') {
    post({ type: 'inspection', id, inspection: null, reason: 'feature maps need an image dataset' });
    return;
  }
  const inspection = run.trainer.inspect(index);
  const buffers = [inspection.pixels, inspection.probabilities, ...inspection.maps.map((m) => m.values)];
  if (inspection.weights) buffers.push(inspection.weights.values);
  self.postMessage({ type: 'inspection', id, inspection } satisfies FromWorker, {
    transfer: buffers.map((b) => b.buffer as ArrayBuffer),
  });
}

/** Runs `task` after the training messages before it (a reset may be waiting for data). */
function enqueue(task: () => void | Promise<void>): void {
  queue = queue.then(task).catch((error: unknown) => {
    playing = false;
    fail(error);
  });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    switch (message.type) {
      case 'grid': {
        const values = surfaceGrid(message.surface, message.params, message.width, message.height);
        post({ type: 'grid', id: message.id, values, width: message.width, height: message.height });
        break;
      }
      case 'race-start':
        startRace(message);
        break;
      case 'race-speed':
        raceSpeed = message.speed;
        break;
      case 'race-pause':
        racePaused = true;
        break;
      case 'race-resume':
        if (racePaused) {
          racePaused = false;
          raceLast = performance.now();
          if (raceTimer === undefined) raceTick();
        }
        break;
      case 'train-reset':
        enqueue(() => resetTraining(message));
        break;
      case 'train-play':
        enqueue(() => {
          if (!playing && !runDone()) {
            playing = true;
            trainLoop();
          }
        });
        break;
      case 'train-pause':
        enqueue(() => {
          playing = false;
          clearTimeout(trainTimer);
          trainTimer = undefined;
        });
        break;
      case 'train-step':
        enqueue(() => {
          playing = false;
          clearTimeout(trainTimer);
          trainOnce();
        });
        break;
      case 'inspect':
        enqueue(() => inspect(message.id, message.index));
        break;
    }
  } catch (error) {
    fail(error);
  }
};
