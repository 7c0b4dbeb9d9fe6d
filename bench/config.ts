/**
 * What the benchmark measures and how long it may spend on each measurement: the GEMM shapes, the two
 * models, the batch sizes, the length of the memory run, and the time budgets of a full and a `--quick` run. Every engine (Descent on
 * each backend, PyTorch, TensorFlow.js) reads the same settings, so the numbers compare like for like.
 */

/** The sections of a run; `--only` takes a comma-separated subset. */
export const SECTIONS = ['gemm', 'mlp', 'cnn', 'infer', 'memory'] as const;
export type Section = (typeof SECTIONS)[number];

/** Matrix-product shapes (M, K, N) from issue 4: the MLP's layers at batch 128, then square sizes. */
export const GEMM_SHAPES: readonly (readonly [number, number, number])[] = [
  [128, 784, 256],
  [128, 256, 128],
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
];

/**
 * The three products every training step needs: A·B (forward), Aᵀ·B (weight gradient), A·Bᵀ (input
 * gradient). For Aᵀ·B, A is stored [K, M]; for A·Bᵀ, B is stored [N, K].
 */
export const GEMM_VARIANTS = ['AB', 'AtB', 'ABt'] as const;
export type GemmVariant = (typeof GEMM_VARIANTS)[number];
export const GEMM_VARIANT_LABEL: Record<GemmVariant, string> = { AB: 'A·B', AtB: 'Aᵀ·B', ABt: 'A·Bᵀ' };

/** Fashion-MNIST's training set; an epoch is this many images at TRAIN_BATCH per step (469 steps). */
export const TRAIN_IMAGES = 60_000;
export const TRAIN_BATCH = 128;
export const INFER_BATCH = 1024;
export const LEARNING_RATE = 1e-3;
/** MLP 784-256-128-10 with ReLU between the layers. */
export const MLP_SIZES = [784, 256, 128, 10] as const;

/**
 * The memory section trains the MLP for `Settings.memorySteps` steps and compares the resident set
 * after a full garbage collection at this step (JIT, pools and V8's young generation warmed up)...
 */
export const MEMORY_FIRST_STEP = 100;
/** ...with the one at the last step; issue 4's target: within this fraction of each other. */
export const MEMORY_TOLERANCE = 0.05;
/** Every this many steps the resident set is also read without a collection, for the peak. */
export const MEMORY_SAMPLE_EVERY = 500;
/**
 * The memory section runs on Descent's non-reference backends at 1 thread and, when the run plans
 * them, 2 threads: the single-thread path and the worker path. More threads add minutes, not coverage.
 */
export const MEMORY_MAX_THREADS = 2;

/** How long one measurement may run, and the least it must do, in one mode (full or quick). */
export interface Settings {
  mode: 'full' | 'quick';
  /** Shapes measured (quick drops 1024³, whose transposed products take seconds on slow engines). */
  gemmShapes: readonly (readonly [number, number, number])[];
  /** Seconds of timed repetitions per GEMM cell, after one warm-up call. */
  gemmBudgetS: number;
  /** Timed repetitions per cell at least, unless the warm-up call alone took over twice the budget. */
  gemmMinRuns: number;
  /** Untimed training steps before the clock starts (JIT, wasm compilation, allocator warm-up)... */
  warmupBatches: number;
  /** ...stopping early once they took this many seconds (at least one step always runs). */
  warmupMaxS: number;
  /**
   * A training measurement runs a whole epoch when the warm-up predicts it fits this many seconds;
   * otherwise it runs until the budget is spent and at least `min*Batches` steps are done, and the
   * epoch time is extrapolated from the time per image (the table says which).
   */
  mlpBudgetS: number;
  mlpMinBatches: number;
  cnnBudgetS: number;
  cnnMinBatches: number;
  /**
   * When the warm-up predicts that the minimum number of steps would take longer than this, the
   * measurement is capped: it runs for the budget only (at least one step) and the table says
   * 'capped'. Only engines far slower than the rest reach it (TensorFlow.js's plain-JS CNN backward).
   */
  trainCapS: number;
  /** Seconds of inference passes over the test set (batches of INFER_BATCH), at least one pass. */
  inferBudgetS: number;
  /** Training steps of the memory section (issue 4's target is stated for 10,000). */
  memorySteps: number;
}

export const FULL: Settings = {
  mode: 'full',
  gemmShapes: GEMM_SHAPES,
  gemmBudgetS: 0.5,
  gemmMinRuns: 3,
  warmupBatches: 5,
  warmupMaxS: 20,
  mlpBudgetS: 45,
  mlpMinBatches: 200,
  cnnBudgetS: 45,
  cnnMinBatches: 100,
  trainCapS: 420,
  inferBudgetS: 4,
  memorySteps: 10_000,
};

/** A smoke run of about two minutes: every code path, numbers indicative only. */
export const QUICK: Settings = {
  mode: 'quick',
  gemmShapes: GEMM_SHAPES.slice(0, 4),
  gemmBudgetS: 0.05,
  gemmMinRuns: 1,
  warmupBatches: 1,
  warmupMaxS: 5,
  mlpBudgetS: 2,
  mlpMinBatches: 5,
  cnnBudgetS: 2,
  cnnMinBatches: 2,
  trainCapS: 10,
  inferBudgetS: 0.5,
  memorySteps: 1_000,
};

/** One measurement to make in a child process: which engine, which section, the settings. */
export interface Task {
  section: Section;
  settings: Settings;
  /** The folder holding Fashion-MNIST's four IDX files (gzipped or not); null when none was found. */
  dataDir: string | null;
  /** Engine-specific: the Descent backend name, or the TensorFlow.js backend ('cpu' or 'wasm'). */
  backend?: string;
  /** Threads requested (Descent wasm through DESCENT_THREADS, PyTorch through set_num_threads). */
  threads?: number;
}

/** Prefix of the one stdout line a child writes its result on (libraries print banners to stdout). */
export const RESULT_PREFIX = 'BENCH_RESULT ';
