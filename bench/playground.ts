/**
 * `npm run bench:web`: the playground's speed in headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core, as the end-to-end tests use it; test/web/harness.ts).
 *
 * 1. Frame time of the Descent view with its 6 default racers on Rosenbrock while they race: the
 *    intervals between animation frames (requestAnimationFrame timestamps) over FRAMES frames, median
 *    and 95th percentile. 16.7 ms is 60 frames a second; the racers step in the worker meanwhile.
 * 2. Training speed of the same model on the same batches, in the browser's worker (the Train view,
 *    Play to done) and in Node (the same ImageTrainer, the same bursts, the backend and thread count
 *    the browser's worker reports): steps per second of the whole loop as the Train view runs it,
 *    validation and layer probe included; ratio browser / Node.
 *
 * Writes bench/results/playground.json and playground.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getBackend, setBackend } from '../src/backend/backend.js';
import { configureWasmBackend } from '../src/backend/wasm/index.js';
import { CHROMIUM, ROOT, startPlayground } from '../test/web/harness.js';
import { loadSubsetAsTheBrowserDoes } from '../test/web/subset.js';
import { ImageTrainer } from '../web/src/engine/image-trainer.js';
import { TRAIN_DEFAULTS, TRAIN_SCHEMA, type TrainState } from '../web/src/state/train-state.js';
import { encodeState } from '../web/src/state/codec.js';
import { machineInfo } from './machine.js';

const FRAMES = 300;
/** The Descent view's default 6 racers, racing long enough to cover the measured frames. */
const RACE = '#/descent?surface=rosenbrock&steps=3000&speed=120';

/** The models timed, each on the embedded subset with the Train view's image settings. */
const MODELS: { name: string; setup: Partial<TrainState> }[] = [
  { name: 'MLP 784-128-10, batch 64, 157 steps', setup: { model: 'mlp', hidden: [128], images: 10000 } },
  {
    name: 'CNN conv 8,16 → 32 → 10, batch 64, 32 steps',
    setup: { model: 'cnn', channels: [8, 16], hidden: [32], images: 2000 },
  },
];

// The in-page scripts are plain JavaScript text: tsx would wrap functions passed to page.evaluate in
// helpers that exist only in Node.
/** The intervals between FRAMES animation frames, in ms. */
const FRAME_INTERVALS = `new Promise((resolve) => {
  const times = [];
  let last;
  const tick = (now) => {
    if (last !== undefined) times.push(now - last);
    last = now;
    if (times.length < FRAMES) requestAnimationFrame(tick);
    else resolve(times);
  };
  requestAnimationFrame(tick);
})`;
/** Clicks Play in the Train view and times the run to its end (checked every animation frame). */
const TRAIN_TO_DONE = `new Promise((resolve) => {
  const app = document.querySelector('#app');
  const start = performance.now();
  document.querySelector('[data-testid=play]').click();
  const poll = () => {
    if (app.getAttribute('data-done') === 'true') {
      resolve({
        steps: Number(app.getAttribute('data-steps')),
        seconds: (performance.now() - start) / 1000,
        accuracy: Number(app.getAttribute('data-val-accuracy')),
      });
    } else requestAnimationFrame(poll);
  };
  poll();
})`;

function setupOf(patch: Partial<TrainState>): TrainState {
  return {
    ...structuredClone(TRAIN_DEFAULTS),
    dataset: 'fashion-mnist',
    optimizer: 'adam',
    lr: 0.001,
    schedule: 'none',
    epochs: 1,
    batchSize: 64,
    valImages: 1000,
    ...patch,
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (at - lo);
}

const round = (v: number, digits = 2) => Number(v.toFixed(digits));

/** The browser worker's backend as the page shows it ("wasm ×2 (relaxed)", "js") → name and threads. */
function parseBackend(shown: string): { name: string; threads: number } {
  const match = /^(\w+)(?: ×(\d+))?/.exec(shown);
  if (!match) throw new Error(`the page shows no backend (data-backend=${JSON.stringify(shown)})`);
  return { name: match[1]!, threads: Number(match[2] ?? 1) };
}

/** Node: the worker's loop (bursts of 100 ms until done) on the same setup and backend. */
async function nodeStepsPerSecond(
  setup: TrainState,
  backend: { name: string; threads: number },
): Promise<{ steps: number; seconds: number; accuracy: number }> {
  if (backend.name === 'wasm') configureWasmBackend({ threads: backend.threads });
  setBackend(backend.name);
  const trainer = new ImageTrainer(setup, await loadSubsetAsTheBrowserDoes());
  trainer.validate(); // the Train view's first report, before the clock starts in the browser too
  const start = performance.now();
  let accuracy = NaN;
  while (!trainer.done) accuracy = trainer.run(100).validation?.accuracy ?? accuracy;
  return { steps: trainer.steps, seconds: (performance.now() - start) / 1000, accuracy };
}

async function main(): Promise<void> {
  const machine = machineInfo(null);
  const runsDir = mkdtempSync(join(tmpdir(), 'descent-bench-runs-'));
  const playground = await startPlayground(runsDir);
  const results: Record<string, unknown> = { machine, chromium: CHROMIUM };
  try {
    // --- 1. frame time of the Descent view
    const { page } = await playground.open(RACE);
    await page.waitForFunction(
      () => Number(document.querySelector('#app')!.getAttribute('data-step') ?? '0') > 0,
    );
    const intervals = (await page.evaluate(FRAME_INTERVALS.replace('FRAMES', String(FRAMES)))) as number[];
    const racers = (await page.$$('.racer')).length;
    const stepReached = Number(await page.getAttribute('#app', 'data-step'));
    await page.close();
    results.frames = {
      view: 'descent',
      racers,
      frames: intervals.length,
      medianMs: round(quantile(intervals, 0.5)),
      p95Ms: round(quantile(intervals, 0.95)),
      maxMs: round(Math.max(...intervals)),
      raceStepAtEnd: stepReached,
    };
    console.log(
      `Descent view, ${racers} racers: frame median ${quantile(intervals, 0.5).toFixed(1)} ms, p95 ${quantile(intervals, 0.95).toFixed(1)} ms`,
    );

    // --- 2. training speed, browser worker vs Node
    const training = [];
    for (const { name, setup: patch } of MODELS) {
      const setup = setupOf(patch);
      const { page: train } = await playground.open(`#/train?${encodeState(setup, TRAIN_SCHEMA)}`);
      await train.waitForFunction(
        () => document.querySelector('#app')!.getAttribute('data-val-points') === '1',
        null,
        {
          timeout: 120_000,
        },
      );
      const browser = (await train.evaluate(TRAIN_TO_DONE)) as {
        steps: number;
        seconds: number;
        accuracy: number;
      };
      const shown = (await train.evaluate('document.documentElement.dataset.backend')) as string;
      await train.close();
      const backend = parseBackend(shown);
      const node = await nodeStepsPerSecond(setup, backend);
      const row = {
        model: name,
        backend: shown,
        nodeBackend: `${getBackend().name}${backend.threads > 1 ? ` ×${backend.threads}` : ''}`,
        steps: node.steps,
        browserStepsPerSecond: round(browser.steps / browser.seconds),
        nodeStepsPerSecond: round(node.steps / node.seconds),
        ratioBrowserToNode: round(browser.steps / browser.seconds / (node.steps / node.seconds)),
        browserAccuracy: browser.accuracy,
        nodeAccuracy: node.accuracy,
      };
      if (browser.steps !== node.steps)
        throw new Error(`${name}: ${browser.steps} steps in the browser, ${node.steps} in Node`);
      training.push(row);
      console.log(
        `${name}: browser ${row.browserStepsPerSecond} steps/s, Node ${row.nodeStepsPerSecond} steps/s, ratio ${row.ratioBrowserToNode}`,
      );
    }
    results.training = training;
    if (playground.problems.length > 0)
      throw new Error(`the browser reported problems:\n${playground.problems.join('\n')}`);
  } finally {
    await playground.close();
    rmSync(runsDir, { recursive: true, force: true });
  }
  machine.loadAfter = (await import('node:os')).loadavg()[0]!;
  const outDir = join(ROOT, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'playground.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(outDir, 'playground.md'), markdown(results));
  console.log('wrote bench/results/playground.json and playground.md');
}

function markdown(results: Record<string, unknown>): string {
  const machine = results.machine as ReturnType<typeof machineInfo>;
  const frames = results.frames as Record<string, number>;
  const training = results.training as Record<string, number | string>[];
  return [
    '# Playground speed (`npm run bench:web`)',
    '',
    `${machine.date}; ${machine.cpu}, ${machine.cores} logical CPUs; Node ${machine.node}; headless Chromium (${results.chromium}); ` +
      `commit ${machine.commit ?? '?'}${machine.dirty ? ' (uncommitted changes)' : ''}; load ${machine.loadBefore.toFixed(2)} before, ${machine.loadAfter?.toFixed(2)} after.`,
    '',
    `## Descent view, ${frames.racers} racers on Rosenbrock`,
    '',
    '| frames | median frame time | p95 | max |',
    '| --- | --- | --- | --- |',
    `| ${frames.frames} | ${frames.medianMs} ms | ${frames.p95Ms} ms | ${frames.maxMs} ms |`,
    '',
    '## Training on the embedded Fashion-MNIST subset: browser worker vs Node',
    '',
    "The same setup (same weights, same batches, Adam 1e-3, one epoch, validation on 1,000 images every 50 steps and the layer probe included) run by the Train view in the worker and by the same `ImageTrainer` in Node, on the backend the browser's worker chose (the WebAssembly kernels, with a Web Worker per further core when the page is cross-origin isolated) with the same thread count in Node.",
    '',
    '| model | backend (browser; Node) | steps | browser steps/s | Node steps/s | browser / Node | validation accuracy (browser, Node) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...training.map(
      (r) =>
        `| ${r.model} | ${r.backend}; ${r.nodeBackend} | ${r.steps} | ${r.browserStepsPerSecond} | ${r.nodeStepsPerSecond} | ${r.ratioBrowserToNode} | ${r.browserAccuracy}, ${r.nodeAccuracy} |`,
    ),
    '',
  ].join('\n');
}

await main();
