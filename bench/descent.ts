/**
 * Child process: measures one section on one Descent backend and prints the result line.
 *
 *   node --import tsx bench/descent.ts '<Task as JSON>'     (bench/run.ts starts it)
 *
 * The backend is chosen with setBackend(task.backend); its thread count comes from DESCENT_THREADS,
 * which the orchestrator sets. GEMM calls the backend's matmul primitive directly on buffers from its
 * own allocate(); the training sections use the library as a user would (buildMlp, nn layers,
 * optim.Adam, trainEpoch), so they include autograd and the optimizer. The memory section trains the
 * MLP section's model the same way for Settings.memorySteps steps and reads the process's memory.
 */
import {
  availableBackends,
  getBackend,
  noGrad,
  nn,
  optim,
  setBackend,
  trainEpoch,
  fromTypedArray,
  type Backend,
  type Tensor,
} from '../src/index.js';
import { loadFashionMnist, type Batch } from '../src/data/index.js';
import {
  GEMM_VARIANTS,
  INFER_BATCH,
  LEARNING_RATE,
  MLP_SIZES,
  type Section,
  type Settings,
  type Task,
} from './config.js';
import {
  errorMessage,
  fillRandom,
  inferenceBatches,
  report,
  timeGemm,
  timeInference,
  timeTraining,
  trackMemory,
  type SectionResult,
} from './measure.js';

type Module = InstanceType<typeof nn.Module>;
type ConvCtor = new (inC: number, outC: number, k: number, options: { padding: number }) => Module;
type PoolCtor = new (k: number) => Module;

/** Plain facts a backend exposes about itself (thread count, SIMD flavour...), whatever it names them. */
function describe(backend: Backend): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(backend)) {
    if (['number', 'string', 'boolean'].includes(typeof value)) facts[key] = value;
  }
  return facts;
}

/**
 * The wasm backend's kernel build ('simd' or 'relaxed'), read from its loader when the backend object
 * does not say: the relaxed-SIMD GEMM target applies only to the relaxed build.
 */
async function wasmFacts(): Promise<Record<string, unknown>> {
  try {
    const loader = '../src/backend/wasm/index.js';
    const module = (await import(loader)) as { sharedWasmKernels?: () => { variant?: unknown } };
    const variant = module.sharedWasmKernels?.().variant;
    return typeof variant === 'string' ? { variant } : {};
  } catch {
    return {};
  }
}

async function factsOf(backend: Backend): Promise<Record<string, unknown>> {
  const facts = describe(backend);
  if (backend.name === 'wasm' && facts['variant'] === undefined) Object.assign(facts, await wasmFacts());
  return facts;
}

async function useBackend(name: string): Promise<Backend> {
  const backend = setBackend(name);
  // A backend that compiles or starts workers asynchronously may expose a ready() or a promise.
  const ready = (backend as unknown as { ready?: unknown }).ready;
  if (typeof ready === 'function') await (ready as () => unknown).call(backend);
  else if (ready instanceof Promise) await ready;
  return backend;
}

function gemm(backend: Backend, settings: Settings): SectionResult {
  const cells = [];
  for (const [m, k, n] of settings.gemmShapes) {
    const a = backend.allocate('float32', m * k) as Float32Array;
    const b = backend.allocate('float32', k * n) as Float32Array;
    const out = backend.allocate('float32', m * n);
    fillRandom(a, 1);
    fillRandom(b, 2);
    for (const variant of GEMM_VARIANTS) {
      const spec = {
        batch: 1,
        m,
        k,
        n,
        transA: variant === 'AtB',
        transB: variant === 'ABt',
        strideA: m * k,
        strideB: k * n,
      };
      cells.push(timeGemm(() => backend.matmul(a, b, out, spec), { m, k, n, variant }, settings));
    }
  }
  return { section: 'gemm', status: 'ok', gemm: cells };
}

/** A classifier over flat [N, 784] batches; the CNN reshapes them to images first. */
function classifier(model: Module, imageShape: number[] | null) {
  return {
    forward: (x: Tensor) => model.forward(imageShape ? x.reshape([-1, ...imageShape]) : x),
    train: () => model.train(),
    eval: () => model.eval(),
  };
}

function buildCnn(): Module | string {
  const layers = nn as unknown as Record<string, unknown>;
  const Conv2d = layers['Conv2d'] as ConvCtor | undefined;
  const MaxPool2d = layers['MaxPool2d'] as PoolCtor | undefined;
  if (!Conv2d || !MaxPool2d) return 'nn.Conv2d or nn.MaxPool2d not available in this build of Descent';
  return new nn.Sequential(
    new Conv2d(1, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new MaxPool2d(2),
    new Conv2d(32, 64, 3, { padding: 1 }),
    new nn.ReLU(),
    new MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(3136, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}

async function run(task: Task): Promise<SectionResult> {
  const { section, settings } = task;
  if (section === ('probe' as Section)) {
    const backends: Record<string, unknown> = {};
    for (const name of availableBackends()) {
      try {
        backends[name] = await factsOf(await useBackend(name));
      } catch (error) {
        backends[name] = { error: errorMessage(error) };
      }
    }
    return { section: 'probe', status: 'ok', info: { backends } };
  }
  const backend = await useBackend(task.backend ?? getBackend().name);
  const info = await factsOf(backend);
  const withInfo = (result: SectionResult): SectionResult => ({ ...result, info });
  if (section === 'gemm') return withInfo(gemm(backend, settings));
  if (!task.dataDir) return { section, status: 'skipped', note: 'Fashion-MNIST not found' };
  const { train, test } = await loadFashionMnist({ dataDir: task.dataDir, download: false });

  if (section === 'infer') {
    const model = nn.buildMlp(MLP_SIZES, 'relu');
    model.eval();
    const data = inferenceBatches(test, INFER_BATCH);
    const inputs = data.map((b: Batch) => fromTypedArray(b.images, [b.size, 784]));
    const result = noGrad(() =>
      timeInference(
        inputs,
        data.map((b) => b.size),
        (x) => model.forward(x),
        settings.inferBudgetS,
      ),
    );
    return withInfo({ section, status: 'ok', infer: result });
  }

  let model: Module;
  let imageShape: number[] | null = null;
  if (section === 'mlp' || section === 'memory') {
    model = nn.buildMlp(MLP_SIZES, 'relu');
  } else {
    const cnn = buildCnn();
    if (typeof cnn === 'string') return { section, status: 'unsupported', note: cnn };
    model = cnn;
    imageShape = [1, 28, 28];
  }
  const optimizer = new optim.Adam(model.parameters(), { lr: LEARNING_RATE });
  const net = classifier(model, imageShape);
  const runSteps = (batches: Iterable<Batch>) => trainEpoch(net, batches, optimizer, nn.crossEntropy).loss;
  if (section === 'memory') {
    return withInfo({ section, status: 'ok', memory: trackMemory(train, runSteps, settings.memorySteps) });
  }
  const [budget, minBatches] =
    section === 'mlp'
      ? [settings.mlpBudgetS, settings.mlpMinBatches]
      : [settings.cnnBudgetS, settings.cnnMinBatches];
  const result = timeTraining(train, runSteps, settings, budget, minBatches);
  return withInfo({ section, status: 'ok', train: result });
}

const task = JSON.parse(process.argv[2] ?? '{}') as Task;
try {
  report(await run(task));
} catch (error) {
  report({ section: task.section, status: 'error', note: errorMessage(error) });
}
// Worker threads a backend started must not keep the child alive once the result is written.
process.exit(0);
