/**
 * Flat memory over a long run: trains a tiny MLP (32-64-10) for 10,000 steps with the trainer
 * (accuracy and F1 metrics, a step record every 100 steps, a resumable checkpoint every 1,000 steps
 * and a JSONL log) and reports the process's RSS and V8 heap at the start (after 100 warm-up steps)
 * and at the end, after a garbage collection.
 *
 *     node --import tsx bench/memory-flat.ts [steps]
 *     DESCENT_BACKEND=wasm node --import tsx bench/memory-flat.ts   # on the WebAssembly backend
 *
 * Prints one JSON line: {steps, seconds, rss: {start, end, growth}, heap: {start, end, growth}} in MB.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import '../src/backend/wasm/index.js'; // registers 'wasm', for DESCENT_BACKEND=wasm
import { Linear, ReLU, Sequential } from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import { randn, tensor } from '../src/tensor/creation.js';
import { Generator, manualSeed } from '../src/tensor/random.js';
import { JsonlLogger, ModelCheckpoint, Trainer, tensorSource } from '../src/train/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface MemoryReport {
  steps: number;
  seconds: number;
  rss: { start: number; end: number; growth: number };
  heap: { start: number; end: number; growth: number };
}

const MB = 1024 * 1024;

function measure(): { rss: number; heap: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss / MB, heap: m.heapUsed / MB };
}

/** Trains `steps` steps (after 100 warm-up steps) and measures memory before and after. */
export function memoryFlat(steps: number, dir: string): MemoryReport {
  manualSeed(0);
  const g = new Generator(1);
  const count = 1024;
  const labels = Array.from({ length: count }, () => g.integer(0, 10));
  const x = randn([count, 32]);
  const y = tensor(labels, { dtype: 'int32' });
  const model = new Sequential(new Linear(32, 64), new ReLU(), new Linear(64, 10));
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const stepsPerEpoch = count / 32;
  const warmup = 100;
  const make = (epochs: number) =>
    new Trainer(model, tensorSource(x, y, { batchSize: 32, seed: 2 }), {
      epochs,
      optimizer,
      metrics: ['accuracy', 'f1'],
      logEvery: 100,
      callbacks: [
        new ModelCheckpoint(join(dir, 'checkpoints'), { everySteps: 1000, keep: 2 }),
        new JsonlLogger(join(dir, 'log.jsonl')),
      ],
    });
  // Warm up: JIT, first allocations.
  const trainer = make(Math.ceil(warmup / stepsPerEpoch));
  trainer.fit();
  const start = measure();
  const t0 = performance.now();
  trainer.epochs = trainer.epochsDone + Math.ceil(steps / stepsPerEpoch);
  trainer.fit();
  const seconds = (performance.now() - t0) / 1000;
  const end = measure();
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    steps: trainer.step - Math.ceil(warmup / stepsPerEpoch) * stepsPerEpoch,
    seconds: round(seconds),
    rss: { start: round(start.rss), end: round(end.rss), growth: round(end.rss - start.rss) },
    heap: { start: round(start.heap), end: round(end.heap), growth: round(end.heap - start.heap) },
  };
}

if (process.argv[1]?.endsWith('memory-flat.ts')) {
  const steps = Number(process.argv[2] ?? 10_000);
  const dir = join(tmpdir(), `descent-memory-${process.pid}`);
  try {
    console.log(JSON.stringify(memoryFlat(steps, dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
