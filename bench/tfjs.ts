/**
 * Child process: measures one section on TensorFlow.js (the anchor of the JavaScript ecosystem) and
 * prints the result line.
 *
 *   node --import tsx bench/tfjs.ts '<Task as JSON>'     (task.backend: 'cpu' or 'wasm')
 *
 * 'cpu' is @tensorflow/tfjs's plain-JavaScript backend; 'wasm' is @tensorflow/tfjs-backend-wasm, whose
 * .wasm files ship inside the npm package and are loaded from node_modules. The models are the same as
 * Descent's (TensorFlow.js lays images out as NHWC, its native layout); the training step is the one a
 * TensorFlow.js user writes for a custom loop: optimizer.minimize on softmax cross-entropy, Adam, with
 * the loss and the accuracy read back every step, as Descent's trainEpoch does.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadFashionMnist, type Batch } from '../src/data/index.js';
import { GEMM_VARIANTS, INFER_BATCH, LEARNING_RATE, MLP_SIZES, type Settings, type Task } from './config.js';
import {
  errorMessage,
  inferenceBatches,
  report,
  timeGemm,
  timeInference,
  timeTraining,
  type SectionResult,
} from './measure.js';

async function useBackend(name: string): Promise<Record<string, unknown>> {
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    wasm.setWasmPaths(`${dist}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
    await tf.ready();
    return {
      tfjs: tf.version.tfjs,
      backend: tf.getBackend(),
      simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
      multithread: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
      threads: wasm.getThreadsCount(),
    };
  }
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend("${name}") failed`);
  await tf.ready();
  return { tfjs: tf.version.tfjs, backend: tf.getBackend(), threads: 1 };
}

function gemm(settings: Settings): SectionResult {
  const cells = [];
  for (const [m, k, n] of settings.gemmShapes) {
    for (const variant of GEMM_VARIANTS) {
      const transA = variant === 'AtB';
      const transB = variant === 'ABt';
      const a = tf.randomUniform(transA ? [k, m] : [m, k], -1, 1);
      const b = tf.randomUniform(transB ? [n, k] : [k, n], -1, 1);
      const product = () => {
        const out = tf.matMul(a, b, transA, transB);
        out.dataSync();
        out.dispose();
      };
      cells.push(timeGemm(product, { m, k, n, variant }, settings));
      tf.dispose([a, b]);
    }
  }
  return { section: 'gemm', status: 'ok', gemm: cells };
}

function buildMlp(): tf.Sequential {
  const [input, ...units] = MLP_SIZES;
  return tf.sequential({
    layers: units.map((size, i) =>
      tf.layers.dense({
        ...(i === 0 ? { inputShape: [input] } : {}),
        units: size,
        activation: i + 1 < units.length ? 'relu' : 'linear',
      }),
    ),
  });
}

function buildCnn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same' }),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same' }),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/** Trains on every batch given; returns the mean loss. */
function trainer(model: tf.Sequential, images: boolean) {
  const optimizer = tf.train.adam(LEARNING_RATE);
  return (data: Iterable<Batch>): number => {
    let total = 0;
    let samples = 0;
    for (const batch of data) {
      const [loss, correct] = tf.tidy(() => {
        const x = tf.tensor(batch.images, images ? [batch.size, 28, 28, 1] : [batch.size, 784]);
        const labels = tf.tensor1d(batch.labels, 'int32');
        const targets = tf.oneHot(labels, 10);
        let logits: tf.Tensor | null = null;
        const value = optimizer.minimize(() => {
          logits = tf.keep(model.apply(x, { training: true }) as tf.Tensor);
          return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
        }, true)!;
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), labels), 'int32'));
        tf.dispose(logits!);
        return [value, hits];
      });
      const l = loss.dataSync()[0]!;
      correct.dataSync();
      tf.dispose([loss, correct]);
      if (!Number.isFinite(l)) throw new Error(`training diverged: loss ${l}`);
      total += l * batch.size;
      samples += batch.size;
    }
    return total / Math.max(samples, 1);
  };
}

async function run(task: Task): Promise<SectionResult> {
  const { section, settings } = task;
  tf.enableProdMode();
  const info = await useBackend(task.backend ?? 'cpu');
  if (section === 'gemm') return { ...gemm(settings), info };
  if (!task.dataDir) return { section, status: 'skipped', note: 'Fashion-MNIST not found', info };
  const { train, test } = await loadFashionMnist({ dataDir: task.dataDir, download: false });

  if (section === 'infer') {
    const model = buildMlp();
    const data = inferenceBatches(test, INFER_BATCH);
    const inputs = data.map((b) => tf.tensor2d(b.images, [b.size, 784]));
    const result = timeInference(
      inputs,
      data.map((b) => b.size),
      (x) => {
        const out = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
        out.dataSync();
        out.dispose();
      },
      settings.inferBudgetS,
    );
    return { section, status: 'ok', infer: result, info };
  }

  const isCnn = section === 'cnn';
  const model = isCnn ? buildCnn() : buildMlp();
  const steps = trainer(model, isCnn);
  const [budget, minBatches] = isCnn
    ? [settings.cnnBudgetS, settings.cnnMinBatches]
    : [settings.mlpBudgetS, settings.mlpMinBatches];
  try {
    const result = timeTraining(train, steps, settings, budget, minBatches);
    return { section, status: 'ok', train: result, info };
  } catch (error) {
    // The wasm backend has no Conv2DBackpropFilter kernel, so it cannot train the CNN.
    if (/not registered/.test(errorMessage(error)))
      return { section, status: 'unsupported', note: errorMessage(error), info };
    throw error;
  }
}

const task = JSON.parse(process.argv[2] ?? '{}') as Task;
try {
  report(await run(task));
} catch (error) {
  report({ section: task.section, status: 'error', note: errorMessage(error) });
}
process.exit(0);
