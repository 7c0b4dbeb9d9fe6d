/**
 * The module worker that runs Descent for a view, so that the page stays responsive while the
 * optimizers step: it answers heatmap requests, paces races and runs training epochs, streaming
 * the results back (./engine/protocol.ts).
 */
import type { FromWorker, ToWorker } from './engine/protocol.js';
import { Race, surfaceGrid } from './engine/race.js';
import { ToyTrainer, type TrainSetup } from './engine/trainer.js';

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

// --- training: epochs back to back while playing, yielding to the message queue after each.
let trainer: ToyTrainer | null = null;
let resolution = 50;
let playing = false;
let trainTimer: ReturnType<typeof setTimeout> | undefined;
/** When the decision boundary was last sent: while playing it costs as much as an epoch, so send it ~6 times a second. */
let boundarySentAt = -Infinity;
const BOUNDARY_EVERY_MS = 160;

function report(epochReport: ReturnType<ToyTrainer['runEpoch']>): void {
  if (!trainer) return;
  const now = performance.now();
  const due = !playing || trainer.done || now - boundarySentAt >= BOUNDARY_EVERY_MS;
  if (due) boundarySentAt = now;
  post({
    type: 'train-progress',
    report: epochReport,
    boundary: due ? trainer.boundary(resolution) : null,
    done: trainer.done,
    playing,
  });
}

function trainOnce(): void {
  if (!trainer || trainer.done) {
    playing = false;
    return;
  }
  const epochReport = trainer.runEpoch();
  if (trainer.done) playing = false;
  report(epochReport);
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
  if (trainer?.done) playing = false;
  else if (playing) trainTimer = setTimeout(trainLoop, 0);
}

function resetTraining(setup: TrainSetup, res: number): void {
  clearTimeout(trainTimer);
  playing = false;
  resolution = res;
  trainer = new ToyTrainer(setup);
  const { points, labels, classes } = trainer.data;
  post({
    type: 'train-data',
    points,
    labels,
    classes,
    trainIndices: trainer.trainIndices,
    valIndices: trainer.valIndices,
  });
  report({ ...trainer.measure(), epoch: 0, steps: 0, lrs: [] });
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
        resetTraining(message.setup, message.resolution);
        break;
      case 'train-play':
        if (!playing && trainer && !trainer.done) {
          playing = true;
          trainLoop();
        }
        break;
      case 'train-pause':
        playing = false;
        clearTimeout(trainTimer);
        trainTimer = undefined;
        break;
      case 'train-step':
        playing = false;
        clearTimeout(trainTimer);
        trainOnce();
        break;
    }
  } catch (error) {
    fail(error);
  }
};
