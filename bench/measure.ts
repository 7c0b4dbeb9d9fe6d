/**
 * The timing rules every JavaScript engine shares (bench/torch_bench.py repeats them in Python): how a
 * GEMM cell is timed, how an epoch is timed or extrapolated, how inference throughput is counted, how
 * memory is followed over a long training run, and the shape of the results a child process reports.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { batches, type Batch, type ImageSet } from '../src/data/index.js';
import {
  MEMORY_FIRST_STEP,
  MEMORY_SAMPLE_EVERY,
  RESULT_PREFIX,
  TRAIN_BATCH,
  TRAIN_IMAGES,
  type GemmVariant,
  type Section,
  type Settings,
} from './config.js';

export interface GemmCell {
  m: number;
  k: number;
  n: number;
  variant: GemmVariant;
  gflops: number;
  /** Median seconds of one product over the timed runs. */
  medianS: number;
  runs: number;
}

export interface TrainResult {
  /** Seconds for one epoch of 60,000 images: measured when `fullEpoch`, else extrapolated per image. */
  epochSeconds: number;
  fullEpoch: boolean;
  /** Fewer steps than the section's minimum were timed, because the engine is too slow (see trainCapS). */
  capped: boolean;
  /** Steps and images actually timed. */
  batches: number;
  images: number;
  /** Wall seconds of the timed steps. */
  seconds: number;
  /**
   * The process's CPU seconds (user + system, every thread) per epoch, scaled like epochSeconds. For a
   * one-thread engine on a busy machine, epochSeconds above this is time spent waiting for a core.
   */
  epochCpuSeconds: number;
  /** Mean training loss over the timed steps: a sanity check that the model learns, not a metric. */
  loss: number;
}

export interface InferResult {
  imagesPerSecond: number;
  images: number;
  seconds: number;
}

/** The process's memory right after a full garbage collection, in MiB. */
export interface MemorySnapshot {
  /** Training steps done when it was taken. */
  step: number;
  rssMiB: number;
  /** V8's live JavaScript objects (process.memoryUsage().heapUsed). */
  heapUsedMiB: number;
  /** ArrayBuffers and SharedArrayBuffers, wasm memories included (process.memoryUsage().arrayBuffers). */
  arrayBuffersMiB: number;
  /**
   * V8's young generation ('new_space' space_size): V8 grows it by itself, up to its maximum, early in
   * a run with many short-lived objects, and that growth shows in the resident set.
   */
  youngGenerationMiB: number;
}

export interface MemorySample {
  step: number;
  rssMiB: number;
  youngGenerationMiB: number;
}

export interface MemoryResult {
  /** Steps trained: Settings.memorySteps. */
  steps: number;
  /** After a full collection at step MEMORY_FIRST_STEP, and at the last step. */
  first: MemorySnapshot;
  last: MemorySnapshot;
  /** (last.rssMiB - first.rssMiB) / first.rssMiB: issue 4 asks for at most 5% either way. */
  rssChange: number;
  /**
   * The resident set (and the young generation's size) read without a collection every
   * MEMORY_SAMPLE_EVERY steps, and the resident set's maximum over them.
   */
  samples: MemorySample[];
  peakRssMiB: number;
  /** Wall seconds of all the steps, the collections and readings included. */
  seconds: number;
  /** Mean training loss over the last MEMORY_SAMPLE_EVERY steps (fewer when the run is shorter): a check that the model learns. */
  loss: number;
}

/** What a child process prints (after RESULT_PREFIX) for one engine and one section. */
export interface SectionResult {
  section: Section | 'probe';
  status: 'ok' | 'unsupported' | 'skipped' | 'error';
  /** Why a section was unsupported, skipped or failed; or a remark about an ok one. */
  note?: string;
  gemm?: GemmCell[];
  train?: TrainResult;
  infer?: InferResult;
  memory?: MemoryResult;
  /** Peak resident set of the child process, in MiB (getrusage's ru_maxrss). */
  maxRssMiB?: number;
  /** Wall seconds of the child process, start-up and data loading included (set by bench/run.ts). */
  processSeconds?: number;
  /** Engine facts worth recording: versions, SIMD and thread flags, thread count actually used. */
  info?: Record<string, unknown>;
}

export function now(): number {
  return performance.now() / 1000;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Times `run` (one matrix product, M·K·N multiply-adds): one untimed warm-up call, then repeated calls
 * until the budget is spent and `gemmMinRuns` are done; GFLOP/s from the median. A cell whose warm-up
 * took over twice the budget is timed once, so that a slow engine does not take minutes per cell.
 */
export function timeGemm(
  run: () => void,
  shape: { m: number; k: number; n: number; variant: GemmVariant },
  settings: Settings,
): GemmCell {
  const warmStart = now();
  run();
  const warm = now() - warmStart;
  const minRuns = warm > 2 * settings.gemmBudgetS ? 1 : settings.gemmMinRuns;
  const times: number[] = [];
  const start = now();
  while (times.length < minRuns || (now() - start < settings.gemmBudgetS && times.length < 1000)) {
    const t = now();
    run();
    times.push(now() - t);
  }
  const medianS = median(times);
  return { ...shape, gflops: (2 * shape.m * shape.k * shape.n) / medianS / 1e9, medianS, runs: times.length };
}

/**
 * Times training on `set` with `runSteps`, which trains on every batch it is given and returns the mean
 * loss. Warm-up steps run first on other batches; their time predicts the epoch. When the prediction
 * fits the budget a whole epoch is timed; otherwise steps run until the budget is spent and at least
 * `minBatches` are done, and the epoch time is extrapolated from the time per image. When even the
 * minimum would take longer than `trainCapS`, the run stops at the budget (at least one step): capped.
 */
export function timeTraining(
  set: ImageSet,
  runSteps: (data: Iterable<Batch>) => number,
  settings: Settings,
  budgetS: number,
  minBatches: number,
): TrainResult {
  const steps = Math.ceil(TRAIN_IMAGES / TRAIN_BATCH);
  let warmSteps = 0;
  const warmStart = now();
  function* warmup(): Generator<Batch> {
    for (const batch of batches(set, { batchSize: TRAIN_BATCH, seed: 1 })) {
      if (warmSteps >= Math.max(settings.warmupBatches, 1)) return;
      if (warmSteps >= 1 && now() - warmStart >= settings.warmupMaxS) return;
      warmSteps++;
      yield batch;
    }
  }
  const warmCpu = cpuSeconds();
  const warmLoss = runSteps(warmup());
  const warmSeconds = now() - warmStart;
  const perStep = warmSeconds / warmSteps;
  const fullEpoch = perStep * steps <= budgetS;
  const capped = !fullEpoch && perStep * minBatches > settings.trainCapS;
  if (capped && perStep > budgetS) {
    // Even one more step would overrun the budget: the warm-up steps are the measurement.
    const images = warmSteps * TRAIN_BATCH;
    return {
      epochSeconds: (warmSeconds / images) * TRAIN_IMAGES,
      fullEpoch: false,
      capped: true,
      batches: warmSteps,
      images,
      seconds: warmSeconds,
      epochCpuSeconds: ((cpuSeconds() - warmCpu) / images) * TRAIN_IMAGES,
      loss: warmLoss,
    };
  }
  const least = capped ? 1 : minBatches;

  let count = 0;
  let images = 0;
  const start = now();
  const cpuStart = cpuSeconds();
  function* feed(): Generator<Batch> {
    for (const batch of batches(set, { batchSize: TRAIN_BATCH, seed: 2 })) {
      if (!fullEpoch && count >= least && now() - start >= budgetS) return;
      count++;
      images += batch.size;
      yield batch;
    }
  }
  const loss = runSteps(feed());
  const seconds = now() - start;
  const cpu = cpuSeconds() - cpuStart;
  return {
    epochSeconds: fullEpoch ? seconds : (seconds / images) * TRAIN_IMAGES,
    fullEpoch: fullEpoch || images >= TRAIN_IMAGES,
    capped: capped && count < minBatches,
    batches: count,
    images,
    seconds,
    epochCpuSeconds: fullEpoch ? cpu : (cpu / images) * TRAIN_IMAGES,
    loss,
  };
}

/** CPU seconds this process has used (user + system, all threads). */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Times `forward` over the prepared inference batches: one untimed batch, then whole passes until the
 * budget is spent (at least one pass).
 */
export function timeInference<T>(
  inputs: readonly T[],
  sizes: readonly number[],
  forward: (x: T) => void,
  budgetS: number,
): InferResult {
  forward(inputs[0]!);
  let images = 0;
  const start = now();
  do {
    for (let i = 0; i < inputs.length; i++) {
      forward(inputs[i]!);
      images += sizes[i]!;
    }
  } while (now() - start < budgetS);
  const seconds = now() - start;
  return { imagesPerSecond: images / seconds, images, seconds };
}

const MiB = 1024 * 1024;
let collectGarbage: (() => void) | null = null;

/**
 * A full garbage collection, run twice (the second frees what the first one's finalisers released),
 * through V8's `gc` exposed at run time as bench/memory-flat.ts does, so no Node flag is needed.
 */
export function fullGc(): void {
  if (!collectGarbage) {
    setFlagsFromString('--expose-gc');
    collectGarbage = runInNewContext('gc') as () => void;
  }
  collectGarbage();
  collectGarbage();
}

/** The size of V8's young generation ('new_space'), used or not, in MiB. */
function youngGenerationMiB(): number {
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return (young?.space_size ?? NaN) / MiB;
}

/** Collects all garbage, then reads the process's memory (see MemorySnapshot). */
export function memorySnapshot(step: number): MemorySnapshot {
  fullGc();
  const usage = process.memoryUsage();
  return {
    step,
    rssMiB: usage.rss / MiB,
    heapUsedMiB: usage.heapUsed / MiB,
    arrayBuffersMiB: usage.arrayBuffers / MiB,
    youngGenerationMiB: youngGenerationMiB(),
  };
}

/** Fashion-MNIST's training set as endless batches, reshuffled each epoch with the next seed (1, 2, ...). */
function* epochsOf(set: ImageSet): Generator<Batch, never> {
  for (let seed = 1; ; seed++) yield* batches(set, { batchSize: TRAIN_BATCH, seed });
}

/** The next `count` batches of `source`, leaving it open for the batches after them. */
function* take(source: Iterator<Batch>, count: number): Generator<Batch> {
  for (let i = 0; i < count; i++) {
    const next = source.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * Follows the process's memory over `steps` training steps on `set` with `runSteps` (which trains on
 * every batch it is given and returns the mean loss): a snapshot after a full collection at step
 * MEMORY_FIRST_STEP and at the last step, and the resident set without a collection every
 * MEMORY_SAMPLE_EVERY steps. `runSteps` is called once per stretch between two readings, so no step's
 * tensors are alive while memory is read.
 */
export function trackMemory(
  set: ImageSet,
  runSteps: (data: Iterable<Batch>) => number,
  steps: number,
): MemoryResult {
  const readings = new Set([MEMORY_FIRST_STEP, steps]);
  for (let step = MEMORY_SAMPLE_EVERY; step < steps; step += MEMORY_SAMPLE_EVERY) readings.add(step);
  const source = epochsOf(set);
  const samples: MemorySample[] = [];
  let first: MemorySnapshot | null = null;
  let last: MemorySnapshot | null = null;
  let done = 0;
  let loss = NaN;
  const start = now();
  for (const step of [...readings].filter((s) => s > 0 && s <= steps).sort((a, b) => a - b)) {
    loss = runSteps(take(source, step - done));
    done = step;
    if (step % MEMORY_SAMPLE_EVERY === 0) {
      samples.push({
        step,
        rssMiB: process.memoryUsage.rss() / MiB,
        youngGenerationMiB: youngGenerationMiB(),
      });
    }
    if (step === MEMORY_FIRST_STEP) first = memorySnapshot(step);
    if (step === steps) last = memorySnapshot(step);
  }
  const seconds = now() - start;
  if (!first || !last) throw new Error(`memory: needs at least ${MEMORY_FIRST_STEP} steps, got ${steps}`);
  return {
    steps,
    first,
    last,
    rssChange: (last.rssMiB - first.rssMiB) / first.rssMiB,
    samples,
    peakRssMiB: samples.length ? Math.max(...samples.map((s) => s.rssMiB)) : NaN,
    seconds,
    loss,
  };
}

/** Peak resident set of this process in MiB (resourceUsage reports kibibytes). */
export function maxRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Writes the result line the orchestrator reads, then leaves. */
export function report(result: SectionResult): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...result, maxRssMiB: maxRssMiB() })}\n`);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Deterministic pseudo-random float32 values in [-1, 1) for GEMM operands (a 32-bit LCG). */
export function fillRandom(array: Float32Array | Float64Array, seed: number): void {
  let state = seed >>> 0 || 1;
  for (let i = 0; i < array.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    array[i] = state / 2147483648 - 1;
  }
}

/** The test set as inference batches of `batchSize` images scaled to [0, 1] (the last partial batch dropped). */
export function inferenceBatches(set: ImageSet, batchSize: number): Batch[] {
  return [...batches(set, { batchSize, shuffle: false, dropLast: true })];
}
